"""What a typed search becomes: a safe FTS5 query (and the SQL pieces around it), and the
snippet shown under a hit with its matches marked."""

from __future__ import annotations

import re

# Snippet markers: control characters, which are stripped from all indexed text.
MARK_ON, MARK_OFF = "\x02", "\x03"

_WORD = re.compile(r"\w+")
# Scripts written without spaces between words (Han, kana, Hangul syllables): FTS5's
# unicode61 tokenizer takes a whole run of them as one token, so a word inside a
# sentence (テキスト in 日本語のテキストを検索) is no token of its own. Such words are
# looked for as substrings instead (``cjk_words``).
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  "\uac00-\ud7af\uff66-\uff9f\U00020000-\U0002fa1f]")


def cjk_words(text: str) -> list[str]:
    """The words of a query that hold CJK characters: each must occur as a substring."""
    return [w for w in _WORD.findall(text) if _CJK.search(w)]


def fts_query(text: str, *, reasoning: bool = False) -> str:
    """A safe FTS5 query for what a person typed: every word must occur (the last as a
    prefix, for search as you type); words joined by punctuation form a phrase. Words
    with CJK characters are left out (``cjk_words`` matches them). Nothing typed can be
    FTS5 syntax."""
    phrases = []
    for chunk in text.split():
        words = [w for w in _WORD.findall(chunk) if not _CJK.search(w)]
        if words:
            phrases.append('"' + " ".join(words) + '"')
    if not phrases:
        return ""
    phrases[-1] += "*"
    columns = "{title content reasoning}" if reasoning else "{title content}"
    return f"{columns} : ({' AND '.join(phrases)})"


def snippet_pattern(text: str) -> re.Pattern[str] | None:
    """The words of a query as FTS5 matches them: whole words, the last as a prefix."""
    found = [w for chunk in text.split() for w in _WORD.findall(chunk)]
    if not found:
        return None
    words = [re.escape(w) for w in found]
    alternatives = [w if _CJK.search(raw) else rf"\b{w}\b"
                    for w, raw in zip(words[:-1], found[:-1], strict=True)]
    alternatives.append(words[-1] if _CJK.search(found[-1]) else rf"\b{words[-1]}\w*")
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


def like_pattern(word: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) matching ``word`` anywhere in a text."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def limit_clause(limit: int | None) -> str:
    return f" LIMIT {int(limit)}" if limit is not None and limit >= 0 else ""
