"""Snapshots of attachments in the chat (pytest-textual-snapshot, 100x30): chips above
the prompt with the estimate counting them, and a sent prompt's files under it with a
PNG's half-block preview (the same in every terminal). Fixed ids, times and paths."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from textual.pilot import Pilot

from tests.support.attach_support import VISION, attach_app, png, quarters
from tests.support.loopback import LoopbackServer
from tests.support.ui_support import catalog_loaded, settled
from tui.model.attachment import Attachment
from tui.model.conversation import Conversation, Message, Usage
from tui.ui.widgets.attachment_chips import AttachmentChips
from tui.ui.widgets.attachment_view import PngPreview
from tui.ui.widgets.prompt import PromptArea

WHEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
PICTURE = png(16, 16, quarters)


def notes() -> Attachment:
    text = "remember the milk\nand the bread\n"
    return Attachment(name="notes.txt", path="/home/ann/notes.txt", type="text/plain",
                      size=len(text), sha256=hashlib.sha256(text.encode()).hexdigest(),
                      text=text)


def picture() -> Attachment:
    return Attachment(name="picture.png", path="/home/ann/picture.png", type="image/png",
                      size=len(PICTURE), sha256=hashlib.sha256(PICTURE).hexdigest(),
                      data=PICTURE)


def sent_with_files() -> Conversation:
    c = Conversation(id="20261101-093000-a77ac4", created=WHEN, updated=WHEN, model=VISION,
                     profile="cline")
    c.add(Message(role="user", content="What is in these?", created=WHEN,
                  attachments=[notes(), picture()]))
    c.add(Message(role="assistant", content="Milk, bread, and four coloured squares.",
                  model=VISION, created=WHEN, finish_reason="stop",
                  usage=Usage(prompt_tokens=820, completion_tokens=12)))
    return c


class TestAttachments:
    def test_chips_above_the_prompt(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """Two chips over the prompt (name, size, ≈ tokens, ✕), the draft in the prompt,
        and the estimate under it counting both files: 15 + 765 + 9 for the text."""

        async def chips(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            screen = pilot.app.screen
            shelf = screen.query_one(AttachmentChips)
            shelf.add(notes())
            shelf.add(picture())
            screen.query_one(PromptArea).load_text("What is in these?")
            screen.show_estimate()  # type: ignore[attr-defined]
            await settled(pilot, lambda: "789 tokens" in screen.estimate_text)  # type: ignore[attr-defined]

        app = attach_app(server)
        assert snap_compare(app, terminal_size=(100, 30), run_before=chips)

    def test_a_sent_prompt_with_files(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """Under the prompt, in its bubble: a line for each file (name, size, type) and
        the PNG's preview in half blocks (red, green, blue, white quarters)."""

        async def shown(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            preview = pilot.app.screen.query_one(PngPreview)
            await settled(pilot, lambda: preview.size.height == 8)

        app = attach_app(server, conversation=sent_with_files())
        assert snap_compare(app, terminal_size=(100, 30), run_before=shown)
