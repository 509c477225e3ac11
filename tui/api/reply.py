"""Turning Chat Completions chunks into one assistant reply.

``ReplyBuilder.add_chunk`` takes each decoded JSON chunk (or a whole non-streamed
response) and returns the deltas to show; ``builder.message`` is the reply so far.
Nothing here does I/O, so the same code serves the stream, ``--no-stream`` and tests.

Content and reasoning arrive a few characters at a time; adding each piece to a string
would copy the whole text every time (400 KB in 80,000 pieces: 4.6 s). The pieces are
kept in lists and joined into the message when it is looked at.

Every piece of text is made storable on the way in: a UTF-16 surrogate pair whose halves
arrive in two chunks (``"\\ud83d"`` then ``"\\ude00"``) is joined into one character, and
a lone surrogate becomes U+FFFD, so no view or writer ever meets one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from tui.api import chunk_json
from tui.api.think import ThinkSplitter
from tui.model.conversation import Message, ToolCall, Usage
from tui.model.text import storable

DeltaKind = Literal["content", "reasoning", "refusal", "tool_call", "reasoning_reset"]


@dataclass(slots=True)
class Delta:
    """A piece of the reply to show.

    ``reasoning_reset`` means the content shown so far was really reasoning (a model
    that wrote ``…</think>`` with no opening tag): the view should move it over. It can
    come only before any ``reasoning`` delta and only once, so after either of those
    the content is known to be the answer.

    Not frozen, though nothing changes one: one is made for nearly every chunk, and a
    frozen dataclass takes three times as long to make (0.9 µs against 0.3).
    """

    kind: DeltaKind
    text: str = ""
    index: int = 0


_SURROGATE = re.compile("[\ud800-\udfff]")


# The keys of a chunk that ``ReplyBuilder._add_plain`` reads or may ignore.
_PLAIN_CHUNK = frozenset({"id", "object", "created", "model", "choices", "usage",
                          "system_fingerprint", "provider", "service_tier"})
_PLAIN_CHOICE = frozenset({"index", "delta", "finish_reason", "logprobs",
                           "native_finish_reason"})
_PLAIN_DELTA = frozenset({"content", "role"})


def clean(text: str) -> str:
    """``text`` safe to store: checked cheaply, rewritten only when it holds a surrogate."""
    if text.isascii() or _SURROGATE.search(text) is None:  # isascii is a flag lookup
        return text
    return storable(text)


def clean_json(value: Any) -> Any:
    """A decoded JSON value with every string in it (keys too) made storable."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean(k): clean_json(v) for k, v in value.items()}
    return value


