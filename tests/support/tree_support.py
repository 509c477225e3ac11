"""A saved conversation with branches, for the command line's and the exports' tests.

The tree (ids in brackets; * the branch shown, which ends at ``RUST_REPLY``)::

    * [c0000001] user       How do I loop in C?
    * [c0000002] assistant  Use a for loop.
        [c0000003] user       OTHER and in Python?
        [c0000004] assistant  OTHER for x in xs.   (reasoning and details: OTHER)
    *   [c0000005] user       and in Rust?
    *   [c0000006] assistant  Use for x in xs.iter().
      [c0000007] assistant  OTHER use a while loop.   (an alternative to c0000002)
    [c0000008] user       OTHER How do I loop in Go?   (an edited first prompt)
    [c0000009] assistant  OTHER for range.

Every text off the branch shown holds ``OTHER``: a request or a Markdown export of the
branch must not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.model.conversation import Conversation, Message, Role
from tui.storage.store import ConversationStore

TREE_ID = "20261201-100000-7ee7ee"
MODEL = "test/model"
RUST_REPLY = "c0000006"
OTHER = "OTHER"

# (id, parent, role, content)
SHAPE: list[tuple[str, str | None, Role, str]] = [
    ("c0000001", None, "user", "How do I loop in C?"),
    ("c0000002", "c0000001", "assistant", "Use a for loop."),
    ("c0000003", "c0000002", "user", "OTHER and in Python?"),
    ("c0000004", "c0000003", "assistant", "OTHER for x in xs."),
    ("c0000005", "c0000002", "user", "and in Rust?"),
    ("c0000006", "c0000005", "assistant", "Use for x in xs.iter()."),
    ("c0000007", "c0000001", "assistant", "OTHER use a while loop."),
    ("c0000008", None, "user", "OTHER How do I loop in Go?"),
    ("c0000009", "c0000008", "assistant", "OTHER for range."),
]


def tree_conversation() -> Conversation:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    nodes = []
    for index, (message_id, parent, role, content) in enumerate(SHAPE):
        message = Message(role=role, content=content, id=message_id, parent=parent,
                          created=start + timedelta(seconds=index))
        if role == "assistant":
            message.model = MODEL
            message.finish_reason = "stop"
            if OTHER in content:
                message.reasoning = f"{OTHER} thinking"
                message.reasoning_details = [{"type": "reasoning.text",
                                              "text": f"{OTHER} detail", "index": 0}]
        nodes.append(message)
    return Conversation(id=TREE_ID, title="Loops", created=start, updated=start,
                        model=MODEL, nodes=nodes, current=RUST_REPLY)


def write_tree(conversations: Path) -> Conversation:
    """Save the tree in ``conversations`` (the store's folder) and return it."""
    conversation = tree_conversation()
    ConversationStore(conversations).save(conversation)
    return conversation
