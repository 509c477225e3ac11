"""Snapshots of issue 6: the same finished chat in every bundled theme, the settings
screen and the help screen. Fixed sizes, a fixed conversation, no clocks."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, catalog_loaded, fixed_conversation
from tui.ui.themes import BUNDLED


class TestChatInEachTheme:
    """A saved exchange (prompt bubble, reply with folded reasoning, code block, usage
    line) and the usage sidebar, in each bundled theme: the app's own colours
    (user bubble, reply bar, usage headings) follow the theme."""

    @pytest.mark.parametrize("theme", BUNDLED)
    def test_chat_in_theme(self, snap_compare, server: LoopbackServer, theme: str) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, conversation=fixed_conversation())
        app.theme = theme
        assert snap_compare(app, terminal_size=(110, 28), run_before=catalog_loaded)


class TestSettingsScreen:
    """F12: default model, temperature, streaming and reasoning switches, the preset
    list with its buttons, the theme in use, Cancel and Save."""

    def test_settings_screen(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def open_settings(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await pilot.press("f12")
            await pilot.pause()

        assert snap_compare(build_app(server), terminal_size=(100, 36), run_before=open_settings)


class TestHelpScreen:
    """F1 over the chat: every active key with its description, binding id and where
    it applies (this screen first, then the prompt, then the app)."""

    def test_help_screen(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def open_help(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await pilot.press("f1")
            await pilot.pause()

        assert snap_compare(build_app(server), terminal_size=(100, 40), run_before=open_help)
