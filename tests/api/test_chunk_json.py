"""The chunks' JSON decoder takes and gives exactly what ``json.loads`` does, with what
the fast decoder refuses handed to ``json.loads``."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.api import chunk_json


def same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN, and of the same types all the way down."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize("text", [
    '{"usage": {"prompt_tokens": NaN, "completion_tokens": Infinity, "cost": -Infinity}}',
    '{"choices": [{"delta": {"content": "\\ud83d"}}]}',  # half a pair: kept as it is
    '{"choices": [{"delta": {"content": "\\ude00 then more"}}]}',
    '{"choices": [{"delta": {"content": "\\ud83d\\ude00"}}]}',
    '{"n": 1e400, "m": -1e400}',
    '{"big": 123456789012345678901234567890, "neg": -99999999999999999999}',
    '{"a": 1, "a": 2}',
    '{"nul": "x\\u0000y", "slash": "\\/", "f": 1.0, "z": -0, "e": 2.5e-3}',
    ' {"spaced": true} \n',
])
def test_what_json_loads_takes_is_taken_alike(text: str) -> None:
    assert same(chunk_json.loads(text), json.loads(text))
    assert same(chunk_json.loads(text.encode()), json.loads(text))


@pytest.mark.parametrize("text", ["", "data", '{"a": 1', '{"a": 1} x', "{'a': 1}", "[1,]",
                                  '{"a": nan}'])
def test_what_json_loads_refuses_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        chunk_json.loads(text)


def test_nesting_too_deep_raises_what_json_loads_raises() -> None:
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(RecursionError):
        chunk_json.loads(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values, st.booleans())
def test_any_json_text_decodes_as_json_loads_decodes_it(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)  # NaN, Infinity and surrogates too
    assert same(chunk_json.loads(text), json.loads(text))
