"""The conversation pane: every message in order, pinned to the bottom while a reply
streams unless the user has scrolled up.

A long conversation opens with only its last messages mounted: a thousand messages
would be thousands of widgets to style and lay out before the first frame. Earlier
messages are mounted a page at a time when the user scrolls to the top (or presses
Enter on the line that says how many are left)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import events
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.message import Message as TextualMessage
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from tui.model.conversation import Conversation, Message
from tui.ui.render.inert import inert
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.speed.kept_rows import KeptRows
from tui.ui.speed.uniform_rows import UniformRows
from tui.ui.widgets.attachment_view import attachment_views
from tui.ui.widgets.held_text import ShowMore
from tui.ui.widgets.message_views import Notice, UserMessage
from tui.ui.widgets.reply_view import ReplyView
from tui.ui.widgets.tool_views import ToolResultView

PAGE = 40  # messages mounted at a time
FIRST = 10  # of them, mounted before the first frame; the rest of the page just after


class EarlierMessages(Static, can_focus=True):
    """The top line of a long conversation: how many messages are not shown yet."""

    DEFAULT_CSS = """
    EarlierMessages { color: $text-muted; text-align: center; margin: 1 0 0 0; }
    EarlierMessages:focus { text-style: reverse; }
    """

    def on_click(self, event: events.Click) -> None:
        self.post_message(Transcript.ShowEarlier())

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            self.post_message(Transcript.ShowEarlier())


class Transcript(UniformRows, KeptRows, VerticalScroll):
    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        padding: 0 1 1 1;
        scrollbar-size-vertical: 1;
        /* The scrollbar's column is kept when there is nothing to scroll: a reply that
           grows past the pane does not re-wrap every line at a new width. */
        scrollbar-gutter: stable;
    }
    Transcript:focus {
        /* Nothing that moves the text (a border, padding): the place read is kept. */
        background-tint: $foreground 6%;
        scrollbar-color: $accent;
        scrollbar-background: $accent 30%;
    }
    """

    class ShowEarlier(TextualMessage):
        """Mount the next page of earlier messages."""

    _hidden: list[Message] = []  # always replaced, never changed in place
    _show_usage = True
    _marked: str | None = None  # the id of the message marked (the message cursor)
    _loading = False
    _shown_at = 0  # how many times ``show`` has run: a late fill of an earlier one is dropped
    _fill_left = 0  # how many more messages the page ``show`` began is to have
    _tree: Conversation | None = None  # what the "2/3" markers are read from (not compare)

    def __init__(
        self, *, reasoning_unfolded: Callable[[], bool] | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        # The settings screen's "show reasoning unfolded", asked as each reply is shown.
        self._reasoning_unfolded = reasoning_unfolded or (lambda: False)

    def show(
        self, conversation: Conversation, column: int | None = None, *, fill: bool = True
    ) -> AwaitMount:
        """Replace everything with a saved conversation (reasoning folded). For a
        compare column: every prompt and that column's replies. ``fill=False``: the
        caller starts mounting the rest of the page (``start_fill``) when it is ready."""
        self.remove_children()
        shown = [
            m for m in conversation.messages
            if m.role != "system" and (m.role != "assistant" or column in (None, m.column))
        ]
        self._show_usage = column is None
        # The last screenful first, so the screen (or a switched branch) is drawn at once;
        # the rest of the page in the frames after (``_fill``).
        first = _screenful(shown, self.app.size.width, self.app.size.height)
        self._hidden = shown[:-first]
        self._shown_at += 1
        self._fill_left = PAGE - first
        if fill:
            self.start_fill()
        views = [v for m in shown[len(self._hidden) :] for v in self._views(m, self._show_usage)]
        if self._hidden:
            views.insert(0, EarlierMessages(self._earlier_text(), markup=False))
        # A compare column's replies are not alternatives of each other.
        self._tree = conversation if column is None else None
        if self._tree is not None:
            _mark_alternatives(self._tree, views)
        mounted = self.mount_all(views)
        self.anchor()  # stays at the end while replies draw, until the user scrolls
        return mounted

    async def redraw(self, conversation: Conversation) -> None:
        """Show the conversation's current branch again (after a change to its tree),
        once the old views are gone. No frame is drawn in between: one half-removed or
        half-laid-out would only delay the frame that shows the branch."""
        with self.app.batch_update():
            await self.remove_children()
            await self.show(conversation, fill=False)
            self._apply_mark()
        # Not in the batch: a screen in a batch runs its after-refresh callbacks at once.
        self.start_fill()

    def start_fill(self) -> None:
        """After the next frame, mount the rest of the page ``show`` began."""
        if self._hidden:
            self.call_after_refresh(self._fill, self._shown_at, self._fill_left)

    def refresh_alternatives(self, conversation: Conversation) -> None:
        """Update every "2/3" marker (a reply was added beside others)."""
        _mark_alternatives(conversation, self.message_views())

    def refresh_left_out(self) -> None:
        """Update the "left out" note of every prompt (turns left out or put back)."""
        for view in self.message_views():
            if isinstance(view, UserMessage):
                view.show_left_out()

    def message_views(self) -> list[UserMessage | ReplyView]:
        """The prompts and replies mounted, top to bottom."""
        return [v for v in self.children if isinstance(v, UserMessage | ReplyView)]

    def view_of(self, message_id: str | None) -> UserMessage | ReplyView | None:
        for view in self.message_views():
            if view.message.id == message_id:
                return view
        return None

    def mark(self, message_id: str | None) -> None:
        """Mark one message (the cursor), scrolled into view; None: no mark."""
        self._marked = message_id
        self._apply_mark()
        if message_id is None:
            return
        view = self.view_of(message_id)
        if view is not None and self._placed(view) is not None:
            self._scroll_to_mark()  # laid out: in the same frame as the mark
        else:
            self.call_after_refresh(self._scroll_to_mark)  # once the views are laid out

    def _placed(self, view: Widget) -> Region | None:
        """Where a view sits in the transcript's content, its margin included (None: not
        laid out yet). Read from the transcript's own arrangement, which Textual keeps
        until a child changes, not from the screen's map (``virtual_region``): asking the
        map for a view off screen (the cursor's next stop, just above the pane) makes it
        place every widget of the screen again, ~8 ms, and the frame after that then
        repaints the whole screen instead of the transcript's lines."""
        region = self.scrollable_content_region
        if not region:
            return None
        for placement in self.arrange(region.size).placements:
            if placement.widget is view:
                return placement.region.grow(placement.margin) if placement.region else None
        return None

    def _scroll_to_mark(self) -> None:
        """Scroll the least that shows the marked message (its top, if it is taller than
        the pane)."""
        view = self.view_of(self._marked)
        if view is None or self.max_scroll_y == 0:
            return  # everything fits (a short chat sits at the bottom, anchored)
        region = self._placed(view)
        if region is None:
            return
        height = self.scrollable_content_region.height
        top = self.scroll_y
        if region.y < top or region.height > height:
            top = region.y
        elif region.bottom > top + height:
            top = region.bottom - height
        else:
            return  # in view already
        self.release_anchor()
        self.scroll_to(y=max(0, min(top, self.max_scroll_y)), animate=False, immediate=True)

    def _apply_mark(self) -> None:
        for view in self.message_views():
            view.set_marked(view.message.id == self._marked)

    @property
    def has_earlier(self) -> bool:
        return bool(self._hidden)

    def scroll_where(self, where: str) -> None:
        """PgUp, PgDn, Ctrl+Home, Ctrl+End from the prompt: "page_up", "page_down",
        "home" (the start) or "end"."""
        if where == "page_up":
            self.scroll_page_up()
        elif where == "page_down":
            self.scroll_page_down()
        elif where == "home":
            self.scroll_home()
        else:
            self.scroll_end()

    def _earlier_text(self) -> Content:
        count = len(self._hidden)
        return inert(f"▲ {count} earlier message{'s' if count != 1 else ''} · scroll up "
                     "or press Enter here to show more")

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Scrolled to the top by the user, not laid out there (max_scroll_y 0: the views
        # mounted so far all fit; the fill that follows ``show`` mounts more).
        if new <= 0 < old and self.max_scroll_y > 0 and self._hidden:
            self.post_message(self.ShowEarlier())

    async def on_transcript_show_earlier(self, message: ShowEarlier) -> None:
        message.stop()
        await self._show_earlier(PAGE)

    async def _fill(self, shown_at: int, left: int) -> None:
        """After the first frame of ``show``: the rest of the first page, ``FIRST``
        messages a frame, so a key pressed meanwhile waits for one step, not all."""
        if shown_at != self._shown_at:
            return  # shown anew since
        if any(view.rendering for view in self.query(MarkdownView)):
            # What is on screen is not drawn whole yet (text is rendered a frame's budget
            # at a time): views mounted above it now would take that budget first.
            self.call_after_refresh(self._fill, shown_at, left)
            return
        step = min(FIRST, left)
        await self._show_earlier(step)
        if left > step and self._hidden:
            self.call_after_refresh(self._fill, shown_at, left - step)

    async def _show_earlier(self, count: int) -> None:
        """Mount the ``count`` messages before those shown."""
        if self._loading or not self._hidden:
            return
        self._loading = True
        try:
            page, self._hidden = self._hidden[-count:], self._hidden[:-count]
            marker = self.query_one(EarlierMessages)
            height = self.virtual_size.height
            # Following the end (anchored, not scrolled away): the anchor keeps the end in
            # view. Asked of the anchor, as the scroll to the end may still be pending.
            at_end = (self.is_anchored and not self._anchor_released) or (
                self.scroll_y >= self.max_scroll_y)
            views = [v for m in page for v in self._views(m, self._show_usage)]
            if self._tree is not None:
                _mark_alternatives(self._tree, views)
            await self.mount_all(views, after=marker)
            self._apply_mark()
            if self._hidden:
                marker.update(self._earlier_text())
            else:
                await marker.remove()
            if not at_end:
                # Keep the messages the user was reading where they were on screen (at
                # the end, the anchor keeps the end in view by itself).
                self.call_after_refresh(self._keep_place, height)
        finally:
            self._loading = False

    def _keep_place(self, old_height: int) -> None:
        grown = self.virtual_size.height - old_height
        if grown > 0:
            self.scroll_to(y=self.scroll_y + grown, animate=False)

    async def add_user(self, message: Message) -> UserMessage:
        view = UserMessage(message)
        await self.mount_all(_with_the_rest(view))
        self.anchor()
        return view

    async def add_reply(self, message: Message, show_usage: bool = True) -> ReplyView:
        view = ReplyView(message, streaming=True, show_usage=show_usage,
                         unfold=self._reasoning_unfolded())
        await self.mount(view)
        self.anchor()
        return view

    async def add_notice(self, text: str) -> Notice:
        notice = Notice(text)
        await self.mount(notice)
        self.scroll_end(animate=False)
        return notice

    async def add_tool_call(self, call_id: str, name: str) -> ToolResultView:
        """A tool call starting (or answered without running: denied)."""
        view = ToolResultView(call_id, name)
        await self.mount(view)
        self.anchor()
        return view

    def tool_views(self) -> list[ToolResultView]:
        return list(self.query(ToolResultView))

    def replies(self) -> list[ReplyView]:
        return list(self.query(ReplyView))

    def _views(self, message: Message, show_usage: bool = True) -> list[Widget]:
        if message.role == "assistant":
            return [ReplyView(message, show_usage=show_usage, unfold=self._reasoning_unfolded())]
        if message.role == "tool":  # the message cursor skips these (message_views)
            return [ToolResultView.of(message)]
        return _with_the_rest(UserMessage(message))


def _screenful(messages: list[Message], width: int, height: int) -> int:
    """How many of the last ``messages`` fill a pane ``height`` lines high (at least
    one, at most ``FIRST``), by a cheap guess that errs on the side of too many: a
    line of text as one line per ``width`` characters, plus a header and a margin."""
    lines = count = 0
    for message in reversed(messages[-FIRST:]):
        count += 1
        text = message.content
        lines += 3 + text.count("\n") + len(text) // max(width, 20)
        if lines >= height:
            break
    return max(count, 1)


def _mark_alternatives(conversation: Conversation, views: Iterable[Widget]) -> None:
    """Give each prompt and reply with alternatives its "2/3" (None: it has none)."""
    alternatives: dict[str | None, list[str]] = {}
    for m in conversation.nodes:
        alternatives.setdefault(m.parent, []).append(m.id)
    ids = {m.id for m in conversation.nodes}
    for view in views:
        if isinstance(view, UserMessage | ReplyView):
            m = view.message
            same = alternatives.get(m.parent, []) if m.id in ids else []
            view.alternatives = (same.index(m.id) + 1, len(same)) if len(same) > 1 else None


def _with_the_rest(view: UserMessage) -> list[Widget]:
    """A prompt and, when it is long, the line under it that shows the rest."""
    return ([view, ShowMore(view)] if view.held else [view]) + attachment_views(view.message)
