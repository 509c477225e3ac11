"""Images and PDFs kept beside their conversation: ``conversations/<id>.files/<sha256>.<ext>``.

The folder is owner-only (0700) and each file owner-only (0600). A file is written
atomically, before the conversation file that names it, and only when it is not there
yet (the name is its digest, so a file that is there holds the same bytes unless someone
changed it; reading back checks). The folder follows its conversation file: it has the
file's name with ``.files`` for ``.toml`` (``<id>.2.files`` beside ``<id>.2.toml`` in the
trash), moves with it to the trash and back, and an export copies it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from tui.files import StoreError, make_private_dir, read_regular, write_atomic
from tui.model.attachment import Attachment, AttachmentError
from tui.model.conversation import Conversation
from tui.model.text import one_line
from tui.storage.toml_attachments import SHA256

SUFFIX = ".files"


def files_folder(conversation_file: Path) -> Path:
    """The folder of ``<name>.toml``'s saved files: ``<name>.files``."""
    return conversation_file.with_suffix(SUFFIX)


def binary_attachments(conversation: Conversation) -> Iterator[Attachment]:
    """Every image and PDF of every branch, each saved copy once."""
    seen: set[str] = set()
    for message in conversation.nodes:
        for attachment in message.attachments:
            if (attachment.kind != "text" and SHA256.fullmatch(attachment.sha256)
                    and attachment.stored_name not in seen):
                seen.add(attachment.stored_name)
                yield attachment


def write_files(conversation: Conversation, folder: Path, sources: list[Path]) -> int:
    """Put the images and PDFs of ``conversation`` that ``folder`` lacks into it: from
    memory (just attached) or copied from the first of ``sources`` that has them (the
    folder of the file it was read from). One found nowhere is left out: reading it
    back says it is missing. Returns how many files were written. Raises ``OSError``."""
    written = 0
    for attachment in binary_attachments(conversation):
        target = folder / attachment.stored_name
        if target.exists():
            continue
        data = attachment.data
        if data is None:
            data = _first_copy(attachment, [s for s in sources if s != folder])
        if data is None:
            continue
        make_private_dir(folder)
        write_atomic(target, data)
        written += 1
    return written


def _first_copy(attachment: Attachment, sources: list[Path]) -> bytes | None:
    for source in sources:
        try:
            return read_saved(source, attachment)
        except AttachmentError:
            continue
    return None


def read_saved(folder: Path, attachment: Attachment) -> bytes:
    """The bytes of ``attachment``'s saved copy in ``folder``, checked against its
    digest. Raises ``AttachmentError`` saying plainly what is wrong."""
    name = one_line(attachment.name, 80) or "an attachment"
    if not SHA256.fullmatch(attachment.sha256):
        raise AttachmentError(f"{name}: the conversation file names no saved copy of it "
                              "(its sha256 is missing or wrong)")
    path = folder / attachment.stored_name
    try:
        found = read_regular(path)
    except StoreError as error:
        raise AttachmentError(f"{name}: its saved copy cannot be read ({error})") from None
    if found is None:
        raise AttachmentError(f"{name}: its saved copy is missing ({path})")
    data = found[0]
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise AttachmentError(f"{name}: its saved copy was changed after it was attached "
                              f"({path})")
    return data


def move_files(old_file: Path, new_file: Path) -> None:
    """Move the saved files of the conversation file ``old_file`` to go with ``new_file``
    (to the trash, or back). Files already at the new place are kept; the old folder is
    removed once empty (a file of the same name already at the new place is left where
    it was). Raises ``OSError``."""
    source, target = files_folder(old_file), files_folder(new_file)
    if not source.is_dir():
        return
    if not target.exists():
        os.replace(source, target)
        return
    for item in source.iterdir():
        if not (target / item.name).exists():
            os.replace(item, target / item.name)
    with contextlib.suppress(OSError):
        source.rmdir()
