"""Streaming text into Markdown views at the speed the screen can take it.

A fast model sends thousands of tiny chunks a second; appending each one would re-parse
and re-render the live block thousands of times (Textual's ``MarkdownStream`` yields to
the loop on every fragment and falls ever further behind the network).
``MarkdownFeed.write`` never waits: text collects in the feed. One task for all the
feeds of the app (``FeedPacer``) appends whatever every feed has collected, all at once
so that one frame shows every column of a compare, waits until the screen has drawn it,
waits a moment more, and repeats. The number of appends is bounded by time, not by how
finely the server chopped the reply. The moment between appends is a frame at least,
and twice as long as the last append took to reach the screen: when drawing is slow
(a fast stream into a long chat, four columns of a compare) the appends space out, so
drawing takes at most about a third of the loop and the rest reads the network. The end
of a reply is appended at once, by ``stop``, which never waits.

Keystrokes go first: for a moment after a key is pressed the feeds hold their text
back, so the frame that shows the keystroke is not also laying out the reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref

from tui.ui.render.markdown_view import MarkdownView
from tui.ui.speed import keystrokes

FRAME = 1 / 30  # seconds between appends at least: smooth to the eye, cheap for the loop
SPACING = 2.0  # the wait after an append, in multiples of the time it took to be drawn
INPUT_FIRST = 0.020  # seconds text waits after a keystroke: past the keystroke's frame
DRAWN_WAIT = 0.25  # seconds an append waits at most for its frame (a screen not shown)


class FeedPacer:
    """Appends the text every live feed has waiting, a frame's time at a time."""

    def __init__(self, frame: float = FRAME) -> None:
        self.frame = frame
        self._feeds: dict[MarkdownFeed, None] = {}  # live feeds, in the order they came
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def join(self, feed: MarkdownFeed) -> None:
        self._feeds[feed] = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    def leave(self, feed: MarkdownFeed) -> None:
        self._feeds.pop(feed, None)
        self._wake.set()  # the task ends once no feed is left

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while self._feeds:
            await self._wake.wait()
            self._wake.clear()
            hold = INPUT_FIRST - keystrokes.since()
            if hold > 0:
                await asyncio.sleep(hold)
            appended = [feed for feed in list(self._feeds) if feed.append_waiting()]
            if not appended:
                continue
            started = time.monotonic()
            await _drawn(appended[0].markdown)  # one frame shows every view's append
            took = time.monotonic() - started
            await asyncio.sleep(max(self.frame, SPACING * took))


_pacers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FeedPacer] = (
    weakref.WeakKeyDictionary())


def pacer() -> FeedPacer:
    """The running loop's pacer (one app runs in a loop)."""
    loop = asyncio.get_running_loop()
    found = _pacers.get(loop)
    if found is None:
        found = _pacers[loop] = FeedPacer()
    return found


async def _drawn(markdown: MarkdownView) -> None:
    """Until the frame that shows an append is drawn (at most ``DRAWN_WAIT``)."""
    drawn = asyncio.Event()
    if markdown.call_after_refresh(drawn.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drawn.wait(), DRAWN_WAIT)


class MarkdownFeed:
    def __init__(self, markdown: MarkdownView, paced_by: FeedPacer | None = None) -> None:
        self.markdown = markdown
        self._pending: list[str] = []
        self._pacer = paced_by or pacer()
        self._pacer.join(self)

    def write(self, text: str) -> None:
        if text:
            self._pending.append(text)
            self._pacer.wake()

    def halt(self) -> None:
        """No more appends by the pacer; what is left waits for ``stop``."""
        self._pacer.leave(self)

    def stop(self) -> None:
        """Append what is left now and leave the pacer. Nothing here waits: whatever else
        the end of a reply changes on screen lands in the same frame as its last words."""
        self.halt()
        self.append_waiting()

    def append_waiting(self) -> bool:
        """Append the text collected since the last append; False when there was none."""
        if not self._pending:
            return False
        text = "".join(self._pending)
        self._pending.clear()
        self.markdown.append(text)
        return True
