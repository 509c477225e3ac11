"""Moving through a conversation's tree and changing it: siblings, switching branches,
going on from an earlier message, removing a branch (and putting it back), forking.

Pure functions over ``Conversation.nodes`` and ``Conversation.current``
(``tui/model/conversation.py`` says what they hold). Each change leaves a sound tree:
every parent earlier in ``nodes``, ``current`` one of the nodes (or None when there are
none), and ``Conversation.messages`` the branch from a first message to ``current``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui.model.conversation import Conversation, Message, branch_to, chain


def children(conversation: Conversation, message: Message | None) -> list[Message]:
    """The messages that go on from ``message`` (None: the first messages), oldest first."""
    parent = message.id if message is not None else None
    return [m for m in conversation.nodes if m.parent == parent]


def siblings(conversation: Conversation, message: Message) -> list[Message]:
    """``message`` and its alternatives (the messages with the same parent), oldest first."""
    return [m for m in conversation.nodes if m.parent == message.parent]


def position(conversation: Conversation, message: Message) -> tuple[int, int]:
    """Which of its alternatives ``message`` is, from 1, and how many there are: (2, 3)
    is shown "2/3"."""
    alternatives = siblings(conversation, message)
    return alternatives.index(message) + 1, len(alternatives)


def newest_leaf(conversation: Conversation, message: Message) -> Message:
    """The end of the newest branch below ``message``: its newest child's newest child,
    and so on (``message`` itself when nothing goes on from it)."""
    latest: dict[str, Message] = {}
    for m in conversation.nodes:  # oldest first: the last child seen is the newest
        if m.parent is not None:
            latest[m.parent] = m
    while message.id in latest:
        message = latest[message.id]
    return message


def switch(conversation: Conversation, message: Message, step: int) -> Message | None:
    """Show the alternative ``step`` places from ``message`` (-1: the previous one, 1: the
    next) with its newest continuation; the alternative, or None when there is none that
    way (nothing changes then)."""
    alternatives = siblings(conversation, message)
    index = alternatives.index(message) + step
    if not 0 <= index < len(alternatives):
        return None
    chosen = alternatives[index]
    conversation.current = newest_leaf(conversation, chosen).id
    return chosen


def go_on_from(conversation: Conversation, message: Message | None) -> None:
    """The next ``add`` continues from ``message``: after it comes an alternative to what
    followed it. None: the next message is an alternative first message."""
    if message is None:
        # No node is current: ``add`` makes the next message a first message.
        conversation.current = None
        conversation.changed()
        return
    conversation.current = message.id


def add_after(conversation: Conversation, parent: Message | None, message: Message, *,
              show: bool = True) -> Message:
    """Add ``message`` as a child of ``parent`` (None: a first message); ``show``: make it
    current."""
    message.parent = parent.id if parent is not None else None
    conversation.nodes.append(message)
    if show:
        conversation.current = message.id
    conversation.changed()
    conversation.updated = max(conversation.updated, message.created)
    return message


@dataclass
class Removed:
    """What ``remove`` took out, to put it back with ``restore``."""

    at: list[tuple[int, Message]]  # (index in nodes, message), in order
    current: str | None  # what was current before


def subtree(conversation: Conversation, message: Message) -> list[Message]:
    """``message`` and every message that goes on from it, in the order of ``nodes``."""
    below = {message.id}
    for m in conversation.nodes:  # parents come first, so one pass finds them all
        if m.parent in below:
            below.add(m.id)
    return [m for m in conversation.nodes if m.id in below]


def remove(conversation: Conversation, message: Message) -> Removed:
    """Take out ``message`` and the branch below it. When the current branch went
    through it, the branch shown becomes the next alternative's (or the previous one's),
    else its parent."""
    gone = {m.id for m in subtree(conversation, message)}
    removed = Removed([(i, m) for i, m in enumerate(conversation.nodes) if m.id in gone],
                      conversation.current)
    on_branch = conversation.current in gone
    alternatives = [m for m in siblings(conversation, message) if m.id not in gone]
    before = [m for m in siblings(conversation, message) if m.id not in gone
              and conversation.nodes.index(m) < conversation.nodes.index(message)]
    conversation.nodes[:] = [m for m in conversation.nodes if m.id not in gone]
    if on_branch:
        after = [m for m in alternatives if m not in before]
        chosen = after[0] if after else before[-1] if before else None
        if chosen is not None:
            conversation.current = newest_leaf(conversation, chosen).id
        else:
            conversation.current = message.parent
    if conversation.current is None and conversation.nodes:
        conversation.current = conversation.nodes[-1].id
    conversation.changed()
    return removed


def restore(conversation: Conversation, removed: Removed) -> None:
    """Put back what ``remove`` took out, where it was, and the branch shown then."""
    for index, message in removed.at:
        conversation.nodes.insert(index, message)
    conversation.current = removed.current
    conversation.changed()


def fork(conversation: Conversation, message: Message, new_id: str) -> Conversation:
    """A new conversation holding the branch from the first message to ``message``
    (copies: the two never share a message)."""
    branch = [replace(m, parent=None) for m in branch_to(conversation.nodes, message.id)]
    copy = replace(conversation, id=new_id, nodes=chain(branch), current=None, extra={},
                   problems=[])
    copy.title = f"{conversation.title} (fork)" if conversation.title else ""
    return copy


def leaves(conversation: Conversation) -> list[Message]:
    """The ends of every branch (messages nothing goes on from), oldest first: one per
    branch."""
    parents = {m.parent for m in conversation.nodes}
    return [m for m in conversation.nodes if m.id not in parents]


def matching(conversation: Conversation, given: str) -> list[Message]:
    """The messages ``given`` names: the one whose id it is, else every message whose id
    starts with it (case ignored), oldest first. One: found; none or several: say so."""
    wanted = given.strip().lower()
    if not wanted:
        return []
    exact = [m for m in conversation.nodes if m.id.lower() == wanted]
    return exact or [m for m in conversation.nodes if m.id.lower().startswith(wanted)]
