"""Conversations as trees (tui/model/tree.py): random sequences of what a user does —
send, edit a prompt, regenerate a reply, switch between alternatives, delete a branch and
undo it — never lose a message that was not deleted, always show a branch from a first
message to the current one, and survive the file both ways. Plus the mending of files
whose parents dangle or loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.model.conversation import Conversation, Message, chain, link
from tui.model.tree import (
    Removed,
    children,
    fork,
    go_on_from,
    leaves,
    matching,
    newest_leaf,
    position,
    remove,
    restore,
    siblings,
    subtree,
    switch,
)
from tui.storage.toml_file import conversation_to_toml, parse_conversation
from tui.storage.toml_text import dumps

START = datetime(2026, 1, 1, tzinfo=UTC)

# One user action: (what, which message it picks, as a fraction of those there are).
ACTIONS = st.lists(
    st.tuples(st.sampled_from(["send", "edit", "regenerate", "switch", "delete", "undo"]),
              st.floats(min_value=0, max_value=1, exclude_max=True),
              st.sampled_from([-1, 1])),
    max_size=40,
)


def sound(conversation: Conversation) -> None:
    """The tree's rules: unique ids, every parent an earlier message, and the branch shown
    a path from a first message to ``current``."""
    seen: set[str] = set()
    for message in conversation.nodes:
        assert message.id not in seen
        assert message.parent is None or message.parent in seen
        seen.add(message.id)
    branch = conversation.messages
    if conversation.current is None:
        assert branch == []
        return
    assert branch and branch[0].parent is None
    assert branch[-1].id == conversation.current
    for before, after in pairwise(branch):
        assert after.parent == before.id


def pick(items: list[Message], fraction: float) -> Message:
    return items[int(fraction * len(items))]


@settings(max_examples=300, deadline=None)
@given(actions=ACTIONS)
def test_what_a_user_does_keeps_the_tree_sound_and_loses_nothing(
    actions: list[tuple[str, float, int]],
) -> None:
    conversation = Conversation(model="m")
    alive: set[str] = set()  # what was added and not deleted
    undo: list[tuple[Removed, set[str]]] = []
    clock = START
    for what, fraction, step in actions:
        clock += timedelta(seconds=1)
        nodes = conversation.nodes
        if what == "send" or not nodes:
            prompt = conversation.add(Message(role="user", content=f"q{clock}", created=clock))
            reply = conversation.add(Message(role="assistant", content="a", created=clock))
            alive |= {prompt.id, reply.id}
            assert conversation.messages[-2:] == [prompt, reply]
        elif what == "edit":  # a new prompt beside an earlier one
            old = pick([m for m in nodes if m.role == "user"] or nodes, fraction)
            parent = next((m for m in nodes if m.id == old.parent), None)
            go_on_from(conversation, parent)
            new = conversation.add(Message(role="user", content="edited", created=clock))
            alive.add(new.id)
            assert new.parent == old.parent and new in siblings(conversation, old)
        elif what == "regenerate":  # a new reply beside an earlier one
            old = pick(nodes, fraction)
            parent = next((m for m in nodes if m.id == old.parent), None)
            go_on_from(conversation, parent)
            new = conversation.add(Message(role="assistant", content="again", created=clock))
            alive.add(new.id)
            assert position(conversation, new)[0] == position(conversation, new)[1]  # newest
        elif what == "switch":
            message = pick(nodes, fraction)
            there = siblings(conversation, message)
            chosen = switch(conversation, message, step)
            index = there.index(message) + step
            if 0 <= index < len(there):
                assert chosen is there[index]
                assert conversation.current == newest_leaf(conversation, chosen).id
                assert chosen in conversation.messages
            else:
                assert chosen is None
        elif what == "delete":
            message = pick(nodes, fraction)
            gone = {m.id for m in subtree(conversation, message)}
            undo.append((remove(conversation, message), gone))
            alive -= gone
            assert not gone & {m.id for m in conversation.nodes}
        elif what == "undo" and undo:
            removed, gone = undo.pop()
            if gone.isdisjoint({m.id for m in conversation.nodes}) and all(
                m.parent is None or m.parent in {n.id for n in conversation.nodes} | gone
                for _, m in removed.at
            ):
                restore(conversation, removed)
                alive |= gone
        sound(conversation)
        assert {m.id for m in conversation.nodes} == alive

    # The file holds the same tree and the same branch shown.
    path = Path(f"{conversation.id}.toml")
    back = parse_conversation(dumps(conversation_to_toml(conversation)), path)
    assert back.problems == []
    assert [(m.id, m.parent, m.content) for m in back.nodes] == [
        (m.id, m.parent, m.content) for m in conversation.nodes]
    if conversation.nodes:
        assert [m.id for m in back.messages] == [m.id for m in conversation.messages]


def linear(*contents: str) -> Conversation:
    return Conversation(nodes=chain([
        Message(role="user" if i % 2 == 0 else "assistant", content=c,
                created=START + timedelta(seconds=i))
        for i, c in enumerate(contents)]))


def test_regenerating_keeps_the_old_reply_and_switching_brings_it_back() -> None:
    c = linear("q1", "a1", "q2", "a2")
    q2, a2 = c.nodes[2], c.nodes[3]
    go_on_from(c, q2)
    again = c.add(Message(role="assistant", content="a2 again"))
    assert [m.content for m in c.messages] == ["q1", "a1", "q2", "a2 again"]
    assert position(c, again) == (2, 2) and position(c, a2) == (1, 2)
    assert switch(c, again, 1) is None  # no third one
    assert switch(c, again, -1) is a2
    assert [m.content for m in c.messages] == ["q1", "a1", "q2", "a2"]


def test_switching_shows_the_alternatives_newest_continuation() -> None:
    c = linear("q1", "a1", "q2", "a2")
    go_on_from(c, None)  # edit the first prompt
    c.add(Message(role="user", content="q1 edited"))
    c.add(Message(role="assistant", content="b1"))
    assert [m.content for m in c.messages] == ["q1 edited", "b1"]
    switch(c, c.messages[0], -1)
    assert [m.content for m in c.messages] == ["q1", "a1", "q2", "a2"]
    assert children(c, None) == [c.nodes[0], c.nodes[4]]


def test_deleting_the_branch_shown_shows_an_alternative_and_undo_puts_it_back() -> None:
    c = linear("q1", "a1")
    go_on_from(c, c.nodes[0])
    c.add(Message(role="assistant", content="a1 again"))
    go_on_from(c, c.nodes[0])
    c.add(Message(role="assistant", content="a1 third"))
    switch(c, c.nodes[3], -1)  # show the second of three
    before = [m.content for m in c.nodes]
    removed = remove(c, c.nodes[2])
    assert [m.content for m in c.messages] == ["q1", "a1 third"]  # the next one
    restore(c, removed)
    assert [m.content for m in c.nodes] == before
    assert [m.content for m in c.messages] == ["q1", "a1 again"]
    remove(c, c.nodes[0])  # everything
    assert c.nodes == [] and c.messages == [] and c.current is None


def test_a_fork_is_the_branch_to_the_message_and_shares_nothing() -> None:
    c = linear("q1", "a1", "q2", "a2")
    c.title = "Talk"
    copy = fork(c, c.nodes[1], "20260101-000000-f0f0f0")
    assert [m.content for m in copy.messages] == ["q1", "a1"]
    assert copy.id == "20260101-000000-f0f0f0" and copy.title == "Talk (fork)"
    copy.messages[1].content = "changed"
    assert c.nodes[1].content == "a1"


def test_parents_that_dangle_or_loop_are_mended_and_nothing_is_dropped() -> None:
    a = Message(role="user", content="a", id="a")
    b = Message(role="assistant", content="b", id="b", parent="a")
    c = Message(role="user", content="c", id="c", parent="gone")  # dangles
    d = Message(role="assistant", content="d", id="d", parent="e")  # later: a loop
    e = Message(role="user", content="e", id="e", parent="d")
    twin = Message(role="assistant", content="twin", id="b", parent="a")  # id used twice
    nodes = [a, b, c, d, e, twin]
    problems = link(nodes)
    assert [m.content for m in nodes] == ["a", "b", "c", "d", "e", "twin"]
    assert (c.parent, d.parent, e.parent) == ("b", "c", "d")
    assert twin.id != "b" and twin.parent == "a"
    assert len(problems) == 3
    assert "message 3: parent 'gone' is not an earlier message" in problems[0]
    assert "id 'b' is used twice" in problems[2]


def test_a_format_1_file_loads_as_one_branch_with_ids_by_position() -> None:
    text = (b'format = 1\ntitle = "Old"\nmodel = "m"\n'
            b'[[messages]]\nrole = "user"\ncontent = "hi"\ncreated = 2026-01-01T00:00:00Z\n'
            b'[[messages]]\nrole = "assistant"\ncontent = "hello"\n'
            b'created = 2026-01-01T00:00:01Z\n')
    first = parse_conversation(text, Path("20260101-000000-000001.toml"))
    again = parse_conversation(text, Path("20260101-000000-000001.toml"))
    assert [m.content for m in first.messages] == ["hi", "hello"]
    assert [m.id for m in first.nodes] == [m.id for m in again.nodes]  # two readers agree
    assert first.problems == []
    written = conversation_to_toml(first)
    assert written["format"] == 2 and written["current"] == first.nodes[1].id
    assert written["messages"][1]["parent"] == first.nodes[0].id


def test_a_current_that_names_no_message_falls_back_to_the_last() -> None:
    text = (b'format = 2\ncurrent = "nope"\n'
            b'[[messages]]\nid = "x1"\nrole = "user"\ncontent = "hi"\n')
    c = parse_conversation(text, Path("20260101-000000-000002.toml"))
    assert c.current == "x1" and [m.content for m in c.messages] == ["hi"]
    assert c.problems == ["current = 'nope' is not a message: the last message is current"]


def test_leaves_are_one_per_branch() -> None:
    c = linear("q1", "a1", "q2", "a2")
    assert leaves(c) == [c.nodes[3]]
    go_on_from(c, c.nodes[1])
    other = c.add(Message(role="user", content="q2 other"))
    go_on_from(c, None)
    first = c.add(Message(role="user", content="q1 other"))
    assert leaves(c) == [c.nodes[3], other, first]


def test_matching_takes_a_whole_id_or_a_unique_start() -> None:
    c = linear("q1", "a1", "q2")
    c.nodes[0].id, c.nodes[1].id, c.nodes[2].id = "ab12cd34", "ab99ef00", "ab12"
    chain(c.nodes)
    c.changed()
    assert matching(c, "ab12") == [c.nodes[2]]  # a whole id wins over a start
    assert matching(c, "AB99") == [c.nodes[1]]
    assert matching(c, "ab") == c.nodes[:3]
    assert matching(c, "ff") == [] and matching(c, " ") == []
