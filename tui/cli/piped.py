"""Piped input into the full-screen app: ``git diff | cline-tui`` starts the chat with
what came down the pipe attached to the first prompt (named "stdin"), and the keyboard
read from the terminal itself (``/dev/tty``), since stdin is the pipe.

Only a pipe or a redirected file counts as piped input: stdin from ``/dev/null`` (a
device, as under cron or a service manager) is left alone, and so is the pipe of a
Textual driver that speaks its protocol over stdin (``TEXTUAL_DRIVER``: textual-serve's
web driver, behind ``cline-tui serve``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

from tui.model.attachment import LIMITS, Attachment, AttachmentError

PIPED_NAME = "stdin"


class PipedInputError(Exception):
    """Piped input that cannot be used; the message says why, in plain words."""


def is_piped(fd: int = 0) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


def take_piped_input(fd: int = 0, terminal: str = "/dev/tty",
                     environ: Mapping[str, str] = os.environ) -> Attachment | None:
    """What was piped in as an attachment, with ``fd`` made the terminal afterwards;
    None, and ``fd`` left as it is, when stdin is not a pipe or the pipe is empty.
    Raises ``PipedInputError``."""
    if environ.get("TEXTUAL_DRIVER") or not is_piped(fd):
        return None  # a driver's protocol on stdin (cline-tui serve), or no pipe
    limit = max(LIMITS.values())
    chunks: list[bytes] = []
    size = 0
    while size <= limit:  # never more than the largest attachment (and one byte)
        chunk = os.read(fd, min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    if not data:
        return None  # an empty pipe (a script's stdin): nothing to attach, no terminal asked
    try:
        tty = os.open(terminal, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        raise PipedInputError(
            f"the input is piped, and there is no terminal to read the keyboard from "
            f"({terminal}: {(error.strerror or str(error)).lower()}): use "
            "'cline-tui ask \"question\"' for piped input without a terminal") from None
    os.dup2(tty, fd)  # the app reads keys from stdin: make it the terminal
    os.close(tty)
    from tui.storage.attachments import attachment_from_bytes  # only when piped

    try:
        return attachment_from_bytes(PIPED_NAME, data)
    except AttachmentError as error:
        raise PipedInputError(f"the piped input cannot be attached: {error}") from None
