"""Ask before a send whose prompt would pass the model's context window
(``tui.model.estimate.fit_window``): leave the oldest turns out, send it whole, or keep
the prompt in the box."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.model.estimate import Fit
from tui.ui.render.inert import inert

Choice = Literal["leave_out", "send"]


class TooLong(ModalScreen[Choice | None]):
    """The figures and the choices; None: keep the prompt, send nothing."""

    BINDINGS = [
        Binding("l", "answer('leave_out')", "Leave out", id="context.leave_out"),
        Binding("s", "answer('send')", "Send whole", id="context.send"),
        Binding("n,escape", "answer('')", "Keep it", id="context.keep"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, fit: Fit, model: str) -> None:
        super().__init__()
        self.fit = fit
        self.model = model

    def compose(self) -> ComposeResult:
        fit = self.fit
        turns = len(fit.leave_out)
        with Vertical(classes="dialog-box"):
            yield Static("Too long for the model's context window", markup=False)
            yield Static(inert(
                f"The next request is about {fit.tokens:,} tokens; {self.model} reads at "
                f"most {fit.window:,}."))
            if turns and fit.fits_after:
                yield Static(inert(
                    f"Leaving out the {turns} oldest turn{'s' if turns > 1 else ''} (about "
                    f"{fit.saved:,} tokens) brings it to about {fit.tokens - fit.saved:,}. "
                    "They stay in the conversation, marked as left out, and are not sent."),
                    id="too-long-offer")
            else:
                yield Static("Even with every earlier turn left out it would not fit: "
                             "shorten the prompt or its attachments, or pick a model with a "
                             "larger window (F2).", markup=False, id="too-long-offer")
            with Horizontal(classes="buttons"):
                yield Button("Keep it (n)", id="keep")
                yield Button("Send whole (s)", id="send")
                if turns and fit.fits_after:
                    yield Button("Leave out (l)", id="leave_out", variant="primary")

    def on_mount(self) -> None:
        focus = "#leave_out" if self.query("#leave_out") else "#keep"
        self.query_one(focus, Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id or "")

    def action_answer(self, choice: str) -> None:
        if choice == "leave_out" and not (self.fit.leave_out and self.fit.fits_after):
            return  # nothing to leave out that would help
        self.dismiss("leave_out" if choice == "leave_out" else "send" if choice == "send"
                     else None)
