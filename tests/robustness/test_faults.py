"""Faults from a loopback fault-injection server: hostile shapes, sizes and encodings.

Each fault must end in a clear message (``stream.failure`` or a note on the reply), never
an exception, with whatever arrived before it kept. The basic network faults (refused,
reset before/after the first token, stall, HTML with 200) are in ``test_client.py``;
this file adds the storms, the sizes and the wrong shapes, and runs a few of them
through ``ask`` and the TUI, where the prompt and any partial reply must be saved.
"""

from __future__ import annotations

import functools
import socket
import tomllib
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli_support import cli, saved
from tests.support.client_support import collect, make_client, request
from tests.support.loopback import FINISH, LoopbackServer, Recorded, Reply, content, sse_body
from tests.support.ui_support import build_app, screen_text, send
from tests.support.ui_support import saved as saved_files
from tui.api import stream as stream_module
from tui.api.reply import Delta, ReplyBuilder
from tui.api.sse import SSEDecoder
from tui.api.stream import Retrying
from tui.ui.widgets.reply_view import ReplyView

# Valid JSON, wrong shape: every field the reply builder reads, with the wrong type.
WRONG_SHAPES: dict[str, Any] = {
    "choices as a string": {"choices": "nope"},
    "choices as an object": {"choices": {"0": {"delta": {"content": "x"}}}},
    "choice as a number": {"choices": [7]},
    "index as a list": {"choices": [{"index": [0], "delta": {"content": "x"}}]},
    "delta as a list": {"choices": [{"index": 0, "delta": ["content", "x"]}]},
    "delta as a string": {"choices": [{"index": 0, "delta": "x"}]},
    "content as a number": {"choices": [{"index": 0, "delta": {"content": 42}}]},
    "content as an object": {"choices": [{"index": 0, "delta": {"content": {"t": 1}}}]},
    "reasoning as a list": {"choices": [{"index": 0, "delta": {"reasoning": ["a"]}}]},
    "reasoning_details as an object": {
        "choices": [{"index": 0, "delta": {"reasoning_details": {"a": 1}}}]},
    "refusal as a bool": {"choices": [{"index": 0, "delta": {"refusal": True}}]},
    "tool_calls as an object": {
        "choices": [{"index": 0, "delta": {"tool_calls": {"index": 0, "id": "c"}}}]},
    "tool call as a string": {"choices": [{"index": 0, "delta": {"tool_calls": ["c"]}}]},
    "tool call fields wrong": {"choices": [{"index": 0, "delta": {"tool_calls": [
        {"index": "0", "id": 5, "type": [], "function": {"name": 3, "arguments": [1]}}]}}]},
    "function as a string": {"choices": [{"index": 0, "delta": {"tool_calls": [
        {"index": 0, "function": "f"}]}}]},
    "finish_reason as a number": {"choices": [{"index": 0, "delta": {}, "finish_reason": 1}]},
    "usage as a list": {"choices": [], "usage": [1, 2]},
    "usage fields as strings": {"choices": [], "usage": {
        "prompt_tokens": "12", "completion_tokens": "x", "cost": "abc",
        "prompt_tokens_details": "cached", "completion_tokens_details": [1]}},
    "usage fields as objects": {"choices": [], "usage": {
        "prompt_tokens": {}, "completion_tokens": [], "cost": {"usd": 1},
        "prompt_tokens_details": {"cached_tokens": "3"}}},
    "usage numbers out of range": {"choices": [], "usage": {
        "prompt_tokens": 1e400, "completion_tokens": -1e400, "cost": 1e400,
        "prompt_tokens_details": {"cached_tokens": 1e400},
        "completion_tokens_details": {"reasoning_tokens": 10**400}}},
    "id and model as numbers": {"id": 1, "model": 2, "choices": []},
    "model as a list": {"id": ["x"], "model": ["m"], "choices": []},
}

# Valid JSON, wrong shape, and meant as an error: the message must still be readable.
WRONG_ERRORS: dict[str, tuple[Any, str]] = {
    "error as a number": ({"error": 500}, "500"),
    "error as a list": ({"error": ["bad", "worse"]}, "bad"),
    "error as a bool": ({"error": True}, "True"),
    "error message as a number": ({"error": {"message": 7, "code": "overloaded"}},
                                  "overloaded"),
    "choice error as a string": ({"choices": [{"index": 0, "delta": {},
                                               "error": "provider fell over"}]},
                                 "provider fell over"),
}


def events_body(*chunks: Any, done: bool = True) -> bytes:
    return sse_body(*chunks, done=done)


# --- wrong shapes -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WRONG_SHAPES))
async def test_wrong_shaped_chunks_are_skipped_and_the_rest_arrives(
    server: LoopbackServer, name: str
) -> None:
    body = events_body(content("before "), WRONG_SHAPES[name], content("after"), FINISH)
    server.enqueue(Reply.sse(body, piece_size=11))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "before after"
    assert stream.failure is None
    assert stream.reply.finish_reason == "stop"


