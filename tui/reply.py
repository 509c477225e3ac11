"""Turning Chat Completions chunks into one assistant reply.

``ReplyBuilder.add_chunk`` takes each decoded JSON chunk (or a whole non-streamed
response) and returns the deltas to show; ``builder.message`` is the reply so far.
Nothing here does I/O, so the same code serves the stream, ``--no-stream`` and tests.

Content and reasoning arrive a few characters at a time; adding each piece to a string
would copy the whole text every time (400 KB in 80,000 pieces: 4.6 s). The pieces are
kept in lists and joined into the message when it is looked at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from tui.conversation import Message, ToolCall, Usage
from tui.think import ThinkSplitter

DeltaKind = Literal["content", "reasoning", "refusal", "tool_call", "reasoning_reset"]


@dataclass(frozen=True)
class Delta:
    """A piece of the reply to show.

    ``reasoning_reset`` means the content shown so far was really reasoning (a model
    that wrote ``…</think>`` with no opening tag): the view should move it over.
    """

    kind: DeltaKind
    text: str = ""
    index: int = 0


def error_text(error: Any) -> str:
    """A readable one-line message from an ``error`` value of any shape."""
    if isinstance(error, str):
        stripped = error.strip()
        if stripped.startswith("{"):
            try:
                return error_text(json.loads(stripped))
            except (ValueError, RecursionError):
                pass
        return stripped or "unknown error"
    if isinstance(error, dict):
        inner = error.get("error")
        if inner is not None and inner is not error:
            return error_text(inner)
        message = error.get("message")
        code = error.get("code")
        if isinstance(message, str) and message.strip():
            text = error_text(message)
        elif code is not None:
            text = str(code)
        else:
            text = json.dumps(error, ensure_ascii=False)
        return text
    if error is None:
        return "unknown error"
    return str(error)


class ReplyBuilder:
    def __init__(self, model: str | None = None) -> None:
        self._message = Message(role="assistant", model=model)
        self.ids: list[str] = []
        self._raw: list[str] = []  # content exactly as sent, <think> tags and all
        self._content: list[str] = []  # pieces not yet joined into the message
        self._reasoning: list[str] = []
        self._think = ThinkSplitter()
        self._tools: dict[int, ToolCall] = {}

    @property
    def message(self) -> Message:
        """The reply so far, every piece joined in."""
        m = self._message
        if self._content:
            m.content += "".join(self._content)
            self._content.clear()
        if self._reasoning:
            m.reasoning += "".join(self._reasoning)
            self._reasoning.clear()
        return m

    @property
    def raw_content(self) -> str:
        if len(self._raw) > 1:
            self._raw[:] = ["".join(self._raw)]
        return self._raw[0] if self._raw else ""

    @property
    def has_output(self) -> bool:
        m = self._message
        return bool(self._raw or self._reasoning or m.content or m.reasoning or m.refusal
                    or m.tool_calls)

    def add_chunk(self, chunk: Any) -> list[Delta]:
        if not isinstance(chunk, dict):
            raise ValueError("a stream chunk is not a JSON object")
        deltas: list[Delta] = []
        chunk_id = chunk.get("id")
        if isinstance(chunk_id, str) and chunk_id not in self.ids:
            self.ids.append(chunk_id)
        model = chunk.get("model")
        if isinstance(model, str) and model and not self._message.model:
            self._message.model = model
        choices = chunk.get("choices")
        if isinstance(choices, list):
            for choice in choices:
                if isinstance(choice, dict) and choice.get("index", 0) in (0, None):
                    deltas.extend(self._add_choice(choice))
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._message.usage = Usage.from_wire(usage)
        if chunk.get("error") is not None:
            self._message.error = error_text(chunk["error"])
            self._message.finish_reason = "error"
        return deltas

    def finish(self) -> list[Delta]:
        """The stream has ended: release any text held back while a tag was uncertain."""
        return self._content_deltas(self._think.flush())

    def _add_choice(self, choice: dict[str, Any]) -> list[Delta]:
        deltas: list[Delta] = []
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message")  # a non-streamed response
        if isinstance(delta, dict):
            # Servers in transition send both names with the same text: take one.
            text = delta.get("reasoning") or delta.get("reasoning_content")
            if isinstance(text, str) and text:
                self._think.allow_orphan_close = False
                self._reasoning.append(text)
                deltas.append(Delta("reasoning", text))
            details = delta.get("reasoning_details")
            if isinstance(details, list):
                self._message.reasoning_details.extend(details)
            content = delta.get("content")
            if isinstance(content, str) and content:
                self._raw.append(content)
                deltas.extend(self._content_deltas(self._think.feed(content)))
            refusal = delta.get("refusal")
            if isinstance(refusal, str) and refusal:
                self._message.refusal += refusal
                deltas.append(Delta("refusal", refusal))
            calls = delta.get("tool_calls")
            if isinstance(calls, list):
                deltas.extend(self._add_tool_calls(calls))
        if choice.get("error") is not None:
            self._message.error = error_text(choice["error"])
            self._message.finish_reason = "error"  # even when no finish_reason follows
        finish = choice.get("finish_reason")
        if isinstance(finish, str) and finish:
            self._message.finish_reason = finish
            if finish == "error" and not self._message.error:
                self._message.error = "The model's provider ended the reply with an error."
        return deltas

    def _content_deltas(self, pieces: list[tuple[str, str]]) -> list[Delta]:
        deltas: list[Delta] = []
        for kind, text in pieces:
            if kind == "reset":
                # Everything shown as content was reasoning all along.
                m = self.message
                m.reasoning += m.content
                m.content = ""
                deltas.append(Delta("reasoning_reset"))
            elif kind == "reasoning":
                self._reasoning.append(text)
                deltas.append(Delta("reasoning", text))
            else:
                self._content.append(text)
                deltas.append(Delta("content", text))
        return deltas

    def _add_tool_calls(self, calls: list[Any]) -> list[Delta]:
        deltas: list[Delta] = []
        for raw in calls:
            if not isinstance(raw, dict):
                continue
            index = raw.get("index")
            if not isinstance(index, int):
                index = len(self._tools)
            call = self._tools.get(index)
            if call is None:
                call = self._tools[index] = ToolCall()
                self._message.tool_calls.append(call)
            if isinstance(raw.get("id"), str) and raw["id"]:
                call.id = raw["id"]
            if isinstance(raw.get("type"), str) and raw["type"]:
                call.type = raw["type"]
            function = raw.get("function")
            if isinstance(function, dict):
                if isinstance(function.get("name"), str) and function["name"]:
                    call.name = function["name"]
                arguments = function.get("arguments")
                if isinstance(arguments, str):
                    call.arguments += arguments
                elif isinstance(arguments, dict):  # some servers send an object
                    call.arguments += json.dumps(arguments, ensure_ascii=False)
            deltas.append(Delta("tool_call", call.arguments, index))
        return deltas
