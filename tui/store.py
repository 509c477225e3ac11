"""Conversations on disk: one TOML file each in ``conversations/<id>.toml``.

The files are the user's: plain TOML, written atomically (temp file, fsync, rename) so a
crash leaves either the old or the new version, never half of one. A file that will not
parse is reported as unreadable and never written over. Keys this version does not know
are carried through a rewrite untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from tui.conversation import (
    FORMAT_VERSION,
    Conversation,
    Message,
    ToolCall,
    Usage,
    drop_nulls,
    new_conversation_id,
)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
TRASH = ".trash"

_CONVERSATION_KEYS = {
    "format", "id", "title", "created", "updated", "model", "system", "temperature",
    "profile", "kind", "models", "messages",
}
_MESSAGE_KEYS = {
    "role", "content", "created", "model", "reasoning", "reasoning_details", "refusal",
    "tool_calls", "finish_reason", "error", "usage", "tool_call_id", "column", "preferred",
}
_USAGE_KEYS = {
    "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens", "cost",
    "ttft_ms", "duration_ms",
}


class StoreError(Exception):
    """A conversation could not be read or written; the message says which and why."""


@dataclass(frozen=True)
class Unreadable:
    path: Path
    reason: str


def valid_id(conversation_id: str) -> bool:
    return bool(_ID.fullmatch(conversation_id))


class ConversationStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, conversation_id: str) -> Path:
        if not valid_id(conversation_id):
            raise StoreError(f"'{conversation_id}' is not a conversation id")
        return self.folder / f"{conversation_id}.toml"

    def new_id(self) -> str:
        while True:
            candidate = new_conversation_id()
            if not self.path_for(candidate).exists():
                return candidate

    def save(self, conversation: Conversation) -> Path:
        path = self.path_for(conversation.id)
        data = tomli_w.dumps(conversation_to_toml(conversation)).encode("utf-8")
        make_private_dir(self.folder)
        write_atomic(path, data)
        return path

    def load(self, conversation_id: str) -> Conversation:
        path = self.path_for(conversation_id)
        if not path.exists():
            raise StoreError(f"no saved conversation '{conversation_id}' in {self.folder}")
        return read_conversation(path)

    @property
    def trash_folder(self) -> Path:
        """Deleted conversations wait here (same file system: moving is a rename)."""
        return self.folder / TRASH

    def rename(self, conversation_id: str, title: str) -> Conversation:
        """Give a saved conversation a new title; everything else in the file is kept."""
        title = " ".join(title.split())
        if not title:
            raise StoreError("a title cannot be empty")
        conversation = self.load(conversation_id)
        conversation.title = title
        self.save(conversation)
        return conversation

    def trash(self, conversation_id: str) -> Path:
        """Move a saved conversation (readable or not) to the trash; returns where it went.
        Nothing is deleted: ``restore`` moves it back."""
        path = self.path_for(conversation_id)
        if not path.exists():
            raise StoreError(f"no saved conversation '{conversation_id}' in {self.folder}")
        make_private_dir(self.trash_folder)
        target = self.trash_folder / path.name
        n = 1
        while target.exists():
            n += 1
            target = self.trash_folder / f"{path.stem}.{n}.toml"
        os.replace(path, target)
        return target

    def restore(self, trashed: Path) -> Path:
        """Move a conversation ``trash`` put away back where it was."""
        if trashed.parent != self.trash_folder:
            raise StoreError(f"{trashed.name} is not in the trash")
        conversation_id = trashed.name.split(".")[0]
        path = self.path_for(conversation_id)
        if path.exists():
            raise StoreError(f"'{conversation_id}' exists again; the trashed copy is kept "
                             f"in {self.trash_folder}")
        os.replace(trashed, path)
        return path

    def scan(self) -> tuple[list[Conversation], list[Unreadable]]:
        """Every saved conversation, newest first, and the files that would not parse."""
        good: list[Conversation] = []
        bad: list[Unreadable] = []
        if not self.folder.is_dir():
            return good, bad
        for path in self.folder.glob("*.toml"):
            try:
                good.append(read_conversation(path))
            except StoreError as error:
                bad.append(Unreadable(path, str(error)))
        good.sort(key=lambda c: (c.updated, c.id), reverse=True)
        return good, bad


def make_private_dir(path: Path) -> None:
    """Create ``path`` and every missing folder above it owner-only (0700), as the XDG
    base directory spec asks; folders that already exist are left as they are."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves the old file
    or the new one. Owner-only permissions: conversations are private."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_conversation(path: Path) -> Conversation:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StoreError(f"{path.name}: cannot be read ({error.strerror})") from None
    return parse_conversation(raw, path)


