"""SSE framing as a property: generated event streams (every field kind, every line
ending, comments, a BOM, unterminated endings) give the same events as a reference model
of the WHATWG rules, however the bytes are cut into reads."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api.sse import SSEDecoder, SSEEvent

VALUE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                max_size=12)
FIELD = st.sampled_from(["data", "data", "data", "event", "id", "retry", "comment", "x-odd"])
STYLE = st.sampled_from(["space", "bare", "alone"])  # "data: v", "data:v", "data"
ENDING = st.sampled_from(["\n", "\r\n", "\r"])


@dataclass(frozen=True)
class Line:
    field: str
    value: str
    style: str
    ending: str

    def text(self) -> str:
        if self.field == "comment":
            return ":" + self.value
        if self.style == "alone":
            return self.field
        return f"{self.field}:{' ' if self.style == 'space' else ''}{self.value}"

    def value_seen(self) -> str:
        if self.style == "alone":
            return ""
        if self.style == "bare" and self.value.startswith(" "):
            return self.value[1:]  # one space after the colon is never part of the value
        return self.value


LINE = st.builds(Line, FIELD, VALUE, STYLE, ENDING)
EVENT = st.tuples(st.lists(LINE, max_size=5), ENDING)  # the fields, then the blank line


LF_LINE = st.builds(Line, FIELD, VALUE, STYLE, st.just("\n"))
# The common case the fast path of ``feed_data`` is for: LF only, one data line each.
CHUNK_EVENT = st.tuples(st.lists(st.builds(Line, st.just("data"), VALUE, st.just("space"),
                                           st.just("\n")), min_size=1, max_size=1),
                        st.just("\n"))
LF_STREAM_EVENT = st.one_of(CHUNK_EVENT, CHUNK_EVENT, CHUNK_EVENT,
                            st.tuples(st.lists(LF_LINE, max_size=5), st.just("\n")))


@st.composite
def streams(draw: st.DrawFn, event: st.SearchStrategy[tuple[list[Line], str]] = EVENT
            ) -> tuple[bytes, list[SSEEvent]]:
    events = draw(st.lists(event, max_size=8))
    bom = draw(st.booleans())
    unterminated = draw(st.booleans())  # the last event lacks its blank line
    text = "\ufeff" if bom else ""
    expected: list[SSEEvent] = []
    last_id: str | None = None
    previous_ending = ""
    for number, (lines, blank_ending) in enumerate(events):
        data: list[str] = []
        event_type = ""
        for line in lines:
            text += line.text() + line.ending
            previous_ending = line.ending
            value = line.value_seen()
            if line.field == "data":
                data.append(value)
            elif line.field == "event":
                event_type = value
            elif line.field == "id" and "\0" not in value:
                last_id = value
        if unterminated and number == len(events) - 1:
            break
        if previous_ending == "\r" and blank_ending == "\n":
            blank_ending = "\r\n"  # "\r" + "\n" would be one CRLF, not a blank line
        text += blank_ending
        previous_ending = blank_ending
        if data:
            expected.append(SSEEvent("\n".join(data), event_type or "message", last_id))
    return text.encode("utf-8"), expected


def decode(pieces: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    events.extend(decoder.close())
    return events


@given(stream=streams(), cuts=st.lists(st.integers(min_value=0, max_value=10_000),
                                       max_size=20))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_split_of_any_stream_gives_the_reference_events(
    stream: tuple[bytes, list[SSEEvent]], cuts: list[int]
) -> None:
    body, expected = stream
    points = sorted({c % (len(body) + 1) for c in cuts})
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    assert b"".join(pieces) == body
    assert decode([body]) == expected
    assert decode(pieces) == expected


@given(stream=streams())
@settings(max_examples=100, deadline=None)
def test_one_byte_at_a_time_gives_the_reference_events(
    stream: tuple[bytes, list[SSEEvent]],
) -> None:
    body, expected = stream
    assert decode([body[i:i + 1] for i in range(len(body))]) == expected


def test_retry_takes_only_ascii_digits() -> None:
    """Found by the property test above: "²" and "٣" are digits to ``str.isdigit``."""
    for value, expected in (("3000", 3000), ("²", None), ("٣", None), ("12a", None), ("", None)):
        decoder = SSEDecoder()
        list(decoder.feed(f"retry: {value}\ndata: x\n\n".encode()))
        assert decoder.stats.retry_ms == expected, value


def test_exactly_one_space_after_the_colon_is_removed() -> None:
    """Fixed cases for what the property test finds only when it draws such a value."""
    body = b"data:  two\n\ndata:   three\n\ndata:none\n\ndata: \n\ndata:\t tab\n\n"
    assert [e.data for e in decode([body])] == [" two", "  three", "none", "", "\t tab"]
    for field in ("event", "id"):
        [event] = decode([f"{field}:  x\ndata: d\n\n".encode()])
        assert (event.event if field == "event" else event.id) == " x"


def test_an_error_field_line_is_handed_back_as_an_error_event() -> None:
    """llama.cpp's server sent mid-stream errors as an ``error:`` field, then [DONE]."""
    body = b'data: {"a":1}\n\nerror: {"code":500,"message":"boom"}\n\ndata: [DONE]\n\n'
    for pieces in ([body], [body[i:i + 1] for i in range(len(body))]):
        decoder = SSEDecoder()
        events = [e for p in pieces for e in decoder.feed(p)] + decoder.close()
        assert events == [SSEEvent('{"a":1}'), SSEEvent('{"code":500,"message":"boom"}', "error"),
                          SSEEvent("[DONE]")]
        assert decoder.stats.unknown_fields == []


