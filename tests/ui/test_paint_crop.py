"""A partial screen update sends the terminal the same bytes when only the widgets
visible in the updated area are drawn (tui/ui/speed/paint_crop.py) as when Textual draws
every widget whose container overlaps it; and it draws fewer widgets, and fewer rows of
each."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from rich.console import Console
from textual.geometry import Region
from textual.widget import Widget

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, send
from tui.ui.speed import paint_crop
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.transcript import Transcript

REPLY = "\n\n".join(f"Paragraph {n}: " + "words that wrap " * 12 for n in range(30))


def terminal_bytes(update: object) -> str:
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      width=120, height=40, legacy_windows=False)
    console.print(update, end="")
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


async def test_partial_updates_are_the_same_and_draw_fewer_widgets(
    server: LoopbackServer, isolated_home: Path
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks(*REPLY.split(" ")))))
    app = build_app(server)
    drawn: Counter[bool] = Counter()
    rows: Counter[bool] = Counter()
    tallest: Counter[bool] = Counter()
    draw = Widget.render_lines
    patched = [False]

    def counting(self: Widget, crop: Region) -> object:
        drawn[patched[0]] += 1
        rows[patched[0]] += crop.height
        tallest[patched[0]] = max(tallest[patched[0]], crop.height)
        return draw(self, crop)

    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "write a lot")
        await app.workers.wait_for_complete()
        await pilot.pause()
        compositor = app.screen._compositor
        transcript = app.screen.query_one(Transcript).region
        prompt = app.screen.query_one(PromptArea).region
        footer = app.screen.query_one(Footer).region
        areas = [
            [transcript],
            [Region(transcript.x + 2, transcript.y + 3, 20, 4)],
            [transcript, prompt],
            [footer],
            [prompt, Region(0, 0, 120, 1)],
        ]
        Widget.render_lines = counting  # type: ignore[method-assign]
        try:
            for regions in areas:
                tallest.clear()
                shown = []
                for patch in (False, True):
                    patched[0] = patch
                    (paint_crop.install if patch else paint_crop.uninstall)()
                    compositor._dirty_regions.update(regions)
                    shown.append(terminal_bytes(compositor.render_update()))
                assert shown[0] == shown[1], regions
                assert shown[0]  # something was drawn
                # No widget draws more rows than the updated area spans.
                assert tallest[True] <= Region.from_union(regions).height < tallest[False]
        finally:
            Widget.render_lines = draw  # type: ignore[method-assign]
            paint_crop.install()
    assert drawn[True] < drawn[False]
    assert rows[True] < rows[False]
