"""Text is always storable: a UTF-16 surrogate pair whose halves arrive in two chunks
(``"\\ud83d"`` then ``"\\ude00"``, as JSON escapes) is joined into one character, and a lone
surrogate becomes U+FFFD, in every text field of a reply, before any view or writer sees
it. Checked over the loopback server, then by saving and loading the reply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.client_support import collect, make_client, request
from tests.support.loopback import LoopbackServer, Reply
from tui.api.reply import Delta, PairJoiner, ReplyBuilder
from tui.model.conversation import Conversation, Message
from tui.model.text import storable
from tui.storage.store import ConversationStore

HIGH, LOW = "\ud83d", "\ude00"  # the two halves of 😀
SMILE = "\U0001f600"


def body(*chunks: dict[str, Any], done: bool = True) -> bytes:
    """json.dumps escapes each surrogate as ``\\udXXX``, as servers that split a pair do."""
    text = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks)
    return (text + ("data: [DONE]\n\n" if done else "")).encode("ascii")


def delta(index: int = 0, **fields: Any) -> dict[str, Any]:
    return {"id": "gen-1", "choices": [{"index": index, "delta": fields}]}


def call(arguments: str, name: str | None = None) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": arguments}
    if name is not None:
        function["name"] = name
    return delta(tool_calls=[{"index": 0, "id": "call_1", "function": function}])


STOP = {"id": "gen-1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def assert_storable(message: Message) -> None:
    for text in (message.content, message.reasoning, message.refusal, message.error or "",
                 message.model or "", *(c.arguments for c in message.tool_calls),
                 *(c.name for c in message.tool_calls)):
        text.encode("utf-8")  # raises on a lone surrogate


def saved_again(message: Message, tmp_path: Path) -> Message:
    store = ConversationStore(tmp_path)
    conversation = Conversation(id="20260101-000000-aaaaaa", model="m")
    conversation.add(Message(role="user", content="hi"))
    conversation.add(message)
    store.save(conversation)
    return store.load(conversation.id).messages[-1]


@pytest.mark.parametrize("piece_size", [0, 1])
async def test_a_pair_split_across_chunks_is_joined_everywhere(
    server: LoopbackServer, tmp_path: Path, piece_size: int
) -> None:
    chunks = [
        delta(reasoning=f"think {HIGH}"), delta(reasoning=f"{LOW} done"),
        delta(content=f"smile {HIGH}"), delta(content=f"{LOW}!"),
        delta(refusal=f"no {HIGH}"), delta(refusal=f"{LOW}"),
        call(f'{{"face": "{HIGH}', name="show"), call(f'{LOW}"}}'),
        STOP,
    ]
    server.enqueue(Reply.sse(body(*chunks), piece_size=piece_size))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, events = await collect(stream)
    reply = stream.reply
    assert text == f"smile {SMILE}!" == reply.content
    assert reply.reasoning == f"think {SMILE} done"
    assert reply.refusal == f"no {SMILE}"
    assert reply.tool_calls[0].arguments == f'{{"face": "{SMILE}"}}'
    for event in events:  # what the views are handed is storable too
        assert isinstance(event, Delta)
        event.text.encode("utf-8")
    assert stream.failure is None
    assert saved_again(reply, tmp_path).content == f"smile {SMILE}!"


async def test_lone_surrogates_become_replacement_characters(
    server: LoopbackServer, tmp_path: Path
) -> None:
    chunks = [
        {"id": "gen-1", "model": f"model {LOW}", "choices": [{"index": 0, "delta": {
            "reasoning": f"r {LOW} r {HIGH}"}}]},
        delta(content=f"a {HIGH} b {LOW}"), delta(content=f"c {HIGH}"),  # held, then lone
        delta(refusal=f"{LOW}"),
        call(f"{HIGH}x", name=f"name {HIGH}"),
        {"id": "gen-1", "choices": [], "usage": {"prompt_tokens": 1, f"odd {HIGH}": f"{LOW}"}},
        {"error": {"message": f"broken {HIGH}"}},
    ]
    server.enqueue(Reply.sse(body(*chunks, done=False), piece_size=3))
    async with make_client(server) as client:
        stream = client.stream(request())
        await collect(stream)
    reply = stream.reply
    assert reply.reasoning == "r \ufffd r \ufffd"
    assert reply.content == "a \ufffd b \ufffdc \ufffd"
    assert reply.refusal == "\ufffd"
    assert (reply.tool_calls[0].name, reply.tool_calls[0].arguments) == ("name \ufffd", "\ufffdx")
    assert reply.error == "broken \ufffd"
    assert reply.usage is not None and reply.usage.extra["odd \ufffd"] == "\ufffd"
    assert_storable(reply)
    again = saved_again(reply, tmp_path)
    assert again.content == reply.content and again.error == reply.error


async def test_a_high_surrogate_at_the_very_end_is_released(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(body(delta(content=f"end {HIGH}"))))
    async with make_client(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "end \ufffd" == stream.reply.content


def test_the_joiner_holds_back_only_a_trailing_high_surrogate() -> None:
    joiner = PairJoiner()
    assert joiner.feed("plain") == "plain"
    assert joiner.feed(f"x{HIGH}") == "x"
    assert joiner.feed(f"{LOW}y") == f"{SMILE}y"
    assert joiner.feed(HIGH) == ""
    assert joiner.feed(HIGH) == "\ufffd"  # the first was lone; the second is held
    assert joiner.flush() == "\ufffd"
    assert joiner.flush() == ""


def test_storable() -> None:
    assert storable(f"a{HIGH}{LOW}b") == f"a{SMILE}b"
    assert storable(f"{LOW}{HIGH}") == "\ufffd\ufffd"
    assert storable("\ufeffkeeps a BOM") == "\ufeffkeeps a BOM"


def test_a_model_name_from_the_wire_is_storable() -> None:
    builder = ReplyBuilder(model=None)  # a request always names its model; the builder need not
    builder.add_chunk({"model": f"model {LOW}", "choices": []})
    assert builder.message.model == "model \ufffd"
