"""The plain content chunk's fast path (``tui.api.plain_chunk``, typed msgspec structs)
gives exactly what the generic path (``json.loads`` and ``ReplyBuilder.add_chunk``)
gives: the same deltas chunk by chunk, the same reply, for chunks of every shape."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.api import chunk_json
from tui.api.reply import Delta, ReplyBuilder

MISSING = object()  # a key left out

# Text as a server may send it, lone UTF-16 surrogates included (written as \\udXXX
# escapes by json.dumps): halves of a pair split across chunks, or broken ones.
TEXT = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["\ud83d", "\ude00", "\ud83d\ude00", "a\ud83d", "\ude00b", "<think>",
                     "</think>", "<thi", "nk>", "</", "think>", " ", "é", "\x00"]),
)
ODD = st.one_of(st.none(), st.integers(-2, 2), st.booleans(), st.floats(allow_nan=True),
                st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                     st.integers(), max_size=2),
                TEXT)
CONTENT = st.one_of(TEXT, TEXT, TEXT, st.just(MISSING), st.none(), ODD)
INDEX = st.sampled_from([MISSING, 0, 0, 0, None, 1, 2, -1, 0.0, True, False, "0", ""])
FINISH = st.sampled_from([MISSING, MISSING, MISSING, None, "stop", "length", "error", "",
                          "tool_calls", 3])


@st.composite
def deltas(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 20)) == 0:
        return draw(ODD)
    delta: dict[str, Any] = {}
    content = draw(CONTENT)
    if content is not MISSING:
        delta["content"] = content
    if draw(st.booleans()):
        delta["role"] = draw(st.one_of(st.just("assistant"), ODD))
    extra = draw(st.sampled_from([None] * 6 + ["reasoning", "reasoning_content", "refusal",
                                               "tool_calls", "reasoning_details", "x"]))
    if extra == "tool_calls":
        delta[extra] = [{"index": 0, "id": "call_1", "function": {"name": "f",
                                                                  "arguments": draw(TEXT)}}]
    elif extra == "reasoning_details":
        delta[extra] = [{"type": "reasoning.text", "text": draw(TEXT)}]
    elif extra is not None:
        delta[extra] = draw(st.one_of(TEXT, ODD))
    return delta


@st.composite
def choices(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 20)) == 0:
        return draw(ODD)
    choice: dict[str, Any] = {}
    index = draw(INDEX)
    if index is not MISSING:
        choice["index"] = index
    choice["delta"] = draw(deltas())
    finish = draw(FINISH)
    if finish is not MISSING:
        choice["finish_reason"] = finish
    for key in ("logprobs", "native_finish_reason"):
        if draw(st.integers(0, 5)) == 0:
            choice[key] = draw(ODD)
    if draw(st.integers(0, 15)) == 0:
        choice[draw(st.sampled_from(["error", "message", "x"]))] = draw(st.one_of(TEXT, ODD))
    return choice


@st.composite
def chunks(draw: st.DrawFn) -> str:
    """One event's data: a chunk written as JSON, mostly plain content, sometimes any
    other shape, sometimes not JSON or not an object."""
    kind = draw(st.integers(0, 30))
    if kind == 0:
        return draw(st.sampled_from(["[1]", "5", "null", '"x"', "{", "not json", "{}",
                                     '{"choices": [{"delta": {"content": "x"}}]} junk']))
    chunk: dict[str, Any] = {}
    for key, value in (("id", "gen-1"), ("object", "chat.completion.chunk"),
                       ("created", 1764000000), ("model", "vendor/model")):
        if draw(st.integers(0, 3)):
            chunk[key] = value if draw(st.integers(0, 6)) else draw(ODD)
    if draw(st.booleans()):  # half are plain (or nearly): the fast path's own case
        choice = {"index": draw(st.sampled_from([0, 0, 0, None, 1])),
                  "delta": {"content": draw(TEXT)}}
        if draw(st.booleans()):
            choice["delta"]["role"] = draw(st.one_of(st.just("assistant"), ODD))
        for key in ("finish_reason", "logprobs", "native_finish_reason", "error", "x"):
            if draw(st.integers(0, 3)) == 0:
                choice[key] = draw(st.one_of(st.none(), ODD))
        for key in ("reasoning", "refusal", "x"):
            if draw(st.integers(0, 5)) == 0:
                choice["delta"][key] = draw(st.one_of(TEXT, ODD))
        chunk["choices"] = [choice]
    else:
        chunk["choices"] = draw(st.one_of(st.lists(choices(), min_size=1, max_size=1),
                                          st.lists(choices(), max_size=3), ODD)
                                if draw(st.integers(0, 4)) == 0
                                else st.lists(choices(), min_size=1, max_size=1))
    for key in ("usage", "system_fingerprint", "provider", "service_tier", "error", "x"):
        if draw(st.integers(0, 6)) == 0:
            chunk[key] = draw(st.sampled_from([{"prompt_tokens": 3, "completion_tokens": 4},
                                               None]) if draw(st.booleans())
                              else st.one_of(TEXT, ODD))
    items = list(chunk.items())
    if draw(st.integers(0, 10)) == 0:  # a key written twice: the last one counts
        items.insert(0, ("choices", [{"delta": {"content": "first"}}]))
    order = draw(st.permutations(items))
    ascii_only = draw(st.booleans())
    text = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=ascii_only)}"
                           for k, v in order) + "}"
    if not ascii_only and not _storable(text):
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # as SSE does
    return draw(st.sampled_from(["", " ", "\t"])) + text


def _storable(text: str) -> bool:
    return not any("\ud800" <= c <= "\udfff" for c in text)


def generic(builder: ReplyBuilder, data: str) -> list[Delta] | None:
    """The rule: the standard library's JSON, then the dict path."""
    try:
        chunk = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return builder.add_chunk(chunk) if isinstance(chunk, dict) else None