@pytest.mark.parametrize("name", list(WRONG_ERRORS))
async def test_wrong_shaped_errors_end_with_a_readable_message(
    server: LoopbackServer, name: str
) -> None:
    chunk, shown = WRONG_ERRORS[name]
    server.enqueue(Reply.sse(events_body(content("partial"), chunk)))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "partial"
    assert stream.failure is not None and shown in stream.failure.message
    assert stream.reply.finish_reason == "error" and shown in (stream.reply.error or "")


def test_every_wrong_shape_at_once_leaves_a_saveable_reply(tmp_path: Path) -> None:
    from tui.model.conversation import Conversation, Message
    from tui.storage.store import ConversationStore

    builder = ReplyBuilder(model="m")
    for chunk in [*WRONG_SHAPES.values(), *(c for c, _ in WRONG_ERRORS.values())]:
        builder.add_chunk(chunk)
    builder.finish()
    store = ConversationStore(tmp_path)
    conversation = Conversation(id="20260101-000000-aaaaaa", model="m")
    conversation.add(Message(role="user", content="hi"))
    conversation.add(builder.message)
    store.save(conversation)
    assert store.load(conversation.id).messages[-1].error == builder.message.error


async def test_json_nested_too_deep_is_skipped(server: LoopbackServer) -> None:
    deep = b"data: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n"
    body = events_body(content("a")).replace(b"data: [DONE]\n\n", b"") + deep
    server.enqueue(Reply.sse(body + events_body(content("b"), FINISH)))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "ab" and stream.failure is None


# --- encodings and sizes ----------------------------------------------------------------


async def test_invalid_utf8_becomes_replacement_characters(server: LoopbackServer) -> None:
    body = (b'data: {"choices":[{"index":0,"delta":{"content":"caf\xc3'
            b'\xa9 \xff\xfe bad \xe2\x82"}}]}\n\n' + events_body(content(" end"), FINISH))
    server.enqueue(Reply.sse(body, piece_size=1))  # split inside every character
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text.startswith("café ") and "\ufffd" in text and text.endswith(" end")
    assert stream.failure is None


async def test_invalid_utf8_in_an_error_body(server: LoopbackServer) -> None:
    server.enqueue(Reply(status=400, headers=[("Content-Type", "application/json")],
                         pieces=[b'{"error": {"message": "bad \xff\xfe input"}}'],
                         chunked=False))
    async with make_client(server) as client:
        stream = client.stream(request())
        await collect(stream)
    assert stream.failure is not None and stream.failure.kind == "refused"
    assert "bad \ufffd\ufffd input" in stream.failure.message


@pytest.mark.slow
async def test_a_10_mb_line_is_read_with_bounded_memory(server: LoopbackServer) -> None:
    size = 10 * 1024 * 1024
    line = b'data: {"choices":[{"index":0,"delta":{"content":"' + b"x" * size + b'"}}]}\n\n'
    pieces = [line[i:i + 65536] for i in range(0, len(line), 65536)]
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")],
                         pieces=[*pieces, events_body(FINISH)]))
    async with make_client(server, read_timeout=20) as client:
        stream = client.stream(request())
        tracemalloc.start()
        try:
            count = 0
            async for _ in stream:
                count += 1
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert stream.failure is None
    assert len(stream.reply.content) == size
    # The buffer, the decoded line, the parsed string and the reply: a few copies at most
    # (the loopback server's own send buffer is in this process too).
    assert peak < 8 * size, f"peak {peak / size:.1f}× the line"


async def test_a_line_beyond_the_decoder_limit_is_a_clear_failure(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_module, "SSEDecoder",
                        functools.partial(SSEDecoder, max_line_bytes=4096))
    huge = b"data: " + b"y" * 20_000  # never ends
    body = events_body(content("kept"), done=False) + huge
    server.enqueue(Reply.sse(body, piece_size=1000))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "kept"
    assert stream.failure is not None and stream.failure.kind == "stream"
    assert "longer than 4096 bytes" in stream.failure.message
    assert stream.reply.content == "kept" and stream.reply.finish_reason == "error"


def test_decoder_limit_counts_an_unfinished_line_across_reads() -> None:
    decoder = SSEDecoder(max_line_bytes=100)
    assert decoder.feed(b"data: a\n\n")[0].data == "a"
    for _ in range(9):
        decoder.feed(b"x" * 10)
    with pytest.raises(ValueError, match="longer than 100 bytes"):
        decoder.feed(b"x" * 11)


@pytest.mark.slow
async def test_a_100000_chunk_stream_arrives_whole(server: LoopbackServer) -> None:
    body = b"".join(b'data: {"choices":[{"index":0,"delta":{"content":"%d "}}]}\n\n' % i
                    for i in range(100_000)) + events_body(FINISH)
    server.enqueue(Reply.sse(body, piece_size=4096))
    async with make_client(server, read_timeout=20) as client:
        stream = client.stream(request())
        shown: list[str] = []
        async for delta in stream:
            assert isinstance(delta, Delta) and delta.kind == "content"
            shown.append(delta.text)
    assert stream.failure is None
    # The chunks of each read come as one delta: the text whole, in far fewer pieces.
    assert "".join(shown) == stream.reply.content
    assert 1 <= len(shown) < 10_000
    words = stream.reply.content.split()
    assert len(words) == 100_000 and words[-1] == "99999"


