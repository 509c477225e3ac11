"""The chat's side of the context window: before a prompt is sent, its estimated size
against the model's window (``tui.model.estimate.fit_window``). Over it, the user picks:
leave the oldest turns out (marked ``left_out`` and saved, shown dimmed with a note, never
deleted; the palette's "Send left-out turns again" brings them back), send it whole, or
keep the prompt."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from tui.model.attachment import Attachment
from tui.model.estimate import fit_window
from tui.ui.screens.chat_tree import TreeActions

if TYPE_CHECKING:
    from tui.model.conversation import Message
    from tui.ui.modals.too_long import Choice


class ContextFit(TreeActions):
    def fit_then(self, send: Callable[[], Awaitable[None]], draft: str,
                 attachments: Sequence[Attachment] = ()) -> Awaitable[None] | None:
        """``send()`` when the request fits the model's window (or the window is not
        known); else ask first, and send once answered. Returns what to await, if
        anything: the send itself, or nothing while the dialog is open."""
        info = self.services.model_info(self.conversation.model)
        window = info.context_length if info is not None else None
        if not window:
            return send()
        fit = fit_window(self.conversation, window, draft, attachments)
        if not fit.over:
            return send()

        async def answered(choice: Choice | None) -> None:
            if choice == "leave_out":
                self.leave_out(fit.leave_out)
            if choice is not None:
                await send()

        from tui.ui.modals.too_long import TooLong  # a dialog: when first shown

        self.app.push_screen(TooLong(fit, self.conversation.model), answered)
        return None

    def leave_out(self, prompts: Sequence[Message], left: bool = True) -> None:
        """Mark these turns left out of (or back in) what is sent, save, and show it."""
        for prompt in prompts:
            prompt.left_out = left
        self._save()
        self.transcript.refresh_left_out()
        self.refresh_chrome()

    def action_send_left_out_again(self) -> None:
        """Every left-out turn of the branch shown is sent again from the next prompt."""
        left = [m for m in self.conversation.messages if m.role == "user" and m.left_out]
        if not left:
            self.services.say("No turn of this branch is left out.")
            return
        self.leave_out(left, left=False)
        self.services.say(f"{len(left)} left-out turn{'s' if len(left) > 1 else ''} will "
                          "be sent again.")