class PairJoiner:
    """Makes one stream of text pieces storable: a high surrogate at the end of a piece
    is held back until the next piece, which may start with its other half."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        if self._held:
            text, self._held = self._held + text, ""
        elif text.isascii() or _SURROGATE.search(text) is None:
            return text
        if "\ud800" <= text[-1] <= "\udbff":
            text, self._held = text[:-1], text[-1]
        return storable(text)

    def flush(self) -> str:
        """The stream has ended: a high surrogate still held back was a lone one."""
        held, self._held = self._held, ""
        return storable(held)


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
        self._content_came = False  # even when all of it is held back (a <think> tag?)
        self._content: list[str] = []  # pieces not yet joined into the message
        self._reasoning: list[str] = []
        self._think = ThinkSplitter()
        self._tools: dict[int, ToolCall] = {}
        self._choice: int | None = None  # the choice index followed, once one brings output
        self._content_in = PairJoiner()
        self._reasoning_in = PairJoiner()
        self._refusal_in = PairJoiner()
        self._arguments_in: dict[int, PairJoiner] = {}
        # Chunks that brought text: the reply's tokens, for a server that sends one token
        # a chunk and no usage (tui.api.counted_usage).
        self.text_chunks = 0

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
    def has_output(self) -> bool:
        m = self._message
        return bool(self._content_came or self._reasoning or m.content or m.reasoning or m.refusal
                    or m.tool_calls)

    def add_chunk(self, chunk: Any) -> list[Delta]:
        if self._choice == 0 and type(chunk) is dict and chunk.keys() <= _PLAIN_CHUNK:
            deltas = self._add_plain(chunk)
            if deltas is not None:
                return deltas
        if not isinstance(chunk, dict):
            raise ValueError("a stream chunk is not a JSON object")
        deltas = []
        model = chunk.get("model")
        if isinstance(model, str) and model and not self._message.model:
            self._message.model = clean(model)
        choices = chunk.get("choices")
        if type(choices) is list and len(choices) == 1 and self._choice == 0:
            # Nearly every chunk: the one choice this reply follows.
            choice = choices[0]
            if type(choice) is dict and not choice.get("index"):
                deltas = self._add_choice(choice)
                choices = None
        if isinstance(choices, list):
            # Servers asked for one reply send it as choice 0, but some number it
            # otherwise: the first index that brings anything is followed, and other
            # indices are ignored from then on.
            for choice in choices:
                if not isinstance(choice, dict):
                    continue
                index = choice.get("index") or 0
                if type(index) is not int or (self._choice is not None and index != self._choice):
                    continue
                found = self._add_choice(choice)
                if self._choice is None and (found or self.has_output
                                             or self._message.finish_reason):
                    self._choice = index
                deltas.extend(found)
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._message.usage = Usage.from_wire(clean_json(usage))
        if chunk.get("error") is not None:
            self.add_error(chunk["error"])
        elif chunk.get("object") == "error":  # vLLM's stream error without the wrapper
            self.add_error(chunk)
        return deltas

    def add_data(self, data: str) -> list[Delta] | None:
        """One event's data, a chunk as JSON text: its deltas, or None if it is not a
        JSON object."""
        deltas, unreadable = self.add_events([data])
        return None if unreadable else deltas

    def add_events(self, datas: list[str]) -> tuple[list[Delta], int]:
        """The data of events in a row, each a chunk as JSON text: their deltas, and how
        many were neither empty nor a JSON object (skipped).

        Nearly every chunk is a plain piece of content, decoded straight into a typed
        struct (``tui.api.plain_chunk``): the pieces of a run of such chunks are joined
        and go through the surrogate joiner and the ``<think>`` splitter once, which
        gives the same text as piece by piece (what the stream does with the deltas of
        a read: ``tui.api.stream._joined``). Any other chunk goes through
        ``add_chunk`` as a dict, with the same result (tests/api/test_plain_chunks.py)."""
        deltas: list[Delta] = []
        unreadable = 0
        decode = chunk_json.plain_decoder()
        message = self._message
        i, count = 0, len(datas)
        while i < count:
            if self._choice == 0:
                pieces = []
                try:
                    while i < count:
                        chunk = decode(datas[i])
                        choice = chunk.choices[0]
                        content = choice.delta.content
                        if not content or choice.index:
                            break  # read the long way, as add_chunk does
                        if not message.model and chunk.model:
                            message.model = clean(chunk.model)
                        pieces.append(content)
                        i += 1
                except (ValueError, RecursionError):
                    pass  # not a plain chunk (this one is read the long way)
                if pieces:
                    self.text_chunks += len(pieces)
                    deltas += self._add_content(self._content_in.feed("".join(pieces)))
                    continue
            data = datas[i]
            i += 1
            if not data:
                continue
            try:
                value = chunk_json.loads(data)
            except (ValueError, RecursionError):  # not JSON, or nested too deep
                value = None
            if isinstance(value, dict):
                deltas += self.add_chunk(value)
            else:
                unreadable += 1
        return deltas, unreadable

    def _add_plain(self, chunk: dict[str, Any]) -> list[Delta] | None:
        """Nearly every chunk: a piece of content for the one choice followed, and
        nothing else to look at (no usage, error, finish, reasoning, refusal or tool
        call). None: not such a chunk (``add_chunk`` reads it the long way)."""
        choices = chunk.get("choices")
        if type(choices) is not list or len(choices) != 1 or chunk.get("usage") is not None:
            return None
        choice = choices[0]
        if (type(choice) is not dict or not choice.keys() <= _PLAIN_CHOICE
                or choice.get("index") or choice.get("finish_reason") is not None):
            return None
        delta = choice.get("delta")
        if type(delta) is not dict or not delta.keys() <= _PLAIN_DELTA:
            return None
        content = delta.get("content")
        if type(content) is not str or not content:
            return None
        model = chunk.get("model")
        if isinstance(model, str) and model and not self._message.model:
            self._message.model = clean(model)
        self.text_chunks += 1
        return self._add_content(self._content_in.feed(content))

    def add_error(self, error: Any) -> None:
        """The server reported an error (of any shape): the reply ends in it."""
        self._message.error = clean(error_text(error))
        self._message.finish_reason = "error"

    def finish(self) -> list[Delta]:
        """The stream has ended: release any text held back while a tag or the second
        half of a surrogate pair was awaited."""
        deltas = self._add_content(self._content_in.flush())
        deltas += self._content_deltas(self._think.flush())
        deltas += self._add_text("reasoning", self._reasoning_in.flush())
        deltas += self._add_text("refusal", self._refusal_in.flush())
        for index, joiner in self._arguments_in.items():
            text = joiner.flush()
            if text:
                self._tools[index].arguments += text
                deltas.append(Delta("tool_call", self._tools[index].arguments, index))
        return deltas

    def _add_choice(self, choice: dict[str, Any]) -> list[Delta]:
        deltas: list[Delta] = []
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message")  # a non-streamed response
        if isinstance(delta, dict):
            content = delta.get("content")
            # Servers in transition send both names with the same text: take one.
            text = delta.get("reasoning") or delta.get("reasoning_content")
            refusal = delta.get("refusal")
            if ((type(content) is str and content) or (type(text) is str and text)
                    or (type(refusal) is str and refusal)):
                self.text_chunks += 1
            if isinstance(text, str) and text:
                self._think.allow_orphan_close = False
                deltas.extend(self._add_text("reasoning", self._reasoning_in.feed(text)))
            details = delta.get("reasoning_details")
            if isinstance(details, list):
                self._message.reasoning_details.extend(clean_json(details))
            if isinstance(content, str) and content:
                deltas.extend(self._add_content(self._content_in.feed(content)))
            if isinstance(refusal, str) and refusal:
                deltas.extend(self._add_text("refusal", self._refusal_in.feed(refusal)))
            calls = delta.get("tool_calls")
            if isinstance(calls, list):
                deltas.extend(self._add_tool_calls(calls))
        if choice.get("error") is not None:
            self.add_error(choice["error"])  # even when no finish_reason follows
        finish = choice.get("finish_reason")
        if isinstance(finish, str) and finish:
            self._message.finish_reason = clean(finish)
            if finish == "error" and not self._message.error:
                self._message.error = "The model's provider ended the reply with an error."
        return deltas

    def _add_content(self, text: str) -> list[Delta]:
        if not text:
            return []
        self._content_came = True
        return self._content_deltas(self._think.feed(text))

    def _add_text(self, kind: Literal["reasoning", "refusal"], text: str) -> list[Delta]:
        if not text:
            return []
        if kind == "reasoning":
            self._reasoning.append(text)
        else:
            self._message.refusal += text
        return [Delta(kind, text)]

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
                call.id = clean(raw["id"])
            if isinstance(raw.get("type"), str) and raw["type"]:
                call.type = clean(raw["type"])
            function = raw.get("function")
            if isinstance(function, dict):
                if isinstance(function.get("name"), str) and function["name"]:
                    call.name = clean(function["name"])
                arguments = function.get("arguments")
                if isinstance(arguments, dict):  # some servers send an object
                    arguments = json.dumps(arguments, ensure_ascii=False)
                if isinstance(arguments, str):
                    joiner = self._arguments_in.setdefault(index, PairJoiner())
                    call.arguments += joiner.feed(arguments)
            deltas.append(Delta("tool_call", call.arguments, index))
        return deltas
