"""The conversations screen carries a conversation's saved images along: delete (F8)
moves its ``<id>.files/`` folder to the trash, Ctrl+Z brings it back, F5 exports a copy."""

from __future__ import annotations

from pathlib import Path

from tests.support.ui_support import build_app, listed, open_history, settled
from tui.model.conversation import Conversation, Message
from tui.storage.attachments import attachment_from_bytes
from tui.storage.store import ConversationStore

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
CID = "20261101-093000-0a0a0a"


async def test_delete_undo_and_export_take_the_files_along(isolated_home: Path) -> None:
    folder = isolated_home / "conversations"
    image = attachment_from_bytes("cat.png", PNG)
    conversation = Conversation(id=CID, model="m")
    conversation.add(Message(role="user", content="what is this", attachments=[image]))
    conversation.add(Message(role="assistant", content="A cat.", model="m"))
    ConversationStore(folder).save(conversation)
    saved = folder / f"{CID}.files" / image.stored_name
    assert saved.read_bytes() == PNG
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("y")
        await settled(pilot, lambda: CID not in listed(screen))
        assert not saved.exists()
        trashed = folder / ".trash" / f"{CID}.files" / image.stored_name
        assert trashed.read_bytes() == PNG
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+z")
        await settled(pilot, lambda: CID in listed(screen))
        assert saved.read_bytes() == PNG and not trashed.exists()
        await pilot.press("f5")
        exported = isolated_home / "exports" / f"{CID}.md"
        await settled(pilot, exported.exists)
        assert "- Attached: cat.png (208 B, image/png)" in exported.read_text()
        assert (isolated_home / "exports" / f"{CID}.files" / image.stored_name
                ).read_bytes() == PNG
