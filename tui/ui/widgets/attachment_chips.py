"""The files attached to the prompt, as chips above it: name, size and estimated tokens.

A chip is removed by a click or, focused (Shift+Tab from the prompt), by Delete or
Backspace. Removing one tells the screen (``Removed``), which puts back the text a
pasted path was taken from. Names are file names, so untrusted: shown inert.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from tui.model.attachment import Attachment, human_size
from tui.model.estimate import attachment_tokens
from tui.model.text import one_line
from tui.ui.render.inert import inert


def chip_content(attachment: Attachment) -> Content:
    """``📎 notes.txt · 1.2 KB · ≈ 310 tokens ✕``"""
    return Content.assemble(
        "📎 ", inert(one_line(attachment.name, 120)),
        Content.styled(f" · {human_size(attachment.size)} · "
                       f"≈ {attachment_tokens(attachment):,} tokens ", "dim"),
        Content.styled("✕", "bold"),
    )


class Chip(Static, can_focus=True):
    """One attached file."""

    BINDINGS = [Binding("delete,backspace", "remove", "Remove", id="chips.remove",
                        tooltip="Take this file off the prompt")]

    DEFAULT_CSS = """
    Chip {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    Chip:focus { background: $block-cursor-background; color: $block-cursor-foreground; }
    Chip:hover { background: $panel-lighten-2; }
    """

    class Remove(Message):
        def __init__(self, chip: Chip) -> None:
            super().__init__()
            self.chip = chip

    def __init__(self, attachment: Attachment, pasted: str | None = None) -> None:
        super().__init__(chip_content(attachment), markup=False)
        self.attachment = attachment
        self.pasted = pasted  # the pasted text it was taken from (put back on removal)
        self.tooltip = "Click, or Delete while focused: take it off"

    def action_remove(self) -> None:
        self.post_message(self.Remove(self))

    def on_click(self, event: Click) -> None:
        event.stop()  # not a click on the conversation
        self.post_message(self.Remove(self))


class AttachmentChips(VerticalScroll, can_focus=False):
    """The chips, one a line; hidden while there are none."""

    DEFAULT_CSS = """
    AttachmentChips {
        height: auto;
        max-height: 5;
        margin: 0 1;
        display: none;
    }
    AttachmentChips.-some { display: block; }
    """

    class Removed(Message):
        """A chip was taken off (by the user)."""

        def __init__(self, attachment: Attachment, pasted: str | None) -> None:
            super().__init__()
            self.attachment = attachment
            self.pasted = pasted

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chips: list[Chip] = []

    @property
    def attachments(self) -> list[Attachment]:
        return [chip.attachment for chip in self._chips]

    def add(self, attachment: Attachment, pasted: str | None = None) -> None:
        chip = Chip(attachment, pasted)
        self._chips.append(chip)
        self.mount(chip)
        self.add_class("-some")

    def set(self, attachments: list[Attachment]) -> None:
        """Show these instead (an edited prompt's)."""
        self._chips = [Chip(a) for a in attachments]
        self.remove_children()
        self.mount_all(self._chips)
        self.set_class(bool(attachments), "-some")

    def clear(self) -> None:
        self.set([])

    def on_chip_remove(self, event: Chip.Remove) -> None:
        event.stop()
        chip = event.chip
        if chip not in self._chips:
            return  # a second click while it goes
        self._chips.remove(chip)
        chip.remove()
        self.set_class(bool(self._chips), "-some")
        self.post_message(self.Removed(chip.attachment, chip.pasted))
