"""The shared formatters: each figure and note in the words every caller printed before."""

from __future__ import annotations

import pytest

from tui.format import (
    ReplyTotals,
    finish_note,
    finish_said,
    finish_tag,
    format_cost,
    format_price,
    reply_totals,
    tokens_per_second,
    total_cost,
    usage_line,
)
from tui.model.conversation import Conversation, Message, Usage
from tui.model.tree import add_after


def test_costs_read_the_same_everywhere() -> None:
    assert [format_cost(c) for c in (0, 0.00314, 1.5, None)] == ["$0", "$0.0031", "$1.50", "-"]
    assert format_cost(None, "–") == "–"


def test_prices_per_million_tokens() -> None:
    assert [format_price(p) for p in (None, 0, 3e-6, 1e-9)] == ["?", "free", "$3.00/M", "$0.0010/M"]


def test_total_cost_adds_the_replies_that_have_one() -> None:
    conversation = Conversation(model="m")
    assert total_cost(conversation) is None
    conversation.add(Message(role="user", content="hi"))
    conversation.add(Message(role="assistant", content="a", usage=Usage(cost=0.25)))
    conversation.add(Message(role="assistant", content="b", usage=Usage(prompt_tokens=3)))
    conversation.add(Message(role="assistant", content="c", usage=Usage(cost=0.5)))
    assert total_cost(conversation) == 0.75


def test_the_whole_tree_costs_more_than_the_branch_shown() -> None:
    """The conversations list shows what a conversation cost (every branch); the sidebar
    counts the branch shown apart."""
    conversation = Conversation(model="m")
    prompt = conversation.add(Message(role="user", content="hi"))
    conversation.add(Message(role="assistant", content="a",
                             usage=Usage(cost=0.25, prompt_tokens=2, completion_tokens=3)))
    add_after(conversation, prompt, Message(role="assistant", content="b", usage=Usage(
        cost=0.5, prompt_tokens=20, completion_tokens=30, extra={"counted": True})))
    assert total_cost(conversation) == 0.75
    assert reply_totals(conversation.messages) == ReplyTotals(
        turns=1, prompt=20, completion=30, counted=True, cost=0.5)
    assert reply_totals(conversation.nodes) == ReplyTotals(
        turns=2, prompt=22, completion=33, counted=True, cost=0.75)


def test_usage_line() -> None:
    reply = Message(role="assistant", model="m", usage=Usage(
        prompt_tokens=8888, cached_tokens=8885, completion_tokens=31, cost=0.0031,
        ttft_ms=410, duration_ms=1210))
    assert usage_line(reply) == (
        "m · 8,888 in (8,885 cached) · 31 out · $0.0031 · 0.41 s to first token · 1.2 s"
        " · 39 tok/s")
    assert usage_line(reply, with_model=False).startswith("8,888 in")


def test_no_rate_for_a_reply_that_came_whole() -> None:
    # Not streamed: the first token and the end are the same moment (44 tokens in 1 ms
    # read "44000 tok/s").
    whole = Usage(completion_tokens=44, ttft_ms=1210, duration_ms=1211)
    assert tokens_per_second(whole) is None
    assert "tok/s" not in usage_line(Message(role="assistant", model="m", usage=whole))
    assert tokens_per_second(Usage(completion_tokens=44, duration_ms=1211)) is None


@pytest.mark.parametrize(("reason", "content", "note", "said", "tag"), [
    ("stop", "a", None, None, None),
    (None, "a", None, None, None),
    ("length", "a", "Cut off: the model reached its maximum output length.",
     "the reply was cut off: the model reached its maximum output length", "finish: length"),
    ("content_filter", "", "Stopped by the provider's content filter.",
     "the reply was stopped by the provider's content filter", "finish: content_filter"),
    ("cancelled", "a", "Cancelled: the partial reply is kept.", None, "finish: cancelled"),
    ("cancelled", "", "Cancelled.", None, "finish: cancelled"),
    ("error", "", None, None, "finish: error"),
    ("interrupted", "a", None, None, None),
])
def test_why_a_reply_ended_in_each_place_s_words(
    reason: str | None, content: str, note: str | None, said: str | None, tag: str | None
) -> None:
    reply = Message(role="assistant", content=content, finish_reason=reason)
    assert (finish_note(reply), finish_said(reason), finish_tag(reason)) == (note, said, tag)


def test_every_failure_kind_has_an_exit_code() -> None:
    from typing import get_args

    from tui.api.errors import FailureKind
    from tui.cli.output import FAILURE_EXIT

    assert set(FAILURE_EXIT) == set(get_args(FailureKind))


@pytest.mark.parametrize(("given", "expected"), [
    (0, 0.0), (2, 2.0), (0.7, 0.7), (True, "True is not a number"), ("1", "'1' is not a number"),
    (2.5, "2.5 is not a number from 0 to 2"), (float("nan"), "nan is not a number from 0 to 2"),
])
def test_a_temperature_is_a_finite_number_from_0_to_2(given: object, expected: object) -> None:
    from tui.model.temperature import check_temperature

    assert check_temperature(given) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("0.3", 0.3), (" 1 ", 1.0), ("hot", "'hot' is not a number"), ("", "'' is not a number"),
    ("7", "'7' is not a number from 0 to 2"), ("inf", "'inf' is not a number from 0 to 2"),
])
def test_a_typed_temperature(typed: str, expected: object) -> None:
    from tui.model.temperature import read_temperature

    assert read_temperature(typed) == expected
