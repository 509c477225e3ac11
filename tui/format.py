"""Every figure and note a person reads, written once: costs, prices, context sizes,
times, the usage line, a conversation's total cost and why a reply ended.

Pure: imports only ``tui.model``, so the command line, the exports and the screens all
show the same words for the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tui.model.conversation import Conversation, Message, Origin, Usage
from tui.model.text import strip_controls
from tui.model.wire import is_sent

NO_COST = "-"  # where a cost is unknown: history lines and the preview


def format_cost(cost: float | None, missing: str = NO_COST) -> str:
    """``$0``, ``$0.0031``, ``$1.25``; ``missing`` when there is none."""
    if cost is None:
        return missing
    if cost == 0:
        return "$0"
    return f"${cost:.4f}" if cost < 1 else f"${cost:.2f}"


@dataclass(frozen=True)
class ReplyTotals:
    """What some replies add up to: how many, their tokens and their cost."""

    turns: int
    prompt: int
    completion: int
    counted: bool  # some token figures were counted by the app: the sums are close
    cost: float | None  # None when no reply has a cost


def reply_totals(messages: Iterable[Message]) -> ReplyTotals:
    """The replies among ``messages`` added up: ``conversation.messages`` for the branch
    shown, ``conversation.nodes`` for every branch."""
    replies = [m for m in messages if m.role == "assistant"]
    usages = [m.usage for m in replies if m.usage]
    costs = [u.cost for u in usages if u.cost is not None]
    return ReplyTotals(
        turns=len(replies),
        prompt=sum(u.prompt_tokens or 0 for u in usages),
        completion=sum(u.completion_tokens or 0 for u in usages),
        counted=any(u.counted for u in usages),
        cost=sum(costs) if costs else None,
    )


def turn_usage_line(replies: Iterable[Message]) -> str:
    """A turn of several requests (tool calls) added up: ``turn: 3 requests · 1,234 in ·
    56 out · $0.0012``."""
    totals = reply_totals(replies)
    mark = APPROX if totals.counted else ""
    parts = [f"turn: {totals.turns} requests", f"{mark}{totals.prompt:,} in",
             f"{mark}{totals.completion:,} out"]
    if totals.cost is not None:
        parts.append(format_cost(totals.cost))
    return " · ".join(parts)


def total_cost(conversation: Conversation) -> float | None:
    """What the conversation has cost: the replies of every branch, not only the one
    shown (an edited prompt's old reply was paid for too); None when no reply has a
    cost. The branch alone: ``reply_totals(conversation.messages).cost``."""
    return reply_totals(conversation.nodes).cost


def origin_note(origin: Origin) -> str:
    """Where a chat came from: ``from column 2 of comparison 20261202-…`` (the column
    first: a title bar too narrow cuts the end)."""
    return f"from column {origin.column} of comparison {strip_controls(origin.conversation)}"


def format_price(per_token: float | None) -> str:
    """USD per million tokens, as catalogs show it."""
    if per_token is None:
        return "?"
    per_million = per_token * 1_000_000
    if per_million == 0:
        return "free"
    return f"${per_million:.2f}/M" if per_million >= 0.01 else f"${per_million:.4f}/M"


def format_context(tokens: int | None) -> str:
    if not tokens:
        return "?"
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.3g}M"
    return f"{tokens // 1000}K" if tokens >= 1000 else str(tokens)


def estimate_note(tokens: int, cost: float | None, context: int | None) -> tuple[str, bool]:
    """The prompt box's line about the next request: ``next prompt ≈ 1,234 tokens ·
    ≈ $0.0037``; and whether it is over the model's context window."""
    if tokens <= 0:
        return "", False
    text = f"next prompt ≈ {tokens:,} tokens"
    if cost is not None:
        text += " · under $0.0001" if 0 < cost < 0.00005 else f" · ≈ {format_cost(cost)}"
    over = context is not None and tokens > context
    if over:
        text += f" · over the model's {format_context(context)} context"
    return text, over


def format_when(moment: datetime) -> str:
    """An absolute UTC time: the same on every screen and in every test."""
    return moment.strftime("%Y-%m-%d %H:%M")


APPROX = "≈"  # before a figure the app counted itself (``Usage.counted``)


def approx(usage: Usage) -> str:
    """``≈`` when the usage's token figures were counted by the app, else ``""``."""
    return APPROX if usage.counted else ""


def usage_line(reply: Message, with_model: bool = True) -> str:
    """``model · 8,888 in (8,885 cached) · 31 out · $0.0031 · 0.41 s to first token · 1.2 s``;
    token figures the app counted (the local model's) read ``≈52 in · ≈40 out``."""
    usage = reply.usage or Usage()
    mark = approx(usage)
    parts = [reply.model or "?"] if with_model else []
    if usage.prompt_tokens is not None:
        cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens else ""
        parts.append(f"{mark}{usage.prompt_tokens:,} in{cached}")
    if usage.completion_tokens is not None:
        parts.append(f"{mark}{usage.completion_tokens:,} out")
    if usage.cost is not None:
        parts.append(format_cost(usage.cost))
    if usage.ttft_ms is not None:
        parts.append(f"{usage.ttft_ms / 1000:.2f} s to first token")
    if usage.duration_ms is not None:
        parts.append(f"{usage.duration_ms / 1000:.1f} s")
    rate = tokens_per_second(usage)
    if rate is not None:
        parts.append(f"{mark}{rate:.0f} tok/s")
    return " · ".join(parts)


# A reply whose tokens all came within this span of its first did not stream (a whole
# JSON body, or one chunk): there is no rate to tell (44 tokens in 1 ms read 44000 tok/s).
MIN_STREAM_MS = 50


def tokens_per_second(usage: Usage) -> float | None:
    """Completion tokens over the time from first token to the end; None unless the reply
    streamed (its first token's time is known and the rest came over a measurable span)."""
    if not usage.completion_tokens or usage.duration_ms is None or usage.ttft_ms is None:
        return None
    streaming_ms = usage.duration_ms - usage.ttft_ms
    if streaming_ms < MIN_STREAM_MS:
        return None
    return usage.completion_tokens / (streaming_ms / 1000)


# --- why a reply ended --------------------------------------------------------------


@dataclass(frozen=True)
class _Ending:
    words: str | None  # what happened, in lower case; None: the reply's error text says it
    by_user: bool = False  # stopped on purpose: ``ask`` says so itself, naming the signal
    exported: bool = True  # an export notes ``finish: <reason>``


# The finish reasons worth a note; any other (``stop``, ``tool_calls``) ended normally.
_ENDINGS: dict[str, _Ending] = {
    "length": _Ending("cut off: the model reached its maximum output length"),
    "content_filter": _Ending("stopped by the provider's content filter"),
    "cancelled": _Ending("cancelled", by_user=True),
    "error": _Ending(None),
    # A reply a signal or a killed process stopped: the recovery notice and ``ask`` say
    # so; the screen and the exports name no finish for it.
    "interrupted": _Ending(None, by_user=True, exported=False),
}


def finish_note(reply: Message) -> str | None:
    """The sentence under a reply that ended early, or None: ``Cut off: the model reached
    its maximum output length.``"""
    ending = _ENDINGS.get(reply.finish_reason or "")
    if ending is None or ending.words is None:
        return None
    words = ending.words
    if reply.finish_reason == "cancelled" and is_sent(reply):
        words += ": the partial reply is kept"
    return words[0].upper() + words[1:] + "."


def finish_said(finish_reason: str | None) -> str | None:
    """What ``ask`` says on stderr when the model or the provider ended the reply early:
    ``the reply was cut off: …``; None otherwise (a stop by the user is said apart)."""
    ending = _ENDINGS.get(finish_reason or "")
    if ending is None or ending.words is None or ending.by_user:
        return None
    return f"the reply was {ending.words}"


def finish_tag(finish_reason: str | None) -> str | None:
    """``finish: length`` in an export's notes, for a reply that ended early."""
    ending = _ENDINGS.get(finish_reason or "")
    if ending is None or not ending.exported:
        return None
    return f"finish: {finish_reason}"


def reply_notes(message: Message) -> str:
    """The line an export writes under a message: why it ended, its error and its usage,
    on one line with no control characters ("" when there is nothing to say)."""
    notes = []
    finish = finish_tag(message.finish_reason)
    if finish:
        notes.append(finish)
    if message.error:
        notes.append(f"error: {message.error}")
    if message.role == "assistant" and message.usage is not None:
        notes.append(usage_line(message))
    return " ".join(strip_controls(" · ".join(notes)).split())
