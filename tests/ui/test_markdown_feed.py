"""Streaming text into a Markdown view a frame at a time (``MarkdownFeed``)."""

from __future__ import annotations

import asyncio

from tests.support.ui_support import ViewApp, wait_for
from tui.ui.render.markdown_feed import FeedPacer, MarkdownFeed
from tui.ui.render.markdown_view import MarkdownView


async def test_thousands_of_pieces_become_a_few_appends_and_the_text_whole() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)):
        view = app.query_one(MarkdownView)
        appends: list[str] = []
        append = view.append
        view.append = lambda text: appends.append(text) or append(text)  # type: ignore[method-assign]
        feed = MarkdownFeed(view)
        pieces = [f"word{n} " for n in range(3000)]
        for n, piece in enumerate(pieces):
            feed.write(piece)
            if n % 100 == 0:
                await asyncio.sleep(0)  # the network hands over a read at a time
        feed.stop()
        assert view.source == "".join(pieces)
        assert len(appends) < 100  # a few a frame's time, not one a piece


async def test_stop_appends_what_is_left_without_waiting_for_the_next_frame() -> None:
    """The end of a reply is appended at once: stop does not wait for the next append
    (here an hour away)."""
    app = ViewApp()
    async with app.run_test(size=(60, 20)):
        view = app.query_one(MarkdownView)
        feed = MarkdownFeed(view, paced_by=FeedPacer(frame=3600))
        feed.write("first ")
        await wait_for(lambda: view.source == "first ")
        feed.write("and the last words")
        feed.stop()
        assert view.source == "first and the last words"
