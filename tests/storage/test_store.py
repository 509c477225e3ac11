"""Saved conversations (README, "Conversations"): what goes into
``conversations/<id>.toml`` comes back out unchanged, the file is plain TOML a person can
read, a failed write never costs the old file, and a file that will not parse is reported
and left alone."""

from __future__ import annotations

import copy
import os
import re
import stat
import tomllib
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.history_support import Unreadable, scan
from tui.model.conversation import (
    Conversation,
    Message,
    ToolCall,
    Usage,
    new_conversation_id,
    title_from_prompt,
)
from tui.model.wire import wire_messages
from tui.storage.store import ConversationStore, StoreError
from tui.storage.toml_file import CONVERSATION_KEYS, MESSAGE_KEYS, USAGE_KEYS

# --- strategies ---------------------------------------------------------------------------

# Everything a string can hold except lone surrogates (not encodable as UTF-8 at all).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
NASTY = [
    '"', "'", "\\", "'''", '"""', "\n", "\r", "\r\n", "\t", "\x00", "\x1b[31m", "\x7f",
    *(chr(c) for c in range(0x20)), "😀", "👩‍💻", "\u2028", "\ufeff", "\\u0041", "${x}",
    "[section]", "key = 1", "#", "\U0010ffff",
]
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=4)), max_size=8).map(
        "".join
    ),
)
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
FLOAT = st.floats(allow_nan=False, allow_infinity=False)
JSON_NO_NULL = st.recursive(
    st.one_of(st.booleans(), INT64, FLOAT, TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)
    ),
    max_leaves=12,
)
OFFSETS = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
WHEN = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=OFFSETS
)



