"""Long saved messages are drawn a part at a time.

Drawing a message costs time in proportion to its length (a 10 MB reply took 48 s to
open, and 50 MB never finished). A saved message longer than ``2 × PART`` characters
opens with its first ``PART`` drawn and a line under it saying how much is left; Enter
or a click on that line draws the next part. The whole text is never copied: the view
keeps it and how far it has drawn. Replies that stream are never held back.
"""

from __future__ import annotations

from typing import Protocol

from textual import events
from textual.widget import Widget
from textual.widgets import Static

from tui.ui.render.inert import inert
from tui.ui.render.parts import PART


class HeldText(Protocol):
    """A view that draws its text a part at a time."""

    @property
    def held(self) -> int:
        """Characters not drawn yet."""
        ...

    def show_more(self) -> None:
        """Draw the next part."""
        ...


class ShowMore(Static, can_focus=True):
    """The line under a long message: how much of it is not drawn yet."""

    DEFAULT_CSS = """
    ShowMore { color: $text-muted; margin: 1 0 0 0; }
    ShowMore:focus { text-style: reverse; }
    """

    def __init__(self, view: HeldText) -> None:
        super().__init__(markup=False)
        self.view = view

    def on_mount(self) -> None:
        self.refresh_label()

    def refresh_label(self) -> None:
        held = self.view.held
        self.display = held > 0
        if held:
            more = "the rest" if held <= 2 * PART else f"{PART:,} more"
            self.update(inert(f"▼ {held:,} characters not shown · Enter or click: show {more}"))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self._show_more()

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            self._show_more()

    def _show_more(self) -> None:
        # The reader goes on from where the part ended: a transcript that follows the
        # end of the conversation would jump to the end of the new part instead.
        for ancestor in self.ancestors:
            if isinstance(ancestor, Widget) and ancestor.is_anchored:
                ancestor.release_anchor()
        self.view.show_more()
        self.refresh_label()
