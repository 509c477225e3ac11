"""The ``<think>`` splitter at the content level: each reply text, cut at every offset into
two content chunks and into one-character chunks, gives the same answer and reasoning as
the text whole, and both are what a reader expects (fixed, not computed)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.reply import Delta, ReplyBuilder

# (content as the server sends it, expected answer, expected reasoning)
CASES: list[tuple[str, str, str]] = [
    ("A plain answer.", "A plain answer.", ""),
    ("<think>Let me see.</think>The answer.", "The answer.", "Let me see."),
    ("<think>\nStep one.\n</think>\n\nDone.", "\n\nDone.", "\nStep one.\n"),
    ("  \n <think>whitespace first</think>answer", "answer", "whitespace first"),
    ("\n<think></think>empty thought", "empty thought", ""),
    # the opening tag was in the prompt: only the closing one arrives
    ("reasoning with no opening tag</think>the answer", "the answer",
     "reasoning with no opening tag"),
    ("</think>answer right away", "answer right away", ""),
    # tags and tag-like text near the end
    ("<think>never closed", "", "never closed"),
    ("<think>closing tag cut </thi", "", "closing tag cut </thi"),
    ("a < b, and <thin", "a < b, and <thin", ""),
    ("ends with </thin", "ends with </thin", ""),
    ("ends with a lone <", "ends with a lone <", ""),
    ("<th", "<th", ""),
    ("   ", "   ", ""),
    ("<think>r</think>", "", "r"),
    ("<think>a</think>b</think>c", "b</think>c", "a"),
    ("answer first <think>not a tag here</think> tail", " tail",
     "answer first <think>not a tag here"),
]


def build(pieces: list[str], reasoning_first: bool = False) -> tuple[str, str, str, str]:
    """Feed content pieces; return the message's answer and reasoning, and the same two
    rebuilt from the deltas alone as a view would."""
    builder = ReplyBuilder()
    deltas: list[Delta] = []
    for piece in pieces:
        chunk: dict[str, Any] = {"choices": [{"index": 0, "delta": {"content": piece}}]}
        deltas += builder.add_chunk(chunk)
    deltas += builder.finish()
    shown_answer, shown_reasoning = "", ""
    for delta in deltas:
        if delta.kind == "content":
            shown_answer += delta.text
        elif delta.kind == "reasoning":
            shown_reasoning += delta.text
        elif delta.kind == "reasoning_reset":
            shown_reasoning += shown_answer
            shown_answer = ""
    message = builder.message
    return message.content, message.reasoning, shown_answer, shown_reasoning


def splits(text: str) -> list[list[str]]:
    cuts = [[text[:i], text[i:]] for i in range(len(text) + 1)]
    return [*cuts, list(text)]


@pytest.mark.parametrize(("text", "answer", "reasoning"), CASES)
def test_the_text_whole(text: str, answer: str, reasoning: str) -> None:
    assert build([text]) == (answer, reasoning, answer, reasoning)


@pytest.mark.parametrize(("text", "answer", "reasoning"), CASES)
def test_the_text_cut_at_every_offset_and_char_by_char(
    text: str, answer: str, reasoning: str
) -> None:
    for pieces in splits(text):
        assert build(pieces) == (answer, reasoning, answer, reasoning), pieces


def test_reasoning_in_its_own_field_turns_off_the_orphan_closing_tag() -> None:
    builder = ReplyBuilder()
    builder.add_chunk({"choices": [{"index": 0, "delta": {"reasoning": "thought"}}]})
    for piece in ("literal </th", "ink> stays"):
        builder.add_chunk({"choices": [{"index": 0, "delta": {"content": piece}}]})
    builder.finish()
    assert builder.message.content == "literal </think> stays"
    assert builder.message.reasoning == "thought"


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="<think>/ a\n", max_size=40),
       cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=8))
def test_any_text_cut_anywhere_reads_as_the_text_whole(text: str, cuts: list[int]) -> None:
    """The splitter's shortcuts (a decided state, a piece with no "<") never change what
    it gives: cut anywhere, the text reads as it does whole."""
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert build([p for p in pieces if p]) == build([text])
