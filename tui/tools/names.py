"""The names tools are offered to the model under, and the way back.

OpenAI (and the providers behind the Cline API) accept a function name only if it matches
``^[a-zA-Z0-9_-]{1,64}$``, and each must be unique in a request. MCP names are free text
and two servers may both have a ``search``. A tool keeps its own name when it fits and is
unique; otherwise it is offered as ``server__tool`` made safe, shortened with a hash when
too long, and numbered if that is taken too.
"""

from __future__ import annotations

import hashlib
import re

VALID_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")
_LIMIT = 64


def offered_names(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For each ``(server, tool)``, the name the model sees: unique and valid."""
    counts: dict[str, int] = {}
    for _server, tool in pairs:
        counts[tool] = counts.get(tool, 0) + 1
    taken: set[str] = set()
    names: dict[tuple[str, str], str] = {}
    # Names that fit as they are first, so a renamed tool never takes one of theirs.
    for server, tool in pairs:
        if counts[tool] == 1 and VALID_NAME.match(tool):
            names[(server, tool)] = tool
            taken.add(tool)
    for server, tool in pairs:
        if (server, tool) in names:
            continue
        name = safe_name(f"{server}__{tool}")
        number = 1
        candidate = name
        while candidate in taken:
            number += 1
            candidate = safe_name(f"{name}_{number}")
        names[(server, tool)] = candidate
        taken.add(candidate)
    return names


def safe_name(name: str) -> str:
    """``name`` with every run of unsafe characters as ``_``, at most 64 characters (a
    long one ends in a short hash of the whole, so two long names stay apart)."""
    cleaned = _UNSAFE.sub("_", name).strip("_") or "tool"
    if len(cleaned) <= _LIMIT:
        return cleaned
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[: _LIMIT - 9]}_{digest}"
