"""What the screens get from the app, passed in rather than reached for: the services
(config, store, client, settings, the catalog), the messages a screen sends up to the
app, and the small base class through which the app talks down to whatever screen is
showing. Low in the ui layers: it imports no screen, widget or the app."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from textual import events, on
from textual.actions import SkipAction
from textual.app import SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, TextArea

from tui.api.catalog import ModelInfo
from tui.api.client import ChatClient
from tui.chat.turn import new_conversation
from tui.config import Config
from tui.model.attachment import Attachment
from tui.model.conversation import Conversation
from tui.model.text import one_line
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.widget import Widget
    from textual.widgets import Static

    from tui.tools.servers import ServerStatus, ToolServers

ResultT = TypeVar("ResultT")


class Notify(Protocol):
    """``App.notify``'s shape."""

    def __call__(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


class Services:
    """Built once by the app; every screen that needs one of these gets this object."""

    def __init__(
        self,
        config: Config,
        store: ConversationStore,
        client: ChatClient,
        settings: Settings,
        *,
        notify: Notify,
        streaming: bool = True,
    ) -> None:
        self.config = config
        self.store = store
        self.client = client
        self.settings = settings
        self.streaming = streaming
        self.models: list[ModelInfo] = []  # the catalog, once loaded
        self.catalog_note = ""  # why there is no catalog, when it failed
        # The signal that is stopping the app: replies cut short by it are saved marked
        # "interrupted" rather than "cancelled", and the exit code is 128 + its number.
        self.stop_signal: signal.Signals | None = None
        self.tools = ToolHub()  # the MCP servers, started by the app after its first frame
        # Files for the first chat's prompt (piped input): the chat takes them as chips.
        self.first_attachments: list[Attachment] = []
        self._notify = notify

    @property
    def stopped_by(self) -> str | None:
        """The name of the signal stopping the app, if one is."""
        return self.stop_signal.name if self.stop_signal is not None else None

    @property
    def reasoning_unfolded(self) -> bool:
        """The settings screen's "show reasoning unfolded" (a display preference)."""
        return self.settings.reasoning_unfolded

    def say(
        self,
        text: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """A notification with untrusted text in it: literal, no control characters."""
        self._notify(
            one_line(text, 600),
            title=one_line(title, 80),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def new_conversation(self, model: str | None = None) -> Conversation:
        return new_conversation(self.config, self.store, model)

    def model_info(self, model_id: str) -> ModelInfo | None:
        return next((m for m in self.models if m.id == model_id), None)

    def remember_model(self, model: str) -> None:
        try:
            self.settings.remember_model(self.config.profile.name, model)
        except OSError as error:
            self.say(f"Could not save settings: {error}", severity="warning")


class ToolHub:
    """The app's MCP tool servers (none until the app starts them, after its first frame,
    and none at all when config.toml names no enabled server) and who wants to hear of
    their statuses: the chat's title bar, the tools panel."""

    def __init__(self) -> None:
        self.servers: ToolServers | None = None
        self._listeners: list[Callable[[], object]] = []

    @property
    def statuses(self) -> list[ServerStatus]:
        return self.servers.statuses if self.servers is not None else []

    def listen(self, listener: Callable[[], object]) -> None:
        self._listeners.append(listener)

    def forget(self, listener: Callable[[], object]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def changed(self, status: ServerStatus | None = None) -> None:
        """A server started, failed or stopped (or the servers were made)."""
        for listener in list(self._listeners):
            listener()


# --- up: what a screen asks the app for ----------------------------------------------


class OpenChat(Message):
    """Show this conversation (a new chat when None) in place of the current screen."""

    def __init__(self, conversation: Conversation | None) -> None:
        super().__init__()
        self.conversation = conversation


class OpenCompare(Message):
    """A new side-by-side comparison of these models in place of the current screen."""

    def __init__(self, models: list[str]) -> None:
        super().__init__()
        self.models = models


@dataclass
class HistoryResult:
    """What the conversations screen did: what to open and what it renamed or deleted,
    handed to the screen underneath it."""

    open: Conversation | None = None
    deleted: set[str] = field(default_factory=set)
    renamed: dict[str, str] = field(default_factory=dict)


# --- down: what the app tells the screen that is showing -----------------------------


class AppScreen(Screen[ResultT]):
    """A screen of this app. The app calls these on whichever screen is showing; each
    does nothing unless the screen has something to do with it."""

    BINDINGS = [
        # Replaces Textual's Ctrl+C (which says nothing). Priority: it comes before the
        # prompt's own copy, so F1 lists the key as this; a text box's own selection
        # still goes first (action_copy_text).
        Binding("ctrl+c,super+c", "copy_text", "Copy", show=False, priority=True,
                id="screen.copy",
                tooltip="Copy the selection (drag the mouse to select)"),
    ]

    is_history = False  # the conversations screen (which does not open itself again)
    _resumed = False

    @on(events.ScreenResume)
    def _first_resume(self, event: events.ScreenResume) -> None:
        """No second styling pass when the screen is first shown: every widget was styled
        as it was mounted, a moment before, and a theme change since restyles every
        screen anyway. Textual styles the whole screen again on each resume (~10 ms for
        the chat before its first frame); later resumes still do (a theme may have
        changed while another screen was on top)."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def action_copy_text(self) -> None:
        """Copy the text selected with the mouse, and say how much. Otherwise Ctrl+C
        does what it did: a text box copies its own selection, else Textual says how to
        quit."""
        focused = self.focused
        if isinstance(focused, TextArea | Input) and focused.selected_text:
            raise SkipAction()  # the prompt's (or search box's) own selection
        text = self.get_selected_text()
        if not text:
            raise SkipAction()
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {len(text):,} characters", markup=False)

    @property
    def open_conversation(self) -> Conversation | None:
        """The conversation this screen shows, if any."""
        return None

    @property
    def chat_to_return_to(self) -> Conversation | None:
        """The chat a comparison started from this screen goes back to when it closes:
        the chat this screen shows, if it shows one."""
        conversation = self.open_conversation
        return conversation if conversation is not None and conversation.kind == "chat" else None

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's commands in the command palette: its shown keys by default."""
        return binding_commands(self)

    def catalog_changed(self) -> None:
        """The model catalog has loaded or changed."""

    def settings_changed(self, config: Config) -> None:
        """The settings screen saved a new default model or temperature."""

    async def history_closed(self, result: HistoryResult) -> None:
        """The conversations screen over this one closed: open what was chosen."""
        if result.open is not None:
            self.post_message(OpenChat(result.open))

    async def add_notice(self, text: str) -> Static | None:
        """A notice in this screen's transcript, to update later; None if it has none."""
        return None

    def shows(self, widget: Widget) -> bool:
        """Whether ``widget`` is on screen now: this screen is the one showing and the
        widget is displayed and at least partly scrolled into view (a reply's error is
        then read where it is, not repeated in a toast)."""
        return (self.is_current and widget.is_attached and widget.screen is self
                and self.can_view_partial(widget))


def binding_commands(screen: Screen[Any], hidden: bool = False) -> Iterable[SystemCommand]:
    """Every shown binding of a screen as a command (with ``hidden``, those the footer
    does not show too)."""
    seen: set[str] = set()
    for klass in type(screen).__mro__:
        for binding in klass.__dict__.get("BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if not (binding.show or hidden):
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            keys = screen.app.get_key_display(binding)
            yield SystemCommand(binding.description, f"{keys} · {binding.id or ''}",
                                partial(screen.run_action, binding.action))

