"""Deterministic Markdown replies for the benchmarks, and the SSE streams that carry them.

``long_reply()`` is a ~100 KB answer of the kind a model writes when asked for a design
document: headings, paragraphs with inline code, bold and links, nested and numbered
lists, block quotes, tables and fenced Python and JavaScript. ``short_reply(n)`` is a
few paragraphs and one code block, for the history a conversation is opened with.
Everything comes from a seeded ``random.Random``, so every run streams the same bytes.
"""

from __future__ import annotations

import json
import random
from typing import Any

_VOCABULARY = (
    "stream buffer parser token chunk widget layout render frame cursor viewport scroll "
    "latency throughput socket request response header payload schema cache index queue "
    "worker thread loop event message handler callback promise future coroutine task "
    "batch window offset range slice vector matrix tensor model prompt reply context "
    "budget limit retry backoff timeout session profile config setting default override "
    "module package import export function method class object instance property field "
    "record store file path folder archive snapshot version commit branch merge review "
    "test suite fixture benchmark baseline median variance sample signal metric trace "
    "span log level error warning notice status result value key table column row cell "
    "string number boolean array mapping list tuple set graph node edge tree leaf root"
)
WORDS = tuple(_VOCABULARY.split())

ACCENTS = ("—", "→", "é", "✓", "…", "≈")

TITLES = (
    "Reading the stream", "Parsing events", "Building the reply", "Rendering Markdown",
    "Keeping the cursor", "Saving the conversation", "Measuring latency", "Handling errors",
    "Retrying requests", "Caching the catalog", "Folding reasoning", "Counting tokens",
)


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def word(self) -> str:
        return self.rng.choice(WORDS)

    def ident(self) -> str:
        return "_".join(self.word() for _ in range(self.rng.randint(1, 3)))

    def camel(self) -> str:
        first, *rest = (self.word() for _ in range(self.rng.randint(1, 3)))
        return first + "".join(w.capitalize() for w in rest)

    def sentence(self) -> str:
        words = [self.word() for _ in range(self.rng.randint(8, 18))]
        for i in range(len(words)):
            roll = self.rng.random()
            if roll < 0.05:
                words[i] = f"`{self.ident()}()`"
            elif roll < 0.08:
                words[i] = f"**{words[i]}**"
            elif roll < 0.10:
                words[i] = f"*{words[i]}*"
            elif roll < 0.11:
                words[i] = f"[{words[i]}](https://example.com/docs/{self.ident()})"
            elif roll < 0.12:
                words[i] = f"{words[i]} {self.rng.choice(ACCENTS)}"
        words[0] = words[0].capitalize()
        return " ".join(words) + self.rng.choice((".", ".", ".", "?", ":", "!"))

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 6)))

    def bullets(self) -> str:
        lines = []
        for _ in range(self.rng.randint(4, 7)):
            lines.append(f"- {self.sentence()}")
            if self.rng.random() < 0.3:
                lines += [f"  - {self.sentence()}" for _ in range(self.rng.randint(1, 3))]
        return "\n".join(lines)

    def numbered(self) -> str:
        return "\n".join(f"{i}. {self.sentence()}" for i in range(1, self.rng.randint(4, 7)))

    def quote(self) -> str:
        return "\n".join(f"> {self.sentence()}" for _ in range(self.rng.randint(1, 3)))

    def table(self) -> str:
        head = ["Name", "Kind", "Median (ms)", "Notes"]
        rows = ["| " + " | ".join(head) + " |", "| --- | --- | ---: | --- |"]
        for _ in range(self.rng.randint(5, 8)):
            cells = [
                f"`{self.ident()}`",
                self.word(),
                f"{self.rng.uniform(0.1, 900):.1f}",
                " ".join(self.word() for _ in range(self.rng.randint(3, 7))),
            ]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def python(self) -> str:
        name = self.ident()
        args = ", ".join(self.ident() for _ in range(self.rng.randint(1, 3)))
        lines = [f"def {name}({args}):", f'    """{self.sentence()}"""']
        for _ in range(self.rng.randint(6, 22)):
            kind = self.rng.random()
            if kind < 0.4:
                lines.append(f"    {self.ident()} = {self.ident()}({self.ident()}, "
                             f"limit={self.rng.randint(1, 999)})")
            elif kind < 0.6:
                lines.append(f"    for {self.word()} in {self.ident()}:")
                lines.append(f"        yield {self.word()}.{self.ident()}()")
            elif kind < 0.8:
                lines.append(f"    if {self.ident()} is None:")
                lines.append(f'        raise ValueError("{self.word()} {self.word()}")')
            else:
                lines.append(f"    # {self.sentence()}")
        lines.append(f"    return {self.ident()}")
        return "```python\n" + "\n".join(lines) + "\n```"

    def javascript(self) -> str:
        name = self.camel()
        args = ", ".join(self.camel() for _ in range(self.rng.randint(1, 3)))
        lines = [f"export async function {name}({args}) {{"]
        for _ in range(self.rng.randint(6, 22)):
            kind = self.rng.random()
            if kind < 0.4:
                lines.append(f"  const {self.camel()} = await {self.camel()}({self.camel()});")
            elif kind < 0.6:
                lines.append(f"  for (const {self.word()} of {self.camel()}) {{")
                lines.append(f"    {self.camel()}.push({self.word()} * {self.rng.randint(2, 9)});")
                lines.append("  }")
            elif kind < 0.8:
                lines.append(f"  if (!{self.camel()}) throw new Error('{self.word()}');")
            else:
                lines.append(f"  // {self.sentence()}")
        lines += [f"  return {self.camel()};", "}"]
        return "```js\n" + "\n".join(lines) + "\n```"

    def code(self) -> str:
        return self.python() if self.rng.random() < 0.5 else self.javascript()

    def section(self, number: int) -> str:
        title = f"## {number}. {TITLES[number % len(TITLES)]}"
        blocks = [title, self.paragraph(), self.paragraph(), self.bullets(), self.code()]
        if self.rng.random() < 0.5:
            blocks += [f"### {self.sentence().rstrip('.?:!')}", self.paragraph()]
        if self.rng.random() < 0.4:
            blocks.append(self.numbered())
        if self.rng.random() < 0.3:
            blocks.append(self.quote())
        if number % 4 == 2:
            blocks += [self.paragraph(), self.table()]
        blocks += [self.paragraph(), self.code()]
        return "\n\n".join(blocks)


