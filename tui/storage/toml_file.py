"""The TOML shape of a conversation file, both ways.

Reading never coerces: a value of the wrong type (a hand edit such as
``created = "yesterday"`` or ``model = ["a"]``) is reported in ``Conversation.problems``,
its typed field is left empty so it is never used or sent, and the raw value is kept in
``extra`` under its own key so a rewrite puts it back exactly as it was, unless the app
has since set that field itself (``tui/storage/toml_fields.py``). A prompt's attachments
are read and written by ``tui/storage/toml_attachments.py``. The TOML text itself is
written by ``tui/storage/toml_text.py``.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.files import StoreError
from tui.model.conversation import (
    FORMAT_VERSION,
    Conversation,
    Message,
    Origin,
    ToolCall,
    Usage,
    chain,
    drop_nulls,
)
from tui.model.text import one_line
from tui.storage.toml_attachments import attachments_from_toml, attachments_to_toml
from tui.storage.toml_fields import EPOCH, Fields, utc

CONVERSATION_KEYS = frozenset({
    "format", "id", "title", "created", "updated", "model", "system", "temperature",
    "profile", "kind", "models", "messages", "current", "origin",
})
ORIGIN_KEYS = frozenset({"conversation", "column"})
MESSAGE_KEYS = frozenset({
    "id", "parent", "role", "content", "created", "model", "reasoning", "reasoning_details",
    "refusal", "tool_calls", "finish_reason", "error", "usage", "tool_call_id", "column",
    "preferred", "tool_name", "duration_ms", "attachments", "left_out",
})
USAGE_KEYS = frozenset({
    "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens", "cost",
    "ttft_ms", "duration_ms",
})
_USAGE_INTS = ("prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens",
               "ttft_ms", "duration_ms")


# --- reading ----------------------------------------------------------------------------


def parse_conversation(raw: bytes, path: Path) -> Conversation:
    """The conversation in ``raw``, the bytes of the file at ``path``."""
    return parse_text(decode(raw, path), path)


def decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path.name}: not UTF-8 text") from None


def parse_text(text: str, path: Path) -> Conversation:
    """The conversation in ``text``, the decoded file at ``path``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"{path.name}: not valid TOML ({error})") from None
    try:
        return conversation_from_toml(data, fallback_id=path.stem)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise StoreError(f"{path.name}: {error}") from None


def conversation_from_toml(data: dict[str, Any], fallback_id: str = "") -> Conversation:
    version = data.get("format", FORMAT_VERSION)
    if not isinstance(version, int):
        raise ValueError("'format' is not a number")
    messages = data.get("messages", [])
    if not isinstance(messages, list):
        raise ValueError("'messages' is not a list")
    problems: list[str] = []
    f = Fields(data, "", problems)
    kind = data.get("kind", "chat")
    if kind not in ("chat", "compare"):
        f._wrong("kind", '"chat" or "compare"')
    fields: dict[str, Any] = dict(
        # The file name is the id: a copied file must not save over its original.
        id=fallback_id or str(data.get("id", "")),
        title=f.text("title") or "",
        created=f.time("created"),
        updated=f.time("updated"),
        model=f.text("model") or "",
        system=f.text("system"),
        temperature=f.number("temperature", 0.0, 2.0),
        profile=f.text("profile"),
        kind="compare" if kind == "compare" else "chat",
        models=f.texts("models"),
        current=_current(data, problems) if version >= 2 else None,
        origin=_origin(f),
    )
    nodes = [_message_from_toml(m, i, problems) for i, m in enumerate(messages)]
    if version < 2:
        # Format 1: one branch, in the file's order. Ids by position: two processes
        # reading the same old file agree on them (a merge matches messages by id).
        for index, message in enumerate(nodes):
            message.id = message.id or f"{index + 1:08x}"
        chain(nodes)
    conversation = Conversation(nodes=nodes, **fields)
    conversation.extra = f.extra(CONVERSATION_KEYS)
    # What the tree needed mended (Conversation.__post_init__) comes after the fields.
    conversation.problems = problems + conversation.problems
    return conversation


def _current(data: dict[str, Any], problems: list[str]) -> str | None:
    """The id of the message the branch shown ends at (None: the last message)."""
    current = data.get("current")
    if current is None or isinstance(current, str):
        return current
    problems.append(f"current = {one_line(repr(current), 60)} is not text: the last message "
                    "is current")
    return None


def _origin(f: Fields) -> Origin | None:
    """``origin = { conversation = "<compare id>", column = 2 }``: the compare column a
    chat was carried on from. Anything else is reported and kept as it was."""
    table = f.data.get("origin")
    if table is None:
        return None
    if isinstance(table, dict) and set(table) <= ORIGIN_KEYS:
        compare, column = table.get("conversation"), table.get("column")
        if (isinstance(compare, str) and compare and isinstance(column, int)
                and not isinstance(column, bool) and column >= 1):
            return Origin(compare, column)
    f._wrong("origin", 'a table of a conversation id and a column from 1')
    return None


