"""The line under the chat's prompt: what the next request's prompt will be, in tokens
and dollars, before it is sent (``tui/model/estimate.py`` says how it is worked out).

The branch's part is worked out when the conversation or model changes; each keystroke
only adds the draft's guess, so typing stays as cheap as it was."""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen

from tui.api.catalog import ModelInfo
from tui.format import estimate_note
from tui.model.conversation import Conversation
from tui.model.estimate import (
    MESSAGE_OVERHEAD,
    PromptEstimate,
    next_prompt,
    prompt_cost,
    text_tokens,
)
from tui.ui.widgets.prompt import PromptArea


class EstimateLine(Screen[None]):
    _estimate = PromptEstimate(0, 0)  # the next prompt's tokens, the draft left out
    _estimate_model: ModelInfo | None = None
    estimate_text = ""  # what the line says, as plain text

    def estimate_next_prompt(self, conversation: Conversation, model: ModelInfo | None) -> None:
        """The branch (or the model) changed: its part of the estimate again."""
        self._estimate = next_prompt(conversation)
        self._estimate_model = model
        self.show_estimate()

    def show_estimate(self) -> None:
        """In the prompt's bottom border; in the warning colour when over the model's
        context window."""
        prompt = self.query_one(PromptArea)
        draft = prompt.text
        tokens = self._estimate.tokens + (MESSAGE_OVERHEAD + text_tokens(draft) if draft else 0)
        info = self._estimate_model
        price = info.prompt_price if info is not None else None
        context = info.context_length if info is not None else None
        text, over = estimate_note(tokens, prompt_cost(tokens, price), context)
        self.estimate_text = text
        prompt.border_subtitle = Content.styled(text, "$warning" if over else "dim")
