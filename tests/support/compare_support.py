"""Saved comparisons at fixed times for the compare screen's Pilot and snapshot tests."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.model.compare import new_compare
from tui.model.conversation import Conversation, Message, Usage

ANSWERS = ["**11** is the first.", "13 — it is prime.", "I'd say 17.", "19"]


def finished_compare(models: list[str], answers: list[str] | None = None) -> Conversation:
    """One prompt and a finished reply per column: column 1 is the fastest and cheapest,
    the last column the longest."""
    when = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    c = new_compare(models, Conversation(id="20261102-100000-cccccc", created=when,
                                         updated=when, profile="cline"))
    c.add(Message(role="user", content="Name a prime above 10.", created=when))
    texts = answers or ANSWERS
    for column, model in enumerate(models):
        c.add(Message(role="assistant", created=when, model=model, column=column,
                      content=texts[column], finish_reason="stop",
                      usage=Usage(prompt_tokens=12, completion_tokens=6 + column,
                                  cost=0.0001 * (column + 1), ttft_ms=300 + 200 * column,
                                  duration_ms=900 + 300 * column)))
    return c


def numbered_lines(column: int, count: int = 80) -> str:
    """A reply of ``count`` short lines that say their column and number."""
    return "\n\n".join(f"c{column} line {n}" for n in range(count))
