"""How a prompt and the app's own notices look in the transcript (a reply:
``reply_view.py``). Every piece of text is made inert (no markup, no control sequences)
before it reaches a widget.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui.model.conversation import Message
from tui.model.text import strip_controls
from tui.ui.render.inert import inert
from tui.ui.render.parts import next_cut
from tui.ui.widgets.marked import Marked


class UserMessage(Marked, Static):
    """The user's prompt, literally; a long pasted one is drawn a part at a time (the
    transcript puts a ``ShowMore`` line under it)."""

    DEFAULT_CSS = """
    UserMessage {
        background: $user-bubble;
        border-left: thick $user-border;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    """

    _alternatives: tuple[int, int] | None = None

    def __init__(self, message: Message) -> None:
        self._text = strip_controls(message.content)
        self._drawn = next_cut(self._text, 0)
        self.message = message
        super().__init__(self._content(), markup=False)

    @property
    def held(self) -> int:
        return len(self._text) - self._drawn

    @property
    def alternatives(self) -> tuple[int, int] | None:
        """Which of its alternatives this prompt is, and how many there are (None: it
        has none); shown as a first line ``‹ 2/3 ›``."""
        return self._alternatives

    @alternatives.setter
    def alternatives(self, value: tuple[int, int] | None) -> None:
        if value != self._alternatives:
            self._alternatives = value
            self._draw()

    def show_more(self) -> None:
        self._drawn = next_cut(self._text, self._drawn)
        self._draw()

    def _draw(self) -> None:
        self.update(self._content())

    def _content(self) -> Content:
        text = inert(self._text[: self._drawn])
        if self.message.left_out:
            text = Content.assemble(Content.styled(LEFT_OUT, "italic $text-warning"), "\n", text)
        if self._alternatives is not None:
            text = Content.assemble(
                Content.styled(alternatives_marker(self._alternatives), "dim"),
                "\n", text)
        return text

    def show_left_out(self) -> None:
        """The message's ``left_out`` changed: draw its note, or take it away."""
        self._draw()


LEFT_OUT = "left out: this turn is not sent (to fit the context window)"


def alternatives_marker(alternatives: tuple[int, int]) -> str:
    """``‹ 2/3 ›``: the second of three alternatives."""
    return f"‹ {alternatives[0]}/{alternatives[1]} ›"


class Notice(Static):
    """A line of the app's own (a welcome, a warning) in the transcript."""

    DEFAULT_CSS = """
    Notice {
        color: $text-muted;
        padding: 0 1;
        margin: 1 0 0 0;
        border-left: thick $warning;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(inert(text), markup=False)
