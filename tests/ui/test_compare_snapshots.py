"""Snapshots of the compare screen on small terminals (80x24, 60x15): two finished
columns side by side or as tabs, four as tabs, the summary in at most two rows; and the
chooser that "Compare models" opens. After an intended change: pytest --snapshot-update
-k <name>, then look at the SVGs."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.support.compare_support import finished_compare
from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, settled
from tui.api.catalog import ModelInfo
from tui.ui.modals.model_chooser import ModelChooser
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.prompt import PromptArea

TWO = ["alpha/model", "beta/model"]
FOUR = ["alpha/model", "beta/model", "gamma/model", "delta/model"]


async def ready(pilot: Pilot[None]) -> None:
    await settled(pilot, lambda: isinstance(pilot.app.focused, PromptArea))


class TestCompareSmall:
    """Finished replies: the active column's header (or tab) tinted, the usage line under
    each column, the summary naming each column once; on a narrow terminal one column
    under a one-row tab strip, and at least five rows of reply at 60x15."""

    def test_two_columns_80x24(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, serve_catalog=False, conversation=finished_compare(TWO))
        assert snap_compare(app, terminal_size=(80, 24), run_before=ready)

    def test_two_columns_60x15(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, serve_catalog=False, conversation=finished_compare(TWO))
        assert snap_compare(app, terminal_size=(60, 15), run_before=ready)

    def test_four_columns_as_tabs_80x24(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def second_tab(pilot: Pilot[None]) -> None:
            await ready(pilot)
            await pilot.press("alt+right")
            await settled(pilot, lambda: pilot.app.screen.active == 1)  # type: ignore[attr-defined]

        app = build_app(server, serve_catalog=False, conversation=finished_compare(FOUR))
        assert snap_compare(app, terminal_size=(80, 24), run_before=second_tab)

    def test_four_columns_as_tabs_60x15(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, serve_catalog=False, conversation=finished_compare(FOUR))
        assert snap_compare(app, terminal_size=(60, 15), run_before=ready)


class TestCompareChooser:
    """The chooser at 80x24: the chat's model marked and listed first among the others,
    the models chosen so far in column order, how to mark, compare and cancel."""

    def test_chooser_80x24(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def open_chooser(pilot: Pilot[None]) -> None:
            await ready(pilot)
            app = pilot.app
            app.models = [  # type: ignore[attr-defined]
                ModelInfo(id="anthropic/claude-sonnet-4.6", context_length=200000,
                          prompt_price=0.000003, completion_price=0.000015, reasoning=True,
                          tools=True),
                ModelInfo(id="openai/gpt-4.1", context_length=1047576,
                          prompt_price=0.000002, completion_price=0.000008, tools=True),
                ModelInfo(id="qwen/qwen3-8b", context_length=32768, prompt_price=0,
                          completion_price=0, reasoning=True),
            ]
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            screen.conversation.model = "anthropic/claude-sonnet-4.6"
            screen.action_compare()
            await settled(pilot, lambda: isinstance(app.screen, ModelChooser))
            await pilot.press("down", "space")

        assert snap_compare(build_app(server, serve_catalog=False), terminal_size=(80, 24),
                            run_before=open_chooser)
