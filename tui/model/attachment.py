"""Files attached to a prompt: what each one is, what may be attached, and how it is sent.

Pure: no I/O. ``tui/storage/attachments.py`` reads a file into an ``Attachment`` and keeps
images and PDFs beside the conversation; ``tui/model/wire.py`` puts them in the request.

Three kinds are taken, told apart by their first bytes (never by the name alone):

- **text**: UTF-8 with no NUL byte. Sent inside the user message, named and fenced with
  its path, and saved inline in the conversation file.
- **image**: PNG, JPEG, WebP or GIF. Sent as an ``image_url`` content part holding a data
  URL, only to a model whose catalog lists image input; saved as a file in
  ``<id>.files/``.
- **pdf**: sent as a ``file`` content part (OpenRouter's shape) to a model whose catalog
  lists file input; saved like an image.

Anything else is refused with a message saying why.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "image", "pdf"]

# The largest file of each kind that may be attached, in bytes. Text is sent whole in the
# prompt (a megabyte is about 250,000 tokens, past most context windows already); 20 MB is
# the most OpenAI takes for one image; 32 MB the most Anthropic takes for one PDF.
LIMITS: dict[Kind, int] = {"text": 2_000_000, "image": 20_000_000, "pdf": 32_000_000}
# How much of the start of a file tells what it is.
SNIFF_BYTES = 16

IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp",
               "image/gif": "gif"}
PDF_TYPE = "application/pdf"
TEXT_TYPE = "text/plain"


class AttachmentError(Exception):
    """A file cannot be attached or sent; the message says which and why, in plain words."""


@dataclass
class Attachment:
    """One file attached to a user message."""

    name: str  # shown to the user and the model: the file's name ("stdin" for piped input)
    path: str  # the real path it was read from (symlinks resolved); "" for piped input
    type: str  # its media type: text/plain, image/png, image/jpeg, image/webp, image/gif,
    #            application/pdf
    size: int  # bytes
    sha256: str  # hex digest of the bytes: the name of the saved copy
    text: str | None = None  # a text file's content (saved inline)
    # An image's or PDF's bytes while they are in memory (just attached, or read back from
    # ``<id>.files/``); never written to the conversation file.
    data: bytes | None = field(default=None, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict)  # keys a later version wrote

    @property
    def kind(self) -> Kind:
        return kind_of(self.type)

    @property
    def stored_name(self) -> str:
        """The saved copy's name in ``<id>.files/``: ``<sha256>.<ext>`` (binary kinds)."""
        ext = IMAGE_TYPES.get(self.type) or ("pdf" if self.type == PDF_TYPE else "txt")
        return f"{self.sha256}.{ext}"

    @property
    def label(self) -> str:
        """``name (12.3 KB)``: how a chip or the transcript names it."""
        return f"{self.name} ({human_size(self.size)})"


def kind_of(media_type: str | None) -> Kind:
    """The kind of a file of ``media_type`` (None: not an image or PDF, so text)."""
    if media_type in IMAGE_TYPES:
        return "image"
    return "pdf" if media_type == PDF_TYPE else "text"


def sniff(head: bytes) -> str | None:
    """The media type of a file starting with ``head`` if it is an image or a PDF; None
    for anything else (which may still be text)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return PDF_TYPE
    return None


def decode_text(data: bytes, name: str) -> str:
    """``data`` as text, or ``AttachmentError`` saying it is a binary file."""
    if b"\x00" in data:
        raise AttachmentError(f"{name} is a binary file, not text, an image or a PDF")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise AttachmentError(
            f"{name} is not UTF-8 text, an image or a PDF: it cannot be attached") from None
    return text.removeprefix("\ufeff")


def check_size(kind: Kind, size: int, name: str) -> None:
    """``AttachmentError`` when a file of ``kind`` and ``size`` is over its limit."""
    limit = LIMITS[kind]
    if size > limit:
        what = {"text": "text file", "image": "image", "pdf": "PDF"}[kind]
        raise AttachmentError(
            f"{name} is {human_size(size)}: the largest {what} that can be attached is "
            f"{human_size(limit)}")


def human_size(size: int) -> str:
    """``512 B``, ``12.3 KB``, ``4.0 MB`` (decimal units, as file managers show them)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


_BACKTICKS = re.compile("`+")


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text`` (at least three)."""
    # A regular expression, not a loop over the characters: a 1 MB file took ~0.2 s that
    # way, on the event loop, each time a prompt was estimated or sent.
    longest = max(map(len, _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def text_block(attachment: Attachment) -> str:
    """A text attachment as the model reads it: its path, then its content fenced."""
    text = attachment.text or ""
    fence = fence_for(text)
    where = attachment.path or attachment.name
    newline = "" if text.endswith("\n") or not text else "\n"
    return f"{where}:\n{fence}\n{text}{newline}{fence}"


def data_url(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def left_out_note(attachment: Attachment, why: str) -> str:
    """What the model reads in place of an attachment it cannot take."""
    return f"[{attachment.kind} {attachment.name} left out: {why}]"
