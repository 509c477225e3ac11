"""Ids and names from the command line or from files never name a path outside their
folder: ``--resume ../../x``, ``ask --continue ../x``, ``show /etc/passwd`` (see also
``test_history_cli.py``), ``--theme ../../evil`` and theme files whose name is a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_support import cli
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app
from tui.model.conversation import Conversation, Message
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore, StoreError
from tui.ui.themes import load_themes

ESCAPES = ["../x", "../../x", "/etc/passwd", "..", ".", "a/b", "x/../../y", ".hidden",
           "x\x00y", "x\ny", "C:\\x", "~/x", "x.toml"]


def plant_outside(home: Path) -> Path:
    """A valid conversation file just outside the conversations folder, as ``x.toml``."""
    outside = ConversationStore(home)
    conversation = Conversation(id="x", title="planted outside", model="m")
    conversation.add(Message(role="user", content="you should never read me"))
    outside.save(conversation)
    return home / "x.toml"


@pytest.mark.parametrize("bad", ["../x", "../../x", "/etc/passwd", "x/../../x"])
def test_resume_refuses_a_path(isolated_home: Path, bad: str) -> None:
    plant_outside(isolated_home)
    run = cli(isolated_home, "--resume", bad)
    assert run.code == 2
    assert "is not a conversation id" in run.stderr
    assert "planted outside" not in run.stdout + run.stderr


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", ".."])
def test_ask_continue_refuses_a_path_and_sends_nothing(
    isolated_home: Path, server: LoopbackServer, bad: str
) -> None:
    planted = plant_outside(isolated_home)
    before = planted.read_bytes()
    server.default = Reply.sse(sse_body(*text_chunks("should not happen")))
    run = cli(isolated_home, "ask", "--continue", bad, "hi", server=server)
    assert run.code == 2
    assert "is not a conversation id" in run.stderr
    assert server.chat_requests() == []
    assert planted.read_bytes() == before  # never written through the path


@pytest.mark.parametrize("bad", ESCAPES)
def test_every_store_operation_refuses_a_path(tmp_path: Path, bad: str) -> None:
    store = ConversationStore(tmp_path / "conversations")
    with pytest.raises(StoreError):
        store.path_for(bad)
    with pytest.raises(StoreError):
        store.load(bad)
    with pytest.raises(StoreError):
        store.trash(bad)
    with pytest.raises(StoreError):
        store.rename(bad, "new title")
    with pytest.raises(StoreError):
        store.save(Conversation(id=bad))
    assert not (tmp_path / "conversations").exists()


def test_restore_only_takes_files_from_the_trash(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    outside = tmp_path / "20260101-000000-aaaaaa.toml"
    outside.write_text('title = "outside"\n')
    with pytest.raises(StoreError):
        store.restore(outside)
    assert outside.exists()


@pytest.mark.parametrize("bad", ["../../evil", "/etc/passwd", "..", "cline-dark/../x"])
def test_theme_on_the_command_line_is_only_a_name(isolated_home: Path, bad: str) -> None:
    evil = isolated_home / "evil.toml"
    isolated_home.mkdir(parents=True, exist_ok=True)
    evil.write_text('name = "evil"\nprimary = "#ff0000"\n')
    run = cli(isolated_home, "--theme", bad)
    assert run.code == 2
    assert "unknown theme" in run.stderr


def test_a_theme_file_whose_name_is_a_path_is_reported(isolated_home: Path) -> None:
    themes = isolated_home / "themes"
    themes.mkdir(parents=True)
    (themes / "ok.toml").write_text('name = "../../evil"\nprimary = "#123456"\n')
    (themes / "fine.toml").write_text('primary = "#123456"\n')
    loaded = load_themes(themes)
    assert "fine" in loaded.themes and "../../evil" not in loaded.themes
    assert [p for p in loaded.problems if "ok.toml" in p and "'name' must be" in p]


async def test_a_remembered_theme_that_is_a_path_falls_back(
    isolated_home: Path, server: LoopbackServer
) -> None:
    settings = Settings(isolated_home / "settings.toml")
    settings.data["theme"] = "../../evil"
    settings.save()
    app = build_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "cline-dark"
        assert app.is_running


def test_a_file_with_an_odd_name_in_the_folder_is_never_used_as_a_path(
    isolated_home: Path,
) -> None:
    folder = isolated_home / "conversations"
    folder.mkdir(parents=True)
    (folder / "..weird name.toml").write_text('title = "odd"\n')
    (folder / "spaces in it.toml").write_text('title = "odd"\n')
    run = cli(isolated_home, "history", "--json")
    assert run.code == 0, run.stderr
    show = cli(isolated_home, "show", "spaces in it")
    assert show.code == 2 and "is not a conversation id" in show.stderr