def same_message(a: ReplyBuilder, b: ReplyBuilder) -> None:
    one, other = a.message, b.message
    assert one.content == other.content
    assert one.reasoning == other.reasoning
    assert one.refusal == other.refusal
    assert one.model == other.model
    assert one.finish_reason == other.finish_reason
    assert one.error == other.error
    assert one.tool_calls == other.tool_calls
    assert one.reasoning_details == other.reasoning_details
    assert _usage(one.usage) == _usage(other.usage)
    assert a.text_chunks == b.text_chunks
    assert a.has_output == b.has_output


def _usage(usage: Any) -> Any:
    if usage is None:
        return None
    return {k: v for k, v in vars(usage).items()
            if not (isinstance(v, float) and math.isnan(v))}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(chunks(), min_size=1, max_size=8))
@example(['{"choices": [{"index": 0, "delta": {"content": "a\\ud83d"}}]}',
          '{"choices": [{"index": 0, "delta": {"content": "\\ude00b"}}]}'])
@example(['{"choices": [{"index": 0, "delta": {"content": "a"}}]}',
          '{"choices": [{"index": 1, "delta": {"content": "b"}}]}',
          '{"choices": [{"delta": {"content": "c"}, "finish_reason": "stop"}]}'])
@example(['{"choices": [{"index": 0, "delta": {"content": "a"}}]}',
          '{"choices": [{"delta": {"content": "b"}}], "usage": {"prompt_tokens": 3}}'])
@example(['{"choices": [{"index": 0, "delta": {"content": "a"}}]}',
          '{"model": "m", "choices": [{"index": 0, "delta": {"content": "b"}}]}'])
def test_the_fast_path_gives_what_the_generic_path_gives(datas: list[str]) -> None:
    fast, rule = ReplyBuilder(model=None), ReplyBuilder(model=None)
    for data in datas:
        assert fast.add_data(data) == generic(rule, data), data
    assert fast.finish() == rule.finish()
    same_message(fast, rule)


