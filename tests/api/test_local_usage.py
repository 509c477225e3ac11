"""The local model's figures: its server (llama-cpp-python) streams no usage, so the app
counts the reply's tokens from the stream and asks the server's tokenizer for the
prompt's, marks both as counted, and the model list gets the context the app configured
and a price of nothing. Played by the loopback server with the captured stream."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.local_wire import (
    CHUNKS,
    CONTEXT,
    GEMMA_PROMPT,
    MODEL,
    PROMPT,
    PROMPT_COUNT,
    local_config,
    local_reply,
    play_local_server,
)
from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tui.api import counted_usage
from tui.api.catalog import Catalog
from tui.api.request import ChatRequest
from tui.api.stream import ChatStream
from tui.chat.turn import make_client
from tui.config import Config
from tui.format import format_price, tokens_per_second, usage_line


def request() -> ChatRequest:
    return ChatRequest(model=MODEL, messages=[{"role": "user", "content": PROMPT}])


async def run_turn(config: Config) -> ChatStream:
    async with make_client(config) as client:
        stream = client.stream(request())
        _ = [delta async for delta in stream]
    return stream


async def test_the_reply_is_counted_and_the_prompt_asked_of_the_tokenizer(
    server: LoopbackServer,
) -> None:
    play_local_server(server)
    server.enqueue(local_reply())

    stream = await run_turn(local_config(server))

    assert stream.failure is None
    usage = stream.reply.usage
    assert usage is not None
    assert usage.completion_tokens == CHUNKS  # one chunk a token, as the server sends them
    assert usage.prompt_tokens == PROMPT_COUNT
    assert usage.counted and usage.extra == {"counted": True}
    assert usage.cost == 0  # the model runs here
    assert tokens_per_second(usage) is not None
    asked = [r for r in server.requests if r.path == "/extras/tokenize/count"]
    assert [r.json() for r in asked] == [{"input": GEMMA_PROMPT, "model": MODEL}]
    line = usage_line(stream.reply)
    assert f"≈{PROMPT_COUNT} in" in line and f"≈{CHUNKS} out" in line
    assert "$0" in line and "tok/s" in line.split(" · ")[-1]
    assert line.split(" · ")[-1].startswith("≈")


async def test_the_time_is_the_replys_not_the_counts(server: LoopbackServer) -> None:
    """The tokenizer is asked after the reply's end was stamped: however long it takes
    to answer, that time is not the reply's (nor in its speed)."""
    play_local_server(server)
    server.enqueue(local_reply())
    ended_when_asked: list[float | None] = []
    answer = server.default
    assert callable(answer)

    def stamp_then_answer(recorded: Recorded) -> Reply:
        if recorded.path == "/extras/tokenize/count":
            ended_when_asked.append(stream.ended_at)
        return answer(recorded)

    server.default = stamp_then_answer
    async with make_client(local_config(server)) as client:
        stream = client.stream(request())
        _ = [delta async for delta in stream]

    assert len(ended_when_asked) == 1 and ended_when_asked[0] is not None
    usage = stream.reply.usage
    assert usage is not None and usage.prompt_tokens == PROMPT_COUNT
    assert usage.duration_ms == round((ended_when_asked[0] - stream.started_at) * 1000)


async def test_figures_the_server_sends_win(server: LoopbackServer) -> None:
    """A server of one's own behind the local profile that does send usage (llama.cpp's
    C++ server does): its figures are shown as they are, and nothing is counted."""
    play_local_server(server)
    usage = {"prompt_tokens": 13, "completion_tokens": 3}
    server.enqueue(Reply.sse(sse_body(*text_chunks("a", "b", "c", usage=usage))))

    stream = await run_turn(local_config(server))

    got = stream.reply.usage
    assert got is not None
    assert (got.prompt_tokens, got.completion_tokens) == (13, 3)
    assert not got.counted
    assert "≈" not in usage_line(stream.reply)
    assert not [r for r in server.requests if r.path.startswith("/extras/")]


async def test_a_model_with_its_own_template_counts_the_messages_text(
    server: LoopbackServer,
) -> None:
    """A GGUF file with its own chat template (no --chat_format): the app cannot build
    the server's prompt, so the messages' text is what the tokenizer counts."""
    play_local_server(server, count=5)
    server.enqueue(local_reply())

    stream = await run_turn(local_config(server, chat_format=None))

    asked = [r.json() for r in server.requests if r.path == "/extras/tokenize/count"]
    assert asked == [{"input": PROMPT, "model": MODEL}]
    usage = stream.reply.usage
    assert usage is not None and usage.prompt_tokens == 5 and usage.counted


async def test_a_server_without_a_tokenizer_count(server: LoopbackServer) -> None:
    """No /extras/tokenize/count (404): the prompt stays unknown, the reply is fine."""
    play_local_server(server, count=None)
    server.enqueue(local_reply())

    stream = await run_turn(local_config(server))

    assert stream.failure is None
    usage = stream.reply.usage
    assert usage is not None
    assert usage.prompt_tokens is None and usage.completion_tokens == CHUNKS
    assert usage.counted


async def test_a_busy_tokenizer_does_not_hold_the_reply_open(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server busy with another reply answers the count only when that one ends: the
    reply does not wait for it; its prompt count is left unknown."""
    monkeypatch.setattr(counted_usage, "COUNT_TIMEOUT", 0.2)
    play_local_server(server)
    server.enqueue(local_reply(delay=0),
                   Reply.json({"count": 7}, path="/extras/tokenize/count",
                              stall_after=0, stall=5))

    stream = await run_turn(local_config(server))

    assert stream.failure is None
    usage = stream.reply.usage
    assert usage is not None
    assert usage.prompt_tokens is None and usage.completion_tokens == CHUNKS


async def test_other_endpoints_are_not_counted(server: LoopbackServer) -> None:
    """The same stream from an endpoint the app does not run: no usage, no guess."""
    play_local_server(server)
    server.enqueue(local_reply())
    config = local_config(server)
    config = replace(config, profile=replace(config.profile, name="llamacpp",
                                             starts_server=False))

    stream = await run_turn(config)

    usage = stream.reply.usage
    assert usage is not None
    assert usage.prompt_tokens is None and usage.completion_tokens is None
    assert not usage.counted and usage.cost is None
    assert not [r for r in server.requests if r.path.startswith("/extras/")]


async def test_the_model_list_has_the_configured_context_and_is_free(
    server: LoopbackServer, tmp_path: Path
) -> None:
    play_local_server(server)

    async with make_client(local_config(server)) as client:
        models = await Catalog(client, tmp_path).fetch()

    assert [m.id for m in models] == [MODEL]
    assert models[0].context_length == CONTEXT
    assert (format_price(models[0].prompt_price), format_price(models[0].completion_price)) == (
        "free", "free")
