"""The Textual app: composition, services and the command palette. The chat itself lives
in ``ChatScreen``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import WorkerCancelled, WorkerFailed

from tui.api.catalog import Catalog, ModelInfo
from tui.api.client import ChatClient
from tui.api.errors import FailureError
from tui.chat.turn import make_client
from tui.config import Config
from tui.model.compare import models_of_replies, new_compare
from tui.model.conversation import Conversation
from tui.model.text import one_line
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore
from tui.ui.app_prefs import PreferencesApp, action_keys, with_key
from tui.ui.screens.chat import ChatScreen
from tui.ui.services import AppScreen, HistoryResult, OpenChat, OpenCompare, Services
from tui.ui.speed.heap import freeze_after_start_up
from tui.ui.speed.patches import install_all
from tui.ui.widgets.reply_view import first_reply_parts

if TYPE_CHECKING:
    from pathlib import Path

    from textual.widgets import Static

    from tui.model.attachment import Attachment
    from tui.ui.local_start import LocalLaunch

CATALOG_STALE_SECONDS = 6 * 3600
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # ``kill``; the terminal closed (tmux too)
WARM_UP_AFTER = 0.3  # seconds after mount: past the first frames, before a person types


class ChatApp(PreferencesApp, App[None]):
    TITLE = "cline-tui"
    # The screens' and dialogs' CSS and the rules they share, beside this file (the
    # widgets keep theirs in DEFAULT_CSS).
    CSS_PATH = ["app.tcss", "dialogs.tcss"]
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True)]

    def __init__(
        self,
        config: Config,
        store: ConversationStore,
        client: ChatClient,
        settings: Settings,
        conversation: Conversation | None = None,
        *,
        compare_models: Sequence[str] = (),
        streaming: bool = True,
        fetch_catalog: bool = True,
        local: LocalLaunch | None = None,
        theme: str | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.local = local  # the local model's server, started on mount
        self.notices = list(notices)  # shown once the app is up (e.g. recovered replies)
        self.crashed = False
        self.crash_log: Path | None = None
        # What the screens are handed: config, store, client, settings, the catalog.
        self.services = Services(config, store, client, settings, notify=self._notify,
                                 streaming=streaming)
        self._fetch_catalog = fetch_catalog
        if compare_models:
            conversation = new_compare(list(compare_models), self.services.new_conversation())
        self._first = conversation or self.services.new_conversation()
        self.setup_preferences(theme)  # themes, keymap, settings.toml's choices

    def _notify(self, message: str, **options: Any) -> None:
        self.notify(message, **options)  # looked up at each call: a test may wrap it

    # --- the services, by their old names (the command line and the tests read them) --

    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def store(self) -> ConversationStore:
        return self.services.store

    @property
    def client(self) -> ChatClient:
        return self.services.client

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def streaming(self) -> bool:
        return self.services.streaming

    @property
    def models(self) -> list[ModelInfo]:
        return self.services.models

    @models.setter
    def models(self, models: list[ModelInfo]) -> None:
        self.services.models = models

    @property
    def catalog_note(self) -> str:
        return self.services.catalog_note

    @property
    def stop_signal(self) -> signal.Signals | None:
        """The signal that is stopping the app (the exit code is 128 + its number)."""
        return self.services.stop_signal

    def on_mount(self) -> None:
        self._listen_for_stop_signals()
        for warning in self.config.warnings:
            self.services.say(warning, severity="warning", timeout=10)
        for notice in self.notices:
            self.services.say(notice, timeout=10)
        if self.settings.problem:
            self.services.say(self.settings.problem, severity="warning", timeout=10)
        self._load_catalog()
        if self.local is not None:
            # After the first refresh: the chat screen has shown its conversation by
            # then, so the loading notice lands in it (and is not cleared by it).
            self.call_after_refresh(self._start_local)
        self.set_timer(WARM_UP_AFTER, self._warm_up)
        if any(server.enabled for server in self.config.mcp):
            self.call_after_refresh(self._start_tools)  # after the first frame

    def _start_tools(self) -> None:
        from tui.ui.tool_start import start_tool_servers  # the MCP SDK: not for the first frame

        self.run_worker(start_tool_servers(self.services), group="tools", exclusive=True)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Tests and snapshots see a steady cursor in text fields, never a blink phase."""
        if self.is_headless:
            from textual.widgets import Input  # loaded only when a field gets focus

            if isinstance(event.widget, Input):
                event.widget.cursor_blink = False

    def _start_local(self) -> None:
        from tui.ui.local_start import start_local

        if self.local is not None:
            self.run_worker(start_local(self, self.services, self.local, self._local_notice),
                            group="local", exclusive=True)

    async def _local_notice(self, text: str) -> Static | None:
        """The local model's loading notice, in the transcript of the screen showing."""
        screen = self.screen
        return await screen.add_notice(text) if isinstance(screen, AppScreen) else None

    @work(exclusive=True, group="warm-up")
    async def _warm_up(self) -> None:
        """Once the first screen is up: what the first reply needs (httpx, the
        certificates, Markdown) is loaded in a thread, the CSS rules parsed are kept for
        the next start, then the heap is frozen."""
        await asyncio.to_thread(_load_for_replies, self.client)
        self.add_default_css(first_reply_parts())
        await self.keep_css_rules()
        freeze_after_start_up()

    def get_default_screen(self) -> Screen[Any]:
        return self._screen_for(self._first)

    def _screen_for(self, conversation: Conversation,
                    back_to: Conversation | None = None) -> Screen[Any]:
        if conversation.kind == "compare" and not conversation.models:
            # A hand-edited file with ``models = []``: the models its replies name,
            # or, with no replies either, a plain chat (a compare needs columns).
            conversation.models = models_of_replies(conversation)
            if not conversation.models:
                conversation.kind = "chat"
        if conversation.kind == "compare":
            from tui.ui.screens.compare import CompareScreen

            return CompareScreen(conversation, self.services, back_to)
        return ChatScreen(conversation, self.services)

    def open_chat(self, conversation: Conversation | None) -> None:
        """Show a conversation (a new chat when None) in place of the current screen (a
        comparison closes back to the chat showing now)."""
        self._show(self._screen_for(conversation or self.services.new_conversation(),
                                    self._chat_showing()))

    def open_compare(self, models: list[str]) -> None:
        """A new side-by-side comparison of ``models`` in place of the current screen;
        closing it goes back to the chat showing now."""
        compare = new_compare(models, self.services.new_conversation())
        self._show(self._screen_for(compare, self._chat_showing()))

    def _chat_showing(self) -> Conversation | None:
        screen = self.screen
        return screen.chat_to_return_to if isinstance(screen, AppScreen) else None

    @on(OpenChat)
    def _open_chat_asked(self, message: OpenChat) -> None:
        self.open_chat(message.conversation)

    @on(OpenCompare)
    def _open_compare_asked(self, message: OpenCompare) -> None:
        self.open_compare(message.models)

    def _show(self, screen: Screen[Any]) -> None:
        # The first screen is the app's default screen and cannot be switched away;
        # it stays underneath (a reply still streaming there finishes and is saved).
        if len(self.screen_stack) == 1:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    # --- SIGTERM and SIGHUP: save what is streaming, restore the terminal, exit --------

    def _listen_for_stop_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            # Only the main thread of a Unix process can (not a thread, not Windows).
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(number, self._stop_signalled, number)

    def _stop_signalled(self, number: signal.Signals) -> None:
        # Set at once: should the app end some other way first (a closed terminal
        # also fails its input), the replies are still saved as interrupted.
        if self.services.stop_signal is None:
            self.services.stop_signal = number
            self.run_worker(self._stop(number), group="stop", exclusive=True)

    async def _stop(self, number: signal.Signals) -> None:
        """Cancel every streaming reply (each one's worker saves it, marked interrupted)
        and exit with 128 + the signal's number, as a shell reports a killed program.
        Exiting normally is what leaves the alternate screen, turns mouse reporting off
        and shows the cursor again."""
        replies = [w for w in self.workers
                   if w.group == "reply" or w.group.startswith("compare-")]
        for worker in replies:
            worker.cancel()
        for worker in replies:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()  # its last step saved the reply
        self.exit(return_code=128 + number)

    # --- a crash ---------------------------------------------------------------------

    def _fatal_error(self) -> None:
        """An unhandled exception ends the app. Textual's report would print every
        local variable (the whole conversation); the log gets a traceback without
        them and the terminal one line (``run_app`` exits 70)."""
        from rich.text import Text

        from tui.storage.crash_log import crash_line, write_crash_log

        error = sys.exc_info()[1] or RuntimeError("unknown error")
        self.crash_log = write_crash_log(self.config.paths.cache_dir, error)
        self.crashed = True
        self.bell()
        self.panic(Text(crash_line(error, self.crash_log)))

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.remove_signal_handler(number)
        await self.client.aclose()
        await self.keep_css_rules()  # quit before the warm-up: the next start has them
        if self.services.tools.servers is not None:
            await self.services.tools.servers.stop()
        if self.local is not None:
            self.local.server.stop()

    def action_open_history(self) -> None:
        """The conversations screen over the current one."""
        showing = self.screen
        if isinstance(showing, AppScreen) and showing.is_history:
            return
        from tui.storage.history_index import HistoryIndex
        from tui.ui.screens.history import HistoryScreen  # not needed for the first frame

        current = showing.open_conversation if isinstance(showing, AppScreen) else None
        index = HistoryIndex(self.store.folder, self.config.paths.cache_dir)
        screen = HistoryScreen(self.store, index, self.config.paths.data_dir / "exports",
                               current.id if current is not None else None)
        self.push_screen(screen, self._history_closed)

    async def _history_closed(self, result: HistoryResult | None) -> None:
        """The screen underneath follows what was chosen, renamed or deleted."""
        if result is None:
            return
        screen = self.screen
        if isinstance(screen, AppScreen):
            await screen.history_closed(result)
        elif result.open is not None:
            self.open_chat(result.open)

    @work(exclusive=True, group="catalog")
    async def _load_catalog(self) -> None:
        catalog = Catalog(self.client, self.config.paths.cache_dir)
        cached = catalog.cached()
        if cached is not None:
            self.services.models = cached[0]
            self._catalog_changed()
            if time.time() - cached[1] < CATALOG_STALE_SECONDS:
                return
        if not self._fetch_catalog:
            return
        try:
            self.services.models = await catalog.fetch()
            self.services.catalog_note = ""
        except FailureError as error:
            self.services.catalog_note = one_line(
                f"Could not load the model list: {error.failure.message} "
                "Type a model id and press Enter.",
                300,
            )
        self._catalog_changed()

    def _catalog_changed(self) -> None:
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.catalog_changed()

    # --- command palette --------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not (isinstance(screen, AppScreen) and screen.is_history):
            command = SystemCommand("Conversations", "Browse, search, open, rename, delete "
                                    "or export saved conversations", self.action_open_history)
            yield with_key(command, action_keys(self, screen))


