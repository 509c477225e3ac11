"""The paths named in the chat's prompt (``tui/chat/paths.py``): ``@path`` completion one
folder at a time, and pasted text that names files."""

from __future__ import annotations

from pathlib import Path

from tui.chat import paths
from tui.chat.paths import PathChoice, at_token, complete, may_name_files, pasted_paths


def test_the_at_token_ends_at_the_cursor() -> None:
    assert at_token("look at @src/ma") == "src/ma"
    assert at_token("@") == ""
    assert at_token("mail me@example") is None  # not after a space
    assert at_token("@src done") is None  # the cursor is past it
    assert at_token("two\t@x") == "x"


def test_completion_lists_one_folder_and_leaves_hidden_and_git_out(tmp_path: Path) -> None:
    (tmp_path / "src" / "deep" / "deeper").mkdir(parents=True)
    (tmp_path / "src" / "Main.py").write_text("")
    (tmp_path / "src" / ".env").write_text("")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github").mkdir()
    assert complete(tmp_path, "") == [PathChoice("src/", True)]
    assert complete(tmp_path, "src/") == [PathChoice("src/deep/", True),
                                          PathChoice("src/Main.py", False)]
    assert complete(tmp_path, "src/m") == [PathChoice("src/Main.py", False)]  # any case
    assert complete(tmp_path, ".") == [PathChoice(".github/", True)]  # asked for: shown
    assert complete(tmp_path, ".git/") == []
    assert complete(tmp_path, "../") == []
    assert complete(tmp_path, "/etc/") == []
    assert complete(tmp_path, "missing/") == []


def test_a_huge_folder_is_read_only_so_far(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(paths, "MAX_ENTRIES", 100)
    for n in range(300):
        (tmp_path / f"f{n:03d}.txt").write_text("")
    found = complete(tmp_path, "f")
    assert 0 < len(found) <= paths.MAX_CHOICES
    assert len(complete(tmp_path, "f2")) < 100  # at most the 100 entries read


def test_pasted_paths(tmp_path: Path) -> None:
    (tmp_path / "a b.txt").write_text("x")
    (tmp_path / "c.txt").write_text("x")
    (tmp_path / "dir").mkdir()
    spaced = str(tmp_path / "a b.txt")
    assert pasted_paths(f"'{spaced}'", tmp_path) == [tmp_path / "a b.txt"]
    assert pasted_paths(spaced.replace(" ", "\\ ") + " ", tmp_path) == [tmp_path / "a b.txt"]
    assert pasted_paths("file://" + spaced.replace(" ", "%20"), tmp_path) == [
        tmp_path / "a b.txt"]
    assert pasted_paths(f'"{spaced}" {tmp_path}/c.txt', tmp_path) == [
        tmp_path / "a b.txt", tmp_path / "c.txt"]
    assert pasted_paths("./c.txt", tmp_path) == [tmp_path / "c.txt"]
    assert pasted_paths("c.txt", tmp_path) is None  # a bare name is text
    assert pasted_paths(f"{tmp_path}/dir", tmp_path) is None  # a folder
    assert pasted_paths(f"{tmp_path}/c.txt {tmp_path}/nope", tmp_path) is None
    assert pasted_paths(f"'{spaced}", tmp_path) is None  # an open quote
    assert pasted_paths(f"{tmp_path}/c.txt\n{tmp_path}/c.txt", tmp_path) is None
    assert pasted_paths("file://host/c.txt", tmp_path) is None
    assert may_name_files("'/x y'") and may_name_files("file:///x")
    assert not may_name_files("hello /x") and not may_name_files("/x\n/y")
