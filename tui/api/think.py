"""Reasoning written inline as ``<think>…</think>`` at the start of the content.

Some servers (llama.cpp with ``--reasoning-format none``, vLLM without a reasoning
parser, many local models) put the model's thinking in the content itself. The tags
can be split across chunks, and some chat templates put the opening tag in the prompt,
so only the closing tag arrives. ``ThinkSplitter`` holds back just enough text to
decide, and never more than a tag's length once it has decided.
"""

from __future__ import annotations

OPEN = "<think>"
CLOSE = "</think>"

Piece = tuple[str, str]  # ("content" | "reasoning" | "reset", text)


def _partial_tag_at_end(text: str, tag: str) -> int:
    """How many characters at the end of ``text`` could be the start of ``tag``."""
    if tag[0] not in text[1 - len(tag):]:
        return 0  # nearly every chunk: no "<" near its end
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkSplitter:
    def __init__(self) -> None:
        self.state = "start"  # start → thinking → after, or start → answer → after
        # A closing tag with no opening one means the content so far was reasoning.
        # Turned off when reasoning arrives in its own field.
        self.allow_orphan_close = True
        self._held = ""

    def feed(self, text: str) -> list[Piece]:
        state = self.state
        if state == "after" or (state == "answer" and (not self.allow_orphan_close or (
                not self._held and "<" not in text))):
            # Decided, or no tag can start in this text: nothing is held back.
            return [("content", text)] if text else []
        if self._held:
            text = self._held + text
            self._held = ""
        pieces: list[Piece] = []
        while text:
            if self.state == "start":
                stripped = text.lstrip()
                if stripped.startswith(OPEN):
                    self.state = "thinking"
                    text = stripped[len(OPEN) :]
                    continue
                if OPEN.startswith(stripped):  # whitespace or a partial tag: wait
                    self._held = text
                    return pieces
                self.state = "answer"
            elif self.state == "thinking":
                end = text.find(CLOSE)
                if end == -1:
                    keep = _partial_tag_at_end(text, CLOSE)
                    self._emit(pieces, "reasoning", text[: len(text) - keep])
                    self._held = text[len(text) - keep :]
                    return pieces
                self._emit(pieces, "reasoning", text[:end])
                self.state = "after"
                text = text[end + len(CLOSE) :]
            elif self.state == "answer" and self.allow_orphan_close:
                end = text.find(CLOSE)
                if end == -1:
                    keep = _partial_tag_at_end(text, CLOSE)
                    self._emit(pieces, "content", text[: len(text) - keep])
                    self._held = text[len(text) - keep :]
                    return pieces
                self._emit(pieces, "content", text[:end])
                pieces.append(("reset", ""))
                self.state = "after"
                text = text[end + len(CLOSE) :]
            else:
                self._emit(pieces, "content", text)
                return pieces
        return pieces

    def flush(self) -> list[Piece]:
        """The content has ended: whatever was held back is what it looked like."""
        held, self._held = self._held, ""
        if not held:
            return []
        kind = "reasoning" if self.state == "thinking" else "content"
        return [(kind, held)]

    @staticmethod
    def _emit(pieces: list[Piece], kind: str, text: str) -> None:
        if text:
            pieces.append((kind, text))
