"""A tool call's result in the transcript, under the reply that made the call.

One ``ToolResultView`` per ``tool`` message: a line naming the tool with how it went
(running and for how long, done in 0.3 s, error, denied), and the result folded in a
Collapsible (text as it is, errors in the error colour, images and resources as the
one-line summary the model was sent). While the call runs, the line counts the seconds.
Everything from the server or the model is inert.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Collapsible, Static

from tui.model.conversation import Message
from tui.model.text import one_line
from tui.tools.results import DENIED
from tui.ui.render.inert import inert

SHOWN_LIMIT = 20_000  # characters of a result drawn in the fold (the model got its own cut)


class ToolResultView(Vertical):
    """A tool call's progress, then its result. ``call_id`` ties it to the call."""

    DEFAULT_CSS = """
    ToolResultView {
        height: auto;
        margin: 0 0 0 2;
        padding: 0 1;
        border-left: thick $tool-call;
    }
    ToolResultView .tool-line { color: $tool-call; }
    ToolResultView.-error .tool-line { color: $error; }
    ToolResultView Collapsible {
        margin: 0;
        padding: 0;
        border: none;
        background: transparent;
    }
    ToolResultView Collapsible > Contents { padding: 0 0 0 2; }
    ToolResultView.-error .tool-result { color: $error; }
    """

    def __init__(self, call_id: str, name: str, message: Message | None = None) -> None:
        super().__init__(classes="-error" if message is not None and message.tool_error else "")
        self.call_id = call_id
        self.tool_name = name
        self.message = message  # None while the call runs
        self._started = time.monotonic()
        self._timer: Timer | None = None
        self.line = Static(self._line(), classes="tool-line", markup=False)
        self.result = Static(inert(self._result_text()), classes="tool-result", markup=False)
        self.fold = Collapsible(self.result, title="Result", collapsed=True)
        self.fold.display = message is not None

    @classmethod
    def of(cls, message: Message) -> ToolResultView:
        """A saved ``tool`` message."""
        return cls(message.tool_call_id or "", message.tool_name or "tool", message)

    def compose(self) -> ComposeResult:
        yield self.line
        yield self.fold

    def on_mount(self) -> None:
        if self.message is None:
            self._timer = self.set_interval(1.0, self._tick)

    @property
    def running(self) -> bool:
        return self.message is None

    def finish(self, message: Message) -> None:
        """The call ended (or was denied, or cancelled): show its result, folded."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.message = message
        self.set_class(bool(message.tool_error), "-error")
        self.line.update(self._line())
        self.result.update(inert(self._result_text()))
        self.fold.display = True

    def _tick(self) -> None:
        self.line.update(self._line())

    def _line(self) -> Content:
        name = one_line(self.tool_name, 80)
        m = self.message
        if m is None:
            seconds = int(time.monotonic() - self._started)
            return inert(f"⚙ {name}: running, {seconds} s (Esc cancels)")
        if m.content == DENIED:
            how = "denied"
        else:
            how = "error" if m.tool_error else "done"
            if m.duration_ms is not None:
                how += f" in {m.duration_ms / 1000:.1f} s"
        return inert(f"↳ {name}: {how}")

    def _result_text(self) -> str:
        if self.message is None:
            return ""
        text = self.message.content or "(nothing)"
        if len(text) > SHOWN_LIMIT:
            text = text[:SHOWN_LIMIT] + f"\n… ({len(text) - SHOWN_LIMIT:,} more characters)"
        return text
