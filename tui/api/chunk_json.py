"""JSON decoding for the chunks of a streamed reply: msgspec's C decoder, with the
standard library's as the rule.

A 20,000-chunk reply is 20,000 small JSON objects; ``json.loads`` takes ~3.5 µs for
each, msgspec ~1.3 µs (benchmarks/stream_render.py). msgspec refuses some text that
``json.loads`` takes and this client must keep taking: ``NaN`` and ``Infinity`` (some
servers write them in usage; ``Usage.from_wire`` drops them), numbers beyond a float
(``1e400``), and a lone UTF-16 surrogate escape (``"\\ud83d"``, half an emoji cut at a
chunk boundary, joined to its other half by ``tui.api.reply``). Whatever msgspec
refuses is given to ``json.loads``, so what is accepted, and what it decodes to, is
what the standard library says. (orjson was measured too: as fast, but it turns
integers beyond 64 bits into floats, which ``json.loads`` keeps exact.)

msgspec is imported on first use (~10 ms, after httpx): not at start-up, but before a
request is sent (``ChatClient.warm_up``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.api.plain_chunk import PlainChunk

_decode: Callable[[str | bytes], Any] | None = None
_plain: Callable[[str], PlainChunk | None] | None = None
_plain_raising: Callable[[str], PlainChunk] | None = None


def warm_up() -> None:
    """Import the fast decoders now (safe from a thread)."""
    global _decode, _plain, _plain_raising
    if _decode is None:
        import msgspec.json

        from tui.api import plain_chunk

        _plain = plain_chunk.plain_content
        _plain_raising = plain_chunk.decode
        _decode = msgspec.json.Decoder().decode


def plain(text: str) -> PlainChunk | None:
    """``text`` as a plain content chunk for choice 0 (``tui.api.plain_chunk``), if it
    is one."""
    if _plain is None:
        warm_up()
        assert _plain is not None
    return _plain(text)


def plain_decoder() -> Callable[[str], PlainChunk]:
    """For a loop over many chunks: text to a ``PlainChunk`` (of any choice index), or
    ValueError."""
    if _plain_raising is None:
        warm_up()
        assert _plain_raising is not None
    return _plain_raising


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, faster; raises what it raises (ValueError, RecursionError)."""
    if _decode is None:
        warm_up()
        assert _decode is not None
    try:
        return _decode(text)
    except ValueError:  # msgspec.DecodeError: not JSON to msgspec; maybe to json.loads
        return json.loads(text)
