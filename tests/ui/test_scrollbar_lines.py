"""A scrollbar gives the lines Textual would draw when it keeps those of its last draw
(tui/ui/speed/scrollbar_lines.py): after every growth, scroll, hover and theme change;
and while what it scrolls grows a row at a time, most draws are kept ones."""

from __future__ import annotations

import random
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import HorizontalScroll, VerticalScroll
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widgets import Static

from tui.ui.speed import scrollbar_lines


class Scrolling(App[None]):
    CSS = "#tall { height: 10; } #wide { width: 200; height: 3; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="v"):
            yield Static("top", id="tall")
        with HorizontalScroll(id="h"):
            yield Static("left", id="wide")


def drawn(bar: ScrollBar) -> tuple[list[object], list[object]]:
    """The bar's lines through the patch, then Textual's own for the same state."""
    crop = Region(0, 0, *bar.size)
    kept = bar.render_lines(crop)
    bar.refresh()  # Textual draws everything again: no cache of its own helps it
    fresh = scrollbar_lines._original_render_lines(bar, crop)
    return [list(line) for line in kept], [list(line) for line in fresh]


async def test_kept_lines_are_textuals_lines() -> None:
    scrollbar_lines.install()
    draws = kept = 0
    original = scrollbar_lines._original_render_lines

    def counting(self: ScrollBar, crop: Region) -> list[object]:
        nonlocal draws
        draws += 1
        return original(self, crop)  # type: ignore[return-value]

    app = Scrolling()
    rng = random.Random(20)
    async with app.run_test(size=(60, 30)) as pilot:
        tall, wide = app.query_one("#tall"), app.query_one("#wide")
        vertical, horizontal = app.query_one("#v"), app.query_one("#h")
        for step in range(160):
            choice = rng.random()
            if choice < 0.55:
                tall.styles.height = int(tall.styles.height.value) + rng.choice([1, 1, 1, 7])
            elif choice < 0.6:
                tall.styles.height = rng.choice([5, 40, 300])  # the bar hidden, then shown
            elif choice < 0.75:
                vertical.scroll_to(y=rng.randint(0, 400), animate=False)
            elif choice < 0.85:
                wide.styles.width = rng.randint(30, 400)
                horizontal.scroll_to(x=rng.randint(0, 300), animate=False)
            elif choice < 0.95:
                bar = vertical.vertical_scrollbar
                bar.mouse_over = not bar.mouse_over
            else:
                app.theme = "textual-light" if app.theme == "textual-dark" else "textual-dark"
            await pilot.pause()
            for bar in (vertical.vertical_scrollbar, horizontal.horizontal_scrollbar):
                if not bar.display or not bar.size:
                    continue
                scrollbar_lines._original_render_lines = counting  # type: ignore[assignment]
                before = draws
                try:
                    # The whole bar, or the rows of it in a partial update.
                    top = rng.choice([0, 0, rng.randrange(bar.size.height)])
                    crop = Region(0, top, bar.size.width, bar.size.height - top)
                    lines = bar.render_lines(crop)
                finally:
                    scrollbar_lines._original_render_lines = original
                kept += draws == before
                bar.refresh()
                assert [list(x) for x in lines] == [list(x) for x in original(bar, crop)], step
    assert kept > 40  # the growing transcript's case: the thumb stays in its cell


async def test_growth_that_moves_the_thumb_draws_again() -> None:
    scrollbar_lines.install()
    app = Scrolling()
    async with app.run_test(size=(60, 30)) as pilot:
        tall, vertical = app.query_one("#tall"), app.query_one("#v")
        tall.styles.height = 100
        await pilot.pause()
        bar = vertical.vertical_scrollbar
        first, _ = drawn(bar)
        tall.styles.height = 50
        await pilot.pause()
        second, fresh = drawn(bar)
        assert second == fresh
        assert second != first  # a bigger thumb: not the kept lines


async def test_a_repaint_that_would_draw_the_lines_shown_is_not_asked_for(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual asks a scrollbar to repaint after every layout that changed what it
    scrolls; when the thumb has not moved, that repaint was a frame of its own that
    changed nothing on screen."""
    scrollbar_lines.install()
    app = Scrolling()
    async with app.run_test(size=(60, 30)) as pilot:
        app.query_one("#tall").styles.height = 100
        await pilot.pause()
        bar = app.query_one("#v", VerticalScroll).vertical_scrollbar
        bar.render_lines(Region(0, 0, *bar.size))  # what the screen shows
        repaints: list[ScrollBar] = []
        original = scrollbar_lines._original_refresh

        def counted(self: ScrollBar, *args: Any, **kwargs: Any) -> ScrollBar:
            repaints.append(self)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(scrollbar_lines, "_original_refresh", counted)
        bar.refresh()
        assert repaints == []  # the same lines: nothing to repaint
        bar.position = 40  # the thumb moves
        assert repaints == [bar]
