"""Reading the header of a GGUF model file: is it one, and what model is inside.

Only the metadata at the front of the file is read (never the weights), so checking a
file the user named is quick and a wrong file gets a plain message before any server is
started for it.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GGUF"

# Value types of the GGUF metadata (llama.cpp's gguf.h).
_SCALARS = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
    10: "<Q", 11: "<q", 12: "<d",
}
_STRING, _ARRAY = 8, 9
_MAX_STRING = 64 * 1024 * 1024  # a sanity bound: a garbage length means a broken file


class GGUFError(Exception):
    """The file is not a GGUF model file, or is cut short."""


def read_metadata(path: Path) -> dict[str, Any]:
    """The metadata of the GGUF file at ``path``, less its arrays (the vocabulary: large
    and not needed here). Raises ``GGUFError`` or ``OSError``."""
    with path.open("rb") as file:
        if file.read(4) != MAGIC:
            raise GGUFError(f"{path} is not a GGUF model file")
        version = _unpack(file, "<I")
        if version not in (2, 3):
            raise GGUFError(f"{path} is GGUF version {version}, which is not supported")
        _unpack(file, "<Q")  # tensor count
        count = _unpack(file, "<Q")
        found: dict[str, Any] = {}
        for _ in range(count):
            key = _string(file)
            kind = _unpack(file, "<I")
            value = _value(file, kind, keep=kind != _ARRAY)
            if kind != _ARRAY:
                found[key] = value
        return found


def _unpack(file: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = file.read(size)
    if len(data) != size:
        raise GGUFError(f"{file.name} is cut short (not a complete GGUF model file)")
    return struct.unpack(fmt, data)[0]


def _string(file: BinaryIO) -> str:
    length = _unpack(file, "<Q")
    if length > _MAX_STRING:
        raise GGUFError(f"{file.name} is damaged (not a readable GGUF model file)")
    data = file.read(length)
    if len(data) != length:
        raise GGUFError(f"{file.name} is cut short (not a complete GGUF model file)")
    return data.decode("utf-8", errors="replace")


def _value(file: BinaryIO, kind: int, keep: bool) -> Any:
    if kind in _SCALARS:
        return _unpack(file, _SCALARS[kind])
    if kind == _STRING:
        return _string(file)
    if kind == _ARRAY:
        item_kind = _unpack(file, "<I")
        length = _unpack(file, "<Q")
        if item_kind in _SCALARS and not keep:
            file.seek(length * struct.calcsize(_SCALARS[item_kind]), 1)
            return None
        items = [_value(file, item_kind, keep) for _ in range(length)]
        return items if keep else None
    raise GGUFError(f"{file.name} is damaged (unknown GGUF value type {kind})")
