"""Files on disk, for every layer that keeps some: atomic writes, owner-only folders, and
reading only regular files.

Writes are atomic (temp file, fsync, rename) so a crash leaves either the old or the new
version, never half of one. Only regular files are read: a FIFO or a device named
``x.toml`` is refused without blocking (``O_NONBLOCK``, then ``fstat``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["StoreError", "check_folder", "digest_of", "make_private_dir", "read_regular",
           "read_regular_or_none", "write_atomic"]


class StoreError(Exception):
    """A conversation could not be read or written; the message says which and why."""


def digest_of(data: bytes) -> bytes:
    """A short fingerprint of ``data``: whether a file changed since it was read."""
    return hashlib.blake2b(data, digest_size=16).digest()


def check_folder(folder: Path) -> None:
    """Raise StoreError when ``folder`` cannot be a folder: it, or a folder above it, is a
    file (``CLINE_TUI_HOME`` pointing at a file)."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise StoreError(f"{path} is a file, not a folder: conversations cannot be "
                                 f"kept in {folder}")
            return


def make_private_dir(path: Path) -> None:
    """Create ``path`` and every missing folder above it owner-only (0700), as the XDG
    base directory spec asks; folders that already exist are left as they are."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves the old file
    or the new one. Owner-only permissions: conversations are private."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFDIR: "a folder",
          stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def read_regular(path: Path) -> tuple[bytes, os.stat_result] | None:
    """The bytes of ``path`` and the stat of exactly those bytes; None if it does not
    exist. Anything but a regular file is refused (StoreError) without blocking: opening
    a FIFO for reading would wait for a writer forever."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"{path.name}: cannot be read ({error.strerror})") from None
    with open(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
            raise StoreError(f"{path.name}: is {kind}, not a conversation file (skipped)")
        try:
            return handle.read(), st
        except OSError as error:
            raise StoreError(f"{path.name}: cannot be read ({error.strerror})") from None


def read_regular_or_none(path: Path) -> tuple[bytes, bytes] | None:
    """The bytes of ``path`` and their digest, or None when it does not exist."""
    found = read_regular(path)
    return None if found is None else (found[0], digest_of(found[0]))
