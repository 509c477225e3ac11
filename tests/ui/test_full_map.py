"""After a layout, finding a widget scrolled out of sight uses the map that layout made
(``tui/ui/speed/full_map.py``) instead of arranging the whole screen again, and finds
it where a fresh arrangement would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.support.ui_support import wait_for
from tui.ui.speed import full_map


class LongList(App[None]):
    """Forty lines in a 10-row window: most are out of sight."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for i in range(40):
                yield Static(f"line {i}", id=f"line-{i}")


def arrangements(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every arrangement of a whole screen from now on: True for those made by a
    lookup (``Compositor.full_map``), False for a layout's own. After the fix is
    installed or removed: this wraps the layout as it is then."""
    made: list[bool] = []
    original = Compositor._arrange_root

    def counted(self: Compositor, root: object, size: object, visible_only: bool = True
                ) -> object:
        if not visible_only:
            made.append(not self._layout_under_way)  # type: ignore[attr-defined]
        return original(self, root, size, visible_only)  # type: ignore[arg-type]

    layout = Compositor.reflow

    def reflow(self: Compositor, *args: object) -> object:
        self._layout_under_way = True  # type: ignore[attr-defined]
        try:
            return layout(self, *args)  # type: ignore[arg-type]
        finally:
            self._layout_under_way = False  # type: ignore[attr-defined]

    monkeypatch.setattr(Compositor, "_layout_under_way", False, raising=False)
    monkeypatch.setattr(Compositor, "_arrange_root", counted)
    monkeypatch.setattr(Compositor, "reflow", reflow)
    return made


@pytest.fixture
def as_found() -> Iterator[None]:
    """Leave Textual patched as it was found (the app installs the fix when made); asked
    for before ``monkeypatch``, so it is put back after the counting is undone."""
    installed = Compositor.reflow is full_map._reflow
    yield
    (full_map.install if installed else full_map.uninstall)()


async def grow_out_of_sight(arrangements: list[bool]) -> tuple[int, object, object]:
    """Lookups that arranged the screen again after a line out of sight grew, and that
    line's region as found and as a fresh arrangement places it."""
    app = LongList()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        line = app.query_one("#line-30", Static)
        last = app.query_one("#line-39", Static)
        arrangements.clear()
        line.update("line 30\ngrown\nto four\nlines")  # out of sight: a repaint off screen
        await wait_for(lambda: last.region.y - app.query_one("#line-0").region.y == 42)
        lookups = sum(arrangements)
        found = line.region
        compositor = app.screen._compositor
        fresh, _ = compositor._arrange_root(compositor.root, compositor.size,
                                            visible_only=False)  # type: ignore[arg-type]
        return lookups, found, fresh[line].region


async def test_a_lookup_after_a_layout_uses_that_layouts_map(
        as_found: None, monkeypatch: pytest.MonkeyPatch) -> None:
    full_map.install()
    lookups, found, fresh = await grow_out_of_sight(arrangements(monkeypatch))
    assert lookups == 0
    assert found == fresh


async def test_textual_alone_arranges_the_screen_again(
        as_found: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix saves, so the test above cannot pass for another reason."""
    full_map.uninstall()
    lookups, found, fresh = await grow_out_of_sight(arrangements(monkeypatch))
    assert lookups >= 1
    assert found == fresh
