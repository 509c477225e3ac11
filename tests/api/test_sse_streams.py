"""Every capture in the streams folder, parsed whole, split at every byte offset and one
byte at a time, gives exactly what EXPECTED.json says a correct client extracts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.streams import (
    EXPECTED,
    HTTP_FILES,
    JSON_FILES,
    SHARED_STREAMS,
    SSE_FILES,
    STREAMS,
    read,
    split_http,
)
from tui.api.reply import ReplyBuilder
from tui.api.sse import SSEDecoder


def extract(pieces: list[bytes]) -> dict[str, Any]:
    decoder = SSEDecoder()
    builder = ReplyBuilder()
    saw_done = False
    ids: list[str] = []
    raw_content = []  # content exactly as sent, <think> tags and all
    events = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    events.extend(decoder.close())
    for event in events:
        if event.data == "[DONE]":
            saw_done = True
            break
        if event.data:
            chunk = json.loads(event.data)
            builder.add_chunk(chunk)
            if isinstance(chunk.get("id"), str) and chunk["id"] not in ids:
                ids.append(chunk["id"])
            for choice in chunk.get("choices") or []:
                content = (choice.get("delta") or {}).get("content")
                raw_content.append(content if isinstance(content, str) else "")
    builder.finish()
    m = builder.message
    return {
        "sse_events": decoder.stats.events,
        "comments": decoder.stats.comments,
        "retry_ms": decoder.stats.retry_ms,
        "unknown_fields": decoder.stats.unknown_fields,
        "raw_content": "".join(raw_content),
        "content": m.content,
        "reasoning": m.reasoning,
        "refusal": m.refusal,
        "tool_calls": [
            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in m.tool_calls
        ],
        "finish_reason": m.finish_reason,
        "usage": m.usage,
        "error": m.error,
        "saw_done": saw_done,
        "ids": ids,
        "reasoning_details_items": len(m.reasoning_details),
    }


def check(name: str, got: dict[str, Any]) -> None:
    want = EXPECTED[name]
    for key in ("sse_events", "comments", "retry_ms", "unknown_fields", "refusal",
                "tool_calls", "finish_reason", "saw_done", "ids", "reasoning_details_items"):
        assert got[key] == want[key], key
    assert got["raw_content"] == want["content"]
    if want["think_split"]:
        assert got["reasoning"] == want["think_split"]["thought"]
        assert got["content"] == want["think_split"]["answer"]
    else:
        assert got["reasoning"] == want["reasoning"]
        assert got["content"] == want["content"]
    if want["usage"] is None:
        assert got["usage"] is None
    else:
        usage = got["usage"]
        raw = want["usage"]
        assert usage.prompt_tokens == raw.get("prompt_tokens")
        assert usage.completion_tokens == raw.get("completion_tokens")
        assert usage.cost == raw.get("cost")
        assert usage.cached_tokens == (raw.get("prompt_tokens_details") or {}).get("cached_tokens")
        assert usage.extra["total_tokens"] == raw["total_tokens"]
    if want["error"] is None:
        assert got["error"] is None
    else:
        assert got["error"] == want["error"]["message"]


def test_every_capture_has_an_expectation() -> None:
    assert SSE_FILES, "no captures found"
    assert set(SSE_FILES) == set(EXPECTED)


EXPECTATION_KEYS = {"sse_events", "comments", "retry_ms", "unknown_fields", "content", "reasoning",
                    "refusal", "tool_calls", "finish_reason", "usage", "error", "saw_done", "ids",
                    "reasoning_details_items", "think_split"}


def test_vendored_captures_are_whole_and_match_the_shared_folder() -> None:
    """The vendored copy is checked in every clone: each capture is listed in its README,
    parses as what its suffix says, and each stream's expectation names every field
    ``check`` reads. Beside a checkout of the shared folder (../shared/streams), the copy
    must also be byte-for-byte the same files."""
    vendored = sorted(p.name for p in STREAMS.iterdir())
    captures = [name for name in vendored if name not in ("EXPECTED.json", "README.md")]
    readme = (STREAMS / "README.md").read_text(encoding="utf-8")
    assert set(captures) == set(SSE_FILES) | set(HTTP_FILES) | set(JSON_FILES)
    for name in captures:
        assert f"| {name} |" in readme, f"{name} is not described in the README"
        assert read(name), name
    for name in HTTP_FILES:
        status, headers, _ = split_http(read(name))
        assert 100 <= status <= 599 and headers, name
    for name in JSON_FILES:
        json.loads(read(name))
    for name, expectation in EXPECTED.items():
        assert set(expectation) == EXPECTATION_KEYS, name
    if SHARED_STREAMS.is_dir():
        shared = sorted(p.name for p in SHARED_STREAMS.iterdir())
        assert vendored == shared
        for name in shared:
            assert read(name) == (SHARED_STREAMS / name).read_bytes(), name


@pytest.mark.parametrize("name", SSE_FILES)
def test_whole(name: str) -> None:
    check(name, extract([read(name)]))


@pytest.mark.parametrize("name", SSE_FILES)
def test_split_at_every_offset(name: str) -> None:
    body = read(name)
    for offset in range(len(body) + 1):
        check(name, extract([body[:offset], body[offset:]]))


@pytest.mark.parametrize("name", SSE_FILES)
def test_byte_by_byte(name: str) -> None:
    body = read(name)
    check(name, extract([body[i : i + 1] for i in range(len(body))]))


def _reads(pieces: list[bytes], fast: bool) -> list[list[object]]:
    """The events of each read and of the close, as ``feed_data`` hands them back."""
    decoder = SSEDecoder()
    reads: list[list[object]] = []
    for piece in pieces:
        if fast:
            reads.append(list(decoder.feed_data(piece)))
        else:
            reads.append([e.data if e.event == "message" else e for e in decoder.feed(piece)])
    reads.append([e.data if e.event == "message" else e for e in decoder.close()])
    reads.append([decoder.stats, decoder.unterminated])
    return reads


@pytest.mark.parametrize("name", SSE_FILES)
def test_feed_data_hands_back_what_feed_does(name: str) -> None:
    """The stream loop's ``feed_data``: each read gives the events ``feed`` gives."""
    body = read(name)
    splits = [[body], [body[i : i + 1] for i in range(len(body))]]
    splits += [[body[:offset], body[offset:]] for offset in range(len(body) + 1)]
    for pieces in splits:
        assert _reads(pieces, fast=True) == _reads(pieces, fast=False)
