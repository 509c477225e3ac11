"""Building the app for Pilot and snapshot tests against the loopback server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.loopback import LoopbackServer, Reply
from tui.api.client import ChatClient, RetryPolicy
from tui.config import Config, load_config
from tui.model.conversation import Conversation, Message, Usage
from tui.storage.store import ConversationStore
from tui.ui.app import ChatApp, make_app

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
