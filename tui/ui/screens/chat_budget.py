"""The chat's side of the ``[budget]`` limits: before a prompt is sent, what is spent
today and in this conversation, plus the next prompt's estimated cost, against each
limit (``tui/chat/budget.py``); over one, the user is asked first. Today's spend is also
shown in the usage sidebar, counted in a thread when the chat opens and after each
reply."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from textual import work
from textual.screen import Screen
from textual.timer import Timer

from tui.config import Config
from tui.files import StoreError
from tui.format import total_cost
from tui.model.attachment import Attachment
from tui.model.conversation import Conversation, Message
from tui.model.estimate import next_prompt, prompt_cost
from tui.ui.widgets.usage_panel import UsagePanel

SPENT_TODAY_AFTER = 0.3  # seconds after a chat opens: past its first frame


class SpentToday(Screen[None]):
    """Counts today's spend for the usage sidebar, off the event loop. When a chat opens
    with no history index yet and no limit set, it waits for the first reply (or the
    conversations screen) to build it: a first build parses every conversation, work
    that would compete with the first keystrokes."""

    _opening_count: Timer | None = None

    def count_spent_today_soon(self, config: Config, conversation: Conversation) -> None:
        """The count for a chat that opens, once its first frame is out: reading the
        history index (SQLite) is no part of the first frame."""
        self._opening_count = self.set_timer(
            SPENT_TODAY_AFTER, partial(self._count_spent_today, config, conversation, True))

    def count_spent_today(self, config: Config, conversation: Conversation,
                          opening: bool = False) -> None:
        """Count today's spend in a thread and show it (one count at a time: a new one
        replaces a count under way, and the opening count when it has not started)."""
        if self._opening_count is not None:
            self._opening_count.stop()
            self._opening_count = None
        self._count_spent_today(config, conversation, opening)

    def add_to_spent_today(self, reply: Message, config: Config,
                           conversation: Conversation) -> None:
        """Today's spend with a reply's cost added, shown in the frame that shows the
        reply; the count in a thread that follows confirms it (or corrects it: another
        window's replies, midnight)."""
        cost = reply.usage.cost if reply.usage is not None else None
        if not cost:
            return
        panel = self.query_one_optional(UsagePanel)
        if panel is not None and panel.spent_today is not None:
            panel.show_spent_today(panel.spent_today + cost, config.budget, conversation)

    @work(thread=True, exclusive=True, group="spent-today")
    def _count_spent_today(self, config: Config, conversation: Conversation,
                           opening: bool) -> None:
        from tui.chat.budget import index_is_built, spent_today  # the SQLite index: later

        try:
            if opening and not config.budget.any and not index_is_built(config):
                return
            spent: float | None = spent_today(config)
        except (OSError, StoreError):
            spent = None  # no index: shown as unknown
        self.app.call_from_thread(self._show_spent_today, spent, config, conversation)

    def _show_spent_today(self, spent: float | None, config: Config,
                          conversation: Conversation) -> None:
        panel = self.query_one_optional(UsagePanel)
        if panel is not None:
            panel.show_spent_today(spent, config.budget, conversation)


async def over_budget(config: Config, conversation: Conversation, draft: str,
                      prompt_price: float | None,
                      attachments: Sequence[Attachment] = ()) -> list[str]:
    """Why sending ``draft`` (with ``attachments``) would pass a limit (nothing: it would
    not, or no limit is set). Today's spend is read from the history index in a thread
    (it may have to scan the conversations folder)."""
    if not config.budget.any:
        return []
    from tui.chat.budget import overruns, spent_today

    try:
        today = await asyncio.to_thread(spent_today, config)
    except (OSError, StoreError):
        today = 0.0  # no index: the conversation's own limit still holds
    tokens = next_prompt(conversation, draft, attachments).tokens
    found = overruns(config.budget, today=today, conversation=total_cost(conversation),
                     next_cost=prompt_cost(tokens, prompt_price))
    return [overrun.describe() for overrun in found]
