"""The line under the chat's prompt: what the next request's prompt will be, in tokens
and dollars, before it is sent (``tui/model/estimate.py`` says how it is worked out).

The branch's part is worked out when the conversation or model changes; the draft's
guess is added once typing pauses (a quarter of a second): redrawing the prompt's border
on every keystroke cost about 10 ms a key while a reply streamed."""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer

from tui.api.catalog import ModelInfo
from tui.format import estimate_note
from tui.model.conversation import Conversation
from tui.model.estimate import (
    MESSAGE_OVERHEAD,
    PromptEstimate,
    attachment_tokens,
    next_prompt,
    prompt_cost,
    text_tokens,
)
from tui.ui.widgets.attachment_chips import AttachmentChips
from tui.ui.widgets.prompt import PromptArea

TYPING_PAUSE = 0.25  # seconds without a keystroke before the line catches up


class EstimateLine(Screen[None]):
    _estimate = PromptEstimate(0, 0)  # the next prompt's tokens, the draft left out
    _estimate_model: ModelInfo | None = None
    estimate_text = ""  # what the line says, as plain text
    _typing_pause: Timer | None = None
    _over = False

    def estimate_next_prompt(self, conversation: Conversation, model: ModelInfo | None) -> None:
        """The branch (or the model) changed: its part of the estimate again."""
        self._estimate = next_prompt(conversation)
        self._estimate_model = model
        self.show_estimate()

    def estimate_after_typing(self) -> None:
        """The draft changed: show the estimate once typing pauses."""
        if self._typing_pause is None:
            self._typing_pause = self.set_timer(TYPING_PAUSE, self._typing_paused)
        else:
            self._typing_pause.reset()

    def _typing_paused(self) -> None:
        self._typing_pause = None
        self.show_estimate()

    def show_estimate(self) -> None:
        """In the prompt's bottom border (the draft and the files attached to it
        counted); in the warning colour when over the model's context window."""
        prompt = self.query_one(PromptArea)
        draft = prompt.text
        chips = self.query_one_optional(AttachmentChips)
        attached = chips.attachments if chips is not None else []
        tokens = self._estimate.tokens + sum(attachment_tokens(a) for a in attached) + (
            MESSAGE_OVERHEAD + text_tokens(draft) if draft or attached else 0)
        info = self._estimate_model
        price = info.prompt_price if info is not None else None
        context = info.context_length if info is not None else None
        text, over = estimate_note(tokens, prompt_cost(tokens, price), context)
        if (text, over) == (self.estimate_text, self._over):
            return  # the border is redrawn only when it says something else
        self.estimate_text, self._over = text, over
        prompt.border_subtitle = Content.styled(text, "$warning" if over else "dim")