def long_reply(target_bytes: int = 100_000, seed: int = 20251125) -> str:
    """A Markdown reply of at least ``target_bytes`` UTF-8 bytes, ending on a whole
    section (no fence left open)."""
    writer = _Writer(seed)
    parts = ["# Streaming a long reply", writer.paragraph()]
    size = sum(len(p.encode()) + 2 for p in parts)
    number = 1
    while size < target_bytes:
        section = writer.section(number)
        parts.append(section)
        size += len(section.encode()) + 2
        number += 1
    parts.append("That is the whole design; ask if any part needs more detail.")
    return "\n\n".join(parts) + "\n"


def short_reply(index: int) -> str:
    """A few paragraphs and a code block: one earlier answer in a conversation."""
    writer = _Writer(1000 + index)
    blocks = [writer.paragraph(), writer.bullets(), writer.code(), writer.paragraph()]
    return "\n\n".join(blocks) + "\n"


def split_evenly(text: str, count: int) -> list[str]:
    """``text`` cut into exactly ``count`` non-empty pieces of near-equal length (in
    characters, so no UTF-8 sequence is split)."""
    if count > len(text):
        raise ValueError(f"cannot cut {len(text)} characters into {count} pieces")
    bounds = [len(text) * i // count for i in range(count + 1)]
    return [text[bounds[i] : bounds[i + 1]] for i in range(count)]


def sse_stream(pieces: list[str], model: str, usage: dict[str, Any]) -> bytes:
    """An OpenAI-style event stream: one content chunk per piece, a finish chunk with
    usage, then ``data: [DONE]``."""

    def event(chunk: dict[str, Any]) -> bytes:
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n"

    head = {"id": "gen-bench", "object": "chat.completion.chunk", "model": model}
    events = [
        event({**head, "choices": [{"index": 0, "delta": {"content": piece}}]})
        for piece in pieces
    ]
    events.append(
        event({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
               "usage": usage})
    )
    events.append(b"data: [DONE]\n\n")
    return b"".join(events)
