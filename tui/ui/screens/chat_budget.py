"""The chat's side of the ``[budget]`` limits: before a prompt is sent, what is spent
today and in this conversation, plus the next prompt's estimated cost, against each
limit (``tui/chat/budget.py``); over one, the user is asked first."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tui.chat.budget import overruns, spent_today
from tui.config import Config
from tui.files import StoreError
from tui.format import total_cost
from tui.model.attachment import Attachment
from tui.model.conversation import Conversation
from tui.model.estimate import next_prompt, prompt_cost


async def over_budget(config: Config, conversation: Conversation, draft: str,
                      prompt_price: float | None,
                      attachments: Sequence[Attachment] = ()) -> list[str]:
    """Why sending ``draft`` (with ``attachments``) would pass a limit (nothing: it would
    not, or no limit is set). Today's spend is read from the history index in a thread
    (it may have to scan the conversations folder)."""
    if not config.budget.any:
        return []
    try:
        today = await asyncio.to_thread(spent_today, config)
    except (OSError, StoreError):
        today = 0.0  # no index: the conversation's own limit still holds
    tokens = next_prompt(conversation, draft, attachments).tokens
    found = overruns(config.budget, today=today, conversation=total_cost(conversation),
                     next_cost=prompt_cost(tokens, prompt_price))
    return [overrun.describe() for overrun in found]
