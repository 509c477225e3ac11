"""Compare models side by side: one prompt goes to every column at once, the replies
stream concurrently, one column failing leaves the others streaming. The screen owns
the compare conversation: it is saved with the prompt before the requests go out, each
column's reply is journaled while it streams (``tui.storage.journal``), and each column's worker
saves the conversation when its reply ends."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static, Tab, Tabs
from textual.worker import Worker, WorkerState

from tui.api.stream import ChatStream
from tui.chat.turn import build_column_request, missing_key_message
from tui.model.compare import (
    MAX_COLUMNS,
    column_as_chat,
    last_turn,
    set_preferred,
    summarize,
    summary_rows,
)
from tui.model.conversation import Conversation, Message
from tui.storage.journal import Journaling
from tui.storage.store import StoreError
from tui.ui.modals.model_picker import ModelPicker
from tui.ui.render.inert import inert
from tui.ui.services import AppScreen, OpenChat, OpenCompare, Services, binding_commands
from tui.ui.widgets.compare_column import CompareColumn
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView

NARROW_COLUMN = 38  # below this many cells a column, show tabs instead


class CompareScreen(AppScreen[None]):
    BINDINGS = [
        Binding("escape", "cancel_all", "Cancel all", id="compare.cancel_all"),
        # Early in the footer (its priority puts it right after Esc): on a narrow
        # terminal it is how to see the other columns. Ctrl+PgDn/PgUp share the ids: F1
        # shows them on the same rows, and the footer the Alt key (tmux passes it on).
        Binding("alt+right", "next_column(1)", "Next column", priority=True,
                id="compare.next_column",
                tooltip="Switch to the next column (the next tab when they are tabs)"),
        Binding("ctrl+pagedown", "next_column(1)", "Next column", show=False, priority=True,
                id="compare.next_column",
                tooltip="Switch to the next column (the next tab when they are tabs)"),
        Binding("alt+left,ctrl+pageup", "next_column(-1)", "Previous column", show=False,
                priority=True, id="compare.previous_column",
                tooltip="Switch to the previous column"),
        Binding("ctrl+g", "cancel_column", "Cancel column", id="compare.cancel_column"),
        Binding("f2", "pick_model", "Model", id="compare.model"),
        Binding("ctrl+s", "prefer", "Prefer", id="compare.prefer"),
        Binding("ctrl+t", "toggle_reasoning", "Reasoning", id="compare.reasoning"),
        Binding("f9", "continue_column", "Continue alone", id="compare.continue"),
        Binding("ctrl+n", "new_compare", "New compare", id="compare.new"),
        Binding("f10", "close_compare", "Close", id="compare.close"),
        Binding("ctrl+l", "app.open_history", "Chats", id="compare.history"),
        # Priority: they work from the prompt (which would take them as editing keys).
        # Alt+arrows reach the app in plain tmux; Ctrl+PgUp/PgDn where the terminal
        # leaves them to it; Alt+1..4 where it sends Alt+digits (kitty, foot; xterm and
        # tmux send them as ¡ ™ £ ¢, which Textual reads as those characters).
        *[Binding(f"alt+{n}", f"show_column({n - 1})", f"Column {n}", show=False,
                  priority=True, id=f"compare.column_{n}",
                  tooltip=f"Switch to column {n} (where the terminal sends Alt+digits)")
          for n in range(1, MAX_COLUMNS + 1)],
        Binding("pageup", "scroll_column('page_up')", "Scroll column up", show=False, priority=True,
                id="compare.page_up", tooltip="Scroll the active column up a page"),
        Binding("pagedown", "scroll_column('page_down')", "Scroll column down", show=False,
                priority=True, id="compare.page_down",
                tooltip="Scroll the active column down a page"),
        Binding("ctrl+home", "scroll_column('home')", "Column start", show=False, priority=True,
                id="compare.top", tooltip="Scroll the active column to its start"),
        Binding("ctrl+end", "scroll_column('end')", "Column end", show=False, priority=True,
                id="compare.bottom", tooltip="Scroll the active column to its end"),
    ]

    live_interval = 0.25  # seconds between updates of the columns' live speed lines

    def __init__(self, conversation: Conversation, services: Services,
                 back_to: Conversation | None = None) -> None:
        super().__init__()
        self.conversation = conversation
        self.services = services
        # The chat this comparison was started from (F10 goes back to it); None: started
        # from the command line, F10 opens a new chat.
        self.back_to = back_to
        self.active = 0
        self._workers: dict[int, Worker[None]] = {}

    def _reasoning_unfolded(self) -> bool:
        return self.services.reasoning_unfolded

    @property
    def columns(self) -> list[CompareColumn]:
        """The columns, left to right (the children of one container: no walk through
        their transcripts, as a query of the whole screen would make)."""
        holder = self.query_one_optional("#columns")
        if holder is None:
            return []
        return [c for c in holder.children if isinstance(c, CompareColumn)]

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar", classes="title-bar", markup=False)
        yield Tabs(*[Tab(inert(f"{i + 1} {m}"), id=f"tab-{i}")
                     for i, m in enumerate(self.conversation.models)], id="column-tabs")
        with Horizontal(id="columns"):
            for index, model in enumerate(self.conversation.models):
                yield CompareColumn(index, model, self._reasoning_unfolded)
        yield Static(id="summary", markup=False)
        yield PromptArea(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        for column in self.columns:
            column.transcript.show(self.conversation, column=column.index)
            replies = [m for m in self.conversation.messages if m.column == column.index]
            if replies:
                column.show_usage_of(replies[-1])
        self._set_active(0)
        self._refresh_title()
        self._show_summary()
        prompt = self.query_one(PromptArea)
        prompt.set_history([m.content for m in self.conversation.messages if m.role == "user"])
        prompt.focus()
        self.set_interval(self.live_interval, self._tick)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_COLUMN * len(self.conversation.models)
        self.set_class(narrow, "-narrow")
        self._show_summary()  # its rows follow the width

    # --- which column -------------------------------------------------------------------

    def _set_active(self, index: int) -> None:
        self.active = index
        for column in self.columns:
            column.set_class(column.index == index, "-active")
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{index}" and tabs.get_tab(f"tab-{index}") is not None:
            tabs.active = f"tab-{index}"

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        if event.tab.id:
            self._set_active(int(event.tab.id.removeprefix("tab-")))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        for node in event.widget.ancestors_with_self:
            if isinstance(node, CompareColumn):
                self._set_active(node.index)
                return

    def _column(self, index: int | None = None) -> CompareColumn:
        return self.columns[self.active if index is None else index]

    def action_show_column(self, index: int) -> None:
        """Make ``index`` the active column (the tab shown on a narrow terminal). The
        prompt keeps the focus; a column that had it hands it to the new one."""
        columns = self.columns
        if not 0 <= index < len(columns) or index == self.active:
            return
        focused = self.focused
        in_column = focused is not None and any(
            isinstance(node, CompareColumn) for node in focused.ancestors_with_self)
        self._set_active(index)
        if in_column:
            columns[index].transcript.focus()

    def action_next_column(self, step: int) -> None:
        count = len(self.columns)
        if count:
            self.action_show_column((self.active + step) % count)

    def action_scroll_column(self, where: str) -> None:
        self._column().transcript.scroll_where(where)

    # --- a turn ---------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   for w in self._workers.values())

    @on(PromptArea.Submitted)
    async def _submitted(self, event: PromptArea.Submitted) -> None:
        if self.streaming:
            self.services.say("Replies are still streaming: Esc cancels them.", severity="warning")
            return
        problem = missing_key_message(self.services.config)
        if problem:
            self.services.say(problem, title="No API key", severity="error")
            return
        prompt = self.query_one(PromptArea)
        prompt.remember(event.text)
        prompt.take_sent(event.text)
        message = self.conversation.add(Message(role="user", content=event.text))
        self.query_one("#summary", Static).update("")
        await asyncio.gather(*(column.transcript.add_user(message) for column in self.columns))
        self._save()  # the prompt is on disk before the requests are sent
        # Every column's reply view is mounted before any request goes out: the streams
        # start together, and the first frame shows every column waiting for its reply.
        streams = [self._stream(column) for column in self.columns]
        views = await asyncio.gather(*(
            column.transcript.add_reply(stream.reply, show_usage=False)
            for column, stream in zip(self.columns, streams, strict=True)))
        for column, stream, view in zip(self.columns, streams, views, strict=True):
            column.stream = stream
            self._workers[column.index] = self.run_worker(
                self._run_column(column, stream, view),
                group=f"compare-{column.index}",
                exclusive=True,
            )
        self._refresh_title()

    def _stream(self, column: CompareColumn) -> ChatStream:
        request = build_column_request(
            self.conversation, column.index, column.model, stream=self.services.streaming
        )
        stream = self.services.client.stream(request)
        stream.reply.column = column.index
        return stream

    async def _run_column(self, column: CompareColumn, stream: ChatStream, view: ReplyView) -> None:
        journaling = Journaling(self.services.store, self.conversation, lambda: stream.reply)
        try:
            await view.follow(stream, lambda: journaling.end(self._save, self.services.stopped_by))
        finally:
            column.show_done()
            self._reply_done(stream, view)

    def _reply_done(self, stream: ChatStream, view: ReplyView) -> None:
        if stream.failure is not None:
            # Written under the column's reply; a toast only when that line is out of
            # sight (a column on another tab, scrolled away, or another screen on top).
            self.call_after_refresh(self._say_failure, view, stream.failure.message)
        if not self.streaming or all(
            w.state not in (WorkerState.PENDING, WorkerState.RUNNING)
            for i, w in self._workers.items() if i != stream.reply.column
        ):
            self._show_summary()

    def _say_failure(self, view: ReplyView, message: str) -> None:
        if not self.shows(view.status):
            column = (view.message.column or 0) + 1
            self.services.say(message, title=f"Column {column} failed", severity="error",
                              timeout=8)

    def _save(self) -> bool:
        """The one place a compare is written: with the prompt before the requests go
        out, and after each column's reply. A failure is shown, never raised; False
        then."""
        try:
            saved = self.services.store.save(self.conversation)
            if saved.note:  # merged with, or kept apart from, another window's writes
                self.services.say(saved.note, severity="warning", timeout=10)
        except (OSError, StoreError, ValueError) as error:  # ValueError: unstorable text
            self.services.say(f"Could not save the comparison: {error}", severity="error")
            return False
        return True

    def _tick(self) -> None:
        for column in self.columns:
            if column.stream is not None:
                column.show_live()

    def _show_summary(self) -> None:
        """Under the columns: what each column won in the last turn, each column named
        once, in at most two rows of the screen's width."""
        replies = last_turn(self.conversation)
        rows: list[str] = []
        if len(replies) >= 2:
            preferred = next((m.column or 0 for m in replies if m.preferred), None)
            width = (self.size.width or self.app.size.width) - 2  # the summary's padding
            rows = summary_rows(summarize(replies).facts(preferred), width)
        self.query_one("#summary", Static).update(inert("\n".join(rows)))

    def _refresh_title(self) -> None:
        c = self.conversation
        title = c.title or "New comparison"
        profile = self.services.config.profile.name
        self.query_one("#title-bar", Static).update(
            inert(f"Compare · {title}  ·  {len(c.models)} models  ·  {profile}")
        )

    # --- actions -----------------------------------------------------------------------

    def action_cancel_all(self) -> None:
        for worker in self._workers.values():
            worker.cancel()

    def action_cancel_column(self) -> None:
        worker = self._workers.get(self.active)
        if worker is not None:
            worker.cancel()

    def action_pick_model(self) -> None:
        if self._workers.get(self.active) and self._workers[self.active].state in (
            WorkerState.PENDING, WorkerState.RUNNING
        ):
            self.services.say("This column is still streaming.", severity="warning")
            return
        column = self._column()
        picker = ModelPicker(self.services.models, column.model, self.services.catalog_note)

        def chosen(model: str | None) -> None:
            if model and model != column.model:
                column.show_model(model)
                self.conversation.models[column.index] = model
                tab = self.query_one(Tabs).get_tab(f"tab-{column.index}")
                if tab is not None:
                    tab.label = inert(f"{column.index + 1} {model}")
                if self.conversation.messages:
                    self._save()
                self.services.say(f"Column {column.index + 1}: {model} from the next prompt on")

        self.app.push_screen(picker, chosen)

    def action_prefer(self) -> None:
        chosen = set_preferred(self.conversation, self.active)
        if chosen is None:
            self.services.say("No finished reply in this column to prefer yet.")
            return
        self._save()
        self._show_summary()
        self.services.say(f"Preferred column {self.active + 1} ({chosen.model}).")

    def action_toggle_reasoning(self) -> None:
        replies = [r for r in self._column().transcript.replies() if r.message.reasoning]
        if replies:
            replies[-1].toggle_reasoning()

    def action_continue_column(self) -> None:
        if self.streaming:
            self.services.say("Wait for the replies to finish (or Esc).", severity="warning")
            return
        chat = column_as_chat(self.conversation, self.active, self.services.store.new_id())
        self.post_message(OpenChat(chat))

    async def action_new_compare(self) -> None:
        self.action_cancel_all()
        for worker in self._workers.values():
            await worker.wait()
        self.post_message(OpenCompare(list(self.conversation.models)))

    def action_close_compare(self) -> None:
        """Back to the chat the comparison was started from, as saved now (a reply it
        was streaming has ended and been saved meanwhile); a new chat if there is none."""
        self.action_cancel_all()
        self.post_message(OpenChat(self._chat_to_reopen()))

    def _chat_to_reopen(self) -> Conversation | None:
        back = self.back_to
        if back is None or not back.messages:
            return back  # nothing sent there yet: it was never saved; as it was
        try:
            return self.services.store.load(back.id)
        except (OSError, StoreError, ValueError) as error:
            self.services.say(f"Could not reopen the chat: {error}", severity="warning")
            return None

    # --- what the app tells the screen --------------------------------------------------

    @property
    def open_conversation(self) -> Conversation:
        return self.conversation

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every key of the screen, those the footer leaves out too (switching and
        scrolling columns)."""
        return binding_commands(self, hidden=True)

    @property
    def chat_to_return_to(self) -> Conversation | None:
        return self.back_to  # a new comparison from this one (Ctrl+N) goes back there too

    async def add_notice(self, text: str) -> Static | None:
        """A notice goes into the first column."""
        columns = self.columns
        return await columns[0].transcript.add_notice(text) if columns else None
