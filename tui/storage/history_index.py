"""A rebuildable index of the saved conversations, so the list opens without parsing
10,000 TOML files and full-text search is one SQLite FTS5 query.

The TOML files stay the source of truth; this is only a cache in the cache dir. Each
file's row is keyed by its size, mtime and inode; ``refresh`` scans the folder
(``os.scandir``: no parsing), reparses only new or changed files and drops rows of files
that are gone. A missing, outdated or corrupt database is rebuilt from the files; if it
cannot be written at all, an in-memory one is used. Nothing here writes a conversation.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from tui.files import StoreError, check_folder, make_private_dir, read_regular
from tui.model.conversation import Conversation
from tui.storage.history_query import (
    cjk_words,
    fts_query,
    like_pattern,
    limit_clause,
    make_snippet,
    snippet_pattern,
)
from tui.storage.history_rows import (
    ENTRY_COLUMNS,
    Entry,
    Row,
    delete_row,
    entry_of,
    insert_row,
    models_of,
    stamp,
)
from tui.storage.toml_file import parse_conversation

__all__ = ["Entry", "HistoryIndex", "RefreshStats", "models_of"]

SCHEMA = 5  # 3: the texts of every branch, not only the one shown; 4: spend;
# 5: text attachments' content
BATCH = 250
# A file changed this close to when it was read may change again within the same mtime
# tick (and reuse the inode): its row is reparsed on the next refresh (git's "racy" rule).
RACY_NS = 2_000_000_000

Progress = Callable[[int, int], None]
T = TypeVar("T")

_SCHEMA_SQL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    rid INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    racy INTEGER NOT NULL,
    title TEXT NOT NULL, kind TEXT NOT NULL, models TEXT NOT NULL,
    updated TEXT NOT NULL, messages INTEGER NOT NULL, cost REAL, error TEXT
);
CREATE INDEX files_updated ON files (updated DESC, name DESC);
CREATE VIRTUAL TABLE texts USING fts5(
    title, content, reasoning, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE spend (rid INTEGER NOT NULL, at TEXT NOT NULL, cost REAL NOT NULL);
CREATE INDEX spend_at ON spend (at);
CREATE INDEX spend_rid ON spend (rid);
PRAGMA user_version = {SCHEMA};
"""


@dataclass(frozen=True)
class RefreshStats:
    scanned: int
    parsed: int
    dropped: int
    rebuilt: bool