def merged(deltas: list[Delta]) -> list[tuple[str, str, int]]:
    """Deltas with each run of content (or of reasoning) joined, as the stream hands
    them on for a read."""
    out: list[tuple[str, str, int]] = []
    for d in deltas:
        if out and d.kind == out[-1][0] and d.kind in ("content", "reasoning"):
            out[-1] = (d.kind, out[-1][1] + d.text, d.index)
        else:
            out.append((d.kind, d.text, d.index))
    return out


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(chunks(), max_size=8), min_size=1, max_size=4))
@example([['{"choices": [{"index": 0, "delta": {"content": "x"}}]}',
           '{"choices": [{"index": 0, "delta": {"content": "<thi"}}]}',
           '{"choices": [{"index": 0, "delta": {"content": "nk>a</thi"}}]}',
           '{"choices": [{"index": 0, "delta": {"content": "nk>b"}}]}']])
@example([['{"choices": [{"index": 0, "delta": {"content": "a</th"}}]}',
           '{"choices": [{"index": 0, "delta": {"content": "ink>b"}}]}', "not json", ""]])
@example([['{"choices": [{"index": 0, "delta": {"content": "a"}}]}'],
          ['{"choices": [{"index": 0, "delta": {"content": "b"}}]}',
           '{"model": "m", "choices": [{"index": 0, "delta": {"content": "c"}}]}']])
def test_a_run_of_chunks_gives_what_they_give_one_by_one(reads: list[list[str]]) -> None:
    """``add_events`` (a read's events at once, plain pieces joined) against the
    generic path chunk by chunk, compared read by read as the stream joins them."""
    fast, rule = ReplyBuilder(model=None), ReplyBuilder(model=None)
    for datas in reads:
        deltas, unreadable = fast.add_events(datas)
        expected: list[Delta] = []
        skipped = 0
        for data in datas:
            found = generic(rule, data)
            expected += found or []
            skipped += found is None and data != ""
        assert merged(deltas) == merged(expected), datas
        assert unreadable == skipped
    assert merged(fast.finish()) == merged(rule.finish())
    same_message(fast, rule)


def test_a_plain_content_chunk_takes_the_typed_path() -> None:
    data = ('{"id": "gen-1", "object": "chat.completion.chunk", "created": 1, '
            '"model": "m", "system_fingerprint": null, "provider": "p", "service_tier": '
            '"auto", "usage": null, "choices": [{"index": 0, "delta": {"role": "assistant", '
            '"content": "hi"}, "finish_reason": null, "logprobs": null, '
            '"native_finish_reason": null}]}')
    plain = chunk_json.plain(data)
    assert plain is not None
    assert plain.choices[0].delta.content == "hi"
    assert plain.model == "m"


def test_anything_else_is_refused_by_the_typed_path() -> None:
    refused = [
        '{"choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": "stop"}]}',
        '{"choices": [{"index": 1, "delta": {"content": "x"}}]}',
        '{"choices": [{"delta": {"content": "x"}}, {"delta": {"content": "y"}}]}',
        '{"choices": []}',
        '{"choices": [{"delta": {"content": null}}]}',
        '{"choices": [{"delta": {"content": "x", "reasoning": "r"}}]}',
        '{"choices": [{"delta": {"content": "x"}}], "usage": {"prompt_tokens": 1}}',
        '{"choices": [{"delta": {"content": "x"}}], "error": "boom"}',
        '{"choices": [{"delta": {"content": "\\ud83d"}}]}',  # msgspec refuses a lone half
        '{"choices": [{"delta": {"content": "x"}}], "created": NaN}',
        '{"choices": [{"delta": {"content": "x"}, "index": true}]}',
        '{"choices": [{"delta": {"content": 5}}]}',
        '{"choices": [{"delta": {"content": "x"}}], "model": 7}',
        "[]",
        "not json",
    ]
    for data in refused:
        assert chunk_json.plain(data) is None, data


def test_a_surrogate_pair_split_across_plain_chunks_is_joined() -> None:
    builder = ReplyBuilder()
    builder.add_data('{"choices": [{"index": 0, "delta": {"content": "a"}}]}')
    first = builder.add_data('{"choices": [{"index": 0, "delta": {"content": "b\\ud83d"}}]}')
    second = builder.add_data('{"choices": [{"index": 0, "delta": {"content": "\\ude00c"}}]}')
    builder.finish()
    assert [d.text for d in first or []] == ["b"]
    assert [d.text for d in second or []] == ["\U0001f600c"]
    assert builder.message.content == "ab\U0001f600c"
