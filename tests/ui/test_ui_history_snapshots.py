"""Snapshots of the conversations screen (pytest-textual-snapshot): fixed data with fixed
times (dates are absolute), a fixed terminal size. After an intended change:
pytest --snapshot-update, then look at the SVGs."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.history_support import write_fixed
from tests.support.ui_support import build_app, listed, open_history, settled

SIZE = (120, 32)


@pytest.fixture(autouse=True)
def fixed_data(isolated_home: Path) -> None:
    write_fixed(isolated_home / "conversations")


class TestHistoryList:
    """Every conversation newest first: title and date, then models, message count and
    cost; the compare session marked ⇆ and 'compare:'; the hostile title literal; the
    unreadable file last, in red with its reason; the preview of the first one."""

    def test_history_list(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(build_app(None), terminal_size=SIZE, run_before=open_history)


class TestHistorySearch:
    """Full-text search for 'banana': two hits, each with a third line holding the
    snippet with 'banana' highlighted; the preview highlights it too."""

    def test_history_search(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        async def search(pilot: Pilot[None]) -> None:
            screen = await open_history(pilot)
            await pilot.press("ctrl+f", *"banana")
            await settled(pilot, lambda: len(listed(screen)) == 2)

        assert snap_compare(build_app(None), terminal_size=SIZE, run_before=search)


class TestHistoryPreview:
    """The compare session highlighted: the preview shows its two models, the prompt and
    each column's reply under its model name."""

    def test_history_preview_compare(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        async def second(pilot: Pilot[None]) -> None:
            await open_history(pilot)
            await pilot.press("down")
            await pilot.pause()

        assert snap_compare(build_app(None), terminal_size=SIZE, run_before=second)


class TestHistorySmallTerminals:
    """At 80x24 the list and the preview share the width; at 60x15 the list takes it all
    and the preview gives way. Titles end in … where they are cut, the footer has no
    stray characters."""

    @pytest.mark.parametrize("size", [(80, 24), (60, 15)], ids=["80x24", "60x15"])
    def test_history_small(self, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(build_app(None), terminal_size=size, run_before=open_history)