class HistoryIndex:
    def __init__(self, folder: Path, cache_dir: Path) -> None:
        self.folder = folder
        self.path = cache_dir / "history.sqlite3"
        self._memory: sqlite3.Connection | None = None  # when the cache dir is unusable

    # --- keeping it current -----------------------------------------------------------

    def refresh(self, progress: Progress | None = None) -> RefreshStats:
        """Bring the index up to date with the folder; rebuilt if it is unusable. Raises
        StoreError when the folder cannot be one (a file is in its place), or when the
        index still fails once rebuilt."""
        check_folder(self.folder)
        with _using(self.path):
            try:
                return self._refresh(progress)
            except sqlite3.DatabaseError:
                self._discard()
                try:
                    stats = self._refresh(progress)
                except sqlite3.DatabaseError as error:
                    raise StoreError(f"the history index {self.path} failed: {error}") from error
                return RefreshStats(stats.scanned, stats.parsed, stats.dropped, rebuilt=True)

    def needs_build(self) -> bool:
        """True when opening will parse every file (no usable index yet): show progress."""
        if self._memory is not None:
            return False
        return not self.path.exists()

    def _refresh(self, progress: Progress | None) -> RefreshStats:
        with self._connect() as (db, rebuilt):
            on_disk = _scan(self.folder)
            known = {
                name: (size, mtime, ino, racy)
                for name, size, mtime, ino, racy in db.execute(
                    "SELECT name, size, mtime_ns, ino, racy FROM files"
                )
            }
            changed = [
                name for name, key in on_disk.items()
                if name not in known or known[name][3] or known[name][:3] != key
            ]
            gone = [name for name in known if name not in on_disk]
            if gone:
                with _write(db):
                    for name in gone:
                        if not (self.folder / name).exists():
                            delete_row(db, name)
            changed.sort(reverse=True)  # newest ids first: the top of the list fills first
            total = len(changed)
            if progress and total:
                progress(0, total)
            for start in range(0, total, BATCH):
                rows = [self._read(name) for name in changed[start:start + BATCH]]
                with _write(db):
                    for row in rows:
                        if row is not None:
                            delete_row(db, row.name)
                            insert_row(db, row)
                if progress:
                    progress(min(start + BATCH, total), total)
            return RefreshStats(len(on_disk), total, len(gone), rebuilt)

    def _read(self, name: str) -> Row | None:
        path = self.folder / name
        read_at = time.time_ns()
        conversation: Conversation | None = None
        st: os.stat_result | None = None
        try:
            found = read_regular(path)  # the stat of exactly the bytes read; no FIFO waits
            if found is None:
                return None  # deleted since the scan; the next refresh drops its row
            raw, st = found
            conversation, problem = parse_conversation(raw, path), None
        except StoreError as error:
            problem = str(error)
        size, mtime, ino = (st.st_size, st.st_mtime_ns, st.st_ino) if st else (0, 0, 0)
        racy = st is None or mtime >= read_at - RACY_NS
        return Row.of(name, (size, mtime, ino), racy, conversation, problem)

    # --- reading it -------------------------------------------------------------------

    def entries(self, limit: int | None = None) -> list[Entry]:
        """Every conversation in the index (and every unreadable file), newest first."""
        return self._query(lambda: self._entries(limit))

    def search(self, query: str, *, reasoning: bool = False,
               limit: int | None = None) -> list[Entry]:
        """Conversations whose title or messages (and reasoning, if asked) hold every word
        of ``query`` (the last one as a prefix), newest first, each with a snippet."""
        return self._query(lambda: self._search(query, reasoning, limit))

    def spent_since(self, moment: datetime) -> float:
        """USD that replies saved since ``moment`` cost, in every conversation (every
        branch); as of the last ``refresh``."""
        def run() -> float:
            with self._connect() as (db, _):
                found = db.execute("SELECT SUM(cost) FROM spend WHERE at >= ?",
                                   (stamp(moment),)).fetchone()
            return float(found[0] or 0.0)

        return self._query(run)

    def _query(self, run: Callable[[], T]) -> T:
        with _using(self.path):
            if self._memory is None and not self.path.exists():
                # Deleted while in use (it is only a cache): a new empty one would answer
                # "nothing" until the next refresh. Rebuild it, stale WAL files and all.
                self._discard()
                self.refresh()
            try:
                return run()
            except sqlite3.DatabaseError:
                self._discard()  # corrupt: rebuild from the files, then ask again
                self.refresh()
                try:
                    return run()
                except sqlite3.DatabaseError as error:
                    raise StoreError(f"the history index {self.path} failed: {error}") from error

    def _entries(self, limit: int | None) -> list[Entry]:
        sql = f"SELECT {ENTRY_COLUMNS}, '' FROM files ORDER BY updated DESC, name DESC"
        with self._connect() as (db, _):
            return [entry_of(row) for row in db.execute(sql + limit_clause(limit))]

    def _search(self, query: str, reasoning: bool, limit: int | None) -> list[Entry]:
        match = fts_query(query, reasoning=reasoning)
        # Words in CJK scripts: substrings of the title or the text (a scan, but only
        # for such a query; LIKE ignores ASCII case as FTS5 does).
        where = ["texts MATCH ?"] if match else []
        params: list[str] = [match] if match else []
        searched = ("title", "content", "reasoning") if reasoning else ("title", "content")
        for word in cjk_words(query):
            where.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in searched) + ")")
            params += [like_pattern(word)] * len(searched)
        if not where:
            return []
        with self._connect() as (db, _):
            # The full-text match runs once, as a subquery: joined to ``files`` the
            # planner may run it once per row (seconds at 10,000 conversations).
            rows = db.execute(
                f"SELECT rid, {ENTRY_COLUMNS} FROM files WHERE rid IN "
                f"(SELECT rowid FROM texts WHERE {' AND '.join(where)}) "
                "ORDER BY updated DESC, name DESC" + limit_clause(limit), params).fetchall()
            if not rows:
                return []
            # Snippets in Python from the stored text: FTS5's snippet() re-tokenizes every
            # document and takes ~1 ms each (seconds for a prefix matching many words).
            pattern = snippet_pattern(query)
            columns = "title, content, reasoning" if reasoning else "title, content, ''"
            texts = {rowid: (title, content, thought) for rowid, title, content, thought
                     in db.execute(
                         f"SELECT rowid, {columns} FROM texts "
                         "WHERE rowid IN (SELECT value FROM json_each(?))",
                         (json.dumps([row[0] for row in rows]),))}
            return [entry_of((*row[1:], make_snippet(texts.get(row[0], ()), pattern)))
                    for row in rows]

    # --- the database -----------------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[tuple[sqlite3.Connection, bool]]:
        if self._memory is not None:
            yield self._memory, False
            return
        try:
            make_private_dir(self.path.parent)
            # Created owner-only before SQLite opens it (its journal files copy the mode):
            # the index holds the text of every conversation.
            os.close(os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o600))
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.OperationalError):
            self._memory = sqlite3.connect(":memory:", isolation_level=None,
                                           check_same_thread=False)
            self._memory.executescript(_SCHEMA_SQL)
            yield self._memory, True
            return
        try:
            rebuilt = self._prepare(db)
            yield db, rebuilt
        finally:
            db.close()

    def _prepare(self, db: sqlite3.Connection) -> bool:
        """Make ``db`` the current schema for this folder; True if it had to be built."""
        version = db.execute("PRAGMA user_version").fetchone()[0]
        folder = None
        if version == SCHEMA:
            found = db.execute("SELECT value FROM meta WHERE key = 'folder'").fetchone()
            folder = found[0] if found else None
        if version == SCHEMA and folder == str(self.folder):
            return False
        with _write(db):
            # Re-check under the write lock: another process may have just built it.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA and db.execute(
                "SELECT 1 FROM meta WHERE key = 'folder' AND value = ?", (str(self.folder),)
            ).fetchone():
                return False
            for kind, name in db.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'texts_%'"
            ).fetchall():
                if kind == "table":
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
            for statement in _SCHEMA_SQL.strip().split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('folder', ?)", (str(self.folder),))
        db.execute("PRAGMA journal_mode = WAL")
        return True

    def _discard(self) -> None:
        """Remove a database that cannot be used (it is only a cache)."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")


_users: dict[Path, threading.RLock] = {}
_users_lock = threading.Lock()


@contextlib.contextmanager
def _using(path: Path) -> Iterator[None]:
    """One thread of this process at a time uses an index file. Two threads building a
    new index at once (the conversations screen and the sidebar's count of today's
    spend) could each take the other's half-made file for a corrupt one and remove it
    under it: SQLite's "disk I/O error", and a crash."""
    with _users_lock:
        lock = _users.setdefault(path, threading.RLock())
    with lock:
        yield


@contextlib.contextmanager
def _write(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _scan(folder: Path) -> dict[str, tuple[int, int, int]]:
    """``name -> (size, mtime_ns, inode)`` of every conversation file, without opening
    any. Hidden files (temp files of a write in progress, locks) and folders are skipped."""
    found: dict[str, tuple[int, int, int]] = {}
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith(".") or not entry.name.endswith(".toml"):
                    continue
                # Not only regular files: a FIFO or a device is listed as unreadable.
                with contextlib.suppress(OSError):
                    if not entry.is_dir():
                        st = entry.stat()
                        found[entry.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    except FileNotFoundError:
        pass
    return found
