"""The rows of the history index: what is stored for one conversation file (its list
entry, its searchable text, what each of its replies cost and when), and the list entry
read back. ``tui/storage/history_index.py`` keeps the index current and asks it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.format import total_cost
from tui.model.conversation import Conversation, Message
from tui.model.text import strip_controls


@dataclass(frozen=True)
class Entry:
    """One saved conversation as the list shows it (or an unreadable file: ``error``)."""

    id: str
    title: str
    kind: str
    models: tuple[str, ...]
    updated: datetime
    messages: int
    cost: float | None
    error: str | None = None
    snippet: str = ""  # search hits: text with MARK_ON/MARK_OFF around matches

    @property
    def readable(self) -> bool:
        return self.error is None


ENTRY_COLUMNS = "name, title, kind, models, updated, messages, cost, error"


@dataclass(frozen=True)
class Row:
    name: str
    key: tuple[int, int, int]
    racy: bool
    title: str
    kind: str
    models: list[str]
    updated: str
    messages: int
    cost: float | None
    error: str | None
    content: str
    reasoning: str
    spent: tuple[tuple[str, float], ...] = ()  # (when, USD) of each reply with a cost

    @classmethod
    def of(cls, name: str, key: tuple[int, int, int], racy: bool,
           c: Conversation | None, problem: str | None) -> Row:
        if c is None:
            mtime = datetime.fromtimestamp(key[1] / 1e9, UTC) if key[1] else EPOCH
            return cls(name, key, racy, "", "chat", [], stamp(mtime), 0, None,
                       problem or "unreadable", "", "")
        return cls(
            name, key, racy, strip_controls(c.title), c.kind, models_of(c),
            stamp(c.updated), len(c.messages),
            total_cost(c), None,
            # Search finds text on any branch, text attachments' content included; the
            # count is the branch shown (``show``).
            "\n\n".join(strip_controls(t) for m in c.nodes
                        for t in (m.content, m.refusal, *_attached_texts(m)) if t),
            "\n\n".join(strip_controls(m.reasoning) for m in c.nodes if m.reasoning),
            tuple((stamp(m.created), m.usage.cost) for m in c.nodes
                  if m.role == "assistant" and m.usage is not None and m.usage.cost),
        )


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _attached_texts(message: Message) -> list[str]:
    return [a.text for a in message.attachments if a.text]


def stamp(moment: datetime) -> str:
    """A fixed-width UTC time: these strings sort in time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def models_of(c: Conversation) -> list[str]:
    """The models a conversation used: the compare columns, or every model that replied."""
    if c.kind == "compare" and c.models:
        return list(c.models)
    seen = [m.model for m in c.messages if m.role == "assistant" and m.model]
    models = list(dict.fromkeys(seen))
    return models or ([c.model] if c.model else [])


def insert_row(db: sqlite3.Connection, row: Row) -> None:
    cursor = db.execute(
        "INSERT INTO files (name, size, mtime_ns, ino, racy, title, kind, models, updated, "
        "messages, cost, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.name, *row.key, int(row.racy), row.title, row.kind, json.dumps(row.models),
         row.updated, row.messages, row.cost, row.error),
    )
    db.execute("INSERT INTO texts (rowid, title, content, reasoning) VALUES (?, ?, ?, ?)",
               (cursor.lastrowid, row.title, row.content, row.reasoning))
    db.executemany("INSERT INTO spend (rid, at, cost) VALUES (?, ?, ?)",
                   [(cursor.lastrowid, at, cost) for at, cost in row.spent])


def delete_row(db: sqlite3.Connection, name: str) -> None:
    found = db.execute("SELECT rid FROM files WHERE name = ?", (name,)).fetchone()
    if found:
        db.execute("DELETE FROM texts WHERE rowid = ?", found)
        db.execute("DELETE FROM spend WHERE rid = ?", found)
        db.execute("DELETE FROM files WHERE rid = ?", found)


def entry_of(row: tuple[Any, ...]) -> Entry:
    name, title, kind, models, updated, messages, cost, error, snippet = row
    return Entry(
        id=name.removesuffix(".toml"), title=title, kind=kind,
        models=tuple(json.loads(models)), updated=datetime.fromisoformat(updated),
        messages=messages, cost=cost, error=error, snippet=snippet,
    )


