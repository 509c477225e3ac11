"""The wire client against a real HTTP server on 127.0.0.1: streaming, errors, retries,
resets, stalls, garbage — and what the server received."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.support.client_support import FAST_RETRY, KEY, collect, make_client, request
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.streams import EXPECTED, HTTP_FILES, read
from tui.api.client import ChatClient
from tui.api.reply import Delta
from tui.api.request import RetryPolicy
from tui.api.stream import Retrying
from tui.cli.output import failure_exit
from tui.config import BUILTIN_PROFILES, Profile


async def test_streams_text_and_sends_the_right_request(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(read("01-cline-plain-text.sse"), piece_size=7))
    async with make_client(server) as client:
        stream = client.stream(request(temperature=0.3))
        text, _ = await collect(stream)
    want = EXPECTED["01-cline-plain-text.sse"]
    assert text == want["content"]
    assert stream.failure is None
    reply = stream.reply
    assert reply.finish_reason == "stop"
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == 8888 and reply.usage.cached_tokens == 8885
    assert reply.usage.cost == pytest.approx(0.00312)
    assert reply.usage.duration_ms is not None and reply.usage.ttft_ms is not None
    [sent] = server.chat_requests()
    assert sent.method == "POST" and sent.path == "/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["x-title"] == "cline-tui"
    assert sent.headers["http-referer"].startswith("https://")
    body = sent.json()
    assert body["stream"] is True
    assert body["model"] == "test/model"
    assert body["temperature"] == 0.3
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert "tools" not in body


async def test_no_stream_sends_stream_false_and_reads_whole_body(server: LoopbackServer) -> None:
    server.enqueue(
        Reply(headers=[("Content-Type", "application/json")],
              pieces=[read("24-openai-nonstreaming-tool-calls.json")], chunked=False)
    )
    async with make_client(server) as client:
        stream = client.stream(request(stream=False))
        await collect(stream)
    assert server.chat_requests()[0].json()["stream"] is False
    calls = stream.reply.tool_calls
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("call_KjzAbhiZC6nk81tQzL7pwlpc", "read_file", '{"path":"README.md"}'),
        ("call_Qm4Rt8Yp2Ls6Dk0Fj3Hw9Ze1", "read_file", '{"path":"Cargo.toml"}'),
    ]
    assert stream.reply.finish_reason == "tool_calls"


async def test_tools_are_sent_when_given(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(read("03-openai-tool-call-split-args.sse"), piece_size=11))
    tool = {"type": "function", "function": {"name": "read_file", "parameters": {}}}
    async with make_client(server) as client:
        stream = client.stream(request(tools=[tool]))
        await collect(stream)
    assert server.chat_requests()[0].json()["tools"] == [tool]
    [call] = stream.reply.tool_calls
    assert call.arguments == '{"path":"src/main.rs","max_lines":200}'


@pytest.mark.parametrize("name", HTTP_FILES)
async def test_error_responses_become_plain_messages(server: LoopbackServer, name: str) -> None:
    server.default = Reply.http(read(name))
    client = make_client(server, retry=RetryPolicy(attempts=0))
    async with client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    failure = stream.failure
    assert failure is not None and text == ""
    assert stream.reply.finish_reason == "error" and stream.reply.error == failure.message
    assert KEY not in failure.message
    assert "\n" not in failure.message
    status = int(name.split("-")[2])
    assert failure.status == status and failure_exit(failure) == 3
    expected_words = {
        401: "CLINE_API_KEY",
        402: "Out of credits",
        429: "Rate limited",
        400: "maximum context length",
    }[status]
    assert expected_words in failure.message
    if name.startswith("27"):  # error as a string holding JSON
        assert "Not enough credits available" in failure.message
    if name.startswith("30"):
        assert failure.retry_after == 40 and "40 s" in failure.message


async def test_no_retry_header_is_honoured(server: LoopbackServer) -> None:
    server.default = Reply.http(read("28-error-429-cline-inference-cap.http"))
    async with make_client(server) as client:
        stream = client.stream(request())
        _, events = await collect(stream)
    assert len(server.chat_requests()) == 1
    assert not any(isinstance(e, Retrying) for e in events)
    assert stream.failure is not None and "Daily free limit" in stream.failure.message


async def test_long_retry_after_is_reported_not_slept(server: LoopbackServer) -> None:
    server.default = Reply.http(read("30-error-429-openrouter-retry-after.http"))
    async with make_client(server) as client:
        started = time.monotonic()
        stream = client.stream(request())
        await collect(stream)
    assert time.monotonic() - started < 2  # 40 s is more than max_wait: no sleeping
    assert len(server.chat_requests()) == 1
    assert stream.failure is not None and stream.failure.kind == "rate_limit"


async def test_429_with_retry_after_is_waited_then_retried(server: LoopbackServer) -> None:
    server.enqueue(
        Reply.json({"error": {"message": "slow down"}}, status=429,
                   headers=[("Retry-After", "1")]),
        Reply.sse(sse_body(*text_chunks("after the wait"))),
    )
    async with make_client(server) as client:
        started = time.monotonic()
        stream = client.stream(request())
        text, events = await collect(stream)
    elapsed = time.monotonic() - started
    assert text == "after the wait" and stream.failure is None
    assert 0.9 <= elapsed < 5
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1 and retries[0].wait == 1 and "slow down" in retries[0].reason
    assert len(server.chat_requests()) == 2


async def test_retry_after_ms_is_preferred(server: LoopbackServer) -> None:
    server.enqueue(
        Reply.json({"error": "busy"}, status=429,
                   headers=[("Retry-After", "30"), ("retry-after-ms", "50")]),
        Reply.sse(sse_body(*text_chunks("ok"))),
    )
    async with make_client(server) as client:
        stream = client.stream(request())
        _, events = await collect(stream)
    assert [e.wait for e in events if isinstance(e, Retrying)] == [0.05]
    assert stream.failure is None


async def test_500_then_200_is_retried(server: LoopbackServer) -> None:
    server.enqueue(
        Reply.json({"error": {"message": "upstream exploded"}}, status=500),
        Reply.json({"error": "bad gateway"}, status=502),
        Reply.sse(sse_body(*text_chunks("Hello", " there"))),
    )
    async with make_client(server) as client:
        stream = client.stream(request())
        text, events = await collect(stream)
    assert text == "Hello there" and stream.failure is None
    assert sum(isinstance(e, Retrying) for e in events) == 2
    assert len(server.chat_requests()) == 3


async def test_persistent_5xx_gives_up_with_a_server_failure(server: LoopbackServer) -> None:
    server.default = Reply.json({"error": {"message": "down for maintenance"}}, status=503)
    async with make_client(server) as client:
        stream = client.stream(request())
        await collect(stream)
    assert len(server.chat_requests()) == 1 + FAST_RETRY.attempts
    assert stream.failure is not None and failure_exit(stream.failure) == 4
    assert "503" in stream.failure.message and "down for maintenance" in stream.failure.message


async def test_4xx_is_not_retried(server: LoopbackServer) -> None:
    server.default = Reply.http(read("34-error-400-vllm-context-length.http"))
    async with make_client(server) as client:
        await collect(client.stream(request()))
    assert len(server.chat_requests()) == 1


async def test_reset_mid_stream_keeps_partial_text_and_does_not_retry(
    server: LoopbackServer,
) -> None:
    body = sse_body(*text_chunks("The first", " part", " never ends"), done=False)
    pieces = body.split(b"\n\n")
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")],
                         pieces=[p + b"\n\n" for p in pieces[:2]] + [b"data: {"], reset_after=2))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "The first part"
    assert stream.reply.content == "The first part"
    assert stream.failure is not None and stream.failure.kind == "network"
    assert stream.reply.finish_reason == "error"
    assert "lost" in (stream.reply.error or "")
    assert len(server.chat_requests()) == 1


async def test_reset_before_first_token_is_retried(server: LoopbackServer) -> None:
    server.enqueue(
        Reply.sse(b": keep-alive\n\n", reset_after=1),
        Reply.sse(sse_body(*text_chunks("second try"))),
    )
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "second try" and stream.failure is None
    assert len(server.chat_requests()) == 2


async def test_stall_past_read_timeout_keeps_partial(server: LoopbackServer) -> None:
    body = sse_body(*text_chunks("Thinking", " slowly"))
    events = [e + b"\n\n" for e in body.split(b"\n\n") if e]
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")], pieces=events,
                         stall_after=2, stall=3.0))
    async with make_client(server, read_timeout=0.5) as client:
        started = time.monotonic()
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert time.monotonic() - started < 2.5
    assert text == "Thinking slowly"
    assert stream.failure is not None and stream.failure.kind == "timeout"
    assert "went silent" in stream.failure.message
    assert len(server.chat_requests()) == 1


async def test_garbage_chunk_is_skipped(server: LoopbackServer) -> None:
    good = text_chunks("before", " after")
    body = sse_body(good[0]) .replace(b"data: [DONE]\n\n", b"")
    body += b"data: {this is not json\n\n" + sse_body(*good[1:])
    server.enqueue(Reply.sse(body, piece_size=5))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "before after" and stream.failure is None


async def test_only_garbage_is_a_clear_failure(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(b"data: <html>oops</html>\n\ndata: [DONE]\n\n"))
    async with make_client(server) as client:
        stream = client.stream(request())
        await collect(stream)
    assert stream.failure is not None and "could not be read" in stream.failure.message


async def test_html_body_with_200_is_a_clear_failure(server: LoopbackServer) -> None:
    server.enqueue(Reply(headers=[("Content-Type", "text/html")],
                         pieces=[b"<html><title>Login</title></html>"], chunked=False))
    async with make_client(server, retry=RetryPolicy(attempts=0)) as client:
        stream = client.stream(request())
        await collect(stream)
    assert stream.failure is not None
    assert "text/html" in stream.failure.message and "Login" in stream.failure.message


async def test_connection_refused_is_retried_then_reported() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = Profile("local", f"http://127.0.0.1:{port}")
    async with ChatClient(profile, retry=FAST_RETRY) as client:
        stream = client.stream(request())
        _, events = await collect(stream)
    assert sum(isinstance(e, Retrying) for e in events) == FAST_RETRY.attempts
    assert stream.failure is not None and stream.failure.kind == "network"
    assert f"127.0.0.1:{port}" in stream.failure.message
    assert failure_exit(stream.failure) == 4


async def test_cancel_keeps_partial_reply(server: LoopbackServer) -> None:
    chunks = text_chunks(*[f"w{i} " for i in range(200)])
    server.enqueue(Reply.sse(sse_body(*chunks), piece_size=200, delay=0.01))
    async with make_client(server) as client:
        stream = client.stream(request())
        seen: list[str] = []

        async def consume() -> None:
            async for event in stream:
                if isinstance(event, Delta):
                    seen.append(event.text)

        task = asyncio.create_task(consume())
        while len(seen) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert stream.reply.finish_reason == "cancelled"
    assert stream.reply.content.startswith("w0 w1 w2 ")
    assert stream.reply.content == "".join(seen)


async def test_mid_stream_error_chunk_keeps_partial(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(read("07-openrouter-midstream-error.sse"), piece_size=3))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "The first three steps are (1) parse,"
    assert stream.failure is not None and stream.failure.kind == "stream"
    assert failure_exit(stream.failure) == 1
    assert stream.reply.error == "Provider disconnected unexpectedly"


async def test_held_back_partial_tag_is_delivered_at_the_end(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("a < b is true <"))))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "a < b is true <" == stream.reply.content


async def test_key_is_never_sent_to_a_profile_without_one(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("hi"))))
    async with ChatClient(Profile("local", server.url)) as client:
        await collect(client.stream(request()))
    assert "authorization" not in server.chat_requests()[0].headers


def test_builtin_cline_profile_uses_the_cline_api() -> None:
    assert BUILTIN_PROFILES["cline"].base_url == "https://api.cline.bot/api/v1"
    assert BUILTIN_PROFILES["cline"].api_key_env == "CLINE_API_KEY"


async def test_mock_transport_error_body_shapes() -> None:
    """Fast unit cases for the shapes of ``error`` the loopback captures do not cover."""
    bodies = [
        (b'{"error": "plain string"}', "plain string"),
        (b'{"error": "{\\"message\\": \\"json in a string\\"}"}', "json in a string"),
        (b'{"error": {"code": "E42"}}', "E42"),
        (b'{"detail": "Not Found"}', "Not Found"),
        (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
    ]
    for body, words in bodies:
        transport = httpx.MockTransport(lambda _req, body=body: httpx.Response(418, content=body))
        client = ChatClient(Profile("x", "http://127.0.0.1:9"), transport=transport)
        async with client:
            stream = client.stream(request())
            await collect(stream)
        assert stream.failure is not None and words in stream.failure.message


async def test_the_pieces_of_one_read_come_as_one_delta_of_each_kind(
    server: LoopbackServer,
) -> None:
    """A read's reasoning pieces come joined, then its content pieces joined; a tool
    call in between keeps its own delta, and the runs either side of it stay apart."""
    call = {"choices": [{"index": 0, "delta": {"tool_calls": [
        {"index": 0, "id": "c1", "type": "function",
         "function": {"name": "now", "arguments": "{}"}}]}}]}
    chunks = [*text_chunks("Hel", "lo", reasoning=("Think", "ing")), call,
              *text_chunks(" again", ", done")]
    server.enqueue(Reply.sse(sse_body(*chunks)))  # one piece: one read
    async with make_client(server) as client:
        stream = client.stream(request())
        text, events = await collect(stream)
    assert text == "Hello again, done" == stream.reply.content
    assert [(e.kind, e.text) for e in events if isinstance(e, Delta)] == [
        ("reasoning", "Thinking"), ("content", "Hello"), ("tool_call", "{}"),
        ("content", " again, done")]
