"""The conversation pane: every message in order, pinned to the bottom while a reply
streams unless the user has scrolled up."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widget import Widget

from tui.conversation import Conversation, Message
from tui.ui.messages import Notice, ReplyView, UserMessage


class Transcript(VerticalScroll):
    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        padding: 0 1 1 1;
        scrollbar-size-vertical: 1;
    }
    """

    def show(self, conversation: Conversation, column: int | None = None) -> None:
        """Replace everything with a saved conversation (reasoning folded). For a
        compare column: every prompt and that column's replies."""
        self.remove_children()
        shown = [
            m for m in conversation.messages
            if m.role != "system" and (m.role != "assistant" or column in (None, m.column))
        ]
        self.mount_all([self._view(m, show_usage=column is None) for m in shown])
        self.call_after_refresh(self.scroll_end, animate=False)

    async def add_user(self, message: Message) -> UserMessage:
        view = UserMessage(message)
        await self.mount(view)
        self.anchor()
        return view

    async def add_reply(self, message: Message, show_usage: bool = True) -> ReplyView:
        view = ReplyView(message, streaming=True, show_usage=show_usage)
        await self.mount(view)
        self.anchor()
        return view

    async def add_notice(self, text: str) -> Notice:
        notice = Notice(text)
        await self.mount(notice)
        self.scroll_end(animate=False)
        return notice

    def replies(self) -> list[ReplyView]:
        return list(self.query(ReplyView))

    @staticmethod
    def _view(message: Message, show_usage: bool = True) -> Widget:
        if message.role == "assistant":
            return ReplyView(message, show_usage=show_usage)
        return UserMessage(message)
