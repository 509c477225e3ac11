"""Building the app for Pilot and snapshot tests against the loopback server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.strip import Strip

from tests.support.loopback import LoopbackServer, Reply
from tui.api.client import ChatClient
from tui.api.request import RetryPolicy
from tui.config import Config, load_config
from tui.model.conversation import Conversation, Message, Usage
from tui.storage.store import ConversationStore
from tui.ui.app import ChatApp, make_app
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.prompt import PromptArea

if TYPE_CHECKING:  # the app imports the conversations screen when it is first opened
    from tui.ui.screens.history import HistoryScreen

KEY = "sk-ui-test-5a4b3c2d1e"

CATALOG = {
    "data": [
        {"id": "anthropic/claude-sonnet-4.6", "name": "Claude Sonnet 4.6",
         "context_length": 200000, "pricing": {"prompt": "0.000003", "completion": "0.000015"},
         "supported_parameters": ["reasoning", "tools"]},
        {"id": "openai/gpt-4.1", "name": "GPT-4.1", "context_length": 1047576,
         "pricing": {"prompt": "0.000002", "completion": "0.000008"},
         "supported_parameters": ["tools"]},
        {"id": "qwen/qwen3-8b", "name": "Qwen3 8B", "context_length": 32768,
         "pricing": {"prompt": "0", "completion": "0"}, "supported_parameters": ["reasoning"]},
        {"id": "evil/[@click=app.quit]x[/]", "name": "Evil \x1b]0;title\x07 model",
         "context_length": 8192, "pricing": {"prompt": "0.000001", "completion": "0.000001"}},
    ]
}


def build_app(
    server: LoopbackServer | None,
    *,
    key: bool = True,
    conversation: Conversation | None = None,
    compare_models: list[str] | None = None,
    serve_catalog: bool = True,
) -> ChatApp:
    env = dict(os.environ)
    if server is not None:
        env["CLINE_BASE_URL"] = server.url
    config = load_config(environ=env)
    if server is not None and serve_catalog:
        server.enqueue(Reply.json(CATALOG, path="/ai/cline/models"))
    profile = config.profile
    client = ChatClient(
        profile,
        api_key=KEY if key else None,
        read_timeout=5,
        retry=RetryPolicy(attempts=0),
    )
    return make_app(config, client=client, conversation=conversation,
                    compare_models=compare_models or (),
                    fetch_catalog=server is not None and serve_catalog)


def saved(home: Path) -> list[Path]:
    return sorted((home / "conversations").glob("*.toml"))


def fixed_conversation() -> Conversation:
    """A finished exchange with reasoning and usage, at fixed times."""
    when = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    conversation = Conversation(id="20261101-093000-abcdef", created=when, updated=when,
                                model="anthropic/claude-sonnet-4.6", profile="cline")
    conversation.add(Message(role="user", content="What is 17 × 23?", created=when))
    conversation.add(Message(
        role="assistant",
        created=when,
        model="anthropic/claude-sonnet-4.6",
        content="17 × 23 = **391**.\n\n```python\nprint(17 * 23)\n```",
        reasoning="17×20 = 340, 17×3 = 51, so 391.",
        finish_reason="stop",
        usage=Usage(prompt_tokens=42, completion_tokens=61, cached_tokens=0, cost=0.001041,
                    ttft_ms=850, duration_ms=2100),
    ))
    return conversation


def store_for(config: Config) -> ConversationStore:
    return ConversationStore(config.paths.conversations)


async def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for a state of the app, never for a number of pauses or frames: how many a
    change takes to reach the screen depends on the machine."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the screen")
        await asyncio.sleep(0.01)


async def settled(pilot: Pilot[None], condition: Callable[[], bool],
                  timeout: float = 30.0) -> None:
    """``wait_for`` the condition, then let the app finish the frame it is drawing."""
    await wait_for(condition, timeout)
    await pilot.pause()


def screen_text(app: App[Any]) -> str:
    """Everything on screen as plain text, as the compositor paints it.

    The one place the tests read Textual's private state: Textual 8.2.8 has no public way
    to get the screen's text. ``App.export_screenshot`` gives an SVG (text split into
    styled spans, spaces escaped) made from the same ``Screen._compositor``, and
    ``Widget.render_lines`` draws one widget, not the screen with its children."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def frames_written(app: App[Any]) -> list[str]:
    """From now on, the text of every frame the app sends to the terminal, in order: the
    rows each frame writes, top to bottom. A change that reaches the screen in a later
    frame than another shows up in a later entry. Read from the update Textual hands to
    ``App._display`` (``ChopsUpdate.chops``, private: Textual 8.2.8 has no public view
    of what a frame writes; headless, nothing is written anywhere)."""
    frames: list[str] = []
    display = app._display

    def recorded(screen: Any, update: Any) -> None:
        display(screen, update)
        if isinstance(update, ChopsUpdate):  # a part of the screen
            rows: list[Iterable[Strip | None]] = [row.values() for row in update.chops]
        elif isinstance(update, LayoutUpdate):  # the whole screen
            rows = [list(row) for row in update.strips]
        else:
            return
        frames.append("\n".join("".join(s.text for s in row if s is not None)
                                 for row in rows))

    app._display = recorded  # type: ignore[method-assign]
    return frames


def collect_notes(app: App[Any]) -> list[str]:
    """Every notification's text, as the app posts it (from now on: call it before
    ``run_test`` to see the notifications of start-up). Read through the public
    ``App.notify``, not the app's private list of notifications."""
    notes: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        notes.append(str(message))
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return notes


def chat(app: ChatApp) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


async def send(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` into the prompt and press Enter."""
    prompt = pilot.app.query_one(PromptArea)
    prompt.focus()  # the screen may still be settling its focus
    prompt.load_text(text)
    await pilot.press("enter")


async def catalog_loaded(pilot: Pilot[None]) -> None:
    await settled(pilot, lambda: len(pilot.app.models) > 0)  # type: ignore[attr-defined]


async def open_history(pilot: Pilot[None]) -> HistoryScreen:
    from tui.ui.screens.history import HistoryScreen

    await pilot.press("ctrl+l")
    await settled(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen)
                  and pilot.app.screen._loaded)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def listed(screen: HistoryScreen) -> list[str]:
    from tui.ui.widgets.conversation_list import ConversationList

    return [e.id for e in screen.query_one(ConversationList).entries]


class ViewApp(App[None]):
    """The Markdown view alone in a scrolling container."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield MarkdownView()
