"""A widget with no children that grew is laid out once, not once more on the next frame
(``tui/ui/speed/leaf_sizes.py``); a container's virtual size still asks for a layout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from tests.support.ui_support import wait_for
from tui.ui.speed import leaf_sizes


class OneLine(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("one", id="text")
            yield Static("below", id="below")


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Screen[object]]]:
    """Every layout of a screen from now on."""
    done: list[Screen[object]] = []
    original = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        done.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    yield done


async def grow_once(layouts: list[Screen[object]]) -> int:
    """Layouts it takes for a Static to grow from one line to three, and be shown so."""
    app = OneLine()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        text = app.query_one("#text", Static)
        below = app.query_one("#below", Static)
        layouts.clear()
        text.update("one\ntwo\nthree")
        await wait_for(lambda: below.region.y == 3)  # laid out below the three lines
        await pilot.pause()
        await pilot.pause()
        return len(layouts)


@pytest.fixture
def as_found() -> Iterator[None]:
    """Leave Textual patched as it was found (the app installs the fix when made)."""
    installed = Widget._size_updated is leaf_sizes._size_updated
    yield
    (leaf_sizes.install if installed else leaf_sizes.uninstall)()


async def test_a_static_that_grew_is_laid_out_once(
        layouts: list[Screen[object]], as_found: None) -> None:
    leaf_sizes.install()
    assert await grow_once(layouts) == 1


async def test_without_the_fix_textual_lays_it_out_twice(
        layouts: list[Screen[object]], as_found: None) -> None:
    """What the fix is for: the second layout changes nothing and is a frame of work."""
    leaf_sizes.uninstall()
    assert await grow_once(layouts) == 2