def _load_for_replies(client: ChatClient) -> None:
    import tui.tools.catalog  # noqa: F401  # asked on every send (which tools to offer)
    from tui.ui.render.markdown_blocks import warm_up

    client.warm_up()
    warm_up()


def make_app(
    config: Config,
    *,
    store: ConversationStore | None = None,
    client: ChatClient | None = None,
    settings: Settings | None = None,
    conversation: Conversation | None = None,
    compare_models: Sequence[str] = (),
    streaming: bool = True,
    fetch_catalog: bool = True,
    local: LocalLaunch | None = None,
    theme: str | None = None,
    notices: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
) -> ChatApp:
    """The app wired to its services; the command line and the tests both use this.
    ``conversation``: the one to open (a new chat when None); ``compare_models``: open a
    new comparison of these instead; ``local``: the local model's server to start (its
    client waits for it); ``notices``: lines to show once it is up; ``attachments``:
    files for the first chat's prompt (piped input)."""
    install_all()  # Textual patched where it measurably wastes time (tui/ui/speed)
    if client is None and local is not None:
        client = make_client(config, transport=local.gate)
    app = ChatApp(
        config,
        store or ConversationStore(config.paths.conversations),
        client or make_client(config),
        settings or Settings(config.paths.config_dir / "settings.toml"),
        conversation,
        compare_models=compare_models,
        streaming=streaming,
        fetch_catalog=fetch_catalog,
        local=local,
        theme=theme,
        notices=notices,
    )
    app.services.first_attachments = list(attachments)
    return app
