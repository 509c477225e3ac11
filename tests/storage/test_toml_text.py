"""The conversation file's TOML writer: the same text tomli_w writes, faster.

``dumps`` escapes strings itself and hands tomli_w placeholders for the long ones; the
file must read back to the same data, and, short of the long texts it writes as literal
blocks, be the very text tomli_w would have written (the same layout: a table of its
own or one on a line)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from typing import Any

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from tomli_w._writer import format_string

from tui.storage.toml_text import LONG_TEXT, SHORT, basic_string, dumps

# Every character class a basic string treats differently: controls (tab, line feed and
# the ones with short escapes among them), quote, backslash, DEL, non-ASCII.
CHARACTERS = st.characters(codec="utf-8") | st.sampled_from(
    ["\t", "\n", "\r", "\b", "\f", "\x00", "\x1b", "\x7f", '"', "\\", "'", "é", "😀"])
TEXTS = st.text(CHARACTERS, max_size=SHORT * 2)
# Around the length from which a string goes through a placeholder.
NEAR_SHORT = st.integers(SHORT - 4, SHORT + 4).flatmap(
    lambda n: st.text(CHARACTERS, min_size=n, max_size=n))
KEYS = st.text(st.sampled_from("abc_-1 .é"), min_size=1, max_size=6)
SCALARS = (TEXTS | NEAR_SHORT | st.integers(-(2**63), 2**63 - 1) | st.booleans()
           | st.just(datetime(2026, 12, 3, 15, 4, 5, tzinfo=UTC)))


def tables(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    values: st.SearchStrategy[Any] = SCALARS | st.lists(SCALARS, max_size=3)
    if depth:
        inner = tables(depth - 1)
        values = values | inner | st.lists(inner, min_size=1, max_size=3)
    return st.dictionaries(KEYS, values, max_size=4)


@given(TEXTS | NEAR_SHORT)
def test_a_basic_string_is_what_tomli_w_writes(text: str) -> None:
    assert basic_string(text) == format_string(text, allow_multiline=False)


@settings(max_examples=300)
@given(tables())
def test_the_text_is_tomli_ws_and_reads_back(data: dict[str, Any]) -> None:
    written = dumps(data)
    assert written == tomli_w.dumps(data).encode()
    assert tomllib.loads(written.decode()) == data


def test_long_texts_are_literal_blocks_and_read_back() -> None:
    long = "line one\nline \"two\" with \\ and é\n" * (LONG_TEXT // 20)
    not_literal = "a control \x1b character\n" * (LONG_TEXT // 10)  # escaped instead
    data = {"messages": [{"id": "a", "content": long}, {"id": "b", "content": not_literal}],
            "title": "x" * SHORT}
    written = dumps(data).decode()
    assert "'''\n" + long + "'''" in written
    assert basic_string(not_literal) in written
    assert "[[messages]]" in written  # tables of their own, as for the texts themselves
    assert tomllib.loads(written) == data


def test_a_placeholder_like_text_is_kept_as_written() -> None:
    data = {"a": "@@0123456789abcdef-0@@" + "~" * SHORT, "b": "y" * SHORT}
    assert tomllib.loads(dumps(data).decode()) == data
