"""The prompts of earlier conversations, for the prompt box's Up key.

Only the most recently saved conversations are read (``files``), files larger than
``max_bytes`` are skipped and at most ``limit`` prompts are kept, so this stays a
fraction of a second however big the store is; it runs in a thread anyway.
"""

from __future__ import annotations

from pathlib import Path

from tui.storage.store import ConversationStore

RECENT_FILES = 30
MAX_PROMPTS = 300
MAX_FILE_BYTES = 2 * 1024 * 1024


def recent_prompts(
    store: ConversationStore,
    *,
    files: int = RECENT_FILES,
    limit: int = MAX_PROMPTS,
    max_bytes: int = MAX_FILE_BYTES,
) -> list[str]:
    """The user prompts of the last ``files`` conversations saved, newest first (by file
    time, then by their place in the conversation); unreadable files are skipped."""
    found: list[tuple[float, Path]] = []
    try:
        paths = list(store.folder.glob("*.toml"))
    except OSError:
        return []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        if info.st_size <= max_bytes:
            found.append((info.st_mtime, path))
    found.sort(reverse=True)
    prompts: list[str] = []
    for _, path in found[:files]:
        try:
            conversation = store.load(path.stem)
        except Exception:  # a file that cannot be read (or parsed) adds no prompts
            continue
        texts = [m.content for m in conversation.messages if m.role == "user" and m.content]
        prompts.extend(reversed(texts))
        if len(prompts) >= limit:
            break
    return prompts[:limit]