def extras(known: AbstractSet[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Keys this version does not know (never one the file format does), with values."""
    return st.dictionaries(TEXT.filter(lambda k: k not in known), JSON_NO_NULL, max_size=3)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


tool_calls = st.builds(ToolCall, id=TEXT, name=TEXT, arguments=TEXT, type=TEXT)
usages = st.builds(
    Usage,
    prompt_tokens=maybe(INT64),
    completion_tokens=maybe(INT64),
    cached_tokens=maybe(INT64),
    reasoning_tokens=maybe(INT64),
    cost=maybe(FLOAT),
    ttft_ms=maybe(INT64),
    duration_ms=maybe(INT64),
    extra=extras(USAGE_KEYS),
)
messages = st.builds(
    Message,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    content=TEXT,
    created=WHEN,
    model=maybe(TEXT),
    reasoning=TEXT,
    reasoning_details=st.lists(JSON_NO_NULL, max_size=3),
    refusal=TEXT,
    tool_calls=st.lists(tool_calls, max_size=3),
    finish_reason=maybe(TEXT),
    error=maybe(TEXT),
    usage=maybe(usages),
    tool_call_id=maybe(TEXT),
    column=maybe(st.integers(min_value=0, max_value=3)),
    left_out=st.booleans(),
    extra=extras(MESSAGE_KEYS),
)


@st.composite
def trees(draw: st.DrawFn) -> list[Message]:
    """Messages where each has no parent (a first message) or an earlier one."""
    nodes = draw(st.lists(messages, max_size=5))
    for index, message in enumerate(nodes):
        earlier = [m.id for m in nodes[:index]]
        message.parent = draw(st.sampled_from([None, *earlier]))
    return nodes


@st.composite
def conversations(draw: st.DrawFn) -> Conversation:
    kind = draw(st.sampled_from(["chat", "compare"]))
    return Conversation(
        id=new_conversation_id(),
        title=draw(TEXT),
        created=draw(WHEN),
        updated=draw(WHEN),
        model=draw(TEXT),
        system=draw(maybe(TEXT)),
        # The API's range: other values in a file are reported and kept raw (test_store_files).
        temperature=draw(maybe(st.floats(min_value=0, max_value=2))),
        profile=draw(maybe(TEXT)),
        kind=kind,
        models=draw(st.lists(TEXT, max_size=4)) if kind == "compare" else [],
        nodes=draw(trees()),
        extra=draw(extras(CONVERSATION_KEYS)),
    )


def as_utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def normalised(conversation: Conversation) -> Conversation:
    """What a correct store gives back: the same data, every time as an aware datetime."""
    c = copy.deepcopy(conversation)
    c.created, c.updated = as_utc(c.created), as_utc(c.updated)
    for m in c.nodes:
        m.created = as_utc(m.created)
    return c


def reply(**fields: Any) -> Message:
    return Message(role="assistant", created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), **fields)


def folder_listing(folder: Path) -> list[str]:
    """The folder's entries but the (owner-only) folder of save locks."""
    locks = folder / ".locks"
    if locks.exists():
        assert stat.S_IMODE(locks.stat().st_mode) == 0o700
    return sorted(name for name in os.listdir(folder) if name != ".locks")


# --- round trips --------------------------------------------------------------------------


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(conversation=conversations())
def test_any_conversation_comes_back_equal(
    store: ConversationStore, conversation: Conversation
) -> None:
    path = store.save(conversation)
    loaded = store.load(conversation.id)
    assert loaded == normalised(conversation)
    # The file itself is TOML any reader accepts, and a second save changes nothing.
    tomllib.loads(path.read_text(encoding="utf-8"))
    before = path.read_bytes()
    store.save(loaded)
    assert path.read_bytes() == before


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TEXT, content=TEXT, arguments=TEXT)
def test_text_with_quotes_newlines_and_control_characters_survives(
    store: ConversationStore, title: str, content: str, arguments: str
) -> None:
    conversation = Conversation(system=content)
    conversation.add(Message(role="user", content=content))
    conversation.add(reply(content=content, reasoning=content, refusal=content, error=content,
                           tool_calls=[ToolCall(id="call_1", name="f", arguments=arguments)]))
    conversation.title = title
    store.save(conversation)
    loaded = store.load(conversation.id)
    assert loaded.title == title
    assert loaded.system == content
    assert [m.content for m in loaded.messages] == [content, content]
    answer = loaded.messages[1]
    assert (answer.reasoning, answer.refusal, answer.error) == (content, content, content)
    assert answer.tool_calls[0].arguments == arguments


def test_every_tricky_string_at_once(store: ConversationStore) -> None:
    nasty = "".join(NASTY) + "\r\n'''\"\"\"\\\\\\'\x00\x7f end"
    conversation = Conversation(title=nasty, system=nasty, model=nasty, profile=nasty)
    conversation.add(Message(role="user", content=nasty))
    conversation.add(reply(content=nasty, reasoning=nasty, refusal=nasty, error=nasty,
                           model=nasty, finish_reason=nasty,
                           tool_calls=[ToolCall(id=nasty, name=nasty, arguments=nasty)],
                           reasoning_details=[{nasty: nasty}]))
    store.save(conversation)
    assert store.load(conversation.id) == normalised(conversation)


def test_reasoning_details_tool_calls_and_usage_extras_come_back_verbatim(
    store: ConversationStore,
) -> None:
    details = [
        {"type": "reasoning.encrypted", "data": "gAAAAB…==", "id": "rs_1", "index": 0,
         "format": "openai-responses-v1"},
        {"type": "reasoning.text", "text": "Let me think.\n\n", "signature": "sig\\+/=",
         "nested": {"list": [1, 2.5, True, "x", [], {}], "empty": ""}},
    ]
    usage = Usage(prompt_tokens=8888, completion_tokens=31, cached_tokens=8885, cost=0.0031,
                  ttft_ms=410, duration_ms=1200,
                  extra={"is_byok": False, "server_tool_use": {"web_search_requests": 2},
                         "cost_details": {"upstream_inference_cost": 0.002}})
    calls = [ToolCall(id="call_1", name="get_weather", arguments='{"city": "Paris"}'),
             ToolCall(id="call_2", name="search", arguments='{"q": "a\\"b"}', type="function")]
    conversation = Conversation(model="m")
    conversation.add(Message(role="user", content="hi"))
    conversation.add(reply(reasoning_details=details, usage=usage, tool_calls=calls,
                           finish_reason="tool_calls"))
    conversation.add(Message(role="tool", content="sunny", tool_call_id="call_1"))
    store.save(conversation)

    loaded = store.load(conversation.id).messages
    assert loaded[1].reasoning_details == details
    assert loaded[1].usage == usage
    assert loaded[1].tool_calls == calls
    assert loaded[1].finish_reason == "tool_calls"
    assert loaded[2].tool_call_id == "call_1"


def test_nulls_inside_reasoning_details_and_usage_extras_are_dropped(
    store: ConversationStore,
) -> None:
    """TOML has no null: a null the server sent is left out, the rest is kept."""
    conversation = Conversation()
    conversation.add(reply(
        content="ok",
        reasoning_details=[{"type": "reasoning.text", "signature": None, "text": "t"}, None,
                           [None, 1]],
        usage=Usage(prompt_tokens=1, extra={"gone": None, "kept": {"a": None, "b": 2},
                                            "list": [None, "x"]}),
    ))
    path = store.save(conversation)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["messages"][0]
    assert raw["reasoning_details"] == [{"type": "reasoning.text", "text": "t"}, [1]]
    assert raw["usage"] == {"prompt_tokens": 1, "kept": {"b": 2}, "list": ["x"]}
    loaded = store.load(conversation.id).messages[0]
    assert loaded.reasoning_details == [{"type": "reasoning.text", "text": "t"}, [1]]
    assert loaded.usage == Usage(prompt_tokens=1, extra={"kept": {"b": 2}, "list": ["x"]})


# --- the file on disk ---------------------------------------------------------------------


def test_the_file_is_toml_with_format_2_and_utc_datetimes(store: ConversationStore) -> None:
    paris = timezone(timedelta(hours=2))
    conversation = Conversation(
        title="Weather", model="m", system="Be brief", temperature=0.5, profile="cline",
        created=datetime(2026, 6, 1, 14, 0, 0, tzinfo=paris),
        updated=datetime(2026, 6, 1, 14, 5, 0, 123000, tzinfo=paris),
    )
    conversation.add(Message(role="user", content="hi",
                             created=datetime(2026, 6, 1, 14, 1, tzinfo=paris)))
    path = store.save(conversation)
    assert path == store.folder / f"{conversation.id}.toml"
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["format"] == 2
    assert data["id"] == conversation.id
    assert (data["title"], data["model"], data["system"], data["temperature"],
            data["profile"], data["kind"]) == ("Weather", "m", "Be brief", 0.5, "cline", "chat")
    for when in (data["created"], data["updated"], data["messages"][0]["created"]):
        assert isinstance(when, datetime)
        assert when.utcoffset() == timedelta(0)
    assert data["created"] == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert data["updated"] == datetime(2026, 6, 1, 12, 5, 0, 123000, tzinfo=UTC)
    # Written as TOML datetimes, not strings holding a date.
    assert re.search(r"^created = 2026-06-01[T ]12:00:00(Z|\+00:00)$", text, re.M)


def test_absent_optional_values_are_omitted(store: ConversationStore) -> None:
    conversation = Conversation(model="m")
    conversation.add(Message(role="user", content="hi"))
    conversation.add(reply(content="hello"))
    path = store.save(conversation)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"format", "id", "title", "created", "updated", "model", "kind",
                         "current", "messages"}
    assert set(data["messages"][0]) == {"id", "role", "content", "created"}  # the first
    assert set(data["messages"][1]) == {"id", "parent", "role", "content", "created"}


