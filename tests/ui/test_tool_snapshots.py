"""Snapshots of tools in the chat (pytest-textual-snapshot, 80x24): the approval dialog,
the tools panel with the MCP test server running, a finished tool turn reopened. Fixed
times, ids and durations: nothing depends on the clock."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.support.loopback import LoopbackServer
from tests.support.mcp_support import config_toml, saved_tool_turn
from tests.support.ui_support import build_app, catalog_loaded, settled
from tui.chat.tool_loop import PendingCall
from tui.model.conversation import Conversation, ToolCall
from tui.tools.catalog import ToolInfo

MODEL = "anthropic/claude-sonnet-4.6"





class TestTools:
    def test_approval_dialog(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """The tool, its server and description, the arguments as indented JSON (the
        markup in them literal), the three buttons and the keys."""
        from tui.ui.modals.tool_approval import ToolApproval

        async def ask(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            call = ToolCall("call_1", "search_files",
                            '{"path": "/home/me/project", "pattern": "[red]TODO[/]", '
                            '"max_results": 20}')
            tool = ToolInfo("files", "search_files", "Search files for a pattern.")
            pilot.app.push_screen(ToolApproval(PendingCall(call, tool)))
            await settled(pilot, lambda: isinstance(pilot.app.screen, ToolApproval))

        app = build_app(server, conversation=Conversation(model=MODEL, profile="cline"))
        assert snap_compare(app, terminal_size=(80, 24), run_before=ask)

    def test_tools_panel(self, snap_compare, server: LoopbackServer,  # type: ignore[no-untyped-def]
                         isolated_home: Path) -> None:
        """F6: the test server ready with its tools and their descriptions (the one with
        markup and escapes shown literally), a server disabled in config.toml."""
        from tui.ui.modals.tools_panel import ToolsPanel

        isolated_home.mkdir(parents=True, exist_ok=True)
        (isolated_home / "config.toml").write_text(
            config_toml("test") + '\n[mcp.off]\ncommand = "true"\nenabled = false\n',
            encoding="utf-8")

        async def panel(pilot: Pilot[None]) -> None:
            app = pilot.app
            await catalog_loaded(pilot)
            await settled(pilot, lambda: app.services.tools.servers is not None and all(  # type: ignore[attr-defined]
                s.state == "ready" for s in app.services.tools.statuses))  # type: ignore[attr-defined]
            await pilot.press("f6")
            await settled(pilot, lambda: isinstance(app.screen, ToolsPanel))

        app = build_app(server, conversation=Conversation(model=MODEL, profile="cline"))
        assert snap_compare(app, terminal_size=(80, 24), run_before=panel)

    def test_finished_tool_turn(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """A reopened tool turn: the calls in the reply, each result's line under it
        (done in 0.3 s; error in 1.2 s in the error colour), folded, then the answer."""
        app = build_app(server, conversation=saved_tool_turn("20261101-093000-70015b"))
        assert snap_compare(app, terminal_size=(80, 24), run_before=catalog_loaded)
