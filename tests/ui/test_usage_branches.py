"""The usage sidebar of a conversation with branches (issue 16, item 4): "This branch"
counts the path shown (what going on from here builds on), "All branches" everything the
conversation has cost; a conversation with one branch keeps its one "Conversation" block.
Read off the screen at 120x36, where the sidebar shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.support.ui_support import build_app, chat, screen_text, settled
from tui.model import tree
from tui.model.conversation import Conversation, Message, Usage

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MODEL = "anthropic/claude-sonnet-4.6"


def _reply(text: str, cost: float, prompt: int, completion: int) -> Message:
    return Message(role="assistant", content=text, created=WHEN, model=MODEL,
                   finish_reason="stop",
                   usage=Usage(prompt_tokens=prompt, completion_tokens=completion, cost=cost))


def branched() -> tuple[Conversation, Message]:
    """A prompt answered twice (the first answer regenerated), then a second turn after
    the new answer: the branch shown holds 2 replies, the tree 3. Returns the first
    answer too."""
    c = Conversation(id="20261102-100000-b1b1b1", created=WHEN, updated=WHEN, model=MODEL,
                     profile="cline", title="Branches")
    first = c.add(Message(role="user", content="Name a colour.", created=WHEN))
    old = c.add(_reply("Red.", 0.01, 10, 20))
    tree.add_after(c, first, _reply("Blue.", 0.02, 1000, 2000))
    c.add(Message(role="user", content="Another?", created=WHEN))
    c.add(_reply("Green.", 0.04, 30000, 40000))
    return c, old


def sidebar(text: str) -> list[str]:
    """The sidebar's lines: what is right of its border (the footer's line is not)."""
    return [line.rsplit("▏", 1)[1].strip() if "▏" in line else ""
            for line in text.splitlines()[:-1]]


def block(lines: list[str], heading: str) -> dict[str, str]:
    """The rows under ``heading``, label to value, up to the next blank line."""
    start = lines.index(heading) + 1
    rows: dict[str, str] = {}
    for line in lines[start:]:
        if not line:
            break
        label, _, value = line.rpartition("  ")
        rows[label.strip()] = value.strip()
    return rows


async def test_the_branch_shown_and_the_whole_tree_are_counted_apart() -> None:
    conversation, old = branched()
    app = build_app(None, conversation=conversation)
    async with app.run_test(size=(120, 36)) as pilot:
        await settled(pilot, lambda: "All branches" in screen_text(app))
        lines = sidebar(screen_text(app))
        assert "Conversation" not in lines
        assert block(lines, "This branch") == {
            "turns": "2", "prompt": "31,000", "completion": "42,000", "cost": "$0.0600"}
        assert block(lines, "All branches") == {
            "turns": "3", "prompt": "31,010", "completion": "42,020", "cost": "$0.0700"}
        headings = {"Last reply", "This branch", "All branches", "Context", "Spending"}
        for line in lines:  # every row a label and a value apart, nothing else
            assert not line or line in headings or re.fullmatch(r"\S.*?\s{2,}\S+", line), line
        # The context used is the branch's last reply's.
        assert block(lines, "Context")["used"] == "70,000"

        # Back to the first answer: its branch is one turn; the tree has not changed.
        assert tree.switch(conversation, conversation.messages[1], -1) is old
        chat(app).refresh_chrome()
        await settled(pilot, lambda: "$0.0100" in screen_text(app))
        lines = sidebar(screen_text(app))
        assert block(lines, "This branch") == {
            "turns": "1", "prompt": "10", "completion": "20", "cost": "$0.0100"}
        assert block(lines, "All branches")["cost"] == "$0.0700"
        assert block(lines, "Context")["used"] == "30"


async def test_one_branch_has_one_block() -> None:
    conversation, old = branched()
    tree.remove(conversation, old)
    app = build_app(None, conversation=conversation)
    async with app.run_test(size=(120, 36)) as pilot:
        await settled(pilot, lambda: "Conversation" in sidebar(screen_text(app)))
        lines = sidebar(screen_text(app))
        assert "All branches" not in lines and "This branch" not in lines
        assert block(lines, "Conversation")["cost"] == "$0.0600"
