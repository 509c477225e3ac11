"""Paths the user names in the chat's prompt: ``@path`` completion under the working
directory, and a pasted text that names files (what terminals paste for a dragged file).

Completion never walks a tree: each call lists the one directory the typed path is in
(at most ``MAX_ENTRIES`` of its entries are read), so a keystroke costs one ``scandir``
however big the tree below is. Hidden entries are left out unless the typed name starts
with a dot; ``.git`` is left out always.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_ENTRIES = 2000  # entries of one directory read for a completion, at most
MAX_CHOICES = 50  # completions offered, at most
SKIPPED = {".git"}

# ``@`` at the start or after a space, then the path typed so far, up to the cursor.
_AT_TOKEN = re.compile(r"(?:^|(?<=\s))@(\S*)$")


@dataclass(frozen=True)
class PathChoice:
    """One completion: ``path`` relative to the working directory (a folder ends in
    ``/``)."""

    path: str
    is_dir: bool


def at_token(before_cursor: str) -> str | None:
    """The path typed after an ``@`` that ends at the cursor (``before_cursor`` is the
    line up to it), or None when the cursor is not in such a token."""
    match = _AT_TOKEN.search(before_cursor)
    return match.group(1) if match else None


def complete(cwd: Path, typed: str) -> list[PathChoice]:
    """The entries of the directory ``typed`` is in whose names start with its last part
    (case-insensitively); folders first. Nothing for a path that leaves ``cwd``."""
    folder, _, start = typed.rpartition("/")
    parts = [p for p in folder.split("/") if p]
    if typed.startswith(("/", "~")) or any(p in ("..", ".") or p in SKIPPED for p in parts):
        return []
    directory = cwd.joinpath(*parts)
    prefix = "/".join(parts) + "/" if parts else ""
    lowered = start.lower()
    found: list[PathChoice] = []
    try:
        with os.scandir(directory) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    break
                name = entry.name
                if name in SKIPPED or (name.startswith(".") and not start.startswith(".")):
                    continue
                if not name.lower().startswith(lowered):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                found.append(PathChoice(prefix + name + ("/" if is_dir else ""), is_dir))
    except OSError:
        return []
    found.sort(key=lambda c: (not c.is_dir, c.path.lower()))
    return found[:MAX_CHOICES]


def pasted_paths(text: str, cwd: Path) -> list[Path] | None:
    """The files a pasted ``text`` names, or None when it is not only names of existing
    files. Taken: absolute paths, ``~/…``, ``./…`` and ``../…``, quoted or with
    backslash-escaped spaces, and ``file://`` URLs, several on one line. A bare word
    (``notes.txt``) is text someone pasted, not a dragged file."""
    text = text.strip()
    if not text or "\n" in text or len(text) > 4096:
        return None
    try:
        words = shlex.split(text)
    except ValueError:  # an unclosed quote
        return None
    if not words:
        return None
    paths = []
    for word in words:
        path = _path_of(word, cwd)
        if path is None or not path.is_file():
            return None
        paths.append(path)
    return paths


def _path_of(word: str, cwd: Path) -> Path | None:
    if word.startswith("file://"):
        url = urlsplit(word)
        if url.netloc not in ("", "localhost"):
            return None
        return Path(unquote(url.path))
    if word.startswith("~/"):
        return Path(os.path.expanduser(word))
    if word.startswith("/"):
        return Path(word)
    if word.startswith(("./", "../")):
        return cwd / word
    return None


def may_name_files(text: str) -> bool:
    """Whether a pasted ``text`` looks like paths of files (no I/O): one line starting
    with a path or a quoted one (``pasted_paths`` then checks that they are files)."""
    text = text.strip().lstrip("'\"")
    return "\n" not in text and text.startswith(("/", "~/", "./", "../", "file://"))