def _message_from_toml(data: Any, index: int, problems: list[str]) -> Message:
    if not isinstance(data, dict):
        raise ValueError(f"message {index + 1} is not a table")
    role = data.get("role")
    if role not in ("system", "user", "assistant", "tool"):
        raise ValueError(f"message {index + 1} has no valid role")
    f = Fields(data, f"message {index + 1}: ", problems)
    usage = None
    raw_usage = f.table("usage")
    if raw_usage is not None:
        u = Fields(raw_usage, f"message {index + 1}: usage.", problems)
        ints = {key: u.integer(key) for key in _USAGE_INTS}
        usage = Usage(**ints, cost=u.number("cost"), extra=u.extra(USAGE_KEYS))
    preferred, left_out = f.flag("preferred"), f.flag("left_out")
    # A tool result's ``error`` is true or false; a reply's is the error's text.
    tool_error = role == "tool" and isinstance(data.get("error"), bool)
    message_id, parent = data.get("id", ""), data.get("parent")
    if not isinstance(message_id, str):
        problems.append(f"message {index + 1}: id = {one_line(repr(message_id), 60)} is not "
                        "text: given a new one")
        message_id = ""  # given one when the tree is linked
    if parent is not None and not isinstance(parent, str):
        problems.append(f"message {index + 1}: parent = {one_line(repr(parent), 60)} is not "
                        "text")
        parent = ""  # no message has it: linking attaches it to the message before it
    return Message(
        role=role,
        id=message_id,
        parent=parent,
        content=f.text("content") or "",
        created=f.time("created"),
        model=f.text("model"),
        reasoning=f.text("reasoning") or "",
        reasoning_details=f.listing("reasoning_details"),
        refusal=f.text("refusal") or "",
        tool_calls=_tool_calls(f),
        finish_reason=f.text("finish_reason"),
        error=None if tool_error else f.text("error"),
        usage=usage,
        tool_call_id=f.text("tool_call_id"),
        tool_name=f.text("tool_name"),
        tool_error=tool_error and data["error"] is True,
        duration_ms=f.integer("duration_ms"),
        column=f.integer("column"),
        preferred=preferred,
        left_out=left_out,
        attachments=attachments_from_toml(f),
        extra=f.extra(MESSAGE_KEYS),
    )


def _tool_calls(f: Fields) -> list[ToolCall]:
    calls = f.data.get("tool_calls")
    if calls is None:
        return []
    fields = ("id", "name", "arguments", "type")
    if isinstance(calls, list) and all(
        isinstance(c, dict) and all(isinstance(c.get(k, ""), str) for k in fields)
        for c in calls
    ):
        return [ToolCall(id=c.get("id", ""), name=c.get("name", ""),
                         arguments=c.get("arguments", ""), type=c.get("type", "function"))
                for c in calls]
    f._wrong("tool_calls", "a list of tables of texts")
    return []


# --- writing ----------------------------------------------------------------------------


def conversation_to_toml(conversation: Conversation) -> dict[str, Any]:
    c = conversation
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "id": c.id,
        "title": c.title,
        "created": utc(c.created),
        "updated": utc(c.updated),
        "model": c.model,
        "system": c.system,
        "temperature": c.temperature,
        "profile": c.profile,
        "kind": c.kind,
        "models": c.models if c.kind == "compare" else None,
        "current": c.current if c.nodes else None,  # where the branch shown ends
        "origin": {"conversation": c.origin.conversation, "column": c.origin.column}
        if c.origin else None,
    }
    data = _with_extra({k: v for k, v in data.items() if v is not None}, c.extra,
                       CONVERSATION_KEYS, unset_kind="chat")
    data["messages"] = [message_to_toml(m) for m in c.nodes]
    return data


def message_to_toml(m: Message) -> dict[str, Any]:
    data: dict[str, Any] = {"id": m.id}
    if m.parent is not None:
        data["parent"] = m.parent
    data.update(role=m.role, content=m.content, created=utc(m.created))
    optional: dict[str, Any] = {
        "model": m.model,
        "reasoning": m.reasoning or None,
        "refusal": m.refusal or None,
        "finish_reason": m.finish_reason,
        "error": m.error if m.error is not None else (True if m.tool_error else None),
        "tool_call_id": m.tool_call_id,
        "tool_name": m.tool_name,
        "duration_ms": m.duration_ms,
        "column": m.column,
        "preferred": True if m.preferred else None,
        "left_out": True if m.left_out else None,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    if m.reasoning_details:
        data["reasoning_details"] = drop_nulls(m.reasoning_details)
    if m.tool_calls:
        data["tool_calls"] = [
            {"id": t.id, "type": t.type, "name": t.name, "arguments": t.arguments}
            for t in m.tool_calls
        ]
    if m.attachments:
        data["attachments"] = attachments_to_toml(m.attachments)
    if m.usage is not None:
        usage = {
            key: getattr(m.usage, key) for key in (*_USAGE_INTS, "cost")
            if getattr(m.usage, key) is not None
        }
        data["usage"] = _with_extra(usage, m.usage.extra, USAGE_KEYS)
    return _with_extra(data, m.extra, MESSAGE_KEYS)


def _with_extra(data: dict[str, Any], extra: dict[str, Any], known: frozenset[str],
                unset_kind: str | None = None) -> dict[str, Any]:
    """``data`` plus the unknown keys, and the raw value of each known key whose typed
    field is still unset (the app did not replace it)."""
    for key, value in drop_nulls(extra).items():
        raw_wins = key in known and (_unset(data.get(key)) or data.get(key) == unset_kind)
        if key not in data or raw_wins:
            data[key] = value
    return data


def _unset(value: Any) -> bool:
    """Whether a typed field holds what the reader leaves when it set the raw value aside."""
    if value is None or value is False:
        return True
    if isinstance(value, str | list):
        return not value
    return isinstance(value, datetime) and value == EPOCH
