"""Conversations on disk: one TOML file each in ``conversations/<id>.toml``.

The files are the user's: plain TOML, written atomically (temp file, fsync, rename) so a
crash leaves either the old or the new version, never half of one. A file that will not
parse is reported as unreadable and never written over. Keys this version does not know,
and values of the wrong type, are carried through a rewrite untouched.

Several processes may hold one conversation (two windows, a window and ``ask
--continue``): each save takes an ``flock`` on ``.locks/<id>.lock``, re-reads the file if
it changed since this store last read or wrote it, and merges (``tui.storage.merge``) or,
when that cannot be done, saves ours under a new id. A conversation deleted meanwhile is
not written back: the new turn goes to its copy in the trash. What happened is in the
``note`` of the path ``save`` returns.

Only regular files are read: a FIFO or a device named ``x.toml`` is refused without
blocking (``tui.files.read_regular``).

Images and PDFs attached to prompts live beside the file, in ``<id>.files/``
(``tui.storage.saved_files``): written before the file that names them, moved to the
trash and back with it; ``reader`` reads them back for a request.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path, PosixPath

from tui.files import (
    StoreError,
    check_folder,
    digest_of,
    make_private_dir,
    read_regular,
    read_regular_or_none,
    write_atomic,
)
from tui.model.attachment import Attachment, AttachmentError
from tui.model.conversation import Conversation, new_conversation_id
from tui.model.text import one_line
from tui.storage.merge import Snapshot, holds_theirs, merge
from tui.storage.saved_files import files_folder, move_files, read_saved, write_files
from tui.storage.toml_file import (
    conversation_to_toml,
    decode,
    parse_conversation,
    parse_text,
)
from tui.storage.toml_text import dumps

__all__ = ["ConversationStore", "SavedPath", "StoreError", "files_of", "parse_conversation",
           "valid_id"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
TRASH = ".trash"
LOCKS = ".locks"


# id(conversation) -> (the conversation, its file as this process last read or wrote it).
# For the whole process, not one store: a conversation loaded by one store instance and
# saved by another (the app's) is still compared with what was read.
_SYNCED: dict[int, tuple[weakref.ref[Conversation], Snapshot]] = {}


class SavedPath(PosixPath):
    """Where ``save`` wrote a conversation, and in ``note`` what the user should be told
    about it (a merge, a copy, a deleted conversation), or None."""

    note: str | None = None


def valid_id(conversation_id: str) -> bool:
    return bool(_ID.fullmatch(conversation_id))


def files_of(conversation: Conversation) -> Path | None:
    """The folder of saved images and PDFs beside the file ``conversation`` was last read
    from or written to in this process; None for one never read or written."""
    known = _SYNCED.get(id(conversation))
    if known is None or known[0]() is not conversation:
        return None
    return files_folder(known[1].path)


class ConversationStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, conversation_id: str) -> Path:
        if not valid_id(conversation_id):
            raise StoreError(f"'{conversation_id}' is not a conversation id")
        return self.folder / f"{conversation_id}.toml"

    def resolve(self, given: str) -> str:
        """The saved id ``given`` names: itself, or the one saved id it is the start of
        (``show``, ``--resume`` and ``ask --continue`` all take either). Raises StoreError
        saying why for no such conversation, or a start that several ids share."""
        if not valid_id(given):
            raise StoreError(f"'{given}' is not a conversation id")
        if self.path_for(given).exists():
            return given
        try:
            matches = sorted(p.stem for p in self.folder.glob(f"{given}*.toml"))
        except OSError:
            matches = []
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise StoreError(f"'{given}' could be any of {len(matches)} conversations: "
                             + ", ".join(matches[:5]) + ("…" if len(matches) > 5 else ""))
        raise StoreError(f"no saved conversation '{given}' in {self.folder}")

    def new_id(self) -> str:
        while True:
            candidate = new_conversation_id()
            if not self.path_for(candidate).exists():
                return candidate

    def save(self, conversation: Conversation) -> SavedPath:
        """Write ``conversation``, keeping whatever another process wrote meanwhile."""
        self.path_for(conversation.id)
        check_folder(self.folder)
        make_private_dir(self.folder)
        with self._lock(conversation.id):
            return self._save_locked(conversation)

    def load(self, conversation_id: str) -> Conversation:
        path = self.path_for(conversation_id)
        check_folder(self.folder)
        found = read_regular(path)
        if found is None:
            raise StoreError(f"no saved conversation '{conversation_id}' in {self.folder}")
        digest = digest_of(found[0])
        # Each copy is dropped as soon as the next exists: a 50 MB message peaks near
        # twice the file (bytes and text, then text and the parsed string), not 4x.
        text = decode(found[0], path)
        del found
        conversation = parse_text(text, path)
        del text
        self._remember(conversation, Snapshot.of(path, digest, conversation, conversation))
        return conversation

    def reader(self, conversation: Conversation) -> Callable[[Attachment], bytes]:
        """Reads an image's or PDF's saved copy for a request (``Inputs.read``), checked
        against its digest; ``AttachmentError`` with a plain message when it is missing
        or was changed."""

        def read(attachment: Attachment) -> bytes:
            folder = files_of(conversation)
            if folder is None:
                if not valid_id(conversation.id):  # never saved (ask --no-save)
                    raise AttachmentError(f"{one_line(attachment.name, 80)}: it was never "
                                          "saved, and it is no longer in memory")
                folder = files_folder(self.path_for(conversation.id))
            return read_saved(folder, attachment)

        return read

    @property
    def trash_folder(self) -> Path:
        """Deleted conversations wait here (same file system: moving is a rename)."""
        return self.folder / TRASH

    def rename(self, conversation_id: str, title: str) -> Conversation:
        """Give a saved conversation a new title; everything else in the file is kept."""
        title = " ".join(title.split())
        if not title:
            raise StoreError("a title cannot be empty")
        with self._lock(conversation_id):
            path = self.path_for(conversation_id)
            found = read_regular(path)
            if found is None:
                raise StoreError(f"no saved conversation '{conversation_id}' in {self.folder}")
            conversation = parse_conversation(found[0], path)
            conversation.title = title
            data = dumps(conversation_to_toml(conversation))
            write_atomic(path, data)
            self._remember(conversation, Snapshot.of(path, digest_of(data), conversation,
                                                     conversation))
        return conversation

    def trash(self, conversation_id: str) -> Path:
        """Move a saved conversation (readable or not) to the trash; returns where it went.
        Nothing is deleted: ``restore`` moves it back."""
        path = self.path_for(conversation_id)
        with self._lock(conversation_id):
            if not path.exists():
                raise StoreError(f"no saved conversation '{conversation_id}' in {self.folder}")
            target = self._free_trash_name(conversation_id)
            os.replace(path, target)
            move_files(path, target)
        return target

    def restore(self, trashed: Path) -> Path:
        """Move a conversation ``trash`` put away back where it was."""
        if trashed.parent != self.trash_folder:
            raise StoreError(f"{trashed.name} is not in the trash")
        conversation_id = trashed.name.split(".")[0]
        path = self.path_for(conversation_id)
        with self._lock(conversation_id):
            if path.exists():
                raise StoreError(f"'{conversation_id}' exists again; the trashed copy is kept "
                                 f"in {self.trash_folder}")
            os.replace(trashed, path)
            move_files(trashed, path)
        return path

    # --- saving next to other writers ---------------------------------------------------

    def _save_locked(self, conversation: Conversation) -> SavedPath:
        base = self._snapshot(conversation)
        target = read_as = self.path_for(conversation.id)
        note: str | None = None
        # A conversation this store never read or wrote is the caller's to replace
        # (a new one, or one built whole); only what was read can have changed since.
        found = read_regular_or_none(target) if base is not None else None
        if found is None and base is not None:
            # It was there and is gone: deleted (to the trash, or by hand). Writing it back
            # would undo that; the new turn goes to the trashed copy instead.
            target, found = self._trashed_copy(conversation.id, base)
            note = ("This conversation was deleted, so the new messages were added to its "
                    "copy in the trash: restore it to get everything back.")
        written = conversation
        if found is not None and base is not None and (found[1] != base.digest
                                                       or holds_theirs(base)):
            merged = None
            with contextlib.suppress(StoreError):
                merged = merge(conversation, base, parse_conversation(found[0], target))
            if merged is not None:
                written = merged.conversation
                if merged.theirs:
                    s = "" if merged.theirs == 1 else "s"
                    note = note or f"Merged {merged.theirs} message{s} another window wrote."
            elif target.parent == self.trash_folder:
                target = self._free_trash_name(conversation.id)
            else:
                conversation.id = self.new_id()
                target = self.path_for(conversation.id)
                note = (f"Saved as a copy, {conversation.id}: another window changed this "
                        "conversation.")
        table = conversation_to_toml(written)
        data = dumps(table)
        # The files first: a conversation file never names a file that is not there yet.
        sources = [files_folder(base.path)] if base is not None else []
        write_files(written, files_folder(target), [*sources, files_folder(read_as)])
        write_atomic(target, data)
        self._remember(conversation, Snapshot.of(target, digest_of(data), written, conversation,
                                                 table["messages"]))
        saved = SavedPath(target)
        saved.note = note
        return saved

    def _trashed_copy(self, conversation_id: str,
                      base: Snapshot) -> tuple[Path, tuple[bytes, bytes] | None]:
        """The trashed copy of a deleted conversation to add to (the newest), or a free
        name in the trash when there is none."""
        candidates = [base.path] if base.path.parent == self.trash_folder else []
        if self.trash_folder.is_dir():
            pattern = re.compile(rf"{re.escape(conversation_id)}(\.([0-9]+))?\.toml")
            numbered = [(int(m.group(2) or 1), p) for p in self.trash_folder.iterdir()
                        if (m := pattern.fullmatch(p.name))]
            candidates += [p for _, p in sorted(numbered, reverse=True)]
        for path in candidates:
            found = read_regular_or_none(path)
            if found is not None:
                return path, found
        return self._free_trash_name(conversation_id), None

    def _free_trash_name(self, conversation_id: str) -> Path:
        make_private_dir(self.trash_folder)
        target = self.trash_folder / f"{conversation_id}.toml"
        n = 1
        while target.exists() or files_folder(target).exists():
            n += 1
            target = self.trash_folder / f"{conversation_id}.{n}.toml"
        return target

    def _snapshot(self, conversation: Conversation) -> Snapshot | None:
        known = _SYNCED.get(id(conversation))
        if known is None or known[0]() is not conversation:
            return None
        snapshot = known[1]
        if snapshot.path.parent not in (self.folder, self.trash_folder):
            return None  # read from another folder: nothing to compare with here
        return snapshot

    def _remember(self, conversation: Conversation, snapshot: Snapshot) -> None:
        key = id(conversation)
        if key not in _SYNCED or _SYNCED[key][0]() is not conversation:
            weakref.finalize(conversation, _SYNCED.pop, key, None)
        _SYNCED[key] = (weakref.ref(conversation), snapshot)

    @contextlib.contextmanager
    def _lock(self, conversation_id: str) -> Iterator[None]:
        """Held around every read-check-write of one conversation, across processes."""
        self.path_for(conversation_id)  # a valid id before anything is created
        folder = self.folder / LOCKS
        make_private_dir(folder)
        fd = os.open(folder / f"{conversation_id}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