def parse_conversation(raw: bytes, path: Path) -> Conversation:
    """The conversation in ``raw``, the bytes of the file at ``path``."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"{path.name}: not valid TOML ({error})") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path.name}: not UTF-8 text") from None
    try:
        return conversation_from_toml(data, fallback_id=path.stem)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise StoreError(f"{path.name}: {error}") from None


# --- TOML shape -------------------------------------------------------------------------


def conversation_to_toml(conversation: Conversation) -> dict[str, Any]:
    c = conversation
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "id": c.id,
        "title": c.title,
        "created": _utc(c.created),
        "updated": _utc(c.updated),
        "model": c.model,
        "system": c.system,
        "temperature": c.temperature,
        "profile": c.profile,
        "kind": c.kind,
        "models": c.models if c.kind == "compare" else None,
    }
    data = {k: v for k, v in data.items() if v is not None}
    for key, value in drop_nulls(c.extra).items():
        data.setdefault(key, value)
    data["messages"] = [_message_to_toml(m) for m in c.messages]
    return data


def _message_to_toml(m: Message) -> dict[str, Any]:
    data: dict[str, Any] = {"role": m.role, "content": m.content, "created": _utc(m.created)}
    optional: dict[str, Any] = {
        "model": m.model,
        "reasoning": m.reasoning or None,
        "refusal": m.refusal or None,
        "finish_reason": m.finish_reason,
        "error": m.error,
        "tool_call_id": m.tool_call_id,
        "column": m.column,
        "preferred": True if m.preferred else None,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    if m.reasoning_details:
        data["reasoning_details"] = drop_nulls(m.reasoning_details)
    if m.tool_calls:
        data["tool_calls"] = [
            {"id": t.id, "type": t.type, "name": t.name, "arguments": t.arguments}
            for t in m.tool_calls
        ]
    if m.usage is not None:
        usage = {
            key: getattr(m.usage, key)
            for key in ("prompt_tokens", "completion_tokens", "cached_tokens",
                        "reasoning_tokens", "cost", "ttft_ms", "duration_ms")
            if getattr(m.usage, key) is not None
        }
        for key, value in drop_nulls(m.usage.extra).items():
            usage.setdefault(key, value)
        data["usage"] = usage
    for key, value in drop_nulls(m.extra).items():
        data.setdefault(key, value)
    return data


def conversation_from_toml(data: dict[str, Any], fallback_id: str = "") -> Conversation:
    version = data.get("format", FORMAT_VERSION)
    if not isinstance(version, int):
        raise ValueError("'format' is not a number")
    messages = data.get("messages", [])
    if not isinstance(messages, list):
        raise ValueError("'messages' is not a list")
    kind = data.get("kind", "chat")
    models = data.get("models", [])
    return Conversation(
        # The file name is the id: a copied file must not save over its original.
        id=fallback_id or _text(data, "id", ""),
        title=_text(data, "title", ""),
        created=_time(data, "created"),
        updated=_time(data, "updated"),
        model=_text(data, "model", ""),
        system=_opt(data, "system", str),
        temperature=_number(data, "temperature"),
        profile=_opt(data, "profile", str),
        kind="compare" if kind == "compare" else "chat",
        models=[str(m) for m in models] if isinstance(models, list) else [],
        messages=[_message_from_toml(m, i) for i, m in enumerate(messages)],
        extra={k: v for k, v in data.items() if k not in _CONVERSATION_KEYS},
    )


def _message_from_toml(data: Any, index: int) -> Message:
    if not isinstance(data, dict):
        raise ValueError(f"message {index + 1} is not a table")
    role = data.get("role")
    if role not in ("system", "user", "assistant", "tool"):
        raise ValueError(f"message {index + 1} has no valid role")
    usage = None
    raw_usage = data.get("usage")
    if isinstance(raw_usage, dict):
        usage = Usage(
            prompt_tokens=_opt(raw_usage, "prompt_tokens", int),
            completion_tokens=_opt(raw_usage, "completion_tokens", int),
            cached_tokens=_opt(raw_usage, "cached_tokens", int),
            reasoning_tokens=_opt(raw_usage, "reasoning_tokens", int),
            cost=_number(raw_usage, "cost"),
            ttft_ms=_opt(raw_usage, "ttft_ms", int),
            duration_ms=_opt(raw_usage, "duration_ms", int),
            extra={k: v for k, v in raw_usage.items() if k not in _USAGE_KEYS},
        )
    calls = data.get("tool_calls", [])
    details = data.get("reasoning_details", [])
    return Message(
        role=role,
        content=_text(data, "content", ""),
        created=_time(data, "created"),
        model=_opt(data, "model", str),
        reasoning=_text(data, "reasoning", ""),
        reasoning_details=list(details) if isinstance(details, list) else [],
        refusal=_text(data, "refusal", ""),
        tool_calls=[
            ToolCall(
                id=str(c.get("id", "")),
                name=str(c.get("name", "")),
                arguments=str(c.get("arguments", "")),
                type=str(c.get("type", "function")),
            )
            for c in (calls if isinstance(calls, list) else [])
            if isinstance(c, dict)
        ],
        finish_reason=_opt(data, "finish_reason", str),
        error=_opt(data, "error", str),
        usage=usage,
        tool_call_id=_opt(data, "tool_call_id", str),
        column=_opt(data, "column", int),
        preferred=data.get("preferred") is True,
        extra={k: v for k, v in data.items() if k not in _MESSAGE_KEYS},
    )


def _text(data: dict[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    return value if isinstance(value, str) else str(value)


def _opt(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    return None


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _time(data: dict[str, Any], key: str) -> datetime:
    value = data.get(key)
    if isinstance(value, datetime):
        return _utc(value)  # here, not at save time: a time out of range is unreadable
    return datetime(1970, 1, 1, tzinfo=UTC)


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