def test_an_unterminated_last_event_is_not_dispatched_but_kept_aside() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: a\n\ndata: b1\ndata: b2")
    events += decoder.close()
    assert [e.data for e in events] == ["a"]
    assert decoder.unterminated == "b1\nb2"
    whole = SSEDecoder()
    whole.feed(b"data: a\n\n")
    whole.close()
    assert whole.unterminated is None


def test_a_bare_json_line_is_handed_back_as_its_own_event() -> None:
    """Ollama's native stream and some proxies write ``{"error": …}`` with no ``data:``."""
    body = b'data: {"a":1}\n\n{"error":"model failed"}\n'
    [first, bare] = decode([body[i:i + 1] for i in range(len(body))])
    assert first == SSEEvent('{"a":1}')
    assert bare == SSEEvent('{"error":"model failed"}', "json-line")


# --- feed_data: the stream loop's way in, the same events as feed -------------------


def as_data(events: list[SSEEvent]) -> list[str | SSEEvent]:
    """Events as ``feed_data`` hands them back: a plain message as its data."""
    return [e.data if e.event == "message" else e for e in events]


def by_feed(pieces: list[bytes]) -> tuple[list[list[str | SSEEvent]], SSEDecoder]:
    """The events of each read, and those of the close, by ``feed``."""
    decoder = SSEDecoder()
    reads = [as_data(decoder.feed(piece)) for piece in pieces]
    return [*reads, as_data(decoder.close())], decoder


def by_feed_data(pieces: list[bytes]) -> tuple[list[list[str | SSEEvent]], SSEDecoder]:
    decoder = SSEDecoder()
    reads = []
    for piece in pieces:
        reads.append(decoder.feed_data(piece))
        # all_data, when set, is a promise the stream loop relies on
        assert not decoder.all_data or all(isinstance(e, str) for e in reads[-1])
    return [*reads, as_data(decoder.close())], decoder


def flat(reads: list[list[str | SSEEvent]]) -> list[str | SSEEvent]:
    return [e for read in reads for e in read]


def cut(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts})
    return [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]


def same(pieces: list[bytes]) -> None:
    """The same events, each handed back by the same read, and the same stats."""
    fed, by = by_feed(pieces)
    fed_data, by_data = by_feed_data(pieces)
    assert fed_data == fed
    assert by_data.stats == by.stats
    assert by_data.unterminated == by.unterminated


