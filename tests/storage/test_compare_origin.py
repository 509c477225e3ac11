"""A compare column carried on alone (F9) remembers where it came from, in the chat's
file (``origin = { conversation = "<compare id>", column = 2 }``), and compare files
are format 2 like any other: their messages one branch, in the file's order."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tui.format import origin_note
from tui.model.compare import column_as_chat, new_compare
from tui.model.conversation import Conversation, Message, Origin
from tui.storage.store import ConversationStore


def a_compare() -> Conversation:
    c = new_compare(["fast/a", "slow/b"], Conversation(system="Be brief."))
    c.add(Message(role="user", content="Hi"))
    c.add(Message(role="assistant", content="From b.", model="slow/b", column=1))
    c.add(Message(role="assistant", content="From a.", model="fast/a", column=0))
    c.add(Message(role="user", content="More?"))
    c.add(Message(role="assistant", content="More from a.", model="fast/a", column=0))
    c.add(Message(role="assistant", content="More from b.", model="slow/b", column=1))
    return c


def test_a_carried_on_column_remembers_its_comparison_and_column(tmp_path: Path) -> None:
    compare = a_compare()
    chat = column_as_chat(compare, 1, "20261202-000000-aaaaaa")
    assert chat.origin == Origin(compare.id, 2)  # column 2 as the screen numbers it
    assert origin_note(chat.origin) == f"from column 2 of comparison {compare.id}"
    store = ConversationStore(tmp_path)
    path = store.save(chat)
    data = tomllib.loads(path.read_text())
    assert data["origin"] == {"conversation": compare.id, "column": 2}
    assert "origin" not in data.get("extra", {})
    again = store.load(chat.id)
    assert again.origin == Origin(compare.id, 2) and not again.problems
    # A comparison started from that chat is a comparison of its own: no origin.
    assert new_compare(["x/1", "y/2"], again).origin is None


def test_an_origin_a_hand_spoiled_is_reported_and_kept_as_it_was(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    chat = column_as_chat(a_compare(), 0, "20261202-000000-bbbbbb")
    path = store.save(chat)
    text = path.read_text()
    path.write_text(text.replace('column = 1', 'column = "one"', 1))
    spoiled = store.load(chat.id)
    assert spoiled.origin is None
    assert any(p.startswith("origin = ") for p in spoiled.problems), spoiled.problems
    spoiled.title = "renamed"
    store.save(spoiled)
    assert 'column = "one"' in path.read_text()  # a rewrite puts it back


def test_a_compare_file_round_trips_as_format_2(tmp_path: Path) -> None:
    compare = a_compare()
    store = ConversationStore(tmp_path)
    path = store.save(compare)
    data = tomllib.loads(path.read_text())
    assert data["format"] == 2 and data["kind"] == "compare"
    assert "origin" not in data
    ids = [m["id"] for m in data["messages"]]
    # One branch in the file's order: each message's parent is the one before it.
    assert [m.get("parent") for m in data["messages"]] == [None, *ids[:-1]]
    assert data["current"] == ids[-1]
    again = store.load(compare.id)
    assert again.kind == "compare" and again.models == ["fast/a", "slow/b"]
    assert [(m.content, m.column) for m in again.messages] == [
        (m.content, m.column) for m in compare.messages]
    assert again.nodes == again.messages and not again.problems
    again.title = "touched"
    store.save(again)
    assert store.load(compare.id).messages == again.messages
