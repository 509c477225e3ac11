"""The list of saved conversations: a line-API widget that draws only the rows on screen,
so 10,000 entries cost nothing to show or to move through."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.format import format_cost, format_when
from tui.model.text import strip_controls
from tui.storage.history_index import Entry
from tui.storage.history_query import split_snippet


class ConversationList(ScrollView, can_focus=True):
    """Each row is two lines (title and date; models, messages, cost), three when the
    entries are search hits (plus the snippet, matches highlighted)."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="history.list.up"),
        Binding("down", "move(1)", "Down", show=False, id="history.list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="history.list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="history.list.pagedown"),
        Binding("home", "move_to(0)", "First", show=False, id="history.list.first"),
        Binding("end", "move_to(-1)", "Last", show=False, id="history.list.last"),
        Binding("enter", "choose", "Open", show=False, id="history.list.open"),
    ]
    COMPONENT_CLASSES = {
        "conversation-list--cursor",
        "conversation-list--meta",
        "conversation-list--match",
        "conversation-list--problem",
    }
    DEFAULT_CSS = """
    ConversationList {
        overflow-x: hidden;
        background: $surface;
        & > .conversation-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .conversation-list--cursor { background: $block-cursor-background;
                                               color: $block-cursor-foreground; }
        & > .conversation-list--meta { color: $text-muted; }
        & > .conversation-list--match { background: $warning 40%; text-style: bold; }
        & > .conversation-list--problem { color: $text-error; }
    }
    """

    class Highlighted(Message):
        def __init__(self, entry: Entry | None) -> None:
            super().__init__()
            self.entry = entry

    class Chosen(Message):
        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Entry] = []
        self.cursor = 0
        self.row_height = 2

    @property
    def current(self) -> Entry | None:
        return self.entries[self.cursor] if self.entries else None

    def set_entries(self, entries: list[Entry], keep: str | None = None) -> None:
        """Show ``entries``; the cursor stays on the conversation ``keep`` if listed."""
        before = self.current
        self.entries = entries
        self.row_height = 3 if any(e.snippet for e in entries) else 2
        ids = [e.id for e in entries]
        self.cursor = ids.index(keep) if keep in ids else 0
        self._resize()
        self.scroll_to(y=0, animate=False) if self.cursor == 0 else self._show_cursor()
        self.refresh()
        if self.current != before:
            self.post_message(self.Highlighted(self.current))

    def _resize(self) -> None:
        width = self.scrollable_content_region.width
        self.virtual_size = Size(width, len(self.entries) * self.row_height)

    def on_resize(self, event: events.Resize) -> None:
        self._resize()

    # --- moving -----------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        rows = max(1, self.scrollable_content_region.height // self.row_height - 1)
        self.move_to(self.cursor + direction * rows)

    def action_move_to(self, index: int) -> None:
        self.move_to(index if index >= 0 else len(self.entries) - 1)

    def move_to(self, index: int) -> None:
        if not self.entries:
            return
        index = max(0, min(index, len(self.entries) - 1))
        if index == self.cursor:
            return
        self.cursor = index
        self._show_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def _show_cursor(self) -> None:
        width = self.scrollable_content_region.width
        region = Region(0, self.cursor * self.row_height, width, self.row_height)
        self.scroll_to_region(region, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + int(self.scroll_offset.y)) // self.row_height
        if 0 <= index < len(self.entries):
            if index == self.cursor or event.chain > 1:
                self.move_to(index)
                self.action_choose()
            else:
                self.move_to(index)

    # --- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index, line = divmod(int(self.scroll_offset.y) + y, self.row_height)
        if index >= len(self.entries):
            return Strip.blank(width, self.rich_style)
        style = self.get_visual_style(
            *(("conversation-list--cursor",) if index == self.cursor else ())
        )
        content = self._row_line(self.entries[index], line, width)
        segments = content.render_segments(style)
        return Strip(segments).adjust_cell_length(width, style.rich_style)

    def _row_line(self, e: Entry, line: int, width: int) -> Content:
        meta = self.get_visual_style("conversation-list--meta", partial=True)
        if line == 0:
            when = format_when(e.updated)
            if e.readable:
                badge = "⇆ " if e.kind == "compare" else ""
                title = " " + badge + (_clean(e.title) or "(untitled)")
                head = Content.styled(title, "bold")
            else:
                head = Content(f" ⚠ {e.id}.toml (unreadable)")
            room = max(1, width - len(when) - 2)
            head = head.truncate(room, ellipsis=True, pad=True)
            return head + Content(" ").append(Content(when).stylize(meta)) + " "
        if line == 1:
            if not e.readable:
                problem = self.get_visual_style("conversation-list--problem", partial=True)
                return _fit(Content("   " + _clean(e.error or "")).stylize(problem), width)
            models = ", ".join(e.models) or "no model"
            if e.kind == "compare":
                models = "compare: " + models
            noun = "message" if e.messages == 1 else "messages"
            text = f"{models} · {e.messages} {noun} · {format_cost(e.cost)}"
            return _fit(Content("   " + _clean(text)).stylize(meta), width)
        match = self.get_visual_style("conversation-list--match", partial=True)
        pieces = [Content("   ")]
        for text, is_match in split_snippet(e.snippet):
            piece = Content(strip_controls(text))
            pieces.append(piece.stylize(match) if is_match else piece.stylize(meta))
        return _fit(Content("").join(pieces), width)


def _clean(text: str) -> str:
    return " ".join(strip_controls(text).split())


def _fit(content: Content, width: int) -> Content:
    return content.truncate(max(1, width - 1), ellipsis=True)

