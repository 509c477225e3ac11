"""The data a conversation is made of: messages, replies, usage, tool calls.

Plain dataclasses with no I/O. The store turns them into TOML, the client turns them
into request messages, the UI shows them.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]

FORMAT_VERSION = 1


def utc_now() -> datetime:
    """The current time in UTC, to the millisecond (what the files store)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_conversation_id(now: datetime | None = None) -> str:
    """A time-sortable, filesystem-safe id such as ``20261125-192745-3f9a2c``."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


@dataclass
class ToolCall:
    id: str = ""
    name: str = ""
    arguments: str = ""
    type: str = "function"


COUNTED = "counted"  # the key in ``Usage.extra`` (and the saved file) of a counted usage


@dataclass
class Usage:
    """Token counts and cost of one reply, plus how long it took."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost: float | None = None
    ttft_ms: int | None = None
    duration_ms: int | None = None
    # Everything else the server reported, verbatim (nulls dropped: TOML has none).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def counted(self) -> bool:
        """Whether the app counted the token figures itself because the server sent
        none (the local model): close, not exact. Saved as ``counted = true``."""
        return self.extra.get(COUNTED) is True

    def mark_counted(self) -> None:
        self.extra[COUNTED] = True

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Usage:
        def as_int(value: Any) -> int | None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            # JSON allows 1e400 (inf), 10**400 and (in Python's parser) NaN: none is a
            # count, and TOML holds 64-bit integers only.
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return int(value) if abs(value) < 2**63 else None

        def as_float(value: Any) -> float | None:
            if isinstance(value, bool):
                return None
            if isinstance(value, int | float | str):
                try:
                    number = float(value)
                except (ValueError, OverflowError):  # "abc", or an int beyond a float
                    return None
                return number if math.isfinite(number) else None
            return None

        prompt_details = raw.get("prompt_tokens_details")
        completion_details = raw.get("completion_tokens_details")
        cached = prompt_details.get("cached_tokens") if isinstance(prompt_details, dict) else None
        reasoning = (
            completion_details.get("reasoning_tokens")
            if isinstance(completion_details, dict)
            else None
        )
        known = {"prompt_tokens", "completion_tokens", "cost"}
        extra = {k: v for k, v in raw.items() if k not in known}
        return cls(
            prompt_tokens=as_int(raw.get("prompt_tokens")),
            completion_tokens=as_int(raw.get("completion_tokens")),
            cached_tokens=as_int(cached),
            reasoning_tokens=as_int(reasoning),
            cost=as_float(raw.get("cost")),
            extra=drop_nulls(extra),
        )


@dataclass
class Message:
    role: Role
    content: str = ""
    created: datetime = field(default_factory=utc_now)
    # Assistant replies only.
    model: str | None = None
    reasoning: str = ""
    reasoning_details: list[Any] = field(default_factory=list)
    refusal: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    error: str | None = None
    usage: Usage | None = None
    # Tool results only.
    tool_call_id: str | None = None
    # Compare replies only: which column (0-based), and whether the user preferred it.
    column: int | None = None
    preferred: bool = False
    # Keys a later version wrote that this one does not know: kept on rewrite.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Conversation:
    id: str = field(default_factory=new_conversation_id)
    title: str = ""
    created: datetime = field(default_factory=utc_now)
    updated: datetime = field(default_factory=utc_now)
    model: str = ""
    system: str | None = None
    temperature: float | None = None
    profile: str | None = None
    kind: Literal["chat", "compare"] = "chat"
    models: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # What the file held that could not be used (wrong types, values out of range), one
    # line each: shown to the user; the raw values stay in ``extra`` and in the file.
    problems: list[str] = field(default_factory=list, compare=False)

    def add(self, message: Message) -> Message:
        self.messages.append(message)
        self.updated = max(self.updated, message.created)
        if not self.title and message.role == "user":
            self.title = title_from_prompt(message.content)
        return message


def title_from_prompt(prompt: str, limit: int = 60) -> str:
    """A title from the first prompt: its first line, whitespace folded, trimmed."""
    words = " ".join(prompt.split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1].rsplit(" ", 1)[0] or words[: limit - 1]
    return cut + "…"


def drop_nulls(value: Any) -> Any:
    """A copy of JSON data with every null removed (TOML cannot hold null)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value if v is not None]
    return value
