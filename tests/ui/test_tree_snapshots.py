"""Snapshots of a conversation with branches (pytest-textual-snapshot, 80x24): the
"‹ 2/2 ›" markers on messages with alternatives, and the message cursor with the keys
the footer offers on the selected message, and the branches view (F9). Fixed times and
ids: nothing depends on the clock."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.support.chat_tree_support import marked, select, with_alternatives
from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, catalog_loaded, chat, settled


class TestBranches:
    def test_alternatives_marked(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """The first prompt is 1/2 (on its first line), the last reply 2/2 (in its
        header line)."""
        app = build_app(server, conversation=with_alternatives())
        assert snap_compare(app, terminal_size=(80, 24), run_before=catalog_loaded)

    def test_message_cursor(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """The cursor on the last reply: its bar in the accent colour, the footer's
        Prev, Next, Delete... keys for it."""

        async def cursor(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await select(pilot, chat(pilot.app), "Rome, since 1871.")  # type: ignore[arg-type]
            assert marked(chat(pilot.app)) == ["Rome, since 1871."]  # type: ignore[arg-type]

        app = build_app(server, conversation=with_alternatives())
        assert snap_compare(app, terminal_size=(80, 24), run_before=cursor)

    def test_branches_view(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """F9: every message of the three branches, the branch shown marked *, the other
        first prompt and the older reply indented above what they are alternatives to,
        the current reply highlighted."""

        async def branches(pilot: Pilot[None]) -> None:
            from tui.ui.modals.branches import BranchesView

            await catalog_loaded(pilot)
            await pilot.press("f9")
            await settled(pilot, lambda: isinstance(pilot.app.screen, BranchesView))

        app = build_app(server, conversation=with_alternatives())
        assert snap_compare(app, terminal_size=(80, 24), run_before=branches)