def test_compare_conversations_keep_models_and_columns(store: ConversationStore) -> None:
    conversation = Conversation(kind="compare", models=["a/x", "b/y"])
    conversation.add(Message(role="user", content="hi"))
    conversation.add(reply(content="from x", model="a/x", column=0))
    conversation.add(reply(content="from y", model="b/y", column=1))
    path = store.save(conversation)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["kind"] == "compare"
    assert data["models"] == ["a/x", "b/y"]
    assert [m.get("column") for m in data["messages"]] == [None, 0, 1]
    assert store.load(conversation.id) == normalised(conversation)


KNOWN_PLUS_FUTURE = """\
format = 1
id = "{id}"
title = "From the future"
created = 2026-01-01T00:00:00Z
updated = 2026-01-01T00:01:00Z
model = "m"
kind = "chat"
branch_head = "msg-3"
tags = ["work", "later"]

[ui]
folded = [1, 2]

[[messages]]
role = "user"
content = "hi"
created = 2026-01-01T00:00:00Z
id = "msg-1"

[[messages]]
role = "assistant"
content = "hello"
created = 2026-01-01T00:01:00Z
model = "m"
id = "msg-2"
parent = "msg-1"
rating = {{ stars = 5, note = "good" }}

[messages.usage]
prompt_tokens = 3
completion_tokens = 1
cost = 0.5
is_byok = false
server_tool_use = {{ web_search_requests = 2 }}
"""


