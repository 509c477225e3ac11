"""One column of a compare: its model, its own transcript, and a live usage line that
shows the speed difference while the replies stream."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.format import usage_line
from tui.model.conversation import Message
from tui.ui.render.inert import inert
from tui.ui.speed.uniform_rows import UniformRows
from tui.ui.widgets.transcript import Transcript

TOOLS_NOT_RUN = "tools are not run in a comparison"


class LiveReply(Protocol):
    """What the live usage line reads of a streaming reply (a ``ChatStream`` has it)."""

    @property
    def started_at(self) -> float: ...
    @property
    def first_output_at(self) -> float | None: ...
    @property
    def reply(self) -> Message: ...


class CompareColumn(UniformRows, Vertical):
    DEFAULT_CSS = """
    CompareColumn {
        width: 1fr;
        height: 1fr;
        border-right: vkey $foreground 15%;
    }
    CompareColumn.-active .column-header { background: $column-focus; }
    CompareColumn .column-header {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-style: bold;
    }
    CompareColumn .column-usage {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    CompareColumn Transcript { padding: 0 1; }
    """

    def __init__(
        self, index: int, model: str, reasoning_unfolded: Callable[[], bool] | None = None
    ) -> None:
        super().__init__(id=f"column-{index}")
        self.index = index
        self.model = model
        self.stream: LiveReply | None = None
        self.header = Static(classes="column-header", markup=False)
        self.usage = Static(classes="column-usage", markup=False)
        self.transcript = Transcript(reasoning_unfolded=reasoning_unfolded)
        self.transcript.can_focus = True

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.transcript
        yield self.usage

    def on_mount(self) -> None:
        self.show_model(self.model)

    def show_model(self, model: str) -> None:
        self.model = model
        self.header.update(inert(f"{self.index + 1}  {model}"))

    def show_live(self) -> None:
        """Time to first token and an estimate of speed, while the reply streams."""
        stream = self.stream
        if stream is None or not stream.started_at:
            return
        now = time.monotonic()
        parts = [f"{now - stream.started_at:.1f} s"]
        if stream.first_output_at is None:
            parts.append("waiting for the first token…")
        else:
            parts.append(f"first token {stream.first_output_at - stream.started_at:.2f} s")
            reply = stream.reply
            chars = len(reply.content) + len(reply.reasoning)
            streaming = now - stream.first_output_at
            if streaming > 0.2:
                parts.append(f"~{chars / 4 / streaming:.0f} tok/s")
        self.usage.update(inert(" · ".join(parts)))

    def show_done(self) -> None:
        if self.stream is not None:
            self.show_usage_of(self.stream.reply)
        self.stream = None

    def show_usage_of(self, reply: Message) -> None:
        line = usage_line(reply, with_model=False)
        if reply.tool_calls:  # shown in the reply (⚙ name(arguments)), never run here
            line += f"\n{TOOLS_NOT_RUN}"
        self.usage.update(inert(line))