# --- storms -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_a_storm_of_failures_gives_up_after_the_retries(
    server: LoopbackServer, status: int
) -> None:
    def storm(_: Recorded) -> Reply:
        return Reply.json({"error": {"message": f"storm {status}"}}, status=status,
                          headers=[("Retry-After", "0")])

    server.default = storm
    async with make_client(server) as client:
        stream = client.stream(request())
        _, events = await collect(stream)
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 3 and len(server.chat_requests()) == 4
    assert stream.failure is not None and f"storm {status}" in stream.failure.message
    assert stream.failure.kind == ("rate_limit" if status == 429 else "server")
    assert stream.reply.finish_reason == "error" and stream.reply.content == ""


async def test_alternating_storm_then_a_partial_reply_is_never_retried(
    server: LoopbackServer,
) -> None:
    server.enqueue(
        Reply.json({"error": "busy"}, status=503),
        Reply.json({"error": "slow down"}, status=429, headers=[("retry-after-ms", "10")]),
        Reply.sse(events_body(content("half"), done=False) + b"data: {", reset_after=1),
    )
    server.default = Reply.sse(events_body(content("should not be asked for")))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "half" and stream.failure is not None
    assert len(server.chat_requests()) == 3


# --- through ask ------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_ask_against_a_refused_port_exits_4_and_saves_the_prompt(isolated_home: Path) -> None:
    run = cli(isolated_home, "ask", "are you there?",
              env_extra={"CLINE_BASE_URL": f"http://127.0.0.1:{_closed_port()}"})
    assert run.code == 4, run.stderr
    assert "Could not connect to http://127.0.0.1:" in run.stderr
    assert "Traceback" not in run.stderr
    data = saved(isolated_home, run.saved_id())
    assert data["messages"][0]["content"] == "are you there?"
    assert data["messages"][1]["finish_reason"] == "error"


def test_ask_with_an_html_200_exits_4_and_saves_the_prompt(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.default = Reply(headers=[("Content-Type", "text/html")],
                           pieces=[b"<html><body>Captive portal \xff</body></html>"],
                           chunked=False)
    run = cli(isolated_home, "ask", "hello", server=server)
    assert run.code == 4, run.stderr
    assert "did not send a chat reply (text/html)" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    data = saved(isolated_home, run.saved_id())
    assert data["messages"][0]["content"] == "hello"


def test_ask_survives_wrong_shapes_invalid_utf8_and_odd_numbers(
    isolated_home: Path, server: LoopbackServer
) -> None:
    body = events_body(content("one "), *WRONG_SHAPES.values(), done=False)
    body += b'data: {"choices":[{"index":0,"delta":{"content":"two \xff"}}]}\n\n'
    body += events_body(FINISH)
    server.enqueue(Reply.sse(body, piece_size=13))
    run = cli(isolated_home, "ask", "shape me", server=server)
    assert run.code == 0, run.stderr
    assert run.stdout == "one two \ufffd\n"
    data = saved(isolated_home, run.saved_id())
    assert data["messages"][1]["content"] == "one two \ufffd"


def test_ask_reset_after_the_first_token_saves_the_partial_reply(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(events_body(content("partial "), content("reply"), done=False),
                             reset_after=1))
    run = cli(isolated_home, "ask", "go", server=server)
    assert run.code == 4
    assert run.stdout == "partial reply\n"
    assert "lost in the middle of the reply" in run.stderr
    data = saved(isolated_home, run.saved_id())
    assert data["messages"][1]["content"] == "partial reply"


# --- through the TUI --------------------------------------------------------------------


async def test_tui_shows_a_server_storm_and_saves_the_prompt(
    server: LoopbackServer, isolated_home: Path
) -> None:
    server.default = lambda _: Reply.json({"error": "upstream exploded"}, status=502)
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "anyone home?")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "upstream exploded" in screen_text(app)
        assert app.is_running
    [path] = saved_files(isolated_home)
    data = tomllib.loads(path.read_text())
    assert data["messages"][0]["content"] == "anyone home?"
    assert data["messages"][1]["finish_reason"] == "error"


async def test_tui_keeps_a_partial_reply_after_wrong_shapes_and_a_reset(
    server: LoopbackServer, isolated_home: Path
) -> None:
    pieces = [events_body(content("visible "), *WRONG_SHAPES.values(), done=False),
              b'data: {"choices":[{"index":0,"delta":{"content":"\xff\xfe"}}]}\n\n',
              events_body(FINISH)]
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")], pieces=pieces,
                         reset_after=2))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "reset please")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one(ReplyView)
        assert view.message.content == "visible \ufffd\ufffd"
        assert "lost in the middle of the reply" in screen_text(app)
    data = tomllib.loads(saved_files(isolated_home)[0].read_text())
    assert data["messages"][1]["content"] == "visible \ufffd\ufffd"
    assert data["messages"][1]["finish_reason"] == "error"

