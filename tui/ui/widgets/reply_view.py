"""How an assistant reply looks: its reasoning fold, Markdown body, tool calls, refusal
and a status line.

``ReplyView`` is driven from above: the chat screen's worker calls ``follow`` with the
stream, which shows each piece as it comes and settles the view once at the end. Every
piece of text is made inert (no markup, no control sequences) before it reaches a widget.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Collapsible, Static
from textual.widgets._collapsible import CollapsibleTitle

from tui.api.reply import Delta
from tui.api.stream import ChatStream, Retrying
from tui.format import finish_note, usage_line
from tui.model.conversation import Message
from tui.model.text import strip_controls
from tui.model.wire import is_sent
from tui.ui.render.inert import inert
from tui.ui.render.markdown_feed import MarkdownFeed
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.speed.heap import full_collections_deferred
from tui.ui.speed.kept_rows import KeptRows
from tui.ui.speed.uniform_rows import UniformRows
from tui.ui.widgets.held_text import ShowMore
from tui.ui.widgets.marked import Marked
from tui.ui.widgets.message_views import alternatives_marker

# A reply with nothing in it is left out of later requests with its prompt (see
# tui/model/wire.py): the transcript says so.
NOT_SENT_NOTE = "No reply text: this prompt will not be sent again. Ctrl+R retries the last one."


class ReasoningBlock(Collapsible):
    """The fold for a reply's reasoning; remembers whether the user opened or closed it,
    so streaming never fights their choice."""

    user_toggled = False

    def _on_collapsible_title_toggle(self, event: CollapsibleTitle.Toggle) -> None:
        self.user_toggled = True

    def toggle(self) -> None:
        self.user_toggled = True
        self.collapsed = not self.collapsed

    def auto_fold(self, collapsed: bool) -> None:
        if not self.user_toggled:
            self.collapsed = collapsed


def first_reply_parts() -> list[Widget]:
    """Widgets whose CSS Textual first meets when a reply streams (its reasoning fold,
    mounted when reasoning first arrives), for the app to parse ahead of it."""
    fold = ReasoningBlock()
    return [fold, fold._title, ReasoningBlock.Contents()]


class ReplyView(Marked, UniformRows, KeptRows, Vertical):
    DEFAULT_CSS = """
    ReplyView {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        background: $assistant-bubble;
        border-left: thick $assistant-border;
    }
    ReplyView .reply-header { color: $text-muted; }
    ReplyView Collapsible {
        margin: 0;
        padding: 0;
        border: none;
        background: transparent;
    }
    ReplyView Collapsible > Contents { padding: 0 0 0 2; }
    ReplyView .reasoning { color: $reasoning; }
    ReplyView MarkdownView { margin: 0; padding: 0; }
    ReplyView .tool-calls { color: $tool-call; }
    ReplyView .refusal { color: $warning; }
    ReplyView .status { color: $text-muted; margin-top: 1; }
    ReplyView .status.-error { color: $error; }
    ReplyView .hidden { display: none; }
    """

    def __init__(
        self,
        message: Message,
        *,
        streaming: bool = False,
        show_usage: bool = True,
        unfold: bool = False,
    ) -> None:
        super().__init__()
        # The settings screen's "show reasoning unfolded" (a display preference).
        self.unfold = unfold
        self._message = message
        self._stream: ChatStream | None = None
        self._warnings: list[str] = []  # the stream's, once it has ended
        self.streaming = streaming
        self.show_usage = show_usage  # a compare column shows usage under the column
        self._body_feed: MarkdownFeed | None = None
        self._reasoning_feed: MarkdownFeed | None = None
        # While the client waits to send the request again: why, when, and the timer
        # that counts down to it once a second.
        self._retry_reason = ""
        self._retry_at = 0.0
        self._retry_timer: Timer | None = None

    @property
    def message(self) -> Message:
        """The reply shown; while it streams, everything that has arrived so far (the
        stream joins its pieces into the message when it is looked at)."""
        return self._stream.reply if self._stream is not None else self._message

    @message.setter
    def message(self, message: Message) -> None:
        self._message = message

    def compose(self) -> ComposeResult:
        # A reply mounts only the parts it has: a long conversation is hundreds of
        # replies, and every hidden widget is styled and laid out all the same. A reply
        # that streams has what every reply shows; its reasoning fold is mounted when
        # reasoning arrives (most replies have none).
        m = self.message
        saved = not self.streaming  # a long saved text is drawn a part at a time
        yield Static(self._header(), classes="reply-header", markup=False)
        self.reasoning_block = self._reasoning_fold(m.reasoning, hold_back=saved)
        if m.reasoning:
            yield self.reasoning_block
        self.body = MarkdownView(strip_controls(m.content), hold_back=saved)
        yield self.body
        if self.body.held:
            yield ShowMore(self.body)
        self.tool_calls = Static(self._tool_calls(), classes="tool-calls", markup=False)
        self.tool_calls.set_class(not m.tool_calls, "hidden")
        if m.tool_calls or not saved:
            yield self.tool_calls
        self.refusal = Static(inert(m.refusal), classes="refusal", markup=False)
        self.refusal.set_class(not m.refusal, "hidden")
        if m.refusal or not saved:
            yield self.refusal
        self.status = Static(classes="status", markup=False)
        self._show_status()
        yield self.status

    def _reasoning_fold(self, reasoning: str, hold_back: bool = False) -> ReasoningBlock:
        self._reasoning_markdown = MarkdownView(strip_controls(reasoning), classes="reasoning",
                                                hold_back=hold_back)
        more = [ShowMore(self._reasoning_markdown)] if self._reasoning_markdown.held else []
        return ReasoningBlock(self._reasoning_markdown, *more, title="Reasoning",
                              collapsed=not self.unfold)

    async def _show_reasoning_fold(self) -> None:
        """Mount the fold, empty, before the first reasoning is shown in it."""
        if self.reasoning_block.parent is None:
            await self.mount(self.reasoning_block, before=self.body)

    # --- driven by the chat screen while streaming ----------------------------------

    async def follow(self, stream: ChatStream, ended: Callable[[], object] | None = None) -> None:
        """Show a reply as its stream arrives, and settle it when the stream ends, fails
        or is cancelled (the caller's worker is what gets cancelled). ``ended`` runs once
        the stream is over, however it ended, before the view settles (the caller saves
        the reply there): the loop gets a moment between the two, and everything the end
        of the reply changes on screen lands in one frame."""
        self._stream = stream
        try:
            with full_collections_deferred():
                async for event in stream:
                    if isinstance(event, Retrying):
                        self.show_retry(event)
                    else:
                        self._stop_retry()
                        await self.add_delta(event)
                        if stream.complete:
                            self._halt_feeds()  # the rest waits for the end, all at once
        finally:
            self._stop_retry()
            self._message = stream.reply  # with every piece joined in
            self._warnings = stream.warnings
            self._stream = None
            self._halt_feeds()  # the rest is appended with everything else the end shows
            try:
                if ended is not None:
                    ended()
                    await asyncio.sleep(0)
            finally:
                self.finish()

    async def add_delta(self, delta: Delta) -> None:
        """Show one piece of the stream. Never waits for the screen: text is batched
        by the feeds, so a fast stream cannot queue up thousands of re-renders."""
        if delta.kind == "content":
            if self._body_feed is None:
                self._body_feed = MarkdownFeed(self.body)
                self.reasoning_block.auto_fold(not self.unfold)  # the answer has started
            self._body_feed.write(strip_controls(delta.text))
        elif delta.kind == "reasoning":
            if self._reasoning_feed is None:
                await self._show_reasoning_fold()
                self.reasoning_block.auto_fold(False)  # live while the model thinks
                self._reasoning_feed = MarkdownFeed(self._reasoning_markdown)
            self._reasoning_feed.write(strip_controls(delta.text))
        elif delta.kind == "refusal":
            self.refusal.update(inert(self.message.refusal))
            self.refusal.remove_class("hidden")
        elif delta.kind == "tool_call":
            self.tool_calls.update(self._tool_calls())
            self.tool_calls.remove_class("hidden")
        elif delta.kind == "reasoning_reset":
            # The content so far was reasoning (``…</think>`` with no opening tag).
            self._stop_streams()
            await self._show_reasoning_fold()
            self._reasoning_markdown.update(strip_controls(self.message.reasoning))
            self.body.update("")

    def show_retry(self, retrying: Retrying) -> None:
        """Say why the request failed, and count down to the next try each second."""
        self._stop_retry()
        self._retry_reason = retrying.reason.rstrip(".")
        self._retry_at = time.monotonic() + retrying.wait
        self._retry_timer = self.set_interval(1.0, self._show_retry_left)
        self._show_retry_left()

    def _show_retry_left(self) -> None:
        left = round(self._retry_at - time.monotonic())  # a tick a little early or late
        if left > 0:
            text = f"{self._retry_reason} — retrying in {left} s…"
        else:
            text = f"{self._retry_reason} — retrying now…"
            self._stop_retry()
        self.status.update(inert(text))
        self.status.display = True

    def _stop_retry(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    def finish(self) -> None:
        """The stream is over: settle the body (a fence still open is re-parsed once),
        fold the reasoning, show how it ended. Nothing here waits, so all of it shows in
        one frame."""
        self._stop_streams()
        m = self.message
        self.streaming = False
        content = strip_controls(m.content)
        if self.body.source != content:
            self.body.update(content)
        if self.reasoning_block.parent is not None:
            reasoning = strip_controls(m.reasoning)
            if self._reasoning_markdown.source != reasoning:
                self._reasoning_markdown.update(reasoning)
            self.reasoning_block.auto_fold(not self.unfold)
        elif m.reasoning:  # held back in a tag until a cancel: never streamed
            self.reasoning_block = self._reasoning_fold(m.reasoning)
            self.mount(self.reasoning_block, before=self.body)
        self.tool_calls.update(self._tool_calls())
        self.tool_calls.set_class(not m.tool_calls, "hidden")
        self.refusal.update(inert(m.refusal))
        self.refusal.set_class(not m.refusal, "hidden")
        self._show_status()
        self.query_one(".reply-header", Static).update(self._header())

    def toggle_reasoning(self) -> None:
        if self.message.reasoning:
            self.reasoning_block.toggle()

    # --- pieces -----------------------------------------------------------------------

    def _halt_feeds(self) -> None:
        for feed in (self._body_feed, self._reasoning_feed):
            if feed is not None:
                feed.halt()

    def _stop_streams(self) -> None:
        for feed in (self._body_feed, self._reasoning_feed):
            if feed is not None:
                feed.stop()
        self._body_feed = self._reasoning_feed = None

    _alternatives: tuple[int, int] | None = None

    @property
    def alternatives(self) -> tuple[int, int] | None:
        """Which of its alternatives this reply is, and how many there are (None: it has
        none); shown in the header line, ``‹ 2/3 ›``."""
        return self._alternatives

    @alternatives.setter
    def alternatives(self, value: tuple[int, int] | None) -> None:
        if value != self._alternatives:
            self._alternatives = value
            if self.is_mounted:
                self.query_one(".reply-header", Static).update(self._header())

    def _header(self) -> Content:
        model = self.message.model or "assistant"
        header = inert(f"{model}{' …' if self.streaming else ''}")
        if self._alternatives is not None:
            header = Content.assemble(header, "  ", alternatives_marker(self._alternatives))
        return header

    def _tool_calls(self) -> Content:
        lines = [f"⚙ {call.name}({call.arguments})" for call in self.message.tool_calls]
        return inert("\n".join(lines))

    def _show_status(self) -> None:
        status = self._status()
        self.status.update(status)
        self.status.display = bool(status.plain)
        self.status.set_class(bool(self.message.error), "-error")

    def _status(self) -> Content:
        m = self.message
        if self.streaming:
            return Content("")
        parts = []
        note = finish_note(m)
        if note:
            parts.append(note)
        if m.error:
            parts.append(f"Error: {m.error}")
        parts.extend(self._warnings)
        if not is_sent(m):
            parts.append(NOT_SENT_NOTE)
        if self.show_usage and m.usage is not None and (m.usage.completion_tokens or m.content):
            parts.append(usage_line(m))
        return inert("\n".join(parts))
