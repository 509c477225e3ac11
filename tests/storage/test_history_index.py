"""The history index (tui.storage.history_index) against the files it caches: incremental
refresh, edited / deleted / unreadable files, a missing or corrupt database, two writers
at once, and a property test that it always agrees with the files."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.history_support import scan, write_fixed
from tui.model.conversation import Conversation, Message
from tui.model.text import strip_controls
from tui.storage.history_index import HistoryIndex
from tui.storage.history_query import fts_query, split_snippet
from tui.storage.store import ConversationStore, StoreError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "conversations"


@pytest.fixture
def index(folder: Path, tmp_path: Path) -> HistoryIndex:
    return HistoryIndex(folder, tmp_path / "cache")


def conversation(n: int, text: str = "hello") -> Conversation:
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    c = Conversation(id=f"20260101-000000-{n:06x}", created=when, updated=when, model="m")
    c.add(Message(role="user", content=f"{text} number {n}", created=when))
    return c


def age(path: Path, seconds: float = 60) -> None:
    """Make a file look written a while ago (not "racy": a warm index trusts its stat)."""
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_lists_newest_first_with_the_fields(folder: Path, index: HistoryIndex) -> None:
    ids = write_fixed(folder)
    stats = index.refresh()
    assert stats.rebuilt and stats.parsed == len(ids) + 1
    entries = index.entries()
    assert [e.id for e in entries if e.readable] == ids
    compare = next(e for e in entries if e.id == "20261106-093000-0000aa")
    assert compare.kind == "compare" and compare.models == ("openai/gpt-4.1", "qwen/qwen3-8b")
    assert compare.messages == 3 and compare.cost == pytest.approx(0.001)
    [broken] = [e for e in entries if not e.readable]
    assert broken.id == "20261020-080000-badbad" and "not valid TOML" in (broken.error or "")
    assert entries[-1] is broken  # sorted by its file's time, which is the oldest
    hostile = entries[0]
    assert "\x1b" not in hostile.title and "[@click=app.quit]" in hostile.title


def test_a_warm_index_parses_nothing(folder: Path, index: HistoryIndex) -> None:
    store = ConversationStore(folder)
    for n in range(5):
        age(store.save(conversation(n)))
    index.refresh()
    assert index.refresh().parsed == 0


def test_edited_file_is_reparsed_and_a_new_one_added(folder: Path, index: HistoryIndex) -> None:
    store = ConversationStore(folder)
    for n in range(3):
        age(store.save(conversation(n)))
    index.refresh()
    store.rename(conversation(1).id, "Renamed here")
    store.save(conversation(7, "fresh"))
    stats = index.refresh()
    assert stats.parsed == 2
    titles = {e.id: e.title for e in index.entries()}
    assert titles[conversation(1).id] == "Renamed here"
    assert [e.id for e in index.search("fresh")] == [conversation(7).id]


def test_same_size_same_mtime_edit_is_caught_while_racy(folder: Path,
                                                        index: HistoryIndex) -> None:
    store = ConversationStore(folder)
    path = store.save(conversation(1, "alpha"))
    index.refresh()
    before = path.stat()
    data = path.read_bytes().replace(b"alpha", b"omega")
    with open(path, "r+b") as handle:  # same inode, same size
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    index.refresh()
    assert [e.id for e in index.search("omega")] == [conversation(1).id]


def test_deleted_file_is_dropped(folder: Path, index: HistoryIndex) -> None:
    store = ConversationStore(folder)
    for n in range(3):
        store.save(conversation(n))
    index.refresh()
    store.trash(conversation(0).id)
    (folder / f"{conversation(2).id}.toml").unlink()
    stats = index.refresh()
    assert stats.dropped == 2
    assert [e.id for e in index.entries()] == [conversation(1).id]
    assert [e.id for e in index.search("number")] == [conversation(1).id]


def test_unreadable_file_is_listed_and_never_touched(folder: Path, index: HistoryIndex) -> None:
    folder.mkdir(parents=True)
    bad = folder / "20260101-000000-bad.toml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    (folder / ".20260101-000000-x.toml.abc.tmp").write_text("half a write")
    (folder / "notes.txt").write_text("not a conversation")
    index.refresh()
    [entry] = index.entries()
    assert not entry.readable and "not UTF-8" in (entry.error or "")
    assert bad.read_bytes() == b"\xff\xfe not utf-8"
    bad.write_text('title = "fixed"\n', encoding="utf-8")
    index.refresh()
    [entry] = index.entries()
    assert entry.readable and entry.title == "fixed"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "old-schema", "other-folder"])
def test_corrupt_or_stale_database_is_rebuilt(folder: Path, tmp_path: Path,
                                              index: HistoryIndex, damage: str) -> None:
    store = ConversationStore(folder)
    for n in range(4):
        store.save(conversation(n))
    index.refresh()
    if damage == "garbage":
        index.path.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        data = index.path.read_bytes()
        index.path.write_bytes(data[: len(data) // 3])
    elif damage == "old-schema":
        with sqlite3.connect(index.path) as db:
            db.execute("PRAGMA user_version = 1")
    else:
        index = HistoryIndex(tmp_path / "elsewhere", tmp_path / "cache")
        index.refresh()
        index = HistoryIndex(folder, tmp_path / "cache")
    for name in ("-wal", "-shm"):
        Path(f"{index.path}{name}").unlink(missing_ok=True)
    index.refresh()
    assert len(index.entries()) == 4
    assert len(index.search("number")) == 4
    assert len(list(folder.glob("*.toml"))) == 4  # the files were never touched


def test_missing_database_is_rebuilt_and_unwritable_cache_still_works(
    folder: Path, tmp_path: Path, index: HistoryIndex
) -> None:
    store = ConversationStore(folder)
    store.save(conversation(1))
    index.refresh()
    index.path.unlink()
    assert index.needs_build()
    assert index.refresh().rebuilt
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache dir should be")
    fallback = HistoryIndex(folder, blocked / "cache")
    fallback.refresh()
    assert [e.id for e in fallback.entries()] == [conversation(1).id]


def _save_many(folder: str, start: int, count: int) -> None:
    store = ConversationStore(Path(folder))
    for n in range(start, start + count):
        store.save(conversation(n, "writer"))


def _refresh_many(folder: str, cache: str, times: int) -> None:
    index = HistoryIndex(Path(folder), Path(cache))
    for _ in range(times):
        index.refresh()


def test_two_writer_processes_and_a_refresh_in_between(folder: Path, tmp_path: Path,
                                                       index: HistoryIndex) -> None:
    folder.mkdir(parents=True)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_save_many, args=(str(folder), 0, 60)),
        context.Process(target=_save_many, args=(str(folder), 1000, 60)),
        context.Process(target=_refresh_many, args=(str(folder), str(tmp_path / "cache"), 8)),
    ]
    for worker in workers:
        worker.start()
    for _ in range(5):
        index.refresh()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    index.refresh()
    assert {e.id for e in index.entries()} == {p.stem for p in folder.glob("*.toml")}
    assert len(index.entries()) == 120
    assert len(index.search("writer")) == 120


def test_two_stores_writing_while_the_index_refreshes(folder: Path,
                                                      index: HistoryIndex) -> None:
    threads = [threading.Thread(target=_save_many, args=(str(folder), s, 40))
               for s in (0, 500)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        index.refresh()
    index.refresh()
    assert len(index.entries()) == 80


def test_fts_query_is_never_syntax() -> None:
    assert fts_query('"OR" NEAR( col:x * ^a') == (
        '{title content} : ("OR" AND "NEAR" AND "col x" AND "a"*)'
    )
    assert fts_query("  !!! ") == ""
    assert fts_query("x", reasoning=True).startswith("{title content reasoning}")


def test_search_snippets_and_reasoning(folder: Path, index: HistoryIndex) -> None:
    write_fixed(folder)
    index.refresh()
    [hit] = index.search("banana bre")
    assert hit.title == "Recipe for banana bread"
    assert ("banana", True) in split_snippet(hit.snippet)
    assert index.search("pineapple") == []
    [deep] = index.search("pineapple", reasoning=True)
    assert deep.id == hit.id
    for odd in ('"', "AND", "*", "NEAR(", "[b]", "\x00"):
        index.search(odd)  # never an FTS5 syntax error


def test_search_finds_cjk_words_inside_a_sentence(folder: Path, index: HistoryIndex) -> None:
    store = ConversationStore(folder)
    c = conversation(1, "日本語のテキストを検索できますか？ Yes: 全文検索")
    c.add(Message(role="assistant", content="はい、できます。", reasoning="한국어검색도"))
    store.save(c)
    store.save(conversation(2, "English only, テキ no more"))
    index.refresh()
    for query in ("日本語", "テキスト", "検索", "テキスト yes", "できます", "YES 全文"):
        assert [e.id for e in index.search(query)] == [c.id], query
    [hit] = index.search("テキスト")
    assert ("テキスト", True) in split_snippet(hit.snippet)
    assert index.search("テキストX") == [] and index.search("テキスト nope") == []
    assert index.search("국어") == []
    assert [e.id for e in index.search("국어", reasoning=True)] == [c.id]
    assert {e.id for e in index.search("テキ")} == {c.id, conversation(2).id}
    for odd in ("%", "_", "テ%", "テ_キ", "\\"):
        index.search(odd)  # LIKE's wildcards are plain characters


# --- the index agrees with the files, whatever happens ----------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["save", "edit", "rename", "delete", "restore", "corrupt", "refresh"]),
        st.integers(0, 5),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_index_agrees_with_files(tmp_path_factory: pytest.TempPathFactory,
                                 ops: list[tuple[str, int, str]]) -> None:
    root = tmp_path_factory.mktemp("prop")
    store = ConversationStore(root / "conversations")
    index = HistoryIndex(store.folder, root / "cache")
    trashed: list[Path] = []
    for op, n, text in ops:
        cid = conversation(n).id
        try:
            if op == "save":
                store.save(conversation(n, text))
            elif op == "edit":
                c = store.load(cid)
                c.add(Message(role="assistant", content=text, created=c.updated))
                store.save(c)
            elif op == "rename":
                store.rename(cid, text)
            elif op == "delete":
                trashed.append(store.trash(cid))
            elif op == "restore" and trashed:
                store.restore(trashed.pop())
            elif op == "corrupt":
                store.folder.mkdir(parents=True, exist_ok=True)
                store.path_for(cid).write_text(f"broken = [{text!r}", encoding="utf-8")
            else:
                index.refresh()
        except StoreError:
            pass
    index.refresh()
    good, bad = scan(store)
    entries = index.entries()
    assert {(e.id, e.title, e.messages) for e in entries if e.readable} == {
        (c.id, strip_controls(c.title), len(c.messages)) for c in good
    }
    assert {e.id for e in entries if not e.readable} == {u.path.stem for u in bad}
    assert [e.id for e in entries if e.readable] == [c.id for c in good]


def test_a_database_deleted_while_in_use_is_rebuilt_before_answering(
    folder: Path, index: HistoryIndex
) -> None:
    store = ConversationStore(folder)
    for n in range(3):
        store.save(conversation(n, "alpha"))
    index.refresh()
    assert len(index.search("alpha")) == 3
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index.path}{suffix}").unlink(missing_ok=True)
    assert len(index.search("alpha")) == 3
    Path(index.path).unlink()
    assert [e.id for e in index.entries()] == [conversation(n).id for n in (2, 1, 0)]


def test_a_fifo_is_listed_as_unreadable_and_never_opened_for_long(
    folder: Path, index: HistoryIndex
) -> None:
    ConversationStore(folder).save(conversation(1))
    os.mkfifo(folder / "20260101-000000-f1f0f0.toml")
    index.refresh()  # before the fix: blocked forever opening the FIFO
    bad = [e for e in index.entries() if not e.readable]
    assert [(e.id, e.error) for e in bad] == [(
        "20260101-000000-f1f0f0",
        "20260101-000000-f1f0f0.toml: is a named pipe (FIFO), not a conversation file "
        "(skipped)")]


def test_a_folder_that_is_a_file_raises_a_store_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("")
    index = HistoryIndex(home / "conversations", home / "cache")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        index.refresh()
    with pytest.raises(StoreError, match="is a file, not a folder"):
        index.search("x")


def test_search_finds_text_on_any_branch_of_either_format(folder: Path,
                                                          index: HistoryIndex) -> None:
    from tests.support.tree_support import TREE_ID, write_tree

    write_tree(folder)
    (folder / "20261130-080000-0f0f0f.toml").write_text(
        'format = 1\ntitle = "Old"\n[[messages]]\nrole = "user"\ncontent = "quokka facts"\n'
        '[[messages]]\nrole = "assistant"\ncontent = "they smile"\nreasoning = "marsupial"\n',
        encoding="utf-8")
    index.refresh()
    by_id = {e.id: e for e in index.entries()}
    assert by_id[TREE_ID].messages == 4  # the branch shown, as ``show`` prints it
    assert by_id["20261130-080000-0f0f0f"].messages == 2
    assert [e.id for e in index.search("Python")] == [TREE_ID]  # off the branch shown
    assert [e.id for e in index.search("loop Go")] == [TREE_ID]  # an edited first prompt
    assert index.search("thinking") == []
    assert [e.id for e in index.search("thinking", reasoning=True)] == [TREE_ID]
    assert [e.id for e in index.search("quokka")] == ["20261130-080000-0f0f0f"]
    assert [e.id for e in index.search("marsupial", reasoning=True)] == [
        "20261130-080000-0f0f0f"]


def test_an_index_of_the_previous_schema_is_rebuilt(folder: Path, tmp_path: Path) -> None:
    """Schema 2 indexed only the branch shown: its rows would miss the other branches."""
    from tests.support.tree_support import TREE_ID, write_tree

    write_tree(folder)
    index = HistoryIndex(folder, tmp_path / "cache")
    index.refresh()
    with sqlite3.connect(index.path) as db:  # as schema 2 left it: no side-branch text
        db.execute("UPDATE texts SET content = 'How do I loop in C?'")
        db.execute("PRAGMA user_version = 2")
    db.close()
    assert HistoryIndex(folder, tmp_path / "cache").refresh().rebuilt
    assert [e.id for e in index.search("Python")] == [TREE_ID]


def test_spend_since_a_moment_adds_every_reply_of_every_conversation(
    folder: Path, index: HistoryIndex
) -> None:
    from tui.model import tree
    from tui.model.conversation import Usage

    store = ConversationStore(folder)
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for n, costs in enumerate([(0.10, 0.20), (0.40,)]):
        c = conversation(n)
        prompt = c.messages[0]
        for hours, cost in enumerate(costs):
            tree.go_on_from(c, prompt)  # the second reply is an alternative: paid too
            c.add(Message(role="assistant", content="x", created=day - timedelta(hours=hours),
                          usage=Usage(cost=cost)))
        store.save(c)
    index.refresh()
    assert index.spent_since(day - timedelta(hours=5)) == 0.10 + 0.20 + 0.40
    assert index.spent_since(day - timedelta(minutes=30)) == 0.10 + 0.40
    assert index.spent_since(day + timedelta(minutes=1)) == 0.0


def test_threads_building_a_new_index_at_once_all_get_it(folder: Path, tmp_path: Path) -> None:
    """The conversations screen and the sidebar's count of today's spend can build a new
    index at the same moment, each with its own HistoryIndex: neither removes the
    other's half-made file as a corrupt one (SQLite's "disk I/O error")."""
    store = ConversationStore(folder)
    for n in range(30):
        store.save(conversation(n))
    for attempt in range(5):
        cache = tmp_path / f"cache-{attempt}"
        results: list[object] = []

        def build(cache: Path = cache, results: list[object] = results) -> None:
            index = HistoryIndex(folder, cache)
            try:
                index.refresh()
                results.append(len(index.entries()))
            except Exception as error:  # the failure is what is looked for
                results.append(error)

        threads = [threading.Thread(target=build) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [30, 30, 30, 30]


def test_an_index_that_fails_again_once_rebuilt_is_a_store_error(
        index: HistoryIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(progress: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(index, "_refresh", broken)
    with pytest.raises(StoreError, match="disk I/O error"):
        index.refresh()
