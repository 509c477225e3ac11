"""Streaming text into a Markdown view at the speed the screen can take it.

A fast model sends thousands of tiny chunks a second; appending each one would re-parse
and re-render the live block thousands of times (Textual's ``MarkdownStream`` yields to
the loop on every fragment and falls ever further behind the network).
``MarkdownFeed.write`` never waits. Text collects in a buffer; one task appends
whatever has collected, waits until the screen has drawn it, waits a frame more, and
repeats. The number of appends is bounded by time, not by how finely the server chopped
the reply; and when drawing is slow (four columns of a compare catching up) the appends
space out with it, so the loop keeps time to read the network. The end of a reply is
appended at once, by ``stop``, which never waits.

Keystrokes go first: for a moment after a key is pressed the feed holds its text back,
so the frame that shows the keystroke is not also laying out the reply.
"""

from __future__ import annotations

import asyncio
import contextlib

from tui.ui.render.markdown_view import MarkdownView
from tui.ui.speed import keystrokes

FRAME = 1 / 30  # seconds between appends: smooth to the eye, cheap for the loop
INPUT_FIRST = 0.020  # seconds text waits after a keystroke: past the keystroke's frame
DRAWN_WAIT = 0.25  # seconds an append waits at most for its frame (a screen not shown)


class MarkdownFeed:
    def __init__(self, markdown: MarkdownView, frame: float = FRAME) -> None:
        self.markdown = markdown
        self.frame = frame
        self._pending: list[str] = []
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    def write(self, text: str) -> None:
        if text:
            self._pending.append(text)
            self._wake.set()

    def halt(self) -> None:
        """No more appends by the task; what is left waits for ``stop``."""
        self._task.cancel()

    def stop(self) -> None:
        """Append what is left now and end the task. Nothing here waits: whatever else
        the end of a reply changes on screen lands in the same frame as its last words."""
        self.halt()
        self._append()

    def _append(self) -> bool:
        if not self._pending:
            return False
        text = "".join(self._pending)
        self._pending.clear()
        self.markdown.append(text)
        return True

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            hold = INPUT_FIRST - keystrokes.since()
            if hold > 0:
                await asyncio.sleep(hold)
            if self._append():
                await self._drawn()
            await asyncio.sleep(self.frame)

    async def _drawn(self) -> None:
        """Until the frame that shows the append is drawn (at most ``DRAWN_WAIT``)."""
        drawn = asyncio.Event()
        if self.markdown.call_after_refresh(drawn.set):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(drawn.wait(), DRAWN_WAIT)
