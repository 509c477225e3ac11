"""Reading a file the user attaches, and keeping images and PDFs beside the conversation.

Nothing is read until the user attaches it. A file is opened once, without following it
into anything but a regular file (a FIFO would block, a device never ends), its size is
checked against the limit of its kind before the whole of it is read, and symlinks are
resolved so the real path is what is shown and saved.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from tui.model.attachment import (
    SNIFF_BYTES,
    TEXT_TYPE,
    Attachment,
    AttachmentError,
    check_size,
    decode_text,
    kind_of,
    sniff,
)

__all__ = ["attachment_from_bytes", "read_attachment"]


def read_attachment(path: str | Path, cwd: Path | None = None) -> Attachment:
    """The file at ``path`` (relative to ``cwd``, else the working directory; ``~`` is
    the home folder) as an attachment. Raises ``AttachmentError`` with a plain message."""
    given = Path(os.path.expanduser(str(path)))
    if not given.is_absolute():
        given = (cwd or Path.cwd()) / given
    shown = str(path)
    try:
        real = given.resolve(strict=True)
    except FileNotFoundError:
        raise AttachmentError(f"{shown}: no such file") from None
    except (OSError, RuntimeError) as error:  # a symlink loop, a folder we may not enter
        raise AttachmentError(f"{shown}: cannot be read ({_reason(error)})") from None
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise AttachmentError(f"{shown}: cannot be read ({_reason(error)})") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise AttachmentError(f"{shown} is a folder: attach the files in it one by one")
        raise AttachmentError(f"{shown} is not a regular file (a pipe or a device)")
    with open(fd, "rb") as handle:
        try:
            head = handle.read(SNIFF_BYTES)
            media_type = sniff(head)
            kind = kind_of(media_type)
            check_size(kind, st.st_size, real.name)
            data = head + handle.read()
        except OSError as error:
            raise AttachmentError(f"{shown}: cannot be read ({_reason(error)})") from None
    check_size(kind, len(data), real.name)  # it grew while it was read
    return _attachment(real.name, str(real), data, media_type)


def attachment_from_bytes(name: str, data: bytes) -> Attachment:
    """Bytes that came from no file (piped input) as an attachment named ``name``."""
    media_type = sniff(data[:SNIFF_BYTES])
    kind = kind_of(media_type)
    check_size(kind, len(data), name)
    return _attachment(name, "", data, media_type)


def _attachment(name: str, path: str, data: bytes, media_type: str | None) -> Attachment:
    digest = hashlib.sha256(data).hexdigest()
    if media_type is None:
        text = decode_text(data, name)
        return Attachment(name=name, path=path, type=TEXT_TYPE, size=len(data), sha256=digest,
                          text=text)
    return Attachment(name=name, path=path, type=media_type, size=len(data), sha256=digest,
                      data=data)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return "a symlink loop" if isinstance(error, RuntimeError) else str(error)
