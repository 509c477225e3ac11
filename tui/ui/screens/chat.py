"""The chat screen. It owns the conversation: a submitted prompt is saved, then one
worker reads the client's stream and drives the reply widget while the reply is
journaled beside the conversation (``tui.storage.journal``); when the stream ends, the exchange
is saved. ``_save`` is the one place the screen writes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tui.api.stream import ChatStream
from tui.chat.turn import missing_key_message
from tui.config import Config
from tui.format import origin_note
from tui.model.conversation import Conversation, Message
from tui.model.text import one_line
from tui.storage.journal import Journaling
from tui.storage.prompt_history import recent_prompts
from tui.storage.store import StoreError
from tui.ui.render.inert import inert
from tui.ui.screens.chat_attach import above_prompt
from tui.ui.screens.chat_budget import SpentToday, over_budget
from tui.ui.screens.chat_commands import chat_commands
from tui.ui.screens.chat_context import ContextFit
from tui.ui.screens.chat_estimate import EstimateLine
from tui.ui.screens.chat_layout import UsageFit
from tui.ui.screens.chat_settings import ChatSettings
from tui.ui.screens.chat_tools import ToolTurns
from tui.ui.screens.chat_tree import TREE_BINDINGS
from tui.ui.services import HistoryResult, Services
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView
from tui.ui.widgets.transcript import Transcript
from tui.ui.widgets.usage_panel import UsagePanel


class ChatScreen(UsageFit, EstimateLine, SpentToday, ContextFit, ChatSettings, ToolTurns):
    BINDINGS = [
        *TREE_BINDINGS,
        Binding("escape", "cancel_reply", "Cancel", id="chat.cancel",
                tooltip="Cancel the reply that is streaming; leave the message cursor or "
                "an edit"),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new"),
        Binding("f2,ctrl+o", "pick_model", "Model", id="chat.model"),
        Binding("ctrl+b", "toggle_usage", "Usage", id="chat.usage"),
        Binding("ctrl+t", "toggle_reasoning", "Reasoning", id="chat.reasoning"),
        Binding("ctrl+r", "retry", "Retry", id="chat.retry",
                tooltip="Regenerate the selected (else the last) reply: a new alternative; "
                "a failed one is replaced"),
        # F-keys for the rest: the prompt's editing keys (Ctrl+E, Ctrl+K, Ctrl+Y, …) stay.
        Binding("f3", "copy_reply", "Copy", id="chat.copy_reply",
                tooltip="Copy the selected message, else the last reply"),
        Binding("f4", "copy_code", "Copy code", show=False, id="chat.copy_code"),
        Binding("f5", "edit_chat", "System", id="chat.edit",
                tooltip="System prompt and temperature of this chat"),
        # Priority: before the prompt's own F6 (Textual's "select line").
        Binding("f6", "tools", "Tools", id="chat.tools", priority=True,
                tooltip="MCP tool servers and tools: status, on/off per chat"),
        Binding("f9", "branches", "Branches", id="chat.branches",
                tooltip="Every branch of this conversation: pick one to show"),
        Binding("ctrl+l", "app.open_history", "Chats", id="chat.history"),
        # Priority: they scroll the conversation while the prompt has focus (the prompt
        # would move its cursor instead).
        Binding("pageup", "scroll_transcript('page_up')", "Page up", show=False,
                priority=True, id="chat.page_up", tooltip="Scroll the conversation up a page"),
        Binding("pagedown", "scroll_transcript('page_down')", "Page down", show=False,
                priority=True, id="chat.page_down",
                tooltip="Scroll the conversation down a page"),
        Binding("ctrl+home", "scroll_transcript('home')", "Top", show=False, priority=True,
                id="chat.top", tooltip="Scroll to the start of the conversation"),
        Binding("ctrl+end", "scroll_transcript('end')", "Bottom", show=False, priority=True,
                id="chat.bottom", tooltip="Scroll to the end of the conversation"),
    ]

    def __init__(self, conversation: Conversation, services: Services) -> None:
        super().__init__()
        self.conversation = conversation
        self.services = services
        self._reply_worker: Worker[None] | None = None
        self._undo = []

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar", classes="title-bar", markup=False)
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield Transcript(id="transcript",
                                 reasoning_unfolded=lambda: self.services.reasoning_unfolded)
                yield from above_prompt()
                yield PromptArea(id="prompt", takes_files=True)
            yield UsagePanel(id="usage")
        yield Footer()

    async def on_mount(self) -> None:
        self._fit_usage(self.app.size.width)
        self.transcript.show(self.conversation)
        self.refresh_chrome()
        self.count_spent_today_soon(self.services.config, self.conversation)
        self.prompt.set_history(self._prompts())
        self.prompt.focus()
        self.attach_first()
        self.call_after_refresh(self._load_older_prompts)  # after the first frame
        await self._note_model_missing()  # a catalog loaded before this screen
        problem = missing_key_message(self.services.config)
        if problem:
            end = "" if problem.endswith(".") else "."
            await self.transcript.add_notice(
                f"{problem}{end} Until then you can browse models (F2), edit the system "
                "prompt (F5) and reopen saved chats (Ctrl+L)."
            )

    def _prompts(self) -> list[str]:
        return [m.content for m in self.conversation.messages if m.role == "user"]

    @work(thread=True, exclusive=True, group="prompt-history")
    def _load_older_prompts(self) -> None:
        """Earlier conversations' prompts for Up, read in a thread (a few hundred at
        most, from the last few dozen files saved)."""
        prompts = recent_prompts(self.services.store)
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self._got_older_prompts, prompts)

    def _got_older_prompts(self, prompts: list[str]) -> None:
        if self.query_one_optional(PromptArea) is not None:
            self.prompt.add_older(prompts)

    # --- widgets ----------------------------------------------------------------------

    @property
    def transcript(self) -> Transcript:
        return self.query_one(Transcript)

    @property
    def prompt(self) -> PromptArea:
        return self.query_one(PromptArea)

    @property
    def streaming(self) -> bool:
        return self._reply_worker is not None and self._reply_worker.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    def refresh_chrome(self) -> None:
        """The title bar and the usage sidebar, from the conversation and the catalog."""
        if self.query_one_optional(UsagePanel) is None:
            return  # not composed yet: on_mount calls this once the widgets exist
        c = self.conversation
        bits = [c.model or "no model", self.services.config.profile.name]
        if c.origin is not None:
            bits.insert(0, origin_note(c.origin))
        if c.temperature is not None:
            bits.append(f"temperature {c.temperature:g}")
        if c.system:
            bits.append("system prompt set")
        bits += [note for note in [self.tools_note()] if note]
        title = c.title or "New chat"
        self.query_one("#title-bar", Static).update(inert(f"{title}  ·  {'  ·  '.join(bits)}"))
        info = self.services.model_info(c.model)
        self.usage_panel.refresh_usage(c, info)
        self.estimate_next_prompt(c, info)

    # --- a turn -----------------------------------------------------------------------

    @on(PromptArea.Submitted)
    async def _submitted(self, event: PromptArea.Submitted) -> None:
        if self.streaming:
            self.services.say("A reply is still streaming: Esc cancels it.", severity="warning")
            return
        problem = missing_key_message(self.services.config)
        if problem:
            # Nothing is sent and the prompt stays in the box.
            self.services.say(problem, title="No API key", severity="error")
            return
        if not self.conversation.model:
            self.services.say("Pick a model first (F2).", severity="error")
            return
        info = self.services.model_info(self.conversation.model)
        if self.attachments_refused(info):
            return  # the prompt and its files stay
        reasons = await over_budget(self.services.config, self.conversation, event.text,
                                    info.prompt_price if info is not None else None,
                                    self.chips.attachments)
        if reasons:
            async def answered(send: bool | None) -> None:
                if send:
                    await self._fit_then_send(event.text)

            from tui.ui.modals.over_budget import OverBudget  # a dialog: when first shown

            self.app.push_screen(OverBudget(reasons), answered)
            return
        await self._fit_then_send(event.text)

    async def _fit_then_send(self, text: str) -> None:
        sending = self.fit_then(lambda: self._send(text), text, self.chips.attachments)
        if sending is not None:
            await sending

    async def _send(self, text: str) -> None:
        self.prompt.remember(text)
        self.prompt.take_sent(text)
        edited = self.take_edit()
        message = self.conversation.add(
            Message(role="user", content=text, attachments=self.take_attachments()))
        if edited:  # a new branch: the one shown ends here now
            await self.transcript.redraw(self.conversation)
        else:
            await self.transcript.add_user(message)
        self.select(None)
        await self._start_reply()

    @on(PromptArea.Changed)
    def _typed(self) -> None:
        if self._selected is not None and self.prompt.text != self._text_at_select:
            self.select(None)  # typing leaves the message cursor
        self.estimate_after_typing()

    async def _start_reply(self) -> None:
        self._save()  # the prompt is on disk before the request is sent
        if (tools := self.tools_to_offer()) is not None:
            return self.start_tool_turn(tools)  # the tool loop: a ReplyView per request
        if (request := self.request_or_say(self.conversation)) is None:
            return
        view = await self.transcript.add_reply(
            Message(role="assistant", model=self.conversation.model)
        )
        stream = self.services.client.stream(request)
        view.message = stream.reply  # the view shows the reply as the stream builds it
        self._reply_worker = self._run_reply(stream, view)

    @work(exclusive=True, group="reply")
    async def _run_reply(self, stream: ChatStream, view: ReplyView) -> None:
        await self.follow_reply(stream, view)

    async def follow_reply(self, stream: ChatStream, view: ReplyView) -> None:
        """One reply streamed (journaled), then added and saved however it ended."""
        journaling = Journaling(self.services.store, self.conversation, lambda: stream.reply)
        try:
            await view.follow(stream, lambda: journaling.end(self._save, self.services.stopped_by))
        finally:
            self._turn_done(stream, view)

    def _turn_done(self, stream: ChatStream, view: ReplyView) -> None:
        self.transcript.refresh_alternatives(self.conversation)
        self.refresh_chrome()
        self.add_to_spent_today(stream.reply, self.services.config, self.conversation)
        # The count confirms the sum just shown; its thread reads the file just saved
        # into the history index, and waits for the frame that shows the reply's end.
        self.call_after_refresh(self.count_spent_today, self.services.config,
                                self.conversation)
        if stream.failure is not None:
            # The error is written under the reply; a toast says it again only when that
            # line is not to be seen (another screen on top, or scrolled away).
            self.call_after_refresh(self._say_failure, view, stream.failure.message)

    def _say_failure(self, view: ReplyView, message: str) -> None:
        if not self.shows(view.status):
            self.services.say(message, title="Reply failed", severity="error", timeout=8)

    def _save(self) -> bool:
        """The one place a conversation is written: before a request is sent, and when
        its reply ends. A failure is shown, never raised; False then."""
        try:
            saved = self.services.store.save(self.conversation)
            if saved.note:  # merged with, or kept apart from, another window's writes
                self.services.say(saved.note, severity="warning", timeout=10)
        except (OSError, StoreError, ValueError) as error:  # ValueError: unstorable text
            self.services.say(f"Could not save the conversation: {error}", severity="error")
            return False
        return True

    # --- actions ----------------------------------------------------------------------

    def action_cancel_reply(self) -> None:
        if self.leave_cursor():
            return
        if self.streaming and self._reply_worker is not None:
            self._reply_worker.cancel()

    async def action_new_chat(self) -> None:
        await self.load_conversation(self.services.new_conversation(self.conversation.model))

    async def load_conversation(self, conversation: Conversation) -> None:
        """Continue a saved conversation here (the conversations screen's Enter)."""
        if self.streaming and self._reply_worker is not None:
            self._reply_worker.cancel()
            await self._reply_worker.wait()
        self.conversation = conversation
        self.forget_cursor()
        self.transcript.show(self.conversation)
        self.refresh_chrome()
        self.count_spent_today(self.services.config, self.conversation, opening=True)
        self.prompt.set_history(self._prompts())
        self.prompt.focus()

    def action_toggle_reasoning(self) -> None:
        replies = [r for r in self.transcript.replies() if r.message.reasoning]
        if replies:
            replies[-1].toggle_reasoning()

    # --- what the app tells the screen --------------------------------------------------

    @property
    def open_conversation(self) -> Conversation:
        return self.conversation

    def catalog_changed(self) -> None:
        self.refresh_chrome()
        self.call_later(self._note_model_missing)

    # Models this chat already said the catalog lacks (each is said once).
    _said_missing: frozenset[str] = frozenset()

    async def _note_model_missing(self) -> None:
        """Say once, in the chat, that the catalog lacks this chat's model (a default
        the server does not serve fails only when a prompt is sent)."""
        model, models = self.conversation.model, self.services.models
        if not model or not models or model in self._said_missing:
            return
        if not self.is_attached or self.query_one_optional(Transcript) is None:
            return  # not composed yet, or closed: on_mount asks again
        if self.services.model_info(model) is None:
            self._said_missing = self._said_missing | {model}
            await self.transcript.add_notice(
                f"{one_line(model, 100)} is not in the model list of profile "
                f"'{one_line(self.services.config.profile.name, 40)}': the server may "
                "refuse it. F2 picks another."
            )

    def settings_changed(self, config: Config) -> None:
        """A chat with nothing sent yet takes the new model and temperature at once."""
        if not self.conversation.messages:
            self.conversation.model = config.model
            self.conversation.temperature = config.temperature
            self.refresh_chrome()

    async def history_closed(self, result: HistoryResult) -> None:
        """Open what was chosen (a chat here); follow renames and deletes of this one."""
        chosen = result.open
        if chosen is not None and chosen.kind == "chat":
            await self.load_conversation(chosen)
        elif chosen is not None:
            await super().history_closed(result)
        elif self.conversation.id in result.deleted:
            await self.load_conversation(self.services.new_conversation(self.conversation.model))
            self.services.say("That conversation was deleted; this is a new chat.")
        elif self.conversation.id in result.renamed:
            self.conversation.title = result.renamed[self.conversation.id]
            self.refresh_chrome()

    async def add_notice(self, text: str) -> Static:
        return await self.transcript.add_notice(text)

    def palette_commands(self) -> Iterable[SystemCommand]:
        return chat_commands(self)
