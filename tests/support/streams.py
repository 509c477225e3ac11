"""The wire captures in tests/data/streams (a copy of ../shared/streams) and what a
correct client extracts from each, per EXPECTED.json."""

from __future__ import annotations

import json
from typing import Any

from tests.support.paths import DATA, PROJECT

STREAMS = DATA / "streams"
SHARED_STREAMS = PROJECT.parent / "shared" / "streams"
EXPECTED: dict[str, dict[str, Any]] = json.loads((STREAMS / "EXPECTED.json").read_text())
SSE_FILES = sorted(p.name for p in STREAMS.glob("*.sse"))
HTTP_FILES = sorted(p.name for p in STREAMS.glob("*.http"))
JSON_FILES = sorted(p.name for p in STREAMS.glob("[0-9]*.json"))


def read(name: str) -> bytes:
    return (STREAMS / name).read_bytes()


def split_http(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a captured HTTP/1.1 response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return status, headers, body
