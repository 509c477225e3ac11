"""The data a conversation is made of: messages, replies, usage, tool calls.

Plain dataclasses with no I/O. The store turns them into TOML, the client turns them
into request messages, the UI shows them.

A conversation is a tree. Every message has an ``id`` and a ``parent`` (the message before
it on its branch; none for the first). ``Conversation.nodes`` holds every message, oldest
first (the file's order); ``Conversation.current`` names the message the conversation
goes on from, and ``Conversation.messages`` is the branch that ends there: what is shown
and what is sent. Editing a prompt or regenerating a reply adds a sibling
(``tui/model/tree.py``); nothing is ever lost by moving between branches.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tui.model.attachment import Attachment

Role = Literal["system", "user", "assistant", "tool"]

FORMAT_VERSION = 2  # 1: a list of messages; 2: messages with ids and parents (a tree)


def utc_now() -> datetime:
    """The current time in UTC, to the millisecond (what the files store)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_conversation_id(now: datetime | None = None) -> str:
    """A time-sortable, filesystem-safe id such as ``20261125-192745-3f9a2c``."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def new_message_id() -> str:
    """A message id, unique within its conversation: 8 hex digits."""
    return secrets.token_hex(4)


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
    id: str = field(default_factory=new_message_id)
    parent: str | None = None  # the message before this one on its branch
    # User prompts only: the files attached to it, in the order they were attached; and
    # whether this turn (the prompt and its replies) is left out of what is sent, to fit
    # the model's context window (saved as ``left_out = true``; never deleted).
    attachments: list[Attachment] = field(default_factory=list)
    left_out: bool = False
    # Assistant replies only.
    model: str | None = None
    reasoning: str = ""
    reasoning_details: list[Any] = field(default_factory=list)
    refusal: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    error: str | None = None
    usage: Usage | None = None
    # Tool results only: the call answered, the tool's name as the model called it,
    # whether the result is an error (saved as ``error = true``) and how long it ran.
    tool_call_id: str | None = None
    tool_name: str | None = None
    tool_error: bool = False
    duration_ms: int | None = None
    # Compare replies only: which column (0-based), and whether the user preferred it.
    column: int | None = None
    preferred: bool = False
    # Keys a later version wrote that this one does not know: kept on rewrite.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Origin:
    """Where a chat came from: the compare column it was carried on from (F9)."""

    conversation: str  # the compare conversation's id
    column: int  # as numbered on screen: from 1


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
    # Every message of every branch, oldest first: a message comes after its parent.
    nodes: list[Message] = field(default_factory=list)
    # The message the conversation goes on from (the end of the branch shown); None: the
    # last of ``nodes``.
    current: str | None = None
    origin: Origin | None = None  # a chat carried on from a compare column
    extra: dict[str, Any] = field(default_factory=dict)
    # What the file held that could not be used (wrong types, values out of range), one
    # line each: shown to the user; the raw values stay in ``extra`` and in the file.
    problems: list[str] = field(default_factory=list, compare=False)
    _branch: tuple[tuple[int, str | None, int], list[Message]] | None = field(
        default=None, init=False, repr=False, compare=False)
    _revision: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.problems.extend(link(self.nodes))
        ids = {m.id for m in self.nodes}
        if self.current is not None and self.current not in ids:
            self.problems.append(
                f"current = {self.current!r} is not a message: the last message is current")
            self.current = None
        if self.current is None and self.nodes:
            self.current = self.nodes[-1].id

    @property
    def messages(self) -> list[Message]:
        """The current branch: from the first message to ``current``, in order. A new
        list each time (changing it changes nothing); ``add`` and ``tui.model.tree``
        change the conversation."""
        key = (len(self.nodes), self.current, self._revision)
        if self._branch is None or self._branch[0] != key:
            self._branch = (key, branch_to(self.nodes, self.current))
        return list(self._branch[1])

    def changed(self) -> None:
        """Parents or ``nodes`` changed in place: the branch is worked out again."""
        self._revision += 1

    def add(self, message: Message) -> Message:
        """``message`` goes on from the current one and becomes current."""
        message.parent = self.current if self.nodes else None
        self.nodes.append(message)
        self.current = message.id
        self.changed()
        self.updated = max(self.updated, message.created)
        if not self.title and message.role == "user":
            self.title = title_from_prompt(message.content)
        return message


def chain(messages: list[Message]) -> list[Message]:
    """``messages`` as one branch, in their order (each the parent of the next): a
    format-1 file, or a conversation built in code. The same list, changed in place."""
    for index, message in enumerate(messages):
        message.parent = messages[index - 1].id if index else None
    return messages


def link(nodes: list[Message]) -> list[str]:
    """Make ``nodes`` a sound tree in place, and say what had to be mended.

    A message with no parent starts a branch of its own (an edited first prompt); any
    other must name an earlier message. One whose parent is unknown, later in the list
    (which is how a loop shows) or itself is attached to the message just before it, and
    a repeated id is replaced: nothing is dropped, and each mend is reported."""
    problems: list[str] = []
    seen: set[str] = set()
    for index, message in enumerate(nodes):
        if not message.id or message.id in seen:
            if message.id:
                problems.append(f"message {index + 1}: id {message.id!r} is used twice: "
                                "given a new one")
            message.id = _unused_id(seen)
        if message.parent is not None and message.parent not in seen:
            where = nodes[index - 1].id if index else None
            problems.append(
                f"message {index + 1}: parent {message.parent!r} is not an earlier message: "
                + ("attached to the message before it" if where else "it starts the conversation"))
            message.parent = where
        seen.add(message.id)
    return problems


def _unused_id(taken: set[str]) -> str:
    while (candidate := new_message_id()) in taken:
        pass
    return candidate


def branch_to(nodes: list[Message], end: str | None) -> list[Message]:
    """The messages from the first one to ``end``, following parents."""
    by_id = {m.id: m for m in nodes}
    branch: list[Message] = []
    message = by_id.get(end) if end is not None else None
    while message is not None and len(branch) <= len(nodes):  # a loop cannot run away
        branch.append(message)
        message = by_id.get(message.parent) if message.parent is not None else None
    branch.reverse()
    return branch


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
