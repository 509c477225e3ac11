"""Ask before a send that would pass a ``[budget]`` limit (``tui/chat/budget.py``)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.ui.render.inert import inert


class OverBudget(ModalScreen[bool]):
    """The limits the send would pass, with the figures; True: send anyway."""

    BINDINGS = [
        Binding("y", "answer(True)", "Send anyway", id="budget.send"),
        Binding("n,escape", "answer(False)", "Keep it", id="budget.keep"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__()
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static("Over budget: send anyway?", markup=False)
            yield Static(inert("\n".join(f"• {reason}" for reason in self.reasons)))
            yield Static("Your prompt stays in the box if you keep it.", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Keep it (n)", id="no")
                yield Button("Send anyway (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