def test_unknown_keys_survive_load_and_save(store: ConversationStore) -> None:
    cid = "20260101-000000-abcdef"
    store.folder.mkdir(parents=True)
    path = store.path_for(cid)
    path.write_text(KNOWN_PLUS_FUTURE.format(id=cid), encoding="utf-8")
    original = tomllib.loads(path.read_text(encoding="utf-8"))

    conversation = store.load(cid)
    conversation.add(Message(role="user", content="more",
                             created=datetime(2026, 1, 1, 0, 2, tzinfo=UTC)))
    store.save(conversation)

    rewritten = tomllib.loads(path.read_text(encoding="utf-8"))
    for key in ("branch_head", "tags", "ui"):
        assert rewritten[key] == original[key]
    assert rewritten["messages"][0]["id"] == "msg-1"
    assert {k: rewritten["messages"][1][k] for k in ("id", "parent", "rating")} == {
        "id": "msg-2", "parent": "msg-1", "rating": {"stars": 5, "note": "good"}}
    assert rewritten["messages"][1]["usage"] == original["messages"][1]["usage"]
    assert rewritten["messages"][2]["content"] == "more"
    # Apart from the new turn, the new time and the format (2: the tree's current end
    # named), nothing changed.
    assert (rewritten["format"], rewritten["current"]) == (2, rewritten["messages"][2]["id"])
    rewritten["messages"].pop()
    rewritten["updated"] = original["updated"]
    del rewritten["current"]
    rewritten["format"] = 1
    assert rewritten == original


# --- writing safely -----------------------------------------------------------------------