ANY_STREAM = st.one_of(streams(), streams(LF_STREAM_EVENT))


@given(stream=ANY_STREAM, cuts=st.lists(st.integers(min_value=0, max_value=10_000),
                                        max_size=20))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_feed_data_gives_what_feed_gives_for_any_split(
    stream: tuple[bytes, list[SSEEvent]], cuts: list[int]
) -> None:
    body, expected = stream
    same([body])
    same(cut(body, cuts))
    reads, _ = by_feed_data(cut(body, cuts))
    assert flat(reads) == as_data(expected)


@given(stream=streams(LF_STREAM_EVENT), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b":\n",
                                                                b"data: x\r\n\r\n"]),
       tail=st.binary(max_size=6), cuts=st.lists(st.integers(0, 10_000), max_size=12))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_feed_data_gives_what_feed_gives_for_any_bytes(
    stream: tuple[bytes, list[SSEEvent]], prefix: bytes, tail: bytes, cuts: list[int]
) -> None:
    """Raw bytes too: a BOM or a CRLF first, broken UTF-8 and stray CRs at the end."""
    body = prefix + stream[0] + tail
    same(cut(body, cuts))
    same([body[i:i + 1] for i in range(len(body))])


@given(stream=streams(LF_STREAM_EVENT))
@settings(max_examples=100, deadline=None)
def test_feed_data_one_byte_at_a_time(stream: tuple[bytes, list[SSEEvent]]) -> None:
    body = stream[0]
    same([body[i:i + 1] for i in range(len(body))])


def test_feed_data_joins_a_character_split_across_reads() -> None:
    body = 'data: {"c":"é✓😀"}\n\ndata: [DONE]\n\n'.encode()
    for offset in range(len(body) + 1):
        reads, _ = by_feed_data([body[:offset], body[offset:]])
        assert flat(reads) == ['{"c":"é✓😀"}', "[DONE]"], offset


def test_feed_data_takes_the_fast_path_for_plain_events() -> None:
    """Events ended by a read are handed back at once; the rest waits, then comes whole."""
    decoder = SSEDecoder()
    assert decoder.feed_data(b"data: first\n\n") == ["first"]  # the first line: feed's way
    assert decoder.feed_data(b"data: a\n\ndata: b\n\ndata: \n\ndata: d") == ["a", "b", ""]
    assert decoder.all_data
    assert decoder.feed_data(b"0\n\ndata: a\n\nevent: x\ndata: c\n\ndata: d") == [
        "d0", "a", SSEEvent("c", "x")]
    assert not decoder.all_data
    assert decoder.feed_data(b"1\ndata: d2\n") == []
    assert decoder.feed_data(b"\n") == ["d1\nd2"]
    assert decoder.stats.events == 8
    # An event begun in an earlier read keeps what that read said (its type here).
    assert decoder.feed_data(b"event: x\n") == []
    assert decoder.feed_data(b"data: e\n\n") == [SSEEvent("e", "x")]
    # A line that is an event of its own is handed back by the read that ends it.
    assert decoder.feed_data(b"data: f\n\nerror: boom\n") == ["f", SSEEvent("boom", "error")]
    assert not decoder.all_data
    assert decoder.feed_data(b'\n{"error": "bare"}\n') == [SSEEvent('{"error": "bare"}',
                                                                     "json-line")]


def test_feed_data_refuses_a_line_too_long_as_feed_does() -> None:
    for limit, body, ok in ((8, b"data: 12\n\ndata: 12", True),
                            (8, b"data: 12\n\ndata: 123", False),
                            (8, b"data: 12\n\ndata: 12\ndata: 12", True)):
        for pieces in ([b"data: x\n\n", body], [b"data: x\n\n", body[:9], body[9:]]):
            results = []
            for way in ("feed", "feed_data"):
                decoder = SSEDecoder(max_line_bytes=limit)
                try:
                    for piece in pieces:
                        getattr(decoder, way)(piece)
                    results.append(True)
                except ValueError:
                    results.append(False)
            assert results == [ok, ok], (body, pieces)
