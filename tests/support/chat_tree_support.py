"""Conversations with branches for the chat screen's tree tests (Pilot and snapshots), at
fixed times and with fixed ids: nothing on screen depends on the clock."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.ui_support import saved, settled
from tui.model.conversation import Conversation, Message
from tui.model.tree import add_after
from tui.ui.screens.chat import ChatScreen

MODEL = "anthropic/claude-sonnet-4.6"
WHEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def _user(text: str, message_id: str) -> Message:
    return Message(role="user", content=text, created=WHEN, id=message_id)


def _reply(text: str, message_id: str, model: str = MODEL) -> Message:
    return Message(role="assistant", content=text, created=WHEN, id=message_id,
                   model=model, finish_reason="stop")


def two_exchanges() -> Conversation:
    """u1 → a1 → u2 → a2: one branch."""
    conversation = Conversation(id="20261101-093000-aaaaaa", created=WHEN, updated=WHEN,
                                model=MODEL, profile="cline", title="Capitals")
    for message in (_user("Capital of France?", "0000a001"), _reply("Paris.", "0000b001"),
                    _user("And of Italy?", "0000a002"), _reply("Rome.", "0000b002")):
        conversation.add(message)
    return conversation


def with_alternatives() -> Conversation:
    """``two_exchanges`` with a second reply to the last prompt (shown: the newer one,
    "2/2") and a second first prompt with its reply (not shown)."""
    conversation = two_exchanges()
    u2 = conversation.nodes[2]
    add_after(conversation, None, _user("Capital of Spain?", "0000a003"), show=False)
    spain = conversation.nodes[-1]
    add_after(conversation, spain, _reply("Madrid.", "0000b003"), show=False)
    add_after(conversation, u2, _reply("Rome, since 1871.", "0000b004"))
    return conversation


def saved_file(home: Path) -> dict[str, Any]:
    [path] = saved(home)
    return tomllib.loads(path.read_text(encoding="utf-8"))


def branch_of(data: dict[str, Any]) -> list[str]:
    """The contents of the saved file's current branch, first message first."""
    by_id = {m["id"]: m for m in data["messages"]}
    branch: list[str] = []
    at = by_id.get(data["current"])
    while at is not None:
        branch.append(at["content"])
        at = by_id.get(at.get("parent"))
    return branch[::-1]


def marked(screen: ChatScreen) -> list[str]:
    """The contents of the messages marked on screen (the cursor)."""
    return [v.message.content for v in screen.transcript.message_views()
            if v.marked]


async def select(pilot: Pilot[None], screen: ChatScreen, content: str) -> None:
    """Move the message cursor up onto the message with this content."""
    for _ in range(len(screen.conversation.messages) + 1):
        await pilot.press("alt+up")
        if marked(screen) == [content]:
            break
    await settled(pilot, lambda: marked(screen) == [content])


def many_exchanges(count: int) -> Conversation:
    """``count`` short exchanges on one branch: taller than a terminal."""
    conversation = Conversation(id="20261101-093000-bbbbbb", created=WHEN, updated=WHEN,
                                model=MODEL, profile="cline", title="Counting")
    for n in range(count):
        conversation.add(_user(f"Number {n}?", f"{n:04x}a000"))
        conversation.add(_reply(f"It is {n}.", f"{n:04x}b000"))
    return conversation
