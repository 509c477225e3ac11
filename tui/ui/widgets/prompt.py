"""The multi-line prompt: Enter sends; Ctrl+J (every terminal), a backslash then Enter
(every terminal) or Shift+Enter (where the terminal reports it) inserts a newline; Up in
an empty prompt recalls the last one sent.

Plain tmux and many terminals send Shift+Enter, Ctrl+Enter and Alt+Enter as Enter (Alt+Enter
arrives as Esc, CR, which Textual 8.2.8 reads as "enter"): the app cannot tell them apart."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from tui.ui.speed import keystrokes

PLACEHOLDER = "Message · Enter sends · Ctrl+J or \\ Enter: new line"
NEWLINE_KEYS = ("ctrl+j", "shift+enter")
# The keys the prompt handles itself (not bindings, so not remappable), for the help screen.
KEYS = [
    ("enter", "Send the prompt"),
    ("^j, \\ enter", "New line (in every terminal)"),
    ("shift+enter", "New line, if the terminal reports it (not tmux)"),
    ("↑ (empty prompt)", "Recall the last prompt sent"),
]


class PromptArea(TextArea):
    class Submitted(Message):
        def __init__(self, prompt: PromptArea, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    DEFAULT_CSS = """
    PromptArea {
        height: auto;
        min-height: 3;
        max-height: 12;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=PLACEHOLDER,
        )
        self.sent: list[str] = []

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.cursor_blink = False  # tests and snapshots see a steady cursor

    async def _on_key(self, event: events.Key) -> None:
        keystrokes.note()  # a reply streaming meanwhile lets this keystroke be drawn first
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self._backslash_newline():
                return
            if self.text.strip():
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if event.key == "up" and not self.text and self.sent:
            event.stop()
            event.prevent_default()
            self.load_text(self.sent[-1])
            self.move_cursor(self.document.end)
            return

    def _backslash_newline(self) -> bool:
        """A backslash just before the cursor, then Enter: the backslash becomes a new line
        (the way shells continue a line; works where Shift+Enter does not)."""
        if not self.selection.is_empty:
            return False
        row, column = self.cursor_location
        if column == 0 or self.document.get_line(row)[column - 1] != "\\":
            return False
        self.replace("\n", (row, column - 1), (row, column), maintain_selection_offset=False)
        return True

    def remember(self, text: str) -> None:
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
