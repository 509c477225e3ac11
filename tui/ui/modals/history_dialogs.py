"""The small dialogs of the conversations screen: rename and confirm delete."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.ui.render.inert import inert


class RenameDialog(ModalScreen[str | None]):
    """A new title for a conversation; dismisses with it, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename.cancel")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.old_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("New title")
            yield Input(" ".join(self.old_title.split()), id="title", select_on_focus=False)
            yield Label("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Rename", id="rename", variant="primary")

    @on(Button.Pressed, "#rename")
    @on(Input.Submitted, "#title")
    def rename(self) -> None:
        title = " ".join(self.query_one("#title", Input).value.split())
        if not title:
            self.query_one("#error", Label).update("A title cannot be empty.")
            return
        self.dismiss(title)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDelete(ModalScreen[bool]):
    """Ask before moving a conversation to the trash."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Delete", id="delete.yes"),
        Binding("n,escape", "answer(False)", "Keep", id="delete.no"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(inert(f"Delete “{' '.join(self.title_text.split())}”?"))
            yield Static("It moves to the trash; Ctrl+Z on the list brings it back.",
                         markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Keep (n)", id="no")
                yield Button("Delete (y)", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
