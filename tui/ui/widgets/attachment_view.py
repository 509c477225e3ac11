"""A user message's attachments in the transcript: a line each (name, size, type), and
for a PNG whose bytes are at hand a small half-block preview (``tui/ui/render/
png_preview.py``), drawn in a thread once it is decoded. File names are shown inert."""

from __future__ import annotations

import contextlib

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui.model.attachment import Attachment, human_size
from tui.model.conversation import Message
from tui.model.text import one_line
from tui.ui.render.inert import inert
from tui.ui.render.png_preview import half_blocks, png_cells


def attachment_line(attachment: Attachment) -> Content:
    """``📎 notes.txt · 1.2 KB · text/plain``"""
    return Content.assemble(
        "📎 ", inert(one_line(attachment.name, 200)),
        Content.styled(f" · {human_size(attachment.size)} · {attachment.type}", "dim"))


class PngPreview(Static):
    """A PNG in half blocks; empty until it is decoded (nothing for one that cannot be)."""

    DEFAULT_CSS = "PngPreview { width: auto; height: auto; }"

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data

    def on_mount(self) -> None:
        self._decode()

    @work(thread=True, group="png-preview")
    def _decode(self) -> None:
        cells = png_cells(self._data)
        if cells is not None:
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                self.app.call_from_thread(self.update, half_blocks(cells))


class AttachmentList(Vertical):
    """Under a user message: its files."""

    DEFAULT_CSS = """
    AttachmentList {
        height: auto;
        background: $user-bubble;
        border-left: thick $user-border;
        padding: 0 1;
    }
    """

    def __init__(self, attachments: list[Attachment]) -> None:
        super().__init__()
        self.attachments = attachments

    def compose(self) -> ComposeResult:
        for attachment in self.attachments:
            yield Static(attachment_line(attachment), markup=False)
            if attachment.type == "image/png" and attachment.data:
                yield PngPreview(attachment.data)


def attachment_views(message: Message) -> list[Widget]:
    """What goes under a user message for its attachments (nothing when it has none)."""
    return [AttachmentList(message.attachments)] if message.attachments else []
