"""Every request is valid for a strict server: the history a conversation sends after
failed, cancelled and tool-calling turns, the values checked before sending, and the
strict rules themselves (tests/support/strict_chat.py). Requests go through the loopback server
in strict mode, which answers a request OpenAI or a strict chat template would reject
with a 400 naming the rule."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.strict_chat import check, violation
from tui.api.client import ChatClient
from tui.api.request import ChatRequest, RetryPolicy
from tui.api.stream import ChatStream
from tui.chat.turn import build_request
from tui.config import Profile
from tui.model.conversation import Conversation, Message, ToolCall
from tui.model.wire import NOT_RUN, is_sent, wire_messages
from tui.storage.store import ConversationStore


def user(text: str) -> Message:
    return Message(role="user", content=text)


def reply(text: str = "", **kwargs: object) -> Message:
    return Message(role="assistant", content=text, model="test/model", **kwargs)  # type: ignore[arg-type]


def conversation(*messages: Message, system: str | None = None, **kwargs: object) -> Conversation:
    c = Conversation(model="test/model", system=system, **kwargs)  # type: ignore[arg-type]
    for message in messages:
        c.add(message)
    return c


def body(c: Conversation) -> bytes:
    return json.dumps(build_request(c).body(), ensure_ascii=False).encode()


def roles(c: Conversation) -> list[str]:
    return [m["role"] for m in wire_messages(c)]


# --- the strict rules reject what they should ---------------------------------------------


def good(**changes: object) -> dict:
    data: dict = {"model": "m", "stream": True, "messages": [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "r"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "q2"},
    ]}
    data.update(changes)
    return data


def rule(data: dict | bytes) -> str | None:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    broken = violation(raw)
    return broken.rule if broken else None


def test_a_valid_request_passes_the_strict_rules() -> None:
    check(json.dumps(good()).encode())
    check(json.dumps(good(temperature=0)).encode())
    check(json.dumps(good(temperature=2)).encode())


@pytest.mark.parametrize(("data", "expected"), [
    (b'{"model": "m", "messages": [{"role": "user", "content": "q"}], "temperature": NaN}',
     "invalid_json"),
    (b"not json", "invalid_json"),
    (good(model=""), "invalid_model"),
    (good(model=["a"]), "invalid_model"),
    (good(temperature=99), "invalid_temperature"),
    (good(temperature=-0.1), "invalid_temperature"),
    (good(temperature="1"), "invalid_temperature"),
    (good(messages=[]), "invalid_messages"),
    (good(messages=[{"role": "wizard", "content": "q"}]), "invalid_role"),
    (good(messages=[{"role": "user", "content": "q"}, {"role": "system", "content": "s"}]),
     "system_not_first"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]),
     "roles_not_alternating"),
    (good(messages=[{"role": "assistant", "content": "a"}]), "roles_not_alternating"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                    {"role": "assistant", "content": "c"}]), "roles_not_alternating"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "content": ""}]),
     "empty_assistant_message"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "content": None}]),
     "empty_assistant_message"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "tool", "tool_call_id": "x",
                                                       "content": "r"}]),
     "unexpected_tool_message"),
    (good(messages=good()["messages"][:3]), "unanswered_tool_call"),
    (good(messages=[*good()["messages"][:3], {"role": "user", "content": "b"}]),
     "unanswered_tool_call"),
    (good(messages=[*good()["messages"][:3],
                    {"role": "tool", "tool_call_id": "c2", "content": "r"}]),
     "unexpected_tool_message"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [
        {"id": "", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}]),
     "invalid_tool_call_id"),
    (good(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"x'}}]}]),
     "invalid_tool_call_arguments"),
])
def test_each_strict_rule_rejects_what_strict_servers_reject(
    data: dict | bytes, expected: str
) -> None:
    assert rule(data) == expected


async def test_the_strict_server_answers_a_bad_request_with_openais_error_shape() -> None:
    import httpx

    srv = LoopbackServer(strict=True).start()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{srv.url}/chat/completions",
                                         json=good(messages=[{"role": "assistant",
                                                              "content": "x"}]))
    finally:
        srv.stop()
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "roles_not_alternating"
    assert "alternate user/assistant" in error["message"]


# --- the history a conversation sends ------------------------------------------------------


def test_a_prompt_whose_reply_failed_before_any_output_is_left_out() -> None:
    c = conversation(
        user("one"), reply("1"),
        user("two"), reply(error="HTTP 500", finish_reason="error"),
        user("three"), reply(finish_reason="cancelled"),
        user("four"),
    )
    assert wire_messages(c) == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "1"},
        {"role": "user", "content": "four"},
    ]
    check(body(c))


def test_a_prompt_that_got_no_reply_at_all_is_left_out_but_the_last_prompt_is_sent() -> None:
    c = conversation(user("lost in a crash"), user("again"))
    assert wire_messages(c) == [{"role": "user", "content": "again"}]


def test_a_partial_reply_is_sent_as_the_assistant_turn_it_is() -> None:
    c = conversation(
        user("one"), reply("cut", finish_reason="cancelled"),
        user("two"), reply("half", error="connection lost", finish_reason="error"),
        user("three"), reply("stopped", finish_reason="interrupted"),
        user("four"),
    )
    assert roles(c) == ["user", "assistant"] * 3 + ["user"]
    assert [m["content"] for m in wire_messages(c)[1:6:2]] == ["cut", "half", "stopped"]
    check(body(c))


def test_a_reply_with_only_reasoning_is_not_sent_and_a_refusal_is_sent_as_text() -> None:
    c = conversation(
        user("think"), reply(reasoning="hmm", error="cut off", finish_reason="error"),
        user("refuse"), reply(refusal="I can't help with that."),
        user("next"),
    )
    assert wire_messages(c) == [
        {"role": "user", "content": "refuse"},
        {"role": "assistant", "content": "I can't help with that."},
        {"role": "user", "content": "next"},
    ]
    assert not is_sent(c.messages[1]) and is_sent(c.messages[3])


def test_every_tool_call_is_answered_right_after_its_message() -> None:
    calls = [ToolCall(id="call_a", name="weather", arguments='{"city":"Oslo"}'),
             ToolCall(id="call_b", name="time", arguments="")]
    c = conversation(
        user("weather and time?"), reply(tool_calls=calls, finish_reason="tool_calls"),
        Message(role="tool", content="rain", tool_call_id="call_a"),
        user("thanks"),
    )
    assert wire_messages(c) == [
        {"role": "user", "content": "weather and time?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_a", "type": "function",
             "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}},
            {"id": "call_b", "type": "function", "function": {"name": "time", "arguments": "{}"}},
        ]},
        {"role": "tool", "tool_call_id": "call_a", "content": "rain"},
        {"role": "tool", "tool_call_id": "call_b", "content": NOT_RUN},
        {"role": "user", "content": "thanks"},
    ]
    check(body(c))


def test_broken_tool_calls_are_not_sent_and_ids_are_made_unique() -> None:
    c = conversation(
        user("go"),
        reply("Calling.", tool_calls=[
            ToolCall(id="", name="a", arguments="{}"),
            ToolCall(id="dup", name="b", arguments="{}"),
            ToolCall(id="dup", name="c", arguments="{}"),
            ToolCall(id="x", name="", arguments="{}"),
            ToolCall(id="y", name="cut", arguments='{"path": "/et'),
        ], error="cut off", finish_reason="error"),
        Message(role="tool", content="answer to nobody", tool_call_id="zzz"),
        user("next"),
    )
    wire = wire_messages(c)
    sent = wire[1]["tool_calls"]
    assert [call["function"]["name"] for call in sent] == ["a", "b", "c"]
    ids = [call["id"] for call in sent]
    assert len(set(ids)) == 3 and all(ids) and "dup" in ids
    assert [m["role"] for m in wire] == ["user", "assistant", "tool", "tool", "tool", "user"]
    assert "answer to nobody" not in json.dumps(wire)
    check(body(c))


def test_a_reply_with_only_broken_tool_calls_is_left_out_with_its_prompt() -> None:
    c = conversation(
        user("go"),
        reply(tool_calls=[ToolCall(id="y", name="cut", arguments='{"pa')],
              error="cut off", finish_reason="error"),
        user("next"),
    )
    assert wire_messages(c) == [{"role": "user", "content": "next"}]


def test_two_replies_to_one_prompt_become_one_assistant_message() -> None:
    details = [{"type": "reasoning.text", "text": "t"}]
    c = conversation(user("q"), reply("first", reasoning_details=details), reply("second"),
                     user("next"))
    assert wire_messages(c)[1] == {"role": "assistant", "content": "first\n\nsecond",
                                    "reasoning_details": details}
    check(body(c))


def test_one_system_message_first_and_no_reply_before_the_first_prompt() -> None:
    c = conversation(
        reply("Hello! I greet before anyone asks."),
        Message(role="system", content="Answer in French."),
        user("hi"),
        system="Be brief.",
    )
    assert wire_messages(c) == [
        {"role": "system", "content": "Be brief.\n\nAnswer in French."},
        {"role": "user", "content": "hi"},
    ]


def test_each_compare_column_sends_a_valid_history_of_its_own() -> None:
    c = conversation(
        user("hi"),
        reply("from a", column=0), reply(error="500", finish_reason="error", column=1),
        user("more"),
        kind="compare", models=["a", "b"],
    )
    assert wire_messages(c, 0) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "from a"},
        {"role": "user", "content": "more"},
    ]
    assert wire_messages(c, 1) == [{"role": "user", "content": "more"}]


def client_for(server: LoopbackServer) -> ChatClient:
    profile = Profile("cline", server.url, "CLINE_API_KEY", catalog="cline")
    return ChatClient(profile, api_key="sk-strict-test-1234", retry=RetryPolicy(attempts=0),
                      read_timeout=5)


# --- generated conversations ---------------------------------------------------------------

texts = st.sampled_from(["", "", "text", "  ", "more text"])
call_ids = st.sampled_from(["", "c1", "c2", "c3"])
arguments = st.sampled_from(["", "{}", '{"a": 1}', '{"cut', "[1, 2]", "nope"])
tool_calls = st.lists(
    st.builds(ToolCall, id=call_ids, name=st.sampled_from(["", "f", "g"]), arguments=arguments),
    max_size=3,
)
replies = st.builds(
    Message,
    role=st.just("assistant"),
    content=texts,
    reasoning=texts,
    refusal=st.sampled_from(["", "", "no"]),
    tool_calls=tool_calls,
    finish_reason=st.sampled_from([None, "stop", "length", "error", "cancelled", "tool_calls",
                                   "interrupted"]),
    error=st.sampled_from([None, "HTTP 500"]),
    column=st.sampled_from([None, None, 0, 1]),
)
others = st.one_of(
    st.builds(Message, role=st.just("user"), content=texts),
    st.builds(Message, role=st.just("tool"), content=texts, tool_call_id=st.one_of(
        st.none(), call_ids)),
    st.builds(Message, role=st.just("system"), content=texts),
)
histories = st.lists(st.one_of(replies, replies, others), max_size=14)


@pytest.fixture(scope="module")
def strict_sender() -> Iterator[Callable[[ChatRequest], ChatStream]]:
    """Sends a request to one strict server, answering each with a short reply, through
    one client on one event loop for every generated example."""
    srv = LoopbackServer(strict=True)
    srv.default = lambda _request: Reply.sse(sse_body(*text_chunks("ok")))
    srv.start()
    client = client_for(srv)

    async def consume(request: ChatRequest) -> ChatStream:
        stream = client.stream(request)
        async for _ in stream:
            pass
        return stream

    try:
        with asyncio.Runner() as runner:
            yield lambda request: runner.run(consume(request))
            runner.run(client.aclose())
    finally:
        srv.stop()


@settings(max_examples=250, deadline=None)
@given(
    messages=histories,
    system=st.sampled_from([None, "", "Be brief."]),
    temperature=st.sampled_from([None, 0.0, 0.7, 2]),
    column=st.sampled_from([None, 0, 1]),
    prompt=texts,
)
def test_any_history_gives_a_request_a_strict_server_accepts(
    strict_sender: Callable[[ChatRequest], ChatStream], messages: list[Message],
    system: str | None,
    temperature: float | None, column: int | None, prompt: str,
) -> None:
    c = conversation(*messages, user(prompt), system=system, temperature=temperature)
    wire = wire_messages(c, column)
    stream = strict_sender(ChatRequest("m", wire, temperature=temperature))
    assert stream.failure is None, stream.failure  # a 400 names the broken rule
    # The prompt asked now is what the request ends with.
    assert wire[-1] == {"role": "user", "content": prompt}
    # Every reply with text that belongs to this column is in the request.
    sent = json.dumps(wire)
    prompted = False
    for message in c.messages:
        prompted = prompted or message.role == "user"
        mine = column is None or message.column in (None, column)
        if message.role == "assistant" and mine and message.content and prompted:
            assert json.dumps(message.content)[1:-1] in sent


# --- end to end: sent through the strict server --------------------------------------------


async def take_turn(client: ChatClient, c: Conversation, prompt: str) -> Message:
    c.add(user(prompt))
    stream = client.stream(build_request(c))
    async for _ in stream:
        pass
    c.add(stream.reply)
    return stream.reply


async def test_turns_after_failures_cancels_and_tool_calls_pass_a_strict_server(
    server: LoopbackServer,
) -> None:
    tool_call = {"id": "gen", "model": "test/model", "choices": [{"index": 0, "delta": {
        "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}]},
        "finish_reason": "tool_calls"}]}
    server.enqueue(
        Reply.json({"error": {"message": "overloaded"}}, status=400),   # fails, no output
        Reply.sse(sse_body(tool_call)),                                 # an unanswered call
        Reply.sse(sse_body(text_chunks("partial")[0], done=False) + b"data: {",
                  piece_size=1 << 20, reset_after=1),                   # reset mid-stream
        Reply.sse(sse_body(*text_chunks("fine"))),
        Reply.sse(sse_body(*text_chunks("still fine"))),
    )
    c = conversation(system="Be brief.", temperature=0.5)
    async with client_for(server) as client:
        failed = await take_turn(client, c, "one")
        assert failed.finish_reason == "error" and not is_sent(failed)
        await take_turn(client, c, "weather?")
        await take_turn(client, c, "two")
        assert (await take_turn(client, c, "three")).content == "fine"
        assert (await take_turn(client, c, "four")).content == "still fine"
    assert not server.violations
    last = server.chat_requests()[-1].json()["messages"]
    assert [m["role"] for m in last] == [
        "system", "user", "assistant", "tool", "user", "assistant", "user", "assistant", "user"
    ]
    assert "one" not in [m["content"] for m in last]


@pytest.mark.parametrize("temperature", [99, math.nan, math.inf, -1, True])
async def test_a_bad_temperature_is_refused_before_anything_is_sent(
    server: LoopbackServer, temperature: float
) -> None:
    c = conversation(temperature=temperature)
    async with client_for(server) as client:
        answer = await take_turn(client, c, "hi")
    assert server.chat_requests() == []
    assert answer.finish_reason == "error"
    assert answer.error is not None and "temperature" in answer.error
    assert "nothing was sent" in answer.error


@pytest.mark.parametrize("model", ["", "   "])
async def test_a_missing_model_is_refused_before_anything_is_sent(
    server: LoopbackServer, model: str
) -> None:
    c = conversation()
    c.model = model
    async with client_for(server) as client:
        answer = await take_turn(client, c, "hi")
    assert server.chat_requests() == []
    assert answer.error is not None and "No model" in answer.error


async def test_a_nan_anywhere_in_the_body_is_refused_before_anything_is_sent(
    server: LoopbackServer,
) -> None:
    c = conversation(user("q"), reply("a", reasoning_details=[{"score": math.nan}]))
    async with client_for(server) as client:
        answer = await take_turn(client, c, "hi")
    assert server.chat_requests() == []
    assert answer.error is not None and "NaN" in answer.error


def test_ask_continue_with_no_model_sends_nothing_and_says_why(
    isolated_home: Path, server: LoopbackServer
) -> None:
    from tests.support.cli_support import cli

    c = conversation(user("q"), reply("a"))
    c.model = ""
    ConversationStore(isolated_home / "conversations").save(c)
    run = cli(isolated_home, "ask", "--continue", c.id, "more", server=server)
    assert server.chat_requests() == []
    assert run.code == 2, run.stderr
    assert "No model is set for this conversation" in run.stderr
    assert "nothing was sent" in run.stderr
