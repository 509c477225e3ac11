"""Comparing models on the same prompt: the pure parts.

A compare conversation is one file (``kind = "compare"``): the user's prompts once,
and every column's replies tagged with their ``column``. Each column has its own
history; any column can be carried on alone as a normal chat.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace

from tui.model.conversation import Conversation, Message, Origin, chain

MIN_COLUMNS, MAX_COLUMNS = 2, 4


def parse_models(value: str) -> list[str]:
    """``A,B[,C,D]`` from the command line. Raises ValueError with a plain message."""
    models = [m.strip() for m in value.split(",") if m.strip()]
    if not MIN_COLUMNS <= len(models) <= MAX_COLUMNS:
        raise ValueError(f"--compare takes 2 to 4 models separated by commas, got {len(models)}")
    return models


def new_compare(models: list[str], base: Conversation) -> Conversation:
    """A compare conversation with the settings (system prompt, temperature, profile) of
    ``base``."""
    return replace(
        base, kind="compare", models=list(models), model=models[0], nodes=[], current=None,
        title="", origin=None, extra={}, problems=[],
    )


def last_turn(conversation: Conversation) -> list[Message]:
    """The replies after the last prompt, in column order."""
    replies: list[Message] = []
    for message in reversed(conversation.messages):
        if message.role == "user":
            break
        if message.role == "assistant" and message.column is not None:
            replies.append(message)
    return sorted(replies, key=lambda m: m.column or 0)


@dataclass(frozen=True)
class Fact:
    """One thing a column won in a turn: ``first token 0.30 s``."""

    column: int  # from 0
    text: str


@dataclass(frozen=True)
class TurnSummary:
    fastest_first_token: Message | None
    fastest_overall: Message | None
    cheapest: Message | None
    longest: Message | None

    def facts(self, preferred: int | None = None) -> list[Fact]:
        """What each column won, in column order (a column's facts together), and
        which column's reply is preferred. Columns are named by number only: their
        headers and tabs name the models."""
        found: list[Fact] = []
        first = self.fastest_first_token
        if first and first.usage and first.usage.ttft_ms is not None:
            found.append(Fact(first.column or 0, f"first token {first.usage.ttft_ms / 1000:.2f} s"))
        done = self.fastest_overall
        if done and done.usage and done.usage.duration_ms is not None:
            seconds = done.usage.duration_ms / 1000
            found.append(Fact(done.column or 0, f"done first {seconds:.1f} s"))
        cheap = self.cheapest
        if cheap and cheap.usage and cheap.usage.cost is not None:
            found.append(Fact(cheap.column or 0, f"cheapest ${cheap.usage.cost:.4f}"))
        if self.longest:
            found.append(Fact(self.longest.column or 0,
                              f"longest {_length(self.longest):,} tokens"))
        if preferred is not None:
            found.append(Fact(preferred, "preferred"))
        return sorted(found, key=lambda fact: fact.column)  # stable: the order above stays


def summary_rows(facts: list[Fact], width: int, max_rows: int = 2) -> list[str]:
    """The facts as at most ``max_rows`` rows of at most ``width`` cells, each column
    named once: ``col 1: first token 0.30 s, cheapest $0.0001 · col 2: longest 40
    tokens``. Rows break between words only (never inside ``col 1:``, ``0.30 s`` or
    before a ``·``); what does not fit ends the last row with ``…``."""
    width = max(width, 8)
    text = ""
    last_column: int | None = None
    for fact in facts:
        words = fact.text.replace(" s", NBSP + "s").replace(" tokens", NBSP + "tokens")
        if fact.column != last_column:
            text += (NBSP + "· " if text else "") + f"col{NBSP}{fact.column + 1}: {words}"
        else:
            text += ", " + words
        last_column = fact.column
    rows = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    if len(rows) > max_rows:
        rows = [*rows[: max_rows - 1], _ended(rows[max_rows - 1], width)]
    return [_cut(row.replace(NBSP, " "), width) for row in rows]


NBSP = "\u00a0"  # joins words that must stay on one row (textwrap breaks at spaces only)


def _cut(text: str, width: int) -> str:
    """``text`` in ``width`` cells: cut after a whole word, with ``…``."""
    if len(text) <= width:
        return text
    head = text[: width - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def _ended(row: str, width: int) -> str:
    """The last row when facts follow that do not fit: ``…`` at its end."""
    while (len(row) + 2 > width or row.rsplit(" ", 1)[-1].startswith("col" + NBSP)) \
            and " " in row:
        row = row.rsplit(" ", 1)[0]  # ``col 2:`` with none of its facts goes too
    return row.rstrip(",·:" + NBSP + " ") + " …"


def _length(message: Message) -> int:
    """Completion tokens if reported, else an estimate from the text (4 chars a token)."""
    if message.usage and message.usage.completion_tokens is not None:
        return message.usage.completion_tokens
    return (len(message.content) + 3) // 4


def summarize(replies: list[Message]) -> TurnSummary:
    """Which reply of a turn was fastest to first token, done first, cheapest, longest.
    Failed or cancelled replies take part in none of it."""
    ok = [m for m in replies if m.finish_reason not in ("error", "cancelled") and not m.error]

    def best(key: Callable[[Message], float | int | None], values: list[Message]) -> Message | None:
        scored = [(score, m) for m in values if (score := key(m)) is not None]
        return min(scored, key=lambda pair: pair[0])[1] if scored else None

    return TurnSummary(
        fastest_first_token=best(lambda m: m.usage.ttft_ms if m.usage else None, ok),
        fastest_overall=best(lambda m: m.usage.duration_ms if m.usage else None, ok),
        cheapest=best(lambda m: m.usage.cost if m.usage else None, ok),
        longest=max(ok, key=_length) if ok else None,
    )


def column_as_chat(conversation: Conversation, column: int, new_id: str) -> Conversation:
    """One column of a compare, as a normal chat to carry on alone: every prompt, and
    that column's replies. The chat remembers where it came from (``origin``)."""
    messages = chain([
        replace(m, column=None, preferred=False)  # copies: the compare keeps its own
        for m in conversation.messages
        if m.role != "assistant" or m.column == column
    ])
    model = conversation.models[column] if column < len(conversation.models) else conversation.model
    chat = replace(
        conversation, id=new_id, kind="chat", models=[], model=model, nodes=messages,
        current=None, origin=Origin(conversation.id, column + 1), extra={}, problems=[],
    )
    chat.title = f"{conversation.title} ({model})" if conversation.title else ""
    return chat


def set_preferred(conversation: Conversation, column: int) -> Message | None:
    """Mark the last turn's reply of ``column`` as the preferred one (and only it)."""
    replies = last_turn(conversation)
    chosen = next((m for m in replies if m.column == column), None)
    if chosen is None:
        return None
    for message in replies:
        message.preferred = message is chosen
    return chosen


def models_of_replies(conversation: Conversation) -> list[str]:
    """One model per compare column, from the replies (the conversation's model for a
    column whose replies name none)."""
    columns: dict[int, str] = {}
    for message in conversation.messages:
        column = message.column
        if message.role == "assistant" and column is not None and 0 <= column < MAX_COLUMNS:
            columns[column] = message.model or columns.get(column, "")
    count = max(columns, default=-1) + 1
    return [columns.get(i) or conversation.model for i in range(count)]
