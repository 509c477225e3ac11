"""Keeping both sides when two processes write one conversation.

The store remembers, for each conversation it read or wrote, a ``Snapshot`` of the file
as it left it: a digest of the bytes, each message's identity and fingerprint, and which
messages the in-memory conversation held. When the file has changed since, ``merge``
makes a three-way merge of messages (base: the snapshot; theirs: the file; ours: memory):

- the other side may only have appended: otherwise (it changed or removed a message we
  both had) the two cannot be merged and the caller saves ours as a copy;
- what either side appended is kept, without duplicates: first what answers a prompt
  both had, then a turn (a prompt and what answers it) at a time, in the order the turns
  began;
- a message we dropped (a retried reply) stays dropped; one we never held (theirs) stays;
- a conversation field (title, model, …) changed on disk wins over ours unless we
  changed it too.

A message's identity is its role, time, compare column and how many messages with those
three came before it: a reply keeps its identity while its text grows.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.model.conversation import Conversation, Message
from tui.storage.toml_file import message_to_toml, storable_text, utc

Identity = tuple[str, datetime, int | None, int]
FIELDS = ("title", "created", "model", "system", "temperature", "profile", "kind", "models",
          "extra")


@dataclass(frozen=True)
class Snapshot:
    """A conversation file as this process last read or wrote it."""

    path: Path
    digest: bytes
    messages: tuple[tuple[Identity, int], ...]  # identity and fingerprint, in file order
    ours: frozenset[Identity]  # the messages the in-memory conversation held
    fields: dict[str, int]  # fingerprint of each conversation field in the file

    @classmethod
    def of(cls, path: Path, digest: bytes, written: Conversation,
           ours: Conversation) -> Snapshot:
        return cls(
            path, digest,
            tuple(zip(identities(written.messages), fingerprints(written.messages), strict=True)),
            frozenset(identities(ours.messages)),
            {name: fingerprint(getattr(written, name)) for name in FIELDS},
        )


@dataclass(frozen=True)
class Merged:
    conversation: Conversation  # what to write
    theirs: int  # messages only the other side had, now kept


def identities(messages: list[Message]) -> list[Identity]:
    seen: Counter[tuple[str, datetime, int | None]] = Counter()
    found: list[Identity] = []
    for m in messages:
        key = (m.role, utc(m.created), m.column)
        found.append((*key, seen[key]))
        seen[key] += 1
    return found


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
    their_ids = identities(theirs.messages)
    start = len(base.messages)
    if list(zip(their_ids[:start], fingerprints(theirs.messages[:start]),
                strict=True)) != list(base.messages):
        return None
    our_ids = identities(ours.messages)
    by_identity = dict(zip(our_ids, ours.messages, strict=True))
    base_ids = {identity for identity, _ in base.messages}
    dropped = base.ours - set(our_ids)
    kept = [by_identity.get(identity, m)
            for identity, m in zip(their_ids[:start], theirs.messages[:start], strict=True)
            if identity not in dropped]
    ours_new = [m for identity, m in zip(our_ids, ours.messages, strict=True)
                if identity not in base_ids]
    theirs_new = [m for identity, m in zip(their_ids[start:], theirs.messages[start:],
                                           strict=True)
                  if identity not in by_identity]
    for name in FIELDS:
        if (fingerprint(getattr(ours, name)) == base.fields[name]
                and fingerprint(getattr(theirs, name)) != base.fields[name]):
            setattr(ours, name, getattr(theirs, name))
    ours.updated = max(utc(ours.updated), utc(theirs.updated))
    # What answers a prompt both had (a reply to the prompt saved before the request)
    # comes first; then whole turns from either side.
    ours_answers, our_turns = _turns(ours_new)
    their_answers, their_turns = _turns(theirs_new)
    turns = heapq.merge(our_turns, their_turns, key=lambda turn: utc(turn[0].created))
    messages = kept + ours_answers + their_answers + [m for turn in turns for m in turn]
    return Merged(replace(ours, messages=messages), len(theirs_new))


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
