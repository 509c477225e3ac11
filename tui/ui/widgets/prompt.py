"""The multi-line prompt: Enter sends, Shift+Enter or Ctrl+J inserts a newline, Up in an
empty prompt recalls the last one sent."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from tui.ui.speed import keystrokes


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
            placeholder="Message · Enter sends · Shift+Enter or Ctrl+J for a new line",
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
            if self.text.strip():
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key in ("shift+enter", "ctrl+j"):
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

    def remember(self, text: str) -> None:
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
