"""Writing TOML text: every string made storable (no lone surrogates), long texts as
multi-line literal strings, which ``tomllib`` reads with one search instead of a
character-by-character loop (a 10 MB reply: 0.1 s instead of 1+ s).

``tomli_w`` lays the document out; the strings are written here. Its writer escapes a
string a character at a time in Python (a 1,000-message conversation: 30 ms of a 41 ms
save); ``basic_string`` does the same with a few ``str.replace`` calls, and gives the
same text. A string of ``SHORT`` characters or more goes through ``tomli_w`` as a
placeholder of that length, so that ``tomli_w`` chooses the same layout (a table, or
one that fits on a line) as it would for the string itself, then the placeholder is
swapped for the string.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import tomli_w

from tui.model.text import storable

LONG_TEXT = 1024  # shorter strings stay ordinary one-line TOML strings
SHORT = 98  # shorter strings are escaped by tomli_w (with quotes: under its 100-column line)
QUOTES = "'" * 3  # a multi-line literal string's delimiter
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a basic string escapes besides backslash, quote and line feed: the other control
# characters but tab. Three have short escapes; the rest are written as \\u00XX.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_ESCAPES = {chr(code): f"\\u{code:04x}" for code in [*range(0x09), *range(0x0b, 0x20), 0x7f]}
_ESCAPES.update({"\b": "\\b", "\f": "\\f", "\r": "\\r"})


def dumps(data: dict[str, Any]) -> bytes:
    """``data`` as UTF-8 TOML; every string storable, long ones as literal blocks."""
    written: dict[str, str] = {}  # placeholder -> the string as TOML
    nonce = secrets.token_hex(8)

    def prepare(value: Any) -> Any:
        if isinstance(value, str):
            value = storable_text(value)
            if len(value) < SHORT:
                return value
            if len(value) >= LONG_TEXT and _literal_ok(value):
                # The newline after the opening quotes is not part of the value (TOML 1.0).
                shown = QUOTES + "\n" + value + QUOTES
            else:
                shown = basic_string(value)
            placeholder = f"@@{nonce}-{len(written)}@@".ljust(SHORT, "~")
            written[placeholder] = shown
            return placeholder
        if isinstance(value, dict):
            return {storable_text(k): prepare(v) for k, v in value.items()}
        if isinstance(value, list):
            return [prepare(v) for v in value]
        return value

    text = tomli_w.dumps(prepare(data))
    if written:  # one pass over the text
        text = re.sub(f'"(@@{nonce}-[0-9]+@@~*)"', lambda found: written[found.group(1)], text)
    return text.encode("utf-8")


def basic_string(text: str) -> str:
    """``text`` as a one-line TOML basic string, exactly as ``tomli_w`` writes it."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub(lambda found: _ESCAPES[found.group()], text)
    return f'"{text}"'


def _literal_ok(text: str) -> bool:
    return (QUOTES not in text and not text.endswith("'")
            and _CONTROL.search(text) is None)


def storable_text(text: str) -> str:
    """``storable(text)``, without a copy of text that is already storable."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return storable(text)
