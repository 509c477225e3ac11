"""Conversation files a person or another program touched (issue 13, items 3, 5, 8, 9):
hand-edited values of the wrong type are reported and kept, never coerced or sent; any
text can be stored; only regular files are read (a FIFO never hangs anything); a huge
message loads in bounded memory; a home that is a file gets a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
import tracemalloc
from pathlib import Path

import pytest

from tests.support.paths import PROJECT
from tui.chat.turn import build_request
from tui.model.conversation import Conversation, Message
from tui.storage.history_index import HistoryIndex
from tui.storage.store import ConversationStore, StoreError
from tui.storage.toml_text import LONG_TEXT

CID = "20260301-120000-abcdef"


# --- hand-edited values of the wrong type -------------------------------------------------

HAND_EDITED = """\
format = 1
title = "Edited"
created = "yesterday"
updated = 2026-03-01T12:05:00Z
model = ["a"]
temperature = 99
system = 42

[[messages]]
role = "user"
content = "hi"
created = 2026-03-01T12:00:00Z

[[messages]]
role = "assistant"
content = "hello"
created = 2026-03-01
model = "m"
tool_calls = "nope"
preferred = "yes"

[messages.usage]
prompt_tokens = 3
cost = "1.5"
"""


def write(store: ConversationStore, body: str, cid: str = CID) -> Path:
    store.folder.mkdir(parents=True, exist_ok=True)
    path = store.path_for(cid)
    path.write_text(body, encoding="utf-8")
    return path


def test_wrong_types_are_reported_not_used_and_not_sent(store: ConversationStore) -> None:
    write(store, HAND_EDITED)
    c = store.load(CID)
    assert (c.model, c.temperature, c.system) == ("", None, None)
    assert c.messages[1].tool_calls == []
    assert c.messages[1].usage is not None and c.messages[1].usage.cost is None
    problems = "\n".join(c.problems)
    for expected in ("created = 'yesterday'", "model = ['a']", "temperature = 99",
                     "system = 42", "message 2: created", "message 2: tool_calls = 'nope'",
                     "message 2: preferred = 'yes'", "message 2: usage.cost = '1.5'"):
        assert expected in problems, problems
    assert len(c.problems) == 8
    request = build_request(c)
    assert request.model == "" and request.temperature is None
    assert "['a']" not in repr(request)


def test_wrong_types_are_written_back_exactly_as_they_were(store: ConversationStore) -> None:
    path = write(store, HAND_EDITED)
    original = tomllib.loads(path.read_text(encoding="utf-8"))
    c = store.load(CID)
    c.add(Message(role="user", content="more"))
    store.save(c)
    rewritten = tomllib.loads(path.read_text(encoding="utf-8"))
    for key in ("created", "model", "temperature", "system"):
        assert rewritten[key] == original[key], key
    for key in ("created", "tool_calls", "preferred", "usage"):
        assert rewritten["messages"][1][key] == original["messages"][1][key], key
    assert rewritten["messages"][2]["content"] == "more"


def test_a_value_the_app_sets_replaces_the_wrong_one(store: ConversationStore) -> None:
    path = write(store, HAND_EDITED)
    c = store.load(CID)
    c.model, c.temperature = "picked/model", 0.0
    store.save(c)
    rewritten = tomllib.loads(path.read_text(encoding="utf-8"))
    assert (rewritten["model"], rewritten["temperature"]) == ("picked/model", 0.0)
    problems = store.load(CID).problems
    assert problems[:2] == ["created = 'yesterday' is not a date and time: kept in the file, "
                            "not used", "system = 42 is not text: kept in the file, not used"]
    assert not [p for p in problems if p.startswith(("model", "temperature"))]


def test_show_names_the_wrong_values_on_stderr(
    store: ConversationStore, isolated_home: Path
) -> None:
    write(store, HAND_EDITED)
    env = dict(os.environ, CLINE_TUI_HOME=str(isolated_home))
    done = subprocess.run([sys.executable, "-m", "tui", "show", CID], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "created = 'yesterday' is not a date and time" in done.stderr
    assert "hello" in done.stdout and "yesterday" not in done.stdout


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "2.5", "-1", '"0.7"', "true"])
def test_a_temperature_out_of_range_in_a_file_is_reported_and_kept(
    store: ConversationStore, value: str
) -> None:
    path = write(store, f"format = 1\ntemperature = {value}\n")
    c = store.load(CID)
    assert c.temperature is None
    assert any(p.startswith("temperature = ") for p in c.problems)
    store.save(c)
    assert path.read_text(encoding="utf-8").count(f"temperature = {value}") == 1


# --- text that is always storable ---------------------------------------------------------


def test_split_and_lone_surrogates_are_stored(store: ConversationStore) -> None:
    c = Conversation(title="\ud800 title")
    c.add(Message(role="user", content="pair: \ud83d\ude00, lone: \udc00 end"))
    c.add(Message(role="assistant", content="x" * LONG_TEXT + "\ud83d\ude00\ud83d"))
    store.save(c)
    loaded = store.load(c.id)
    assert loaded.title == "\ufffd title"
    assert loaded.messages[0].content == "pair: 😀, lone: \ufffd end"
    assert loaded.messages[1].content == "x" * LONG_TEXT + "😀\ufffd"


# --- only regular files -------------------------------------------------------------------


def run(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``code`` in another process, so that a hang is a failed test, not a stuck suite."""
    env = dict(os.environ, CLINE_TUI_HOME=str(home))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_a_fifo_named_like_a_conversation_is_refused_without_hanging(
    store: ConversationStore, isolated_home: Path
) -> None:
    good = Conversation(title="fine")
    store.save(good)
    os.mkfifo(store.folder / f"{CID}.toml")
    done = run(f"""
        from pathlib import Path
        from tests.support.history_support import scan
        from tui.storage.history_index import HistoryIndex
        from tui.storage.store import ConversationStore, StoreError
        store = ConversationStore(Path({str(store.folder)!r}))
        try:
            store.load({CID!r})
        except StoreError as error:
            print("load:", error)
        good, bad = scan(store)
        print("scan:", [c.id for c in good], [u.reason for u in bad])
        index = HistoryIndex(store.folder, Path({str(isolated_home / "cache")!r}))
        index.refresh()
        print("index:", [(e.id, e.error) for e in index.entries()])
    """, isolated_home)
    assert done.returncode == 0, done.stderr
    refusal = f"{CID}.toml: is a named pipe (FIFO), not a conversation file (skipped)"
    lines = done.stdout.splitlines()
    assert lines[0] == f"load: {refusal}"
    assert lines[1] == f"scan: [{good.id!r}] [{refusal!r}]"
    assert lines[2] == f"index: [({good.id!r}, None), ({CID!r}, {refusal!r})]"


