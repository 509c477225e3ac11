"""What ``cline-tui ask`` sends besides its options: the prompt, the files attached to it
(``-a FILE``, and piped stdin when a PROMPT is given too), and what the model takes.

- ``ask "question"``: the question. ``ask`` with stdin only: stdin is the prompt, as text.
- ``ask "question" < file`` or ``cmd | ask "question"``: stdin is attached, named
  "stdin", its bytes sniffed like a file's (``cat pic.png | cline-tui ask "what is
  this"`` attaches an image). Stdin is read only when it is a pipe or a file: a terminal
  or a device (``</dev/null``) is never waited on.
- ``-a FILE`` (repeatable) attaches files, in order, after stdin.

A file that cannot be attached, or an image or PDF the model's catalog entry does not
take (or a model the catalog does not list), is refused before anything is saved or
sent: exit 2, with up to five models of the catalog that do take it.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.api.catalog import Catalog, ModelInfo
from tui.api.errors import FailureError
from tui.chat.turn import inputs_for, make_client
from tui.cli.output import say
from tui.config import Config
from tui.model.attachment import Attachment, AttachmentError
from tui.model.conversation import Conversation
from tui.model.text import one_line
from tui.model.wire import Inputs, refusal
from tui.storage.attachments import attachment_from_bytes, read_attachment

if TYPE_CHECKING:
    from tui.storage.store import ConversationStore

STDIN_NAME = "stdin"
SUGGESTED = 5  # models named when one does not take an attachment


@dataclass
class AskInput:
    prompt: str
    attachments: list[Attachment] = field(default_factory=list)


def read_input(words: list[str], files: list[str]) -> AskInput | None:
    """The prompt and attachments of ``ask``; None after saying why there are none (or a
    file cannot be attached)."""
    try:
        if words:
            prompt = " ".join(words)
            raw = _piped_stdin()
            attachments = [attachment_from_bytes(STDIN_NAME, raw)] if raw else []
        else:
            raw = _piped_stdin()
            prompt = _as_text(raw) if raw is not None else ""
            attachments = []
        attachments += [read_attachment(path) for path in files]
    except AttachmentError as error:
        say(f"not sent: {error}")
        return None
    if not prompt.strip() and not attachments:
        say("no prompt: give one as an argument or on stdin (cline-tui ask \"...\")")
        return None
    return AskInput(prompt, attachments)


def _piped_stdin() -> bytes | None:
    """All of stdin when it is a pipe or a file; None for a terminal, a device or none."""
    stream = sys.stdin
    if stream is None:
        return None
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):  # closed, or not a real file
        return None
    if not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)):
        return None
    return stream.buffer.read()


def _as_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        say(f"stdin is not valid UTF-8: {text.count(chr(0xFFFD))} undecodable "
            "byte sequence(s) were replaced with U+FFFD")
        return text


def model_inputs(config: Config, conversation: Conversation, model: str,
                 attachments: list[Attachment], store: ConversationStore) -> Inputs | None:
    """What ``model`` takes besides text, reading earlier images and PDFs from beside the
    conversation; None after saying why ``attachments`` cannot be sent to it."""
    earlier = any(a.kind != "text" for m in conversation.messages for a in m.attachments)
    new = [a for a in attachments if a.kind != "text"]
    if not earlier and not new:
        return inputs_for(None, store.reader(conversation))
    catalog = _catalog(config, model)
    info = next((m for m in catalog if m.id == model), None)
    inputs = inputs_for(info, store.reader(conversation))
    problem = refusal(new, inputs, model)
    if problem is None:
        return inputs
    first = next(a for a in new if not inputs.takes(a))
    image = first.kind == "image"
    able = [m.id for m in catalog if (m.images if image else m.files)]
    if info is None:
        what = "images" if image else "PDF files"
        problem = (f"{one_line(first.name, 80)}: {model} is not in the model catalog of "
                   f"profile '{config.profile.name}', so it is not known to take {what}")
    if able:
        more = "…" if len(able) > SUGGESTED else ""
        problem += f"; models that do: {', '.join(able[:SUGGESTED])}{more} (pass -m MODEL)"
    else:
        problem += "; the catalog lists no model that does"
    say(f"not sent: {problem}")
    return None


def _catalog(config: Config, model: str) -> list[ModelInfo]:
    """The profile's catalog: the cached one when it lists ``model``, else fetched (the
    cached one, or none, when that fails). A profile that starts a local server is not
    asked: that would start it."""
    catalog = Catalog(make_client(config), config.paths.cache_dir)
    cached = catalog.cached()
    models = cached[0] if cached else []
    if any(m.id == model for m in models) or config.profile.starts_server:
        return models

    async def fetch() -> list[ModelInfo]:
        async with catalog.client:
            return await catalog.fetch()

    try:
        return asyncio.run(fetch())
    except FailureError:
        return models
