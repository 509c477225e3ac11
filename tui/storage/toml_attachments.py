"""A user message's attachments in the conversation file, both ways.

Each is a table in the message's ``attachments`` list (``[[messages.attachments]]``):
``name``, ``path`` (omitted when the file came from no path: piped input), ``type``,
``size``, ``sha256``, and ``text`` for a text file (inline; images and PDFs are files in
``<id>.files/``, named by their digest). Read like every other field: a value of the wrong
type is reported, its typed field left empty and the raw value written back unchanged;
keys this version does not know are kept. A ``sha256`` that is not 64 hex digits is
refused, since it names a file on disk.
"""

from __future__ import annotations

import re
from typing import Any

from tui.model.attachment import IMAGE_TYPES, PDF_TYPE, TEXT_TYPE, Attachment
from tui.model.conversation import drop_nulls
from tui.storage.toml_fields import Fields

ATTACHMENT_KEYS = frozenset({"name", "path", "type", "size", "sha256", "text"})
KNOWN_TYPES = frozenset({TEXT_TYPE, PDF_TYPE, *IMAGE_TYPES})
SHA256 = re.compile("[0-9a-f]{64}")


def attachments_from_toml(f: Fields) -> list[Attachment]:
    """The attachments of the message ``f`` reads (none when it lists none)."""
    value = f.data.get("attachments")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        f._wrong("attachments", "a list of tables")
        return []
    return [_attachment(item, f"{f.where}attachment {index + 1}: ", f.problems)
            for index, item in enumerate(value)]


def _attachment(data: dict[str, Any], where: str, problems: list[str]) -> Attachment:
    a = Fields(data, where, problems)
    media_type = a.text("type") or ""
    if media_type and media_type not in KNOWN_TYPES:
        a._wrong("type", "text/plain, an image type (PNG, JPEG, WebP, GIF) or application/pdf")
        media_type = ""
    size = a.integer("size")
    if size is not None and size < 0:
        a._wrong("size", "a size in bytes")
        size = None
    digest = a.text("sha256") or ""
    if digest and not SHA256.fullmatch(digest):
        a._wrong("sha256", "a SHA-256 digest (64 hex digits)")
        digest = ""
    return Attachment(
        name=a.text("name") or "",
        path=a.text("path") or "",
        type=media_type,
        size=size or 0,
        sha256=digest,
        text=a.text("text"),
        extra=a.extra(ATTACHMENT_KEYS),
    )


def attachments_to_toml(attachments: list[Attachment]) -> list[dict[str, Any]]:
    """The tables to write. A raw value read with the wrong type is written back in place
    of its (empty) typed field: attachments are never changed once attached."""
    written = []
    for attachment in attachments:
        data: dict[str, Any] = {"name": attachment.name}
        if attachment.path:
            data["path"] = attachment.path
        data.update(type=attachment.type, size=attachment.size, sha256=attachment.sha256)
        if attachment.text is not None:
            data["text"] = attachment.text
        data.update(drop_nulls(attachment.extra))
        written.append(data)
    return written
