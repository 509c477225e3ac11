"""Fixed saved conversations for the history tests: fixed ids and times (nothing on screen
depends on the clock), a compare session, a hostile title and an unreadable file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.files import StoreError, check_folder, read_regular
from tui.model.conversation import Conversation, Message, Usage
from tui.storage.store import ConversationStore
from tui.storage.toml_file import parse_conversation

BASE = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
BROKEN_MTIME = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)

TOPICS = [
    ("Plan the release of version 2", "Which steps are left before the release?",
     "Tag, build the wheels, write the changelog, then publish.", "think about wheels"),
    ("Explain closures in Python", "How do closures capture variables?",
     "A closure keeps a reference to the enclosing scope's cells.", "cells and scopes"),
    ("Recipe for banana bread", "Give me a banana bread recipe",
     "Mash three ripe bananas, mix with flour, sugar and butter; bake 60 minutes.",
     "the user likes baking; pineapple is not needed"),
    ("Rust borrow checker errors", "Why does the borrow checker reject this loop?",
     "You hold a mutable borrow across the push; clone the key first.", ""),
]


def write_fixed(folder: Path) -> list[str]:
    """The fixed conversations into ``folder``; returns their ids, newest first."""
    store = ConversationStore(folder)
    ids = []
    for i, (title, prompt, answer, reasoning) in enumerate(TOPICS):
        when = BASE + timedelta(days=i)
        c = Conversation(id=f"202611{i + 1:02d}-093000-00000{i}", title=title, created=when,
                         updated=when, model="anthropic/claude-sonnet-4.6", profile="cline")
        c.add(Message(role="user", content=prompt, created=when))
        c.add(Message(role="assistant", content=answer, created=when, reasoning=reasoning,
                      model="anthropic/claude-sonnet-4.6", finish_reason="stop",
                      usage=Usage(prompt_tokens=40, completion_tokens=60, cost=0.0012 * (i + 1))))
        store.save(c)
        ids.append(c.id)
    when = BASE + timedelta(days=len(TOPICS))
    compare = Conversation(id="20261106-093000-0000aa", title="Compare: haiku about the sea",
                           created=when, updated=when, model="openai/gpt-4.1", kind="compare",
                           models=["openai/gpt-4.1", "qwen/qwen3-8b"])
    compare.add(Message(role="user", content="Write a haiku about the sea", created=when))
    for column, model in enumerate(compare.models):
        compare.add(Message(role="assistant", content=f"Waves fold into foam ({model})",
                            created=when, model=model, column=column,
                            usage=Usage(cost=0.0005)))
    store.save(compare)
    ids.append(compare.id)
    when = BASE + timedelta(days=len(TOPICS) + 1)
    hostile = Conversation(id="20261107-093000-0000bb", created=when, updated=when,
                           title="[@click=app.quit]Quit[/] \x1b]0;owned\x07 title",
                           model="evil/[b]model[/b]")
    hostile.add(Message(role="user", content="[red]not red[/red] \x1b[31m banana", created=when))
    store.save(hostile)
    ids.append(hostile.id)
    broken = folder / "20261020-080000-badbad.toml"
    broken.write_text('format = 1\ntitle = "unterminated\n', encoding="utf-8")
    stamp = BROKEN_MTIME.timestamp()
    os.utime(broken, (stamp, stamp))
    return list(reversed(ids))


@dataclass(frozen=True)
class Unreadable:
    path: Path
    reason: str


def scan(store: ConversationStore) -> tuple[list[Conversation], list[Unreadable]]:
    """Every conversation saved in ``store``, newest first, and the files that would not
    parse: what the tests compare the history index and the writers with."""
    good: list[Conversation] = []
    bad: list[Unreadable] = []
    check_folder(store.folder)
    if not store.folder.is_dir():
        return good, bad
    for path in store.folder.glob("*.toml"):
        try:
            found = read_regular(path)
            if found is None:
                raise StoreError(f"{path.name}: cannot be read (it was removed)")
            good.append(parse_conversation(found[0], path))
        except StoreError as error:
            bad.append(Unreadable(path, str(error)))
    good.sort(key=lambda c: (c.updated, c.id), reverse=True)
    return good, bad
