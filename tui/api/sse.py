"""Server-Sent Events framing, following the WHATWG rules byte by byte.

The decoder is fed raw bytes in whatever pieces the network delivers and hands back
complete events. Lines end in LF, CRLF or a lone CR (a CR at the end of one read may be
the first half of a CRLF); UTF-8 is decoded per line, so a character split across reads
is never mangled.

Two extensions to the standard, both handed back at once as events of their own where
the standard would drop the line as an unknown field:
- an ``error:`` field line (llama.cpp's server sent mid-stream errors this way until late
  2025, followed by ``data: [DONE]``) becomes an event of type ``error`` with the field's
  value as its data;
- a line that starts with ``{`` is a JSON object written bare into the stream (Ollama's
  and some proxies' ``{"error": …}`` after the stream began), and becomes an event of
  type ``json-line`` with the whole line as its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, cast

_BOM = "\ufeff"


class SSEEvent(NamedTuple):
    """One event. A named tuple: one is made per chunk of a reply, and a frozen
    dataclass takes three times as long to make."""

    data: str
    event: str = "message"
    id: str | None = None


@dataclass
class SSEStats:
    """What the decoder saw besides events: useful for tests and diagnostics."""

    events: int = 0
    comments: int = 0
    retry_ms: int | None = None
    unknown_fields: list[str] = field(default_factory=list)


class SSEDecoder:
    def __init__(self, max_line_bytes: int = 64 * 1024 * 1024) -> None:
        self.stats = SSEStats()
        self._buffer = bytearray()
        self._pending_cr = False  # the last read ended in CR: a following LF belongs to it
        self._started = False
        self._data: list[str] = []
        self._event_type = ""
        self._last_id: str | None = None
        self._max_line_bytes = max_line_bytes
        # Set by ``close``: the data of a last event that lacked its blank line.
        self.unterminated: str | None = None
        # Set by ``feed_data``: what it handed back is all strs (plain events' data).
        # False says nothing either way.
        self.all_data = False

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not chunk:
            return []
        if self._pending_cr:
            self._pending_cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        self._buffer += chunk
        return self._lines()

    def feed_data(self, chunk: bytes) -> list[str | SSEEvent]:
        """``feed`` for the stream loop: each plain ``message`` event as just its data
        (a str), any other event (``error``, ``json-line``, a named one) as an
        ``SSEEvent``; the same events, stats and errors as ``feed`` in every other way.

        Nearly every stream is LF-only, ``data: {…}`` and a blank line per event. Then
        the whole events a read completes (up to its last ``\\n\\n``) are decoded at
        once, split on the blank lines, and an event that is one ``data: `` line is
        taken as it is; an event of any other shape, and the whole lines after the
        last blank line, are read line by line. Anything else (a CR, the first line
        with its BOM, an event begun in an earlier read) goes through ``feed``."""
        self.all_data = False
        if (not chunk or not self._started or self._pending_cr or self._data
                or self._event_type or b"\r" in chunk):
            return [e.data if e.event == "message" else e for e in self.feed(chunk)]
        # The buffer holds no CR: what ``feed`` leaves is part of one line (a CR ends a
        # line), and what this leaves came in chunks without one.
        buffer = self._buffer
        buffer += chunk
        end = buffer.rfind(b"\n\n")
        if end == -1:  # no whole event yet
            return [e.data if e.event == "message" else e for e in self._feed_lf(buffer)]
        text = buffer[:end].decode("utf-8", errors="replace")  # as _feed_lf: LF-safe
        del buffer[: end + 2]
        out: list[str | SSEEvent]
        if text[:6] == "data: " and text.count("\n") == 2 * text.count("\n\ndata: "):
            # Every line end is in a "\n\ndata: ": each event is one data line.
            out = cast("list[str | SSEEvent]", text[6:].split("\n\ndata: "))
            self.stats.events += len(out)
            self.all_data = True
        else:
            out = []
            plain = 0
            for block in text.split("\n\n"):  # each block's lines, then a blank line
                if block[:6] == "data: " and "\n" not in block:
                    out.append(block[6:])
                    plain += 1
                else:
                    self._block(block, out)
            self.stats.events += plain
        if b"\n" in buffer:  # whole lines of an event not yet ended: an error: line?
            self.all_data = False
            out += [e.data if e.event == "message" else e for e in self._feed_lf(buffer)]
        elif len(buffer) > self._max_line_bytes:
            self._check_last_line(buffer)
        return out

    def _block(self, block: str, out: list[str | SSEEvent]) -> None:
        """The lines of one event, LF-ended, and the blank line after them."""
        data = self._data
        for line in block.split("\n"):
            if line[:6] == "data: ":
                data.append(line[6:])
            elif line:
                event = self._field(line)
                if event is not None:
                    out.append(event)
            else:
                self._dispatch_into(out)
                data = self._data
        self._dispatch_into(out)

    def _dispatch_into(self, out: list[str | SSEEvent]) -> None:
        event = self._dispatch()
        if event is not None:
            out.append(event.data if event.event == "message" else event)

    def _check_last_line(self, buffer: bytearray) -> None:
        if len(buffer) - buffer.rfind(b"\n") - 1 > self._max_line_bytes:
            raise ValueError(f"an event-stream line is longer than {self._max_line_bytes} bytes")

    def _lines(self) -> list[SSEEvent]:
        """The whole lines in the buffer, read."""
        events: list[SSEEvent] = []
        buffer = self._buffer
        if self._started and b"\r" not in buffer:
            return self._feed_lf(buffer)
        start = 0
        length = len(buffer)
        while start < length:
            lf = buffer.find(b"\n", start)
            cr = buffer.find(b"\r", start, lf if lf != -1 else length)
            if cr != -1:
                end, next_start = cr, cr + 1
                if next_start < length:
                    if buffer[next_start] == 0x0A:
                        next_start += 1
                else:
                    self._pending_cr = True
            elif lf != -1:
                end, next_start = lf, lf + 1
            else:
                break
            event = self._line(bytes(buffer[start:end]))
            if event is not None:
                events.append(event)
            start = next_start
        del buffer[:start]
        if len(buffer) > self._max_line_bytes:
            self._check_last_line(buffer)
        return events

    def _feed_lf(self, buffer: bytearray) -> list[SSEEvent]:
        """``feed`` for lines that all end in LF (nearly every stream): the whole lines
        are decoded at once and split, instead of found and decoded one by one. The same
        text either way: an LF is never part of a UTF-8 sequence, so a broken one
        before it becomes U+FFFD whether the line is decoded alone or with others."""
        events: list[SSEEvent] = []
        end = buffer.rfind(b"\n")
        if end != -1:
            text = buffer[:end].decode("utf-8", errors="replace")
            del buffer[: end + 1]
            data = self._data
            for line in text.split("\n"):
                if line[:6] == "data: ":
                    data.append(line[6:])
                elif line:
                    event = self._field(line)
                    if event is not None:
                        events.append(event)
                elif data:  # the blank line that ends an event: ``_dispatch``, inlined
                    events.append(SSEEvent(data[0] if len(data) == 1 else "\n".join(data),
                                           self._event_type or "message", self._last_id))
                    self._data = data = []
                    self._event_type = ""
                    self.stats.events += 1
                else:
                    self._event_type = ""
        if len(buffer) > self._max_line_bytes:
            self._check_last_line(buffer)
        return events

    def close(self) -> list[SSEEvent]:
        """End of the body. A last line without its line ending is processed; an event
        without its terminating blank line is not dispatched, as the standard says, but
        its data is left in ``unterminated`` for a caller that wants to look at it."""
        events: list[SSEEvent] = []
        if self._buffer:
            event = self._line(bytes(self._buffer))
            self._buffer.clear()
            if event is not None:
                events.append(event)
        if self._data:
            self.unterminated = "\n".join(self._data)
            self._data = []
        return events

    def _line(self, raw: bytes) -> SSEEvent | None:
        if raw[:6] == b"data: " and self._started:  # nearly every line of a reply
            self._data.append(raw[6:].decode("utf-8", errors="replace"))
            return None
        line = raw.decode("utf-8", errors="replace")
        if not self._started:
            self._started = True
            if line.startswith(_BOM):
                line = line[1:]
        if not line:
            return self._dispatch()
        return self._field(line)

    def _field(self, line: str) -> SSEEvent | None:
        """A line that is neither blank nor ``data: …``."""
        if line[0] == ":":
            self.stats.comments += 1
            return None
        if line[0] == "{":
            return SSEEvent(data=line, event="json-line", id=self._last_id)
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event_type = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "error":
            return SSEEvent(data=value, event="error", id=self._last_id)
        elif name == "retry":
            if value.isascii() and value.isdigit():  # "²" is a digit to str.isdigit
                self.stats.retry_ms = int(value)
        elif name not in self.stats.unknown_fields:
            self.stats.unknown_fields.append(name)
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._event_type = ""
            return None
        event = SSEEvent(
            data="\n".join(self._data), event=self._event_type or "message", id=self._last_id
        )
        self._data = []
        self._event_type = ""
        self.stats.events += 1
        return event
