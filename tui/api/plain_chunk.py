"""The chunk nearly every streamed reply is made of, decoded straight into typed structs.

``{"id": …, "model": …, "choices": [{"index": 0, "delta": {"content": "…"}}]}``: a piece
of content for choice 0 and nothing else. msgspec decodes such a chunk into the structs
below in one C call, checking its shape on the way (one choice, known keys only, no
usage, no finish), where the generic path builds dicts and checks them in Python.
Anything else (tool calls, reasoning, usage, errors, a finish, unknown keys, other
types, text msgspec refuses such as a lone surrogate escape) fails to decode and goes
the generic way (``tui.api.chunk_json.loads`` and ``ReplyBuilder.add_chunk``), which
gives the same result for every chunk this takes (tests/api/test_plain_chunks.py).

The keys besides ``content``, ``index`` and ``model`` are the ones the generic path
ignores whatever they hold (``tui.api.reply``'s ``_PLAIN_CHUNK``, ``_PLAIN_CHOICE``,
``_PLAIN_DELTA``): ``msgspec.Raw`` skips their values without building them.

Imported on first use with msgspec (``chunk_json.warm_up``).
"""

from __future__ import annotations

import msgspec
from msgspec import Raw

_SKIPPED = Raw()  # the default of a key that is ignored: never looked at


class PlainDelta(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    content: str
    role: Raw = _SKIPPED


class PlainChoice(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    delta: PlainDelta
    index: int | None = None
    finish_reason: None = None
    logprobs: Raw = _SKIPPED
    native_finish_reason: Raw = _SKIPPED


class PlainChunk(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    choices: tuple[PlainChoice]  # exactly one
    model: str | None = None
    usage: None = None
    id: Raw = _SKIPPED
    object: Raw = _SKIPPED
    created: Raw = _SKIPPED
    system_fingerprint: Raw = _SKIPPED
    provider: Raw = _SKIPPED
    service_tier: Raw = _SKIPPED


# ``data`` as a PlainChunk; raises ValueError (msgspec's DecodeError, ValidationError)
# for anything else. Its choice's ``index`` may still be one other than 0.
decode = msgspec.json.Decoder(PlainChunk).decode


def plain_content(data: str) -> PlainChunk | None:
    """``data`` decoded, if it is a plain content chunk for choice 0 (its content may
    still be empty); None otherwise."""
    try:
        chunk = decode(data)
    except (ValueError, RecursionError):
        return None
    return None if chunk.choices[0].index else chunk
