"""Attachments in the full-screen chat: an app whose catalog has models that take images
and PDFs, small files to attach, and a PNG made here (no image library)."""

from __future__ import annotations

import dataclasses
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply
from tests.support.ui_support import KEY
from tui.api.client import ChatClient
from tui.api.request import RetryPolicy
from tui.config import load_config
from tui.model.conversation import Conversation
from tui.ui.app import ChatApp, make_app

VISION = "openai/gpt-4.1"  # takes images and PDFs in this catalog
TEXT_ONLY = "qwen/qwen3-8b"

CATALOG = {
    "data": [
        {"id": VISION, "name": "GPT-4.1", "context_length": 1047576,
         "pricing": {"prompt": "0.000002", "completion": "0.000008"},
         "architecture": {"input_modalities": ["text", "image", "file"]}},
        {"id": "google/gemini-2.5-flash", "name": "Gemini 2.5 Flash",
         "context_length": 1048576, "pricing": {"prompt": "0.0000003", "completion": "0.0000025"},
         "architecture": {"input_modalities": ["text", "image"]}},
        {"id": TEXT_ONLY, "name": "Qwen3 8B", "context_length": 32768,
         "pricing": {"prompt": "0", "completion": "0"},
         "architecture": {"input_modalities": ["text"]}},
    ]
}


def attach_app(server: LoopbackServer, model: str = VISION,
               conversation: Conversation | None = None) -> ChatApp:
    env = dict(os.environ, CLINE_BASE_URL=server.url)
    config = dataclasses.replace(load_config(environ=env), model=model)
    server.enqueue(Reply.json(CATALOG, path="/ai/cline/models"))
    client = ChatClient(config.profile, api_key=KEY, read_timeout=5,
                        retry=RetryPolicy(attempts=0))
    return make_app(config, client=client, conversation=conversation, fetch_catalog=True)


def png(width: int, height: int,
        colour: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """An 8-bit RGB PNG, each row with a different filter (so a reader undoes them all)."""
    rows = []
    previous = bytes(width * 3)
    for y in range(height):
        line = bytes(c for x in range(width) for c in colour(x, y))
        kind = y % 5
        rows.append(bytes([kind]) + _filter(kind, line, previous))
        previous = line
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows))) + _chunk(b"IEND", b""))


def _filter(kind: int, line: bytes, up: bytes) -> bytes:
    out = bytearray()
    for i, value in enumerate(line):
        a = line[i - 3] if i >= 3 else 0
        b = up[i]
        c = up[i - 3] if i >= 3 else 0
        if kind == 0:
            predicted = 0
        elif kind == 1:
            predicted = a
        elif kind == 2:
            predicted = b
        elif kind == 3:
            predicted = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predicted = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out.append((value - predicted) % 256)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def quarters(x: int, y: int) -> tuple[int, int, int]:
    """Red top left, green top right, blue bottom left, white bottom right (16×16)."""
    if y < 8:
        return (255, 0, 0) if x < 8 else (0, 255, 0)
    return (0, 0, 255) if x < 8 else (255, 255, 255)


def workdir(root: Path) -> Path:
    """A working directory: text files, a PNG, a folder, hidden files, a .git."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "notes.txt").write_text("remember the milk\n")
    (root / "my notes.txt").write_text("spaces in the name\n")
    (root / "picture.png").write_bytes(png(16, 16, quarters))
    (root / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("print('hi')\n")
    (root / ".hidden").write_text("secret")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]")
    return root
