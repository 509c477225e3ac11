"""The multi-line prompt: Enter sends; Ctrl+J (every terminal), a backslash then Enter
(every terminal) or Shift+Enter (where the terminal reports it) inserts a newline.

Plain tmux and many terminals send Shift+Enter, Ctrl+Enter and Alt+Enter as Enter (Alt+Enter
arrives as Esc, CR, which Textual 8.2.8 reads as "enter"): the app cannot tell them apart.

Up on the prompt's first line goes back through earlier prompts, shell-like: this chat's
(and the ones sent here), then older conversations' (``older``, loaded by the screen).
Down on the last line comes forward again, and past the newest back to the draft that was
being typed, which is never lost. A recalled prompt that is edited keeps its edit while
browsing; sending, or clearing the box, ends the browsing.

While the screen shows ``@path`` completions (``completing``), Up, Down, Tab, Enter and Esc
go to them (``CompletionKey``). A paste that looks like paths of files goes up as
``PathsPasted`` instead of into the text: the screen attaches them or puts it back
(``paste_text``)."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from tui.chat.paths import may_name_files
from tui.model.text import strip_controls
from tui.ui.speed import heap, keystrokes

PLACEHOLDER = "Message · Enter sends · Ctrl+J or \\ Enter: new line"
NEWLINE_KEYS = ("ctrl+j", "shift+enter")
COMPLETION_KEYS = ("up", "down", "tab", "enter", "escape")
# The keys the prompt handles itself (not bindings, so not remappable), for the help screen.
KEYS = [
    ("enter", "Send the prompt"),
    ("^j, \\ enter", "New line (in every terminal)"),
    ("shift+enter", "New line, if the terminal reports it (not tmux)"),
    ("↑ (first line)", "Earlier prompts (this chat's, then older)"),
    ("↓ (last line)", "Later prompts, then the text being typed"),
]


class PromptArea(TextArea):
    class Submitted(Message):
        def __init__(self, prompt: PromptArea, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    class CompletionKey(Message):
        """A key for the ``@path`` completions shown over the prompt."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class PathsPasted(Message):
        """A pasted text that may name files (not inserted)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    completing = False  # the screen shows completions: their keys go to it
    can_send_empty = False  # files are attached: Enter sends with no text too

    DEFAULT_CSS = """
    PromptArea {
        height: auto;
        min-height: 3;
        max-height: 12;
    }
    """

    def __init__(self, *, id: str | None = None, takes_files: bool = False) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=PLACEHOLDER,
        )
        self.sent: list[str] = []  # this chat's prompts and the ones sent here, oldest first
        self.older: list[str] = []  # earlier conversations' prompts, newest first
        self._at = -1  # the recalled prompt shown (0: the newest); -1: the draft
        self._draft = ""
        self._edits: dict[int, str] = {}  # recalled prompts edited while browsing
        self.takes_files = takes_files  # pasted paths go up as PathsPasted (the chat's)

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.cursor_blink = False  # tests and snapshots see a steady cursor

    async def _on_key(self, event: events.Key) -> None:
        keystrokes.note()  # a reply streaming meanwhile lets this keystroke be drawn first
        heap.key_pressed()  # and no full garbage collection falls on its frame
        if self.completing and event.key in COMPLETION_KEYS:
            event.stop()
            event.prevent_default()
            self.post_message(self.CompletionKey(event.key))
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self._backslash_newline():
                return
            if self.text.strip() or self.can_send_empty:
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if event.key == "up" and self.navigator.is_first_wrapped_line(self.cursor_location):
            if self._recall(self._at + 1):
                event.stop()
                event.prevent_default()
            return
        if (event.key == "down" and self._at >= 0
                and self.navigator.is_last_wrapped_line(self.cursor_location)):
            event.stop()
            event.prevent_default()
            self._recall(self._at - 1)
            return

    async def _on_paste(self, event: events.Paste) -> None:
        # Otherwise TextArea's own handler (next in the MRO) inserts the text.
        if self.takes_files and may_name_files(event.text) and not self.read_only:
            event.stop()
            event.prevent_default()
            self.post_message(self.PathsPasted(event.text))

    def paste_text(self, text: str) -> None:
        """``text`` in place of the selection, as a paste would put it."""
        result = self.replace(text, *self.selection, maintain_selection_offset=False)
        self.move_cursor(result.end_location)

    def recallable(self) -> list[str]:
        """Every prompt Up reaches, newest first, each once."""
        seen: set[str] = set()
        unique = []
        for text in [*reversed(self.sent), *self.older]:
            text = strip_controls(text)  # from saved files, which anyone may have edited
            if text.strip() and text not in seen:
                seen.add(text)
                unique.append(text)
        return unique

    def _recall(self, at: int) -> bool:
        """Show recalled prompt ``at`` (-1: the draft); False if there is none."""
        prompts = self.recallable()
        if at >= len(prompts) or at < -1:
            return False
        if self._at == -1:
            self._draft = self.text
        elif self.text != prompts[self._at]:
            self._edits[self._at] = self.text
        else:
            self._edits.pop(self._at, None)
        previous, self._at = self._at, at
        text = self._draft if at == -1 else self._edits.get(at, prompts[at])
        self.load_text(text)
        self.move_cursor(self.document.end)
        if at > previous and not self.navigator.is_first_wrapped_line(self.cursor_location):
            # Going back through a prompt of several lines: the cursor goes to its first
            # line, so the next Up goes on back (Down, at the end, goes on forward).
            self.move_cursor((0, 0))
        return True

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

    def take_sent(self, text: str) -> None:
        """``text`` was sent from the box: take it out, keeping whatever was typed after
        it meanwhile (keys pressed right after Enter reach the box before the screen
        handles the send). A box that no longer starts with it is left alone."""
        current = self.text
        if not current.startswith(text):
            return
        rest = current[len(text):]
        self.clear()
        if rest:
            self.insert(rest)

    def remember(self, text: str) -> None:
        """``text`` was sent: it is the newest prompt, and the browsing ends."""
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self.forget_browsing()

    def set_history(self, prompts: list[str]) -> None:
        """This chat's prompts (oldest first); those of the chat shown before stay
        reachable, ahead of the older conversations'."""
        earlier = [p for p in reversed(self.sent) if p not in prompts]
        self.older = earlier + self.older
        self.sent = list(prompts)
        self.forget_browsing()

    def add_older(self, prompts: list[str]) -> None:
        """Earlier conversations' prompts (newest first), after the ones known."""
        self.older = self.older + prompts

    def forget_browsing(self) -> None:
        self._at = -1
        self._draft = ""
        self._edits.clear()
