"""What a typed search becomes: a safe FTS5 query, and the snippet shown under a hit with
its matches marked."""

from __future__ import annotations

import re

# Snippet markers: control characters, which are stripped from all indexed text.
MARK_ON, MARK_OFF = "\x02", "\x03"

_WORD = re.compile(r"\w+")


def fts_query(text: str, *, reasoning: bool = False) -> str:
    """A safe FTS5 query for what a person typed: every word must occur (the last as a
    prefix, for search as you type); words joined by punctuation form a phrase. Nothing
    typed can be FTS5 syntax."""
    phrases = []
    for chunk in text.split():
        words = _WORD.findall(chunk)
        if words:
            phrases.append('"' + " ".join(words) + '"')
    if not phrases:
        return ""
    phrases[-1] += "*"
    columns = "{title content reasoning}" if reasoning else "{title content}"
    return f"{columns} : ({' AND '.join(phrases)})"


def snippet_pattern(text: str) -> re.Pattern[str] | None:
    """The words of a query as FTS5 matches them: whole words, the last as a prefix."""
    words = [re.escape(w) for chunk in text.split() for w in _WORD.findall(chunk)]
    if not words:
        return None
    alternatives = [rf"\b{w}\b" for w in words[:-1]] + [rf"\b{words[-1]}\w*"]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def make_snippet(texts: tuple[str, ...] | tuple[()], pattern: re.Pattern[str] | None,
                 width: int = 100) -> str:
    """About ``width`` characters around the first match in ``texts`` (content first,
    then reasoning, then the title), each match between MARK_ON and MARK_OFF."""
    ordered = [*texts[1:], *texts[:1]]
    found = None
    for text in ordered:
        found = pattern.search(text) if pattern else None
        if found:
            break
    if found is None:
        text = next((t for t in ordered if t), "")
        start = 0
    else:
        text = found.string
        start = max(0, found.start() - width // 3)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= start - 15 else start
    end = min(len(text), start + width)
    window = text[start:end]
    if pattern is not None:
        window = pattern.sub(lambda m: f"{MARK_ON}{m.group()}{MARK_OFF}", window)
    return ("…" if start else "") + window + ("…" if end < len(text) else "")


def split_snippet(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as ``(text, is_match)`` pieces, for showing the matches highlighted."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MARK_ON}{MARK_OFF}]", snippet)):
        if part:
            pieces.append((re.sub(r"\s+", " ", part), i % 2 == 1))
    return pieces
