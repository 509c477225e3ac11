"""A tool's result: what the UI shows and the text sent back to the model.

MCP results are a list of content parts plus, optionally, structured content. The model
gets text: text parts joined; an image, audio clip, resource link or embedded resource
as one line saying what it is (type, MIME type, size, URI), since a chat completion's
tool message carries text only; structured content as JSON when no text part carries it
already (servers are asked to send both, the text being the same JSON). A result longer
than the limit is cut, with a note saying how much was left out.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

DENIED = "Denied by the user."


@dataclass(frozen=True)
class ResultPart:
    """One part of a result, for the UI: ``kind`` is text, image, audio, resource_link,
    resource or structured; ``text`` is the text itself or the one-line summary."""

    kind: str
    text: str
    mime_type: str | None = None
    size: int | None = None  # bytes
    uri: str | None = None


@dataclass(frozen=True)
class ToolResult:
    text: str  # what is sent to the model (cut to the limit)
    error: bool = False
    parts: tuple[ResultPart, ...] = field(default_factory=tuple)
    full_length: int = 0  # characters before the cut
    duration_ms: int | None = None

    @property
    def truncated(self) -> bool:
        return self.full_length > len(self.text)


def error_result(message: str, duration_ms: int | None = None) -> ToolResult:
    """A result that says the call went wrong (timeout, crash, bad arguments)."""
    return ToolResult(message, True, (ResultPart("text", message),), len(message), duration_ms)


def denied_result() -> ToolResult:
    return ToolResult(DENIED, True, (ResultPart("text", DENIED),), len(DENIED))


def result_from_mcp(result: Any, limit: int, duration_ms: int | None = None) -> ToolResult:
    """An MCP ``CallToolResult`` as a ``ToolResult`` whose text is at most about ``limit``
    characters (plus the note)."""
    parts = [_part(block) for block in getattr(result, "content", None) or []]
    structured = getattr(result, "structured_content", None)
    if structured is not None and not any(p.kind == "text" for p in parts):
        parts.append(ResultPart("structured", json.dumps(structured, ensure_ascii=False,
                                                         indent=2, default=str)))
    whole = "\n".join(p.text for p in parts)
    error = bool(getattr(result, "is_error", False))
    if not whole:
        whole = "(the tool returned nothing)" if not error else "(the tool failed, no message)"
    return ToolResult(cut(whole, limit), error, tuple(parts), len(whole), duration_ms)


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    left = len(text) - limit
    return (f"{text[:limit]}\n[result truncated: {left:,} of {len(text):,} characters "
            "left out]")


def _part(block: Any) -> ResultPart:
    kind = getattr(block, "type", "unknown")
    if kind == "text":
        return ResultPart("text", str(getattr(block, "text", "")))
    if kind in ("image", "audio"):
        mime = getattr(block, "mime_type", None)
        size = _decoded_size(getattr(block, "data", ""))
        return ResultPart(kind, _summary(kind, mime, size, None), mime, size)
    if kind == "resource_link":
        mime, uri = getattr(block, "mime_type", None), str(getattr(block, "uri", ""))
        size = getattr(block, "size", None)
        name = getattr(block, "name", None)
        line = _summary("resource link", mime, size, uri) + (f", name {name}" if name else "")
        return ResultPart(kind, line, mime, size, uri)
    if kind == "resource":
        inner = getattr(block, "resource", None)
        mime, uri = getattr(inner, "mime_type", None), str(getattr(inner, "uri", ""))
        text = getattr(inner, "text", None)
        if isinstance(text, str):
            size = len(text.encode("utf-8"))
            head = _summary("embedded resource", mime, size, uri)
            return ResultPart(kind, f"{head}\n{text}", mime, size, uri)
        size = _decoded_size(getattr(inner, "blob", ""))
        return ResultPart(kind, _summary("embedded resource", mime, size, uri), mime, size, uri)
    return ResultPart(str(kind), f"[{kind} content, not shown]")


def _summary(kind: str, mime: str | None, size: int | None, uri: str | None) -> str:
    facts = [mime or "unknown type"]
    if size is not None:
        facts.append(f"{size:,} bytes")
    if uri:
        facts.append(uri)
    return f"[{kind}: {', '.join(facts)}]"


def _decoded_size(data: Any) -> int | None:
    if not isinstance(data, str):
        return None
    try:
        return len(base64.b64decode(data, validate=False))
    except (binascii.Error, ValueError):
        return None
