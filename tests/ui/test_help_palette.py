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


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_help_columns_fit_and_list_the_prompt_keys(server: LoopbackServer,
                                                         width: int) -> None:
    app = build_app(server)
    async with app.run_test(size=(width, 40)) as pilot:
        await catalog_loaded(pilot)
        await pilot.press("f1")
        await settled(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await settled(pilot, lambda: table.row_count > 0 and table.size.width > 0)
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width  # not cut
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        labels = [str(column.label) for column in table.ordered_columns]
        assert labels == ["Key", "What it does", "Where", "Binding id"]
        keys = {row[0]: row for row in rows}
        earlier = ["Earlier prompts (this chat's, then older)", "prompt"]
        assert keys["↑ (first line)"][1:3] == earlier
        assert keys["↓ (last line)"][2] == "prompt"
        assert keys["^j, \\ enter"][2] == "prompt"
        assert keys["enter"][1] == "Send the prompt"
        assert "promptarea" not in {row[2] for row in rows}
        assert any(row[3] == "chat.new" for row in rows)
        text = screen_text(app)
        if width >= 100:
            assert re.search(r"Earlier prompts \(this chat's, then older\) +prompt ", text), text
        assert re.search(r"chat\.copy_reply", text), text  # the ids too, whole


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
