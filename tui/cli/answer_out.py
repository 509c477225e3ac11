"""What ``ask`` prints while a reply streams: the answer on stdout, nothing else.

Some chat templates put the opening ``<think>`` in the prompt, so the model's thinking
arrives as plain content until a lone ``</think>`` says it was reasoning all along. A
pipe (``answer=$(cline-tui ask …)``) must get the answer only, so while the content may
still turn out to be reasoning it is held back, and printed once that is settled or the
stream ends. A terminal gets the text as it comes, and a note on stderr if it was
reasoning after all.

Settled means a ``reasoning`` or ``reasoning_reset`` delta has been seen: neither can
be followed by a reset (see ``Delta``). The builder's state cannot tell this: it is
already past the whole chunk while its deltas are still being handed out one by one.
"""

from __future__ import annotations

from typing import Protocol

from tui.api.reply import Delta
from tui.model.text import strip_controls

RESET_NOTE = (
    "cline-tui: the text above was the model's reasoning, not its answer; the answer follows.\n"
)


class TextOut(Protocol):
    """What the printer writes to: a text stream, or ``ask``'s quiet wrapper of stdout."""

    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...


class AnswerPrinter:
    def __init__(
        self, out: TextOut, err: TextOut, *, answer: bool = True, reasoning: bool = False
    ) -> None:
        self._out = out
        self._err = err
        self._answer = answer  # print the answer (not when ``--json`` prints it whole)
        self._reasoning = reasoning  # reasoning to stderr (``--reasoning``)
        self._terminal = out.isatty()  # a terminal gets no control sequences; a pipe, the bytes
        self._settled = False  # no reasoning_reset can come any more
        self._held: list[str] = []  # answer text that may still turn out to be reasoning
        self._printed_any = False
        self._ends_with_newline = True
        self._reasoning_open = False  # reasoning on stderr without its last newline

    def add(self, delta: Delta) -> None:
        if delta.kind in ("content", "refusal"):
            if self._answer:
                self._held.append(delta.text)
        elif delta.kind == "reasoning":
            self._settled = True
            self._write_reasoning(delta.text)
        elif delta.kind == "reasoning_reset":
            self._settled = True
            self._reset()
        if self._held and (self._settled or self._terminal):
            self._release()

    def close(self) -> None:
        """The stream has ended: what was held back is the answer; end the lines."""
        self._release()
        if self._reasoning_open:
            self._err.write("\n")
            self._err.flush()
        if self._printed_any and not self._ends_with_newline:
            self._out.write("\n")
        self._out.flush()

    def _release(self) -> None:
        text = "".join(self._held)
        self._held.clear()
        if self._terminal:
            text = strip_controls(text)
        if not text:
            return
        self._out.write(text)
        self._out.flush()
        self._printed_any = True
        self._ends_with_newline = text.endswith("\n")

    def _reset(self) -> None:
        """The content so far was reasoning (a ``</think>`` with no opening tag)."""
        if not self._terminal:  # none of it reached stdout: it was held back
            self._write_reasoning("".join(self._held))
            self._held.clear()
        elif self._printed_any:
            if not self._ends_with_newline:
                self._out.write("\n")
                self._ends_with_newline = True
            self._out.flush()
            self._err.write(RESET_NOTE)
            self._err.flush()

    def _write_reasoning(self, text: str) -> None:
        if not self._reasoning or not text:
            return
        self._err.write(strip_controls(text))
        self._err.flush()
        self._reasoning_open = not text.endswith("\n")
