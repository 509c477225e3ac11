"""``cline-tui history`` and ``cline-tui show`` in a subprocess, as a user runs them: the
list and search, JSON, limits, each export format, exit codes, refused ids, no Textual,
and a warm index that parses no file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.paths import PROJECT


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLINE_TUI_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], env=env, cwd=PROJECT, capture_output=True,
        text=True, encoding="utf-8", timeout=60, check=False,
    )


def test_history_lists_newest_first(isolated_home: Path, ids: list[str]) -> None:
    result = cli("history", home=isolated_home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [*ids, "20261020-080000-badbad"]
    assert "unreadable: 20261020-080000-badbad.toml: not valid TOML" in lines[-1]
    compare = next(line for line in lines if line.startswith("20261106"))
    assert "compare: openai/gpt-4.1, qwen/qwen3-8b" in compare and "3 msgs" in compare
    assert "2026-11-04 09:30" in result.stdout and "$0.0048" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_history_search_json_and_limit(isolated_home: Path, ids: list[str]) -> None:
    result = cli("history", "banana", "--json", home=isolated_home)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [e["id"] for e in found] == ["20261107-093000-0000bb", "20261103-093000-000002"]
    assert "banana" in found[1]["snippet"].lower()
    assert found[1]["title"] == "Recipe for banana bread" and found[1]["messages"] == 2
    limited = json.loads(cli("history", "--json", "--limit", "2", home=isolated_home).stdout)
    assert [e["id"] for e in limited] == ids[:2]
    deep = cli("history", "pineapple", "--reasoning", home=isolated_home)
    assert deep.stdout.startswith("20261103-093000-000002")
    none = cli("history", "pineapple", home=isolated_home)
    assert none.returncode == 0 and none.stdout == "" and "nothing matches" in none.stderr
    assert cli("history", "--limit", "-1", home=isolated_home).returncode == 2


def test_warm_index_does_not_parse_files(isolated_home: Path, ids: list[str]) -> None:
    assert cli("history", home=isolated_home).returncode == 0
    path = isolated_home / "conversations" / f"{ids[-1]}.toml"
    old = path.stat()
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 10**10))  # not "racy" any more
    assert cli("history", home=isolated_home).returncode == 0  # now trusted as indexed
    before = path.stat()
    data = path.read_bytes().replace(b"Plan the release", b"Plan THE RELEASE")
    with open(path, "r+b") as handle:  # same inode, same size, same mtime: looks unchanged
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    warm = cli("history", home=isolated_home)
    assert "Plan the release" in warm.stdout  # from the index: the file was not read
    (isolated_home / "cache" / "history.sqlite3").unlink()
    cold = cli("history", home=isolated_home)
    assert "Plan THE RELEASE" in cold.stdout  # rebuilt from the files


@pytest.mark.parametrize("fmt", ["markdown", "json", "toml"])
def test_show_each_format(isolated_home: Path, ids: list[str], fmt: str) -> None:
    result = cli("show", "20261103-093000-000002", "--format", fmt, home=isolated_home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    if fmt == "markdown":
        assert out.startswith("# Recipe for banana bread\n")
        assert "## You\n\nGive me a banana bread recipe" in out
        assert "<details><summary>Reasoning</summary>" in out and "$0.0036" in out
    elif fmt == "json":
        data = json.loads(out)
        assert data["title"] == "Recipe for banana bread"
        assert data["messages"][1]["usage"]["cost"] == pytest.approx(0.0036)
        assert data["created"] == "2026-11-03T09:30:00+00:00"
    else:
        data = tomllib.loads(out)
        assert data["id"] == "20261103-093000-000002" and len(data["messages"]) == 2


def test_show_keeps_hostile_text_inert(isolated_home: Path, ids: list[str]) -> None:
    markdown = cli("show", "20261107-093000-0000bb", home=isolated_home).stdout
    assert "\x1b" not in markdown and "\x07" not in markdown
    assert "[@click=app.quit]Quit[/]" in markdown
    as_json = cli("show", "20261107-093000-0000bb", "--format", "json", home=isolated_home)
    assert "\x1b" not in as_json.stdout
    assert json.loads(as_json.stdout)["title"].startswith("[@click=app.quit]Quit[/] \x1b]0;")


def test_show_by_unique_prefix(isolated_home: Path, ids: list[str]) -> None:
    assert cli("show", "20261104", home=isolated_home).stdout.startswith("# Rust borrow")
    ambiguous = cli("show", "202611", home=isolated_home)
    assert ambiguous.returncode == 2 and "could be any of" in ambiguous.stderr


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "..", "a/b", ".hidden"])
def test_show_refuses_paths(isolated_home: Path, ids: list[str], bad: str) -> None:
    result = cli("show", bad, home=isolated_home)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "is not a conversation id" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_unknown_unreadable_and_bad_format(isolated_home: Path, ids: list[str]) -> None:
    unknown = cli("show", "20991231-000000-ffffff", home=isolated_home)
    assert unknown.returncode == 2 and "no saved conversation" in unknown.stderr
    broken = cli("show", "20261020-080000-badbad", home=isolated_home)
    assert broken.returncode == 1 and "not valid TOML" in broken.stderr
    assert (isolated_home / "conversations" / "20261020-080000-badbad.toml").exists()
    assert cli("show", ids[0], "--format", "html", home=isolated_home).returncode == 2


def test_history_never_imports_textual(isolated_home: Path, ids: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tui", "history", "banana"],
        env={**os.environ, "CLINE_TUI_HOME": str(isolated_home)}, cwd=PROJECT,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")]
    assert "tui.storage.history_index" in imported
    assert not [name for name in imported if name.split(".")[0] == "textual"]


def test_history_json_gives_whole_titles(isolated_home: Path, ids: list[str]) -> None:
    from tui.model.conversation import Conversation
    from tui.storage.store import ConversationStore

    title = "A long title " + "word " * 40 + "end"
    ConversationStore(isolated_home / "conversations").save(
        Conversation(id="20261201-093000-00long", title=title, model="m"))
    found = json.loads(cli("history", "--json", home=isolated_home).stdout)
    assert next(e for e in found if e["id"] == "20261201-093000-00long")["title"] == title
