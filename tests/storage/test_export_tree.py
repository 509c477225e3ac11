"""Exports of a conversation with branches (``show --format``, F5/F6 in the conversations
screen): JSON holds every message with its id and parent and which one is current;
Markdown holds the branch shown and says at the top that there are others."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.tree_support import OTHER, RUST_REPLY, SHAPE, tree_conversation
from tui.model.conversation import Conversation, Message, chain
from tui.storage.export import export_to_file, other_branches, to_json, to_markdown


def test_json_carries_every_message_with_id_parent_and_the_current_one() -> None:
    data = json.loads(to_json(tree_conversation()))
    assert data["format"] == 2 and data["current"] == RUST_REPLY
    assert [(m["id"], m.get("parent"), m["content"]) for m in data["messages"]] == [
        (i, p, text) for i, p, _, text in SHAPE]


def test_markdown_is_the_branch_shown_and_says_how_many_others_there_are(
        tmp_path: Path) -> None:
    c = tree_conversation()
    assert other_branches(c) == 3
    path = export_to_file(c, "markdown", tmp_path, "loops")
    text = path.read_text(encoding="utf-8")
    assert text == to_markdown(c)
    assert OTHER not in text
    top = text.split("## You", 1)[0]
    assert ("- branch: the one shown; 3 other branches are not in this export "
            "(the JSON export holds every branch)") in top.splitlines()
    assert text.index("How do I loop in C?") < text.index("and in Rust?") < text.index(
        "Use for x in xs.iter().")


def test_markdown_of_one_branch_says_nothing_about_branches() -> None:
    c = Conversation(nodes=chain([Message(role="user", content="hi"),
                                  Message(role="assistant", content="hello")]))
    assert other_branches(c) == 0
    assert "branch" not in to_markdown(c)


def test_a_current_message_with_replies_below_it_counts_each_branch_below_as_other() -> None:
    c = tree_conversation()
    c.current = "c0000002"  # mid-branch: the two branches below it are both "other"
    c.changed()
    assert other_branches(c) == 4
    c.current = "c0000004"
    c.changed()
    assert other_branches(c) == 3
    assert "3 other branches are not in this export" in to_markdown(c)
