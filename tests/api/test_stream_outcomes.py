"""How a streamed reply ends, against the loopback server: finished, cut off, failed (every
error shape the supported servers send), empty, or cancelled — never a blank success.
Also what the stream mentions without failing (skipped lines) and requests that cannot be
written at all."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest

from tests.support.client_support import collect, make_client, request
from tests.support.loopback import LoopbackServer, Reply, content, finish, sse_body
from tui.api.reply import Delta
from tui.cli.output import failure_exit

EMPTY = "The server sent an empty reply"


def tool_call(arguments: str, *, first: bool = False) -> dict[str, Any]:
    call: dict[str, Any] = {"index": 0, "function": {"arguments": arguments}}
    if first:
        call.update(id="call_1", type="function")
        call["function"]["name"] = "read_file"
    return {"id": "gen-1", "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}


async def run(server: LoopbackServer, reply: Reply, **client_options: Any) -> Any:
    server.enqueue(reply)
    async with make_client(server, **client_options) as client:
        stream = client.stream(request())
        text, events = await collect(stream)
    return stream, text, events


# --- finished ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    sse_body(content("Hello"), content(" world"), finish(), done=False),  # finish, no [DONE]
    sse_body(content("Hello"), content(" world")),  # [DONE] after content, no finish_reason
    sse_body(content("Hello"), content(" world"), done=False) + b"data: [DONE]",  # no blank
    sse_body(content("Hello"), content(" world"), done=False)
    + b"data: " + json.dumps(finish()).encode(),  # a whole last event without its blank line
], ids=["finish-no-done", "done-no-finish", "done-unterminated", "finish-unterminated"])
async def test_a_finished_reply_is_not_a_failure(server: LoopbackServer, body: bytes) -> None:
    stream, text, _ = await run(server, Reply.sse(body, piece_size=9))
    assert text == "Hello world" == stream.reply.content
    assert stream.failure is None and stream.reply.error is None
    assert stream.warnings == []


async def test_the_stream_says_it_is_complete_with_the_last_deltas(
        server: LoopbackServer) -> None:
    """Once [DONE] is read, the deltas given out with it are the last: the screen draws
    the end of the reply at once, not after the response is closed."""
    body = sse_body(content("Hello"), done=False)
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")],
                         pieces=[body, sse_body(content(" world"))], stall_after=1, stall=0.1))
    seen: list[tuple[str, bool]] = []
    async with make_client(server) as client:
        stream = client.stream(request())
        async for event in stream:
            assert isinstance(event, Delta)
            seen.append((event.text, stream.complete))
    assert "".join(text for text, _ in seen) == "Hello world"
    # The last delta comes with [DONE] (in its own read unless the client was too slow
    # to read the first piece before the second came).
    assert seen[-1] == (" world", True) or seen == [("Hello world", True)]
    assert not any(complete for _, complete in seen[:-1])


async def test_a_stream_without_done_is_not_complete(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(content("Hello"), done=False)))
    async with make_client(server) as client:
        stream = client.stream(request())
        await collect(stream)
    assert not stream.complete


# --- cut off ----------------------------------------------------------------------------

CUT_OFF_BODIES = {
    "between events": sse_body(content("Hello"), content(" world"), done=False),
    "mid JSON line": sse_body(content("Hello"), content(" world"), done=False)
    + b'data: {"id":"gen-1","choices":[{"index":0,"delta":{"content":" and mo',
    "mid line, no data": sse_body(content("Hello"), content(" world"), done=False) + b"da",
    "after a comment": sse_body(content("Hello"), content(" world"), done=False)
    + b": keep-alive\n\n",
}


@pytest.mark.parametrize("name", list(CUT_OFF_BODIES))
@pytest.mark.parametrize("piece_size", [0, 1, 7])
async def test_a_body_ending_early_is_cut_off(
    server: LoopbackServer, name: str, piece_size: int
) -> None:
    stream, text, _ = await run(server, Reply.sse(CUT_OFF_BODIES[name], piece_size=piece_size))
    assert text == "Hello world" == stream.reply.content  # the partial reply is kept
    failure = stream.failure
    assert failure is not None and failure.kind == "cut_off" and failure_exit(failure) == 4
    assert stream.reply.finish_reason == "error"
    assert stream.reply.error == failure.message and "cut off" in failure.message
    assert len(server.chat_requests()) == 1  # never retried after output


async def test_a_tool_call_cut_mid_arguments_is_cut_off(server: LoopbackServer) -> None:
    body = sse_body(tool_call('{"path": "src/ma', first=True), done=False)
    body += b'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"ar'
    stream, _, _ = await run(server, Reply.sse(body, piece_size=5))
    [call] = stream.reply.tool_calls
    assert (call.name, call.arguments) == ("read_file", '{"path": "src/ma')
    assert stream.failure is not None and stream.failure.kind == "cut_off"
    assert "tool call read_file are incomplete" in stream.failure.message


# --- failed: every error shape ----------------------------------------------------------

# What each server sends when a reply fails after the 200 (sources read for each):
ERROR_BODIES = {
    # llama.cpp's server until late 2025 (tools/server/server.cpp, PR #16109): an
    # ``error:`` field line, then [DONE].
    "llama.cpp error field": b'error: {"code":500,"message":"boom: context exceeded",'
                             b'"type":"server_error"}\n\ndata: [DONE]\n\n',
    # llama.cpp since then, vLLM (create_streaming_error_response), any-llm, LM Studio.
    "data error object": b'data: {"error":{"object":"error","message":"boom: context exceeded",'
                        b'"type":"BadRequestError","param":null,"code":400}}\n\ndata: [DONE]\n\n',
    # older vLLM: the ErrorResponse itself, without the wrapper.
    "vLLM bare ErrorResponse": b'data: {"object":"error","message":"boom: context exceeded",'
                               b'"type":"BadRequestError","param":null,"code":400}\n\n'
                               b"data: [DONE]\n\n",
    # ``event: error`` (OpenAI's SDKs read these) with each shape of data.
    "event error message": b'event: error\ndata: {"message":"boom: context exceeded"}\n\n',
    "event error error": b'event: error\ndata: {"error":{"message":"boom: context exceeded",'
                         b'"code":"overloaded"}}\n\n',
    "event error string": b'event: error\ndata: {"error":"boom: context exceeded"}\n\n',
    "event error text": b"event: error\ndata: boom: context exceeded\n\n",
    # Ollama's native stream (server/routes.go streamResponse) and some proxies: a bare
    # JSON line with no ``data:``, and no [DONE].
    "bare JSON line": b'{"error":"boom: context exceeded"}\n',
    # OpenRouter: a chunk with a top-level error and finish_reason "error", no [DONE].
    "OpenRouter chunk": b'data: {"id":"gen-1","object":"chat.completion.chunk","error":'
                        b'{"code":502,"message":"boom: context exceeded"},"choices":[{"index":0,'
                        b'"delta":{"content":""},"finish_reason":"error"}]}\n\n',
}


@pytest.mark.parametrize("name", list(ERROR_BODIES))
@pytest.mark.parametrize("after_text", [False, True], ids=["first", "after-text"])
async def test_every_error_shape_fails_with_the_servers_message(
    server: LoopbackServer, name: str, after_text: bool
) -> None:
    before = sse_body(content("partial"), done=False) if after_text else b""
    stream, text, _ = await run(server, Reply.sse(before + ERROR_BODIES[name], piece_size=4))
    assert text == ("partial" if after_text else "")
    failure = stream.failure
    assert failure is not None and failure.kind == "stream" and failure_exit(failure) == 1
    assert "boom: context exceeded" in failure.message
    assert stream.reply.error is not None and "boom: context exceeded" in stream.reply.error
    assert stream.reply.finish_reason == "error"


async def test_an_error_event_with_no_data_still_fails(server: LoopbackServer) -> None:
    stream, _, _ = await run(server, Reply.sse(b"error:\n\ndata: [DONE]\n\n"))
    assert stream.failure is not None and "no message" in stream.failure.message


# --- empty ------------------------------------------------------------------------------

ROLE_ONLY = {"id": "gen-1", "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
EMPTY_REPLIES = {
    "empty SSE body": Reply.sse(b""),
    "only [DONE]": Reply.sse(b"data: [DONE]\n\n"),
    "only comments": Reply.sse(b": OPENROUTER PROCESSING\n\n"),
    "role and finish only": Reply.sse(sse_body(ROLE_ONLY, finish())),
    "empty content strings": Reply.sse(sse_body(content(""), finish())),
    "JSON {}": Reply.json({}),
    "JSON with no message": Reply.json({"choices": [{"index": 0, "finish_reason": "stop"}]}),
}


@pytest.mark.parametrize("name", list(EMPTY_REPLIES))
async def test_an_empty_reply_is_a_failure_with_a_message(
    server: LoopbackServer, name: str
) -> None:
    stream, text, _ = await run(server, EMPTY_REPLIES[name])
    assert text == ""
    failure = stream.failure
    assert failure is not None and failure.message.startswith(EMPTY)
    assert failure_exit(failure) == 4
    assert stream.reply.error == failure.message and stream.reply.finish_reason == "error"
    assert len(server.chat_requests()) == 1


async def test_an_empty_reply_names_its_finish_reason(server: LoopbackServer) -> None:
    stream, _, _ = await run(server, Reply.sse(sse_body(ROLE_ONLY, finish("content_filter"))))
    assert stream.failure is not None
    assert stream.failure.message == f"{EMPTY} (finish_reason: content_filter)."


async def test_content_on_another_choice_index_is_followed(server: LoopbackServer) -> None:
    body = sse_body(ROLE_ONLY, content("Only on ", 1), content("choice one", 1), finish("stop", 1))
    stream, text, _ = await run(server, Reply.sse(body))
    assert text == "Only on choice one" == stream.reply.content
    assert stream.failure is None and stream.reply.finish_reason == "stop"


async def test_only_the_first_choice_with_output_is_followed(server: LoopbackServer) -> None:
    body = sse_body(content("one", 1), content("zero", 0), content(" more", 1), finish("stop", 1))
    stream, text, _ = await run(server, Reply.sse(body))
    assert text == "one more" and stream.failure is None


# --- skipped lines are counted and mentioned ----------------------------------------------


@pytest.mark.parametrize(("garbage", "warning"), [
    (b"data: {this is not json\n\n",
     "1 line of the stream could not be read and was skipped."),
    (b"data: <html>oops</html>\n\ndata: [1, 2]\n\n",
     "2 lines of the stream could not be read and were skipped."),
])
async def test_unreadable_lines_are_skipped_and_counted(
    server: LoopbackServer, garbage: bytes, warning: str
) -> None:
    body = sse_body(content("before"), done=False) + garbage
    body += sse_body(content(" after"), finish())
    stream, text, _ = await run(server, Reply.sse(body, piece_size=6))
    assert text == "before after" and stream.failure is None
    assert stream.warnings == [warning]


# --- requests that cannot be written ----------------------------------------------------


@pytest.mark.parametrize("options", [
    {"temperature": math.nan},
    {"temperature": math.inf},
    {"messages": [{"role": "user", "content": b"bytes are not JSON"}]},
], ids=["nan", "inf", "bytes"])
async def test_a_request_that_is_not_valid_json_is_never_sent(
    server: LoopbackServer, options: dict[str, Any]
) -> None:
    async with make_client(server) as client:
        stream = client.stream(request(**options))
        text, _ = await collect(stream)
    assert text == "" and server.requests == []
    failure = stream.failure
    assert failure is not None and failure.kind == "request" and failure_exit(failure) == 2
    assert "nothing was sent" in failure.message
    assert stream.reply.error == failure.message


# --- cancelled and interrupted ----------------------------------------------------------


async def test_an_interrupted_reply_stays_interrupted_when_its_task_is_cancelled(
    server: LoopbackServer,
) -> None:
    """The process-signal code marks the reply, then cancels the task reading it."""
    chunks = [content(f"w{i} ") for i in range(200)]
    server.enqueue(Reply.sse(sse_body(*chunks, finish()), piece_size=200, delay=0.01))
    async with make_client(server) as client:
        stream = client.stream(request())
        seen: list[Delta] = []

        async def consume() -> None:
            async for event in stream:
                if isinstance(event, Delta):
                    seen.append(event)

        task = asyncio.create_task(consume())
        while len(seen) < 3:
            await asyncio.sleep(0.01)
        stream.reply.finish_reason = "interrupted"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert stream.reply.finish_reason == "interrupted"
    assert stream.reply.content.startswith("w0 w1 w2 ")