@pytest.mark.parametrize("command", [["show", CID], ["--resume", CID],
                                     ["ask", "--continue", CID, "hi"]])
def test_the_commands_refuse_a_fifo_with_a_message(
    store: ConversationStore, isolated_home: Path, command: list[str]
) -> None:
    store.folder.mkdir(parents=True)
    os.mkfifo(store.folder / f"{CID}.toml")
    env = dict(os.environ, CLINE_TUI_HOME=str(isolated_home), CLINE_API_KEY="sk-test",
               CLINE_BASE_URL="http://127.0.0.1:9/v1")
    done = subprocess.run([sys.executable, "-m", "tui", *command], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    assert "named pipe (FIFO)" in done.stderr


# --- a home that is a file ----------------------------------------------------------------


def test_a_home_that_is_a_file_gives_a_one_line_store_error(tmp_path: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    store = ConversationStore(home / "conversations")
    for attempt in (lambda: store.save(Conversation()), lambda: store.load(CID),
                    lambda: HistoryIndex(store.folder, home / "cache").refresh()):
        with pytest.raises(StoreError) as raised:
            attempt()
        assert str(raised.value) == (f"{home} is a file, not a folder: conversations cannot "
                                     f"be kept in {store.folder}")
    assert home.read_text() == "not a folder"


# --- a huge message -----------------------------------------------------------------------


@pytest.mark.parametrize("megabytes", [10, 50])
def test_a_huge_message_loads_in_memory_bounded_by_the_file(
    store: ConversationStore, megabytes: int
) -> None:
    line = "Some words of a very long reply, and a few more of them to fill a line.\n"
    text = line * (megabytes * 1_000_000 // len(line))
    c = Conversation(title="huge")
    c.add(Message(role="user", content="write a lot"))
    c.add(Message(role="assistant", content=text))
    path = store.save(c)
    del c
    size = path.stat().st_size
    # Written as a literal block: read with one search, not a loop over every character.
    assert "content = '''\n" in path.read_text(encoding="utf-8")[:2000]

    fresh = ConversationStore(store.folder)
    tracemalloc.start()
    try:
        loaded = fresh.load(path.stem)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert loaded.messages[1].content == text
    assert peak < 3 * size, f"peak {peak / size:.2f}x the file"