def test_save_leaves_only_the_file_owner_only_in_an_owner_only_folder(
    store: ConversationStore,
) -> None:
    conversation = Conversation()
    path = store.save(conversation)
    store.save(conversation)  # a rewrite too
    assert folder_listing(store.folder) == [f"{conversation.id}.toml"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_a_failed_write_keeps_the_previous_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    conversation = Conversation(title="first")
    conversation.add(Message(role="user", content="kept"))
    path = store.save(conversation)
    before = path.read_bytes()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    conversation.title = "second"
    conversation.add(Message(role="user", content="lost"))
    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(os, broken, fail)
        store.save(conversation)

    assert path.read_bytes() == before
    assert folder_listing(store.folder) == [path.name]
    assert store.load(conversation.id).title == "first"


# --- files that will not parse -----------------------------------------------------------

UNREADABLE = {
    "bad-toml": (b'title = "never closed\nmodel = "m"\n', "not valid TOML"),
    "not-utf8": (b'title = "caf\xe9"\n', "not UTF-8"),
    "messages-number": (b'format = 1\ntitle = "x"\nmessages = 3\n', "messages"),
    "message-not-table": (b"format = 1\nmessages = [1, 2]\n", "message 1"),
    "bad-role": (b'[[messages]]\nrole = "wizard"\ncontent = "x"\n', "role"),
    "format-text": (b'format = "one"\n', "format"),
    "time-out-of-range": (b"created = 0001-01-01T00:00:00+05:00\n", "out of range"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_file_is_reported_and_left_alone(
    store: ConversationStore, name: str
) -> None:
    body, why = UNREADABLE[name]
    good = Conversation(title="fine")
    store.save(good)
    path = store.folder / f"{name}.toml"
    path.write_bytes(body)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    mtime = path.stat().st_mtime_ns

    readable, unreadable = scan(store)
    assert [c.id for c in readable] == [good.id]
    assert unreadable == [Unreadable(path, unreadable[0].reason)]
    assert f"{name}.toml" in unreadable[0].reason
    assert why in unreadable[0].reason

    with pytest.raises(StoreError) as raised:
        store.load(name)
    assert f"{name}.toml" in str(raised.value)
    assert why in str(raised.value)

    store.save(good)  # saving other conversations does not touch it either
    assert path.read_bytes() == body
    assert path.stat().st_mtime_ns == mtime
    assert folder_listing(store.folder) == sorted([path.name, f"{good.id}.toml"])


def test_loading_a_missing_conversation_says_so(store: ConversationStore) -> None:
    with pytest.raises(StoreError, match="no saved conversation '20260101-000000-000000'"):
        store.load("20260101-000000-000000")


def test_a_copied_file_loads_under_its_own_name_and_never_overwrites_the_original(
    store: ConversationStore,
) -> None:
    original = Conversation(id="20260101-000000-aaaaaa", title="original")
    path = store.save(original)
    copy_path = store.folder / "20260101-000000-bbbbbb.toml"
    copy_path.write_bytes(path.read_bytes())
    before = path.read_bytes()

    copied = store.load("20260101-000000-bbbbbb")
    assert copied.id == "20260101-000000-bbbbbb"
    copied.add(Message(role="user", content="only in the copy"))
    assert store.save(copied) == copy_path
    assert path.read_bytes() == before
    assert sorted(c.id for c in scan(store)[0]) == [original.id, copied.id]


# --- ids ----------------------------------------------------------------------------------


@given(times=st.lists(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2999, 1, 1),
                 timezones=st.just(UTC)),
    min_size=2, max_size=10, unique_by=lambda t: t.replace(microsecond=0)))
@settings(max_examples=200, deadline=None)
def test_generated_ids_sort_by_time_and_are_safe_file_names(times: list[datetime]) -> None:
    ids = [new_conversation_id(t) for t in times]
    assert [i for _, i in sorted(zip(times, ids, strict=True))] == sorted(ids)
    for i in ids:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", i)


def test_generated_ids_name_files_inside_the_folder(store: ConversationStore) -> None:
    for i in [Conversation().id for _ in range(50)] + [store.new_id() for _ in range(50)]:
        assert store.path_for(i) == store.folder / f"{i}.toml"


def test_new_id_skips_an_id_whose_file_exists(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.folder.mkdir(parents=True)
    store.path_for("20260101-000000-aaaaaa").write_text("not even toml [", encoding="utf-8")
    candidates = iter(["20260101-000000-aaaaaa", "20260101-000000-bbbbbb"])
    monkeypatch.setattr("tui.storage.store.new_conversation_id", lambda: next(candidates))
    assert store.new_id() == "20260101-000000-bbbbbb"


@pytest.mark.parametrize("bad", [
    "../../x", "/etc/passwd", "", "a/b", "..", ".", "a\\b", "abc\n", "\nabc", "a\x00b",
    " abc", "abc.toml", "x" * 200,
])
def test_ids_that_could_escape_the_folder_are_refused(
    store: ConversationStore, bad: str
) -> None:
    with pytest.raises(StoreError):
        store.path_for(bad)
    with pytest.raises(StoreError):
        store.load(bad)
    with pytest.raises(StoreError):
        store.save(Conversation(id=bad))
    assert not store.folder.exists()


@given(st.text(ANY_CHAR, max_size=40))
@settings(max_examples=200, deadline=None)
def test_any_id_that_is_accepted_names_a_plain_file_in_the_folder(text: str) -> None:
    folder = Path("/nowhere/conversations")
    try:
        path = ConversationStore(folder).path_for(text)
    except StoreError:
        return
    assert path.parent == folder
    assert path.name == f"{text}.toml"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)


# --- what is sent back to the model ------------------------------------------------------


def test_wire_messages_send_system_first_and_skip_empty_failed_replies() -> None:
    details = [{"type": "reasoning.encrypted", "data": "opaque", "index": 0}]
    conversation = Conversation(system="Be brief.")
    conversation.add(Message(role="user", content="What is 2+2?"))
    conversation.add(reply(content="4", reasoning="easy", reasoning_details=details))
    conversation.add(Message(role="user", content="And 3+3?"))
    conversation.add(reply(content="", reasoning="hmm", error="HTTP 500",
                           finish_reason="error"))
    conversation.add(reply(content="", finish_reason="cancelled"))
    conversation.add(Message(role="user", content="Weather?"))
    conversation.add(reply(content="", tool_calls=[
        ToolCall(id="call_1", name="weather", arguments='{"city":"Oslo"}')]))
    conversation.add(Message(role="tool", content="rain", tool_call_id="call_1"))
    conversation.add(reply(content="It rains, and partial", finish_reason="cancelled"))

    assert wire_messages(conversation) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4", "reasoning_details": details},
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}]},
        {"role": "tool", "content": "rain", "tool_call_id": "call_1"},
        {"role": "assistant", "content": "It rains, and partial"},
    ]


