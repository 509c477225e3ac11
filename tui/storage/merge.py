"""Keeping both sides when two processes write one conversation.

The store remembers, for each conversation it read or wrote, a ``Snapshot`` of the file
as it left it: a digest of the bytes, each message's identity and fingerprint, and which
messages the in-memory conversation held. When the file has changed since, ``merge``
makes a three-way merge of messages (base: the snapshot; theirs: the file; ours: memory):

- the other side may only have appended: otherwise (it changed or removed a message we
  both had) the two cannot be merged and the caller saves ours as a copy;
- what either side appended is kept, without duplicates. When both sides hold one branch
  (two windows going on with the same chat), the result is one branch: first what
  answers a prompt both had, then a turn (a prompt and what answers it) at a time, in
  the order the turns began. Otherwise each message keeps its parent (the other side's
  new messages are alternatives to ours) and ours stays the branch shown;
- a message we dropped (a retried reply) stays dropped; one we never held (theirs) stays;
- a conversation field (title, model, …) changed on disk wins over ours unless we
  changed it too.

A message's identity is its id: a reply keeps it while its text grows.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.model.conversation import Conversation, Message, chain
from tui.storage.toml_file import message_to_toml, utc
from tui.storage.toml_text import storable_text

Identity = str
FIELDS = ("title", "created", "model", "system", "temperature", "profile", "kind", "models",
          "origin", "extra")


@dataclass(frozen=True)
class Snapshot:
    """A conversation file as this process last read or wrote it."""

    path: Path
    digest: bytes
    messages: tuple[tuple[Identity, int], ...]  # identity and fingerprint, in file order
    ours: frozenset[Identity]  # the messages the in-memory conversation held
    fields: dict[str, int]  # fingerprint of each conversation field in the file

    @classmethod
    def of(cls, path: Path, digest: bytes, written: Conversation, ours: Conversation,
           tables: list[dict[str, Any]] | None = None) -> Snapshot:
        """``tables``: the written messages as ``message_to_toml`` made them, if at hand."""
        prints = (fingerprints(written.nodes) if tables is None
                  else [fingerprint(table) for table in tables])
        return cls(
            path, digest,
            tuple(zip(identities(written.nodes), prints, strict=True)),
            frozenset(identities(ours.nodes)),
            {name: fingerprint(getattr(written, name)) for name in FIELDS},
        )


@dataclass(frozen=True)
class Merged:
    conversation: Conversation  # what to write
    theirs: int  # messages only the other side had, now kept


def identities(messages: list[Message]) -> list[Identity]:
    return [m.id for m in messages]


def fingerprints(messages: list[Message]) -> list[int]:
    """A hash of each message as it is written (strings hash once; nothing is copied)."""
    return [fingerprint(message_to_toml(m)) for m in messages]


def fingerprint(value: Any) -> int:
    return hash(_frozen(value))


def _frozen(value: Any) -> Any:
    """``value`` as the file will hold it (storable text, no nulls), hashable."""
    if isinstance(value, str):
        return ("str", storable_text(value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((storable_text(str(k)), _frozen(v))
                                     for k, v in value.items() if v is not None)))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(v) for v in value if v is not None))
    if isinstance(value, datetime):
        return ("datetime", utc(value))
    return (type(value).__name__, value)


def holds_theirs(base: Snapshot) -> bool:
    """Whether the file holds messages the in-memory conversation does not."""
    return any(identity not in base.ours for identity, _ in base.messages)


def merge(ours: Conversation, base: Snapshot, theirs: Conversation) -> Merged | None:
    """What to write so that neither side loses anything, or None when the other side
    changed what both had (then ours goes to a copy). Fields taken from ``theirs`` are set
    on ``ours`` too, so the next save does not take them for our own change."""
    their_ids = identities(theirs.nodes)
    start = len(base.messages)
    if list(zip(their_ids[:start], fingerprints(theirs.nodes[:start]),
                strict=True)) != list(base.messages):
        return None
    by_identity = {m.id: m for m in ours.nodes}
    base_ids = {identity for identity, _ in base.messages}
    dropped = base.ours - set(by_identity)
    kept = [by_identity.get(m.id, m) for m in theirs.nodes[:start] if m.id not in dropped]
    ours_new = [m for m in ours.nodes if m.id not in base_ids]
    theirs_new = [m for m in theirs.nodes[start:] if m.id not in by_identity]
    for name in FIELDS:
        if (fingerprint(getattr(ours, name)) == base.fields[name]
                and fingerprint(getattr(theirs, name)) != base.fields[name]):
            setattr(ours, name, getattr(theirs, name))
    ours.updated = max(utc(ours.updated), utc(theirs.updated))
    if _one_branch(ours) and _one_branch(theirs):
        # What answers a prompt both had (a reply to the prompt saved before the request)
        # comes first; then whole turns from either side.
        ours_answers, our_turns = _turns(ours_new)
        their_answers, their_turns = _turns(theirs_new)
        turns = heapq.merge(our_turns, their_turns, key=lambda turn: utc(turn[0].created))
        woven = kept + ours_answers + their_answers + [m for turn in turns for m in turn]
        # Copies: the parents change in what is written, not in the conversation in memory.
        nodes = chain([replace(m) for m in woven])
        current = None  # the last message
    else:
        # Each side's new messages stay in their order (a parent before its children).
        nodes = kept + list(heapq.merge(ours_new, theirs_new, key=lambda m: utc(m.created)))
        current = ours.current
    return Merged(replace(ours, nodes=nodes, current=current, problems=[]), len(theirs_new))


def _one_branch(conversation: Conversation) -> bool:
    return len(conversation.messages) == len(conversation.nodes)


def _turns(messages: list[Message]) -> tuple[list[Message], list[list[Message]]]:
    """The messages before the first prompt, and the turns from each prompt on."""
    lead: list[Message] = []
    turns: list[list[Message]] = []
    for m in messages:
        if m.role == "user":
            turns.append([m])
        elif turns:
            turns[-1].append(m)
        else:
            lead.append(m)
    return lead, turns
