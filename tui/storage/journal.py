"""The reply being written, journaled beside its conversation so a killed process loses
at most the last second or two of it.

While a reply streams, ``conversations/.journal/<id>.<stamp>.jsonl`` holds one header
line (which conversation, which prompt, which column) and then, once a second, one line
with the text that arrived since the last one: appending a few hundred bytes, never
rewriting a long TOML file per tick. The streaming process holds an exclusive ``flock``
on the journal; the lock dies with the process, so a journal nobody holds is the
remains of a process that was killed (SIGKILL, a power cut, a crash that skipped the
final save). When the turn ends normally the conversation is saved and the journal
removed.

``recover_orphans`` puts an orphan's reply into its conversation, marked
``finish_reason = "interrupted"``, and removes the journal. The app, ``ask``,
``history`` and ``show`` call it when they start. A reply already in the conversation
(the process died between the final save and the removal) is not added twice; a
journal whose conversation was deleted is dropped, never used to re-create it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from tui.files import make_private_dir
from tui.model.conversation import Conversation, Message, ToolCall, chain
from tui.model.tree import add_after
from tui.storage.store import ConversationStore, StoreError

JOURNAL_FOLDER = ".journal"
INTERVAL = 1.0  # seconds between appends while a reply streams
KILLED = "The app stopped before the reply ended (the process was killed)."


def journal_folder(store: ConversationStore) -> Path:
    return store.folder / JOURNAL_FOLDER


def mark_interrupted(reply: Message, signal_name: str) -> None:
    """A reply cut short because the process was told to stop (SIGTERM, SIGHUP)."""
    reply.finish_reason = "interrupted"
    why = f"The app was stopped ({signal_name}) before the reply ended."
    reply.error = f"{reply.error} {why}" if reply.error else why


class ReplyJournal:
    """The journal of one reply in progress; ``write`` appends what is new."""

    def __init__(self, path: Path, handle: IO[bytes]) -> None:
        self.path = path
        self._handle = handle
        self._content = ""  # what the journal holds so far
        self._reasoning = ""
        self._tools: list[dict[str, str]] = []
        self._model: str | None = None
        self._error: str | None = None

    @classmethod
    def start(
        cls, store: ConversationStore, conversation: Conversation, reply: Message
    ) -> ReplyJournal:
        """A locked journal for ``reply``, the answer to the conversation's last user
        message. Raises OSError when the folder cannot be written."""
        folder = journal_folder(store)
        make_private_dir(folder)
        prompt = next((m for m in reversed(conversation.messages) if m.role == "user"), None)
        header = {
            "conversation": conversation.id,
            "id": reply.id,
            "prompt": prompt.id if prompt else None,
            "prompt_created": prompt.created.isoformat() if prompt else None,
            "created": reply.created.isoformat(),
            "model": reply.model,
            "column": reply.column,
        }
        stamp = reply.created.strftime("%Y%m%d-%H%M%S-%f")
        name = f"{conversation.id}.{stamp}.{reply.column or 0}.jsonl"
        # Locked before it has its name, so no other process sees an unlocked,
        # headerless journal and takes it for an orphan.
        temp = folder / f".{name}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        handle = os.fdopen(fd, "ab", buffering=0)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle.write(_line(header))
            os.replace(temp, folder / name)
        except BaseException:
            handle.close()
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        return cls(folder / name, handle)

    def write(self, reply: Message) -> None:
        """Append what ``reply`` gained since the last write (nothing when nothing did)."""
        record: dict[str, Any] = {}
        content, reasoning = reply.content, reply.reasoning
        if content.startswith(self._content) and reasoning.startswith(self._reasoning):
            if len(content) > len(self._content):
                record["content"] = content[len(self._content):]
            if len(reasoning) > len(self._reasoning):
                record["reasoning"] = reasoning[len(self._reasoning):]
        else:  # the text so far was rewritten (``</think>`` moved it into reasoning)
            record.update(reset=True, content=content, reasoning=reasoning)
        tools = [{"id": t.id, "name": t.name, "arguments": t.arguments, "type": t.type}
                 for t in reply.tool_calls]
        if tools != self._tools:
            record["tool_calls"] = tools
        if reply.model != self._model:
            record["model"] = reply.model
        if reply.error != self._error:
            record["error"] = reply.error
        if not record:
            return
        self._handle.write(_line(record))
        self._content, self._reasoning, self._tools = content, reasoning, tools
        self._model, self._error = reply.model, reply.error

    async def keep(self, reply: Callable[[], Message], every: float = INTERVAL) -> None:
        """Write the reply every ``every`` seconds until cancelled. A journal that
        cannot be written (a full disk) stops quietly: the final save still comes."""
        with contextlib.suppress(OSError, ValueError):
            while True:
                await asyncio.sleep(every)
                self.write(reply())

    def discard(self) -> None:
        """The reply is saved: the journal goes, then its lock."""
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        self.release()

    def release(self) -> None:
        """Keep the journal but let it go (the final save failed: the next start
        recovers it)."""
        with contextlib.suppress(OSError):
            self._handle.close()


class Journaling:
    """A reply journaled every second while it streams. With no store (``--no-save``)
    or a journal that cannot be started (an unwritable folder) it does nothing: the
    prompt-first and final saves still happen."""

    def __init__(
        self, store: ConversationStore | None, conversation: Conversation,
        reply: Callable[[], Message],
    ) -> None:
        self.journal: ReplyJournal | None = None
        self._keeper: asyncio.Future[None] | None = None
        self._conversation = conversation
        self._reply = reply
        if store is not None:
            with contextlib.suppress(OSError):
                self.journal = ReplyJournal.start(store, conversation, reply())
        if self.journal is not None:
            self._keeper = asyncio.ensure_future(self.journal.keep(reply))

    def stop(self) -> None:
        """The stream is over: no more appends (the keeper is asleep between two; it
        wakes only to end)."""
        if self._keeper is not None:
            self._keeper.cancel()
            self._keeper = None

    def end(self, save: Callable[[], bool], stopped_by: str | None) -> None:
        """The stream is over, however it ended: the reply joins the conversation
        (interrupted, when ``stopped_by`` names the signal that cancelled it), ``save``
        writes it, and the journal goes (or stays for the next start, if that failed)."""
        self.stop()
        reply = self._reply()
        if reply.finish_reason == "cancelled" and stopped_by:
            mark_interrupted(reply, stopped_by)  # SIGTERM, SIGHUP
        self._conversation.add(reply)
        self.finish(save())

    def finish(self, saved: bool) -> None:
        """After the final save: the journal goes when it worked, and stays (unlocked,
        for the next start to recover) when it did not."""
        if self.journal is not None:
            if saved:
                self.journal.discard()
            else:
                self.journal.release()
            self.journal = None


# --- recovery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    conversation_id: str
    characters: int  # how much of the reply was recovered


def recover_orphans(store: ConversationStore) -> list[Recovered]:
    """Put every orphaned journal's reply into its conversation and remove the journal.
    Journals still held by a running process are left alone; a conversation that will
    not load keeps its journal for a later try."""
    folder = journal_folder(store)
    try:
        paths = sorted(p for p in folder.glob("*.jsonl") if p.is_file())
    except OSError:
        return []
    recovered = []
    for path in paths:
        try:
            done = _recover_one(store, path)
        except (OSError, ValueError):  # ValueError: text the store cannot write
            continue  # the journal stays for a later try
        if done is not None:
            recovered.append(done)
    return recovered


def _recover_one(store: ConversationStore, path: Path) -> Recovered | None:
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a running process is writing this reply
        if not _same_file(fd, path):
            return None  # another process recovered it first
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read()
        header, reply = _replay(raw)
        if header is None:
            os.unlink(path)  # nothing readable in it
            return None
        conversation_id = str(header.get("conversation", ""))
        try:
            conversation = store.load(conversation_id)
        except StoreError:
            if not store.path_for(conversation_id).exists():
                os.unlink(path)  # the conversation was deleted: do not bring it back
            return None
        result = None
        if not any(m.id == reply.id or (m.role == "assistant" and m.created == reply.created
                                        and m.column == reply.column)
                   for m in conversation.nodes):
            _insert(conversation, reply, header)
            store.save(conversation)
            result = Recovered(conversation_id, len(reply.content) + len(reply.reasoning))
        os.unlink(path)
        return result
    except StoreError:
        return None
    finally:
        os.close(fd)  # releases the lock


def _same_file(fd: int, path: Path) -> bool:
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _replay(raw: bytes) -> tuple[dict[str, Any] | None, Message]:
    """The header and the reply a journal holds. A line cut short by the kill (the last
    one) is skipped."""
    header: dict[str, Any] | None = None
    reply = Message(role="assistant")
    for line in raw.split(b"\n"):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(record, dict):
            continue
        if header is None:
            header = record
            reply = _reply_from_header(record)
            continue
        _apply(reply, record)
    if header is not None:
        reply.finish_reason = "interrupted"
        reply.error = f"{reply.error} {KILLED}" if reply.error else KILLED
    return header, reply


def _reply_from_header(header: dict[str, Any]) -> Message:
    reply = Message(role="assistant")
    created = _time(header.get("created"))
    if created is not None:
        reply.created = created
    if isinstance(header.get("model"), str):
        reply.model = header["model"]
    if isinstance(header.get("column"), int):
        reply.column = header["column"]
    if isinstance(header.get("id"), str) and header["id"]:
        reply.id = header["id"]  # a journal written before ids has none: a new one
    return reply


def _apply(reply: Message, record: dict[str, Any]) -> None:
    content, reasoning = record.get("content"), record.get("reasoning")
    if record.get("reset"):
        reply.content, reply.reasoning = "", ""
    if isinstance(content, str):
        reply.content += content
    if isinstance(reasoning, str):
        reply.reasoning += reasoning
    tools = record.get("tool_calls")
    if isinstance(tools, list):
        reply.tool_calls = [
            ToolCall(**{k: str(t.get(k, "")) for k in ("id", "name", "arguments", "type")})
            for t in tools if isinstance(t, dict)
        ]
    if isinstance(record.get("model"), str):
        reply.model = record["model"]
    if "error" in record:
        reply.error = record["error"] if isinstance(record["error"], str) else None


def _insert(conversation: Conversation, reply: Message, header: dict[str, Any]) -> None:
    """After the prompt it answers (by id; by time in a journal written before ids)
    and any replies already there (compare columns); at the end when that prompt is not
    found. In a conversation with branches, the reply goes on from its prompt and is
    shown when the prompt ended the branch shown."""
    nodes = conversation.nodes
    prompt_id, when = header.get("prompt"), _time(header.get("prompt_created"))
    at = next((i for i in reversed(range(len(nodes))) if nodes[i].role == "user"
               and (nodes[i].id == prompt_id if prompt_id else nodes[i].created == when)),
              None)
    if at is None:
        conversation.add(reply)
        return
    if len(conversation.messages) != len(nodes):  # branches: a child of its prompt
        add_after(conversation, nodes[at], reply, show=conversation.current == nodes[at].id)
        return
    at += 1
    while at < len(nodes) and nodes[at].role == "assistant":
        at += 1
    nodes.insert(at, reply)
    chain(nodes)  # one branch, in order
    conversation.current = nodes[-1].id
    conversation.changed()
    conversation.updated = max(conversation.updated, reply.created)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _line(record: dict[str, Any]) -> bytes:
    # ensure_ascii: a lone surrogate from a broken stream still makes a valid line.
    return json.dumps(record, ensure_ascii=True).encode() + b"\n"


def recover_into_store(folder: Path) -> list[str]:
    """Recover the orphaned replies of the conversations in ``folder``; one line each
    for the user."""
    return [
        f"recovered an interrupted reply ({r.characters:,} characters) into conversation "
        f"{r.conversation_id}"
        for r in recover_orphans(ConversationStore(folder))
    ]
