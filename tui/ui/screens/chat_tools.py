"""The chat screen's tool turns: when tools are on, a turn is the tool loop
(``tui/chat/tool_loop.py``) run in the screen's one reply worker, so Esc cancels it and
tree actions are refused as while a reply streams.

Each request of the turn streams into a ReplyView of its own, journaled and saved as a
plain reply is (the screen's ``_turn_done``). A call not pre-approved opens the approval
dialog; approved calls run with a progress line each, and each result is shown folded
under its call. The tools panel (F6) switches servers and tools on and off for this chat.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import events, on, work

from tui.model.conversation import Message
from tui.model.text import one_line
from tui.ui.screens.chat_attach import AttachActions

if TYPE_CHECKING:
    from textual.worker import Worker

    from tui.api.request import ChatRequest
    from tui.api.stream import ChatStream
    from tui.chat.tool_choice import ToolChoice
    from tui.chat.tool_loop import Decision, PendingCall, SentReply
    from tui.tools.catalog import ToolCatalog
    from tui.ui.widgets.reply_view import ReplyView

# The tool loop, the tool catalog and the calls' views are imported when a chat first
# uses tools (a server started, a turn, the panel), not before the first frame.


class ToolTurns(AttachActions):
    """The chat screen's base: tool turns, the tools panel, the tools' title note."""

    _tool_choice: ToolChoice | None = None

    if TYPE_CHECKING:  # what the chat screen has
        _reply_worker: Worker[None] | None

        async def follow_reply(self, stream: ChatStream, view: ReplyView) -> None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tools" and not self.listing_keys:
            # In the footer only when config.toml names a server (the palette has it always).
            return bool(self.services.config.mcp)
        return super().check_action(action, parameters)

    @property
    def tool_choice(self) -> ToolChoice:
        if self._tool_choice is None:
            from tui.chat.tool_choice import ToolChoice

            self._tool_choice = ToolChoice()
        return self._tool_choice

    def forget_cursor(self) -> None:
        """Another conversation is shown: every tool on again, nothing allowed yet."""
        super().forget_cursor()
        self._tool_choice = None

    @on(events.Mount)
    def _listen_to_tools(self) -> None:
        self.services.tools.listen(self.tools_changed)

    @on(events.Unmount)
    def _forget_tools(self) -> None:
        self.services.tools.forget(self.tools_changed)

    # --- what is offered --------------------------------------------------------------

    def _ready_tools(self) -> ToolCatalog:
        from tui.tools.catalog import ToolCatalog

        servers = self.services.tools.servers
        if servers is None:
            return ToolCatalog()
        return self.tool_choice.offered(servers.catalog())

    def tools_note(self) -> str:
        """``tools: 3`` for the title bar when any tool is on (else "")."""
        if self.services.tools.servers is None:
            return ""  # none started (yet)
        count = len(self._ready_tools())
        return f"tools: {count}" if count else ""

    def tools_to_offer(self) -> ToolCatalog | None:
        """The tools the next request offers; None: none (no server ready, all off, or a
        model the catalog says takes no tools: said once per chat and model)."""
        catalog = self._ready_tools()
        if not len(catalog):
            return None
        from tui.chat.tool_choice import model_takes_tools

        model = self.conversation.model
        if not model_takes_tools(self.services.models, model):
            if model not in self.tool_choice.said_no_tools:
                self.tool_choice.said_no_tools.add(model)
                self.call_later(self.transcript.add_notice,
                                f"{one_line(model, 100)} does not take tools (says the model "
                                "list): no tools are sent to it.")
            return None
        return catalog

    # --- a turn -----------------------------------------------------------------------

    def start_tool_turn(self, catalog: ToolCatalog) -> None:
        self._reply_worker = self._run_tool_turn(catalog)

    @work(exclusive=True, group="reply")
    async def _run_tool_turn(self, catalog: ToolCatalog) -> None:
        servers = self.services.tools.servers
        assert servers is not None
        from tui.chat.tool_loop import ToolLoop
        from tui.tools.calls import ToolRunner
        from tui.ui.screens.chat_tool_views import STOPPED, TranscriptTools

        config = self.services.config
        listener = TranscriptTools(self.transcript)
        loop = ToolLoop(
            ToolRunner(servers, catalog, config.tools.result_limit), self._approve,
            rounds=config.tools.rounds, allowed=self.tool_choice.preapproved(config.mcp),
            listener=listener)
        conversation = self.conversation
        outcome = None
        try:
            outcome = await loop.run_turn(
                conversation,
                lambda: self.request_for(conversation),
                self._send_one, self._save)
        finally:
            listener.settle(conversation.messages)
            if outcome is None:  # cancelled: the calls' answers are saved all the same
                self._save()
            self.refresh_chrome()
        if outcome.stopped:
            await self.transcript.add_notice(STOPPED)
        elif outcome.round_limit:
            await self.transcript.add_notice(
                f"Stopped after {listener.limit} rounds of tool calls ([tools] rounds in "
                "config.toml): the last reply's calls were not run.")

    async def _send_one(self, request: ChatRequest) -> SentReply:
        """One request of the turn: its own ReplyView, journaled, added and saved."""
        from tui.chat.tool_loop import SentReply

        view = await self.transcript.add_reply(
            Message(role="assistant", model=self.conversation.model))
        stream = self.services.client.stream(request)
        view.message = stream.reply
        await self.follow_reply(stream, view)
        reply = stream.reply
        return SentReply(reply, ok=stream.failure is None and reply.finish_reason != "cancelled")

    async def _approve(self, pending: PendingCall) -> Decision:
        from tui.ui.modals.tool_approval import ToolApproval

        dialog = ToolApproval(pending)
        try:
            decision = await self.app.push_screen(dialog, wait_for_dismiss=True)
        except asyncio.CancelledError:
            if self.app.screen is dialog:
                self.app.pop_screen()
            raise
        if decision == "allow_tool":
            self.tool_choice.allowed.add(f"{pending.tool.server}.{pending.tool.name}")
        return decision or "stop"

    # --- the panel --------------------------------------------------------------------

    def action_tools(self) -> None:
        """F6: the servers and their tools, switched on and off for this chat."""
        from tui.chat.tool_choice import model_takes_tools
        from tui.ui.modals.tools_panel import ToolsPanel

        note = ""
        model = self.conversation.model
        if model and not model_takes_tools(self.services.models, model):
            note = f"{one_line(model, 80)} does not take tools: none are sent to it."
        panel = ToolsPanel(self.services.tools, self.services.config.mcp, self.tool_choice,
                           note)
        self.app.push_screen(panel, lambda _: self.refresh_chrome())

    def tools_changed(self) -> None:
        """A server's status changed: the title bar's count follows."""
        if self.is_attached and self.query_one_optional("#title-bar") is not None:
            self.refresh_chrome()

