"""A long Markdown view draws only the blocks near the rows shown: its end when laid out,
the rest as it is scrolled to. What is on screen must always be the reply's own lines,
in order, as if every block had been drawn."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.selection import Selection

from benchmarks.markdown_reply import long_reply
from tests.support.ui_support import ViewApp, screen_text, settled, wait_for
from tui.ui.render.markdown_view import MarkdownView

SIZE = (80, 24)
TEXT = long_reply()[:40_000]


async def all_lines(text: str) -> list[str]:
    """The view's lines with every block drawn."""
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(MarkdownView)
        view.append(text)
        await quiet(pilot, view)
        view.draw_all()
        await quiet(pilot, view)
        return [strip.text.rstrip() for strip in view._lines(view.size.width)]


async def quiet(pilot: Pilot[None], view: MarkdownView) -> None:
    await settled(pilot, lambda: view.size.width > 0 and not view.rendering)
    await pilot.pause()


async def at_the_end(app: ViewApp, pilot: Pilot[None]) -> tuple[MarkdownView, VerticalScroll]:
    """The long text in the view, scrolled to its end and drawn there."""
    view = app.query_one(MarkdownView)
    view.append(TEXT)
    scroll = app.query_one(VerticalScroll)
    for _ in range(2):  # the end again once the first layout has placed the blocks
        scroll.scroll_end(animate=False)
        await quiet(pilot, view)
    return view, scroll


def a_run_of(full: list[str], shown: list[str]) -> bool:
    """``shown`` is lines of the fully drawn view, in order, with none left out."""
    return any(full[at : at + len(shown)] == shown for at in range(len(full) - len(shown)))


async def steady(pilot: Pilot[None], app: ViewApp, view: MarkdownView,
                 full: list[str]) -> list[str]:
    """What the view shows once it is a run of its lines and stays so across a frame (a
    copy comes long after the frames that follow a scroll)."""
    while True:
        await wait_for(lambda: a_run_of(full, on_screen(app, view)) and not view.rendering)
        shown = on_screen(app, view)
        await pilot.pause()
        if not view.rendering and on_screen(app, view) == shown:
            return shown


def on_screen(app: ViewApp, view: MarkdownView) -> list[str]:
    width = view.size.width
    return [line[:width].rstrip() for line in screen_text(app).split("\n")]


async def test_a_long_view_draws_its_end_and_guesses_the_rest() -> None:
    full = await all_lines(TEXT)
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view, _ = await at_the_end(app, pilot)
        undrawn = view._blocks.lines.count(None)
        assert 0 < undrawn < len(view._blocks.lines) - 3  # most blocks are guessed, not drawn
        # About its final height at once: the guess is within a tenth of the truth.
        assert abs(view.size.height - len(full)) < len(full) / 10
        assert on_screen(app, view) == full[-SIZE[1] :]


async def test_scrolling_up_shows_the_lines_in_order_a_step_at_a_time() -> None:
    """Each step up shows the lines just above: blocks drawn above the rows shown
    (their guessed height corrected) do not move what is read."""
    full = await all_lines(TEXT)
    height = SIZE[1]
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view, scroll = await at_the_end(app, pilot)
        at = len(full) - height  # the first line shown, in the fully drawn lines
        assert on_screen(app, view) == full[at:]
        step = 9
        for _ in range(70):
            # At once, as the mouse wheel scrolls (a scroll_to left to after the next
            # frame would put back a place the view has moved from since).
            scroll.scroll_to(y=scroll.scroll_y - step, animate=False, immediate=True)
            at -= step
            # A waited-for state, not one read after a pause: the blocks near the new
            # rows are drawn after the frame that first shows them.
            expected = full[at : at + height]
            await wait_for(lambda: on_screen(app, view) == expected)  # noqa: B023
        assert view._blocks.lines.count(None) > 0  # the top was never near: still guessed


async def test_a_jump_to_the_middle_shows_a_run_of_the_reply_s_lines() -> None:
    full = await all_lines(TEXT)
    height = SIZE[1]
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view, scroll = await at_the_end(app, pilot)
        scroll.scroll_to(y=scroll.max_scroll_y // 2, animate=False)
        await wait_for(lambda: a_run_of(full, on_screen(app, view)))
        scroll.scroll_home(animate=False)
        await wait_for(lambda: on_screen(app, view) == full[:height])


async def test_copying_the_whole_view_gives_every_line() -> None:
    full = await all_lines(TEXT)
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(MarkdownView)
        view.append(TEXT)
        await quiet(pilot, view)
        assert view._blocks.undrawn
        copied = view.get_selection(Selection(None, None))
        assert copied is not None
        assert [line.rstrip() for line in copied[0].split("\n")] == full


async def test_copying_the_whole_view_keeps_the_lines_shown_in_place() -> None:
    """Drawing every block for a copy adds rows above the lines shown too: the container
    scrolls by as many, so what is read stays put."""
    full = await all_lines(TEXT)
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view, scroll = await at_the_end(app, pilot)
        scroll.scroll_to(y=scroll.max_scroll_y // 2, animate=False)
        before = await steady(pilot, app, view, full)
        assert view._blocks.undrawn  # blocks above (and below) are still guessed
        view.get_selection(Selection(None, None))
        assert not view._blocks.undrawn
        await wait_for(lambda: not view.rendering)
        await pilot.pause()
        assert on_screen(app, view) == before