def test_wire_messages_without_a_system_prompt_start_with_the_user() -> None:
    conversation = Conversation(system="")
    conversation.add(Message(role="user", content="hi"))
    assert wire_messages(conversation) == [{"role": "user", "content": "hi"}]


def test_wire_messages_for_one_compare_column_send_only_its_replies() -> None:
    conversation = Conversation(kind="compare", models=["a", "b"])
    conversation.add(Message(role="user", content="hi"))
    conversation.add(reply(content="from a", column=0))
    conversation.add(reply(content="from b", column=1))
    assert wire_messages(conversation, 1) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "from b"},
    ]


def test_reasoning_details_survive_a_save_and_are_sent_back(store: ConversationStore) -> None:
    details = [{"type": "reasoning.text", "text": "think", "signature": "abc", "index": 0}]
    conversation = Conversation()
    conversation.add(Message(role="user", content="q"))
    conversation.add(reply(content="a", reasoning_details=details))
    store.save(conversation)
    wire = wire_messages(store.load(conversation.id))
    assert wire[1] == {"role": "assistant", "content": "a", "reasoning_details": details}


def test_the_first_prompt_becomes_a_trimmed_title() -> None:
    conversation = Conversation()
    conversation.add(Message(role="user", content="  \n  Explain   TOML\tdatetimes \n\n"))
    conversation.add(Message(role="user", content="second prompt"))
    assert conversation.title == "Explain TOML datetimes"


def test_a_long_prompt_is_cut_at_a_word_with_an_ellipsis() -> None:
    prompt = "word " * 40
    title = title_from_prompt(prompt)
    assert len(title) <= 60
    assert title.endswith("word…")
    assert title_from_prompt("x" * 100) == "x" * 59 + "…"


@given(st.text(ANY_CHAR, max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_title_is_one_trimmed_line_of_at_most_60_characters(prompt: str) -> None:
    title = title_from_prompt(prompt)
    folded = " ".join(prompt.split())
    assert title == title.strip()
    assert "\n" not in title and "\r" not in title
    assert len(title) <= 60
    if len(folded) <= 60:
        assert title == folded
    else:
        assert title.endswith("…")
        assert folded.startswith(title[:-1])


TOML_VALUE = st.recursive(
    st.one_of(st.booleans(), INT64, FLOAT, TEXT, st.datetimes(timezones=OFFSETS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)


def shaped(keys: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.one_of(st.sampled_from(sorted(keys)), TEXT), TOML_VALUE,
                           max_size=6)


@st.composite
def odd_files(draw: st.DrawFn) -> dict[str, Any]:
    """TOML documents with the right key names and any values at all."""
    data = draw(shaped(CONVERSATION_KEYS))
    if draw(st.booleans()):
        rows = draw(st.lists(shaped(MESSAGE_KEYS), max_size=3))
        for row in rows:
            if draw(st.booleans()):
                row["role"] = draw(st.sampled_from(["user", "assistant", "tool", "system"]))
            if draw(st.booleans()):
                row["usage"] = draw(shaped(USAGE_KEYS))
        data["messages"] = rows
    return data


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=odd_files())
def test_any_toml_file_is_loaded_or_reported_never_a_crash(
    store: ConversationStore, data: dict[str, Any]
) -> None:
    import tomli_w

    store.folder.mkdir(parents=True, exist_ok=True)
    path = store.folder / "20260101-000000-abcdef.toml"
    body = tomli_w.dumps(data).encode("utf-8")
    path.write_bytes(body)
    readable, unreadable = scan(store)
    assert len(readable) + len(unreadable) == 1
    assert path.read_bytes() == body
    if readable:
        # What loads can be saved and loads again the same.
        conversation = readable[0]
        assert conversation.id == path.stem
        store.save(conversation)
        if conversation.kind == "chat":
            conversation.models = []  # only compare conversations keep a model list
        assert store.load(conversation.id) == normalised(conversation)
