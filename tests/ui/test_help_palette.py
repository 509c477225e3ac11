"""F1 and the command palette: every key of the screen in columns that fit (the prompt's
own keys included), one "keys" entry in the palette, and each command's key beside it."""

from __future__ import annotations

import re

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable

from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, catalog_loaded, screen_text, settled
from tui.ui.screens.help import HelpScreen

ALL = ["Key", "What it does", "Where", "Binding id"]


@pytest.mark.parametrize(("width", "columns"), [
    (60, ["Key", "What it does"]),  # narrow: Where goes, then the binding id
    (80, ["Key", "What it does", "Binding id"]),
    (100, ALL),
    (160, ALL),
])
async def test_help_columns_fit_and_list_the_prompt_keys(server: LoopbackServer, width: int,
                                                         columns: list[str]) -> None:
    app = build_app(server)
    async with app.run_test(size=(width, 60)) as pilot:  # every key on screen
        await catalog_loaded(pilot)
        await pilot.press("f1")
        await settled(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await settled(pilot, lambda: table.row_count > 0 and table.size.width > 0)
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width  # not cut
        labels = [str(column.label) for column in table.ordered_columns]
        assert labels == columns
        rows = [dict(zip(labels, (str(cell) for cell in table.get_row_at(i)), strict=True))
                for i in range(table.row_count)]
        keys = {row["Key"]: row for row in rows}
        earlier = "Earlier prompts (this chat's, then older)"
        assert keys["↑ (first line)"]["What it does"] == earlier
        assert keys["enter"]["What it does"] == "Send the prompt"
        if "Where" in labels:
            assert keys["↑ (first line)"]["Where"] == "prompt"
            assert keys["↓ (last line)"]["Where"] == "prompt"
            assert keys["^j, \\ enter"]["Where"] == "prompt"
            assert "promptarea" not in {row["Where"] for row in rows}
        text = screen_text(app)
        if width >= 100:
            assert re.search(r"Earlier prompts \(this chat's, then older\) +prompt ", text), text
        if "Binding id" in labels:
            assert any(row["Binding id"] == "chat.new" for row in rows)
            assert re.search(r"chat\.copy_reply", text), text  # the ids too, whole
        else:
            assert "Page down" in text or "down a page" in text  # what it does, unwrapped


async def test_palette_has_one_keys_entry_and_shows_keys(server: LoopbackServer) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "Keys" not in commands and "Help: keys" in commands
        assert commands["Help: keys"].startswith("f1 · ")
        assert commands["New chat"].startswith("^n · ")
        assert commands["Choose model"].startswith("f2, ^o · ")
        assert commands["Theme"].startswith("f8 · ")
        assert commands["Settings"].startswith("f12 · ")
        assert commands["Quit"].startswith("^q · ")
        assert commands["Conversations"].startswith("^l · ")
        await pilot.press("ctrl+p")
        await settled(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"new chat")
        await settled(pilot, lambda: "^n · Start a new conversation" in screen_text(app))


async def test_help_lists_the_keys_on_now_before_those_for_a_selected_message(
    server: LoopbackServer,
) -> None:
    """With no message selected, Esc, F2 and the rest come before Left/Right, Delete and
    the other keys that act on a selected message (still listed)."""
    app = build_app(server)
    async with app.run_test(size=(120, 60)) as pilot:
        await catalog_loaded(pilot)
        await pilot.press("f1")
        await settled(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await settled(pilot, lambda: table.row_count > 0)
        ids = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert ids.index("chat.cancel") < ids.index("chat.msg_prev")
        assert ids.index("chat.model") < ids.index("chat.msg_delete")
        assert "chat.msg_edit" in ids  # listed, after
