"""What every front end shares to run a turn: a client for the active profile, the
request for a conversation, and the one-line usage summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.api.client import ChatClient, ChatRequest
from tui.config import CLINE_BASE_URL, Config
from tui.model.conversation import Conversation, Message, Usage

if TYPE_CHECKING:
    import httpx


def make_client(config: Config, transport: httpx.AsyncBaseTransport | None = None) -> ChatClient:
    if transport is None and config.profile.starts_server:
        from tui.local.model import reply_limit
        from tui.local.server import LocalTransport

        transport = LocalTransport(reply_limit(config.local_context), ready=True)
    return ChatClient(
        config.profile, api_key=config.api_key, read_timeout=config.timeout, transport=transport
    )


def missing_key_message(config: Config) -> str | None:
    """Why a turn cannot be sent at all, or None. Only the hosted Cline API is known to
    need a key; any other endpoint may be a local server that wants none."""
    profile = config.profile
    if config.api_key or not profile.api_key_env:
        return None
    if urlsplit(profile.base_url).netloc != urlsplit(CLINE_BASE_URL).netloc:
        return None
    return f"{profile.api_key_env} is not set. {profile.key_help()}"


def new_conversation(config: Config) -> Conversation:
    return Conversation(
        model=config.model,
        system=config.system or None,
        temperature=config.temperature,
        profile=config.profile.name,
    )


def build_request(
    conversation: Conversation, stream: bool = True, say: Callable[[str], None] | None = None
) -> ChatRequest:
    """The request for the next turn. A compare conversation carried on as one chat (``ask
    --continue``) sends one column's history and model; ``say`` is told which."""
    column, model = None, conversation.model
    if conversation.kind == "compare":
        column = continued_column(conversation)
        if column < len(conversation.models):
            model = conversation.models[column]
        if say is not None:
            why = "the preferred reply's" if _preferred_column(conversation) is not None else (
                "no reply is marked preferred"
            )
            say(
                f"this is a comparison: continuing column {column + 1} ({model or '?'}; {why}); "
                "the other columns' replies are not sent"
            )
    return ChatRequest(
        model=model,
        messages=conversation.wire_messages(column),
        stream=stream,
        temperature=conversation.temperature,
    )


def build_column_request(
    conversation: Conversation, column: int, model: str, stream: bool = True
) -> ChatRequest:
    """The request for one column of a compare: its model, every prompt and that
    column's replies."""
    return ChatRequest(
        model=model,
        messages=conversation.wire_messages(column=column),
        stream=stream,
        temperature=conversation.temperature,
    )


def continued_column(conversation: Conversation) -> int:
    """The column a compare goes on in as a chat: the last preferred reply's, else 0."""
    preferred = _preferred_column(conversation)
    return preferred if preferred is not None else 0


def _preferred_column(conversation: Conversation) -> int | None:
    for message in reversed(conversation.messages):
        if message.role == "assistant" and message.preferred and message.column is not None:
            return message.column
    return None


def usage_line(reply: Message, with_model: bool = True) -> str:
    """``model · 8,888 in (8,885 cached) · 31 out · $0.0031 · 0.41 s to first token · 1.2 s``"""
    usage = reply.usage or Usage()
    parts = [reply.model or "?"] if with_model else []
    if usage.prompt_tokens is not None:
        cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens else ""
        parts.append(f"{usage.prompt_tokens:,} in{cached}")
    if usage.completion_tokens is not None:
        parts.append(f"{usage.completion_tokens:,} out")
    if usage.cost is not None:
        parts.append(format_cost(usage.cost))
    if usage.ttft_ms is not None:
        parts.append(f"{usage.ttft_ms / 1000:.2f} s to first token")
    if usage.duration_ms is not None:
        parts.append(f"{usage.duration_ms / 1000:.1f} s")
    rate = tokens_per_second(usage)
    if rate is not None:
        parts.append(f"{rate:.0f} tok/s")
    return " · ".join(parts)


def tokens_per_second(usage: Usage) -> float | None:
    """Completion tokens over the time from first token to the end."""
    if not usage.completion_tokens or usage.duration_ms is None:
        return None
    streaming_ms = usage.duration_ms - (usage.ttft_ms or 0)
    if streaming_ms <= 0:
        return None
    return usage.completion_tokens / (streaming_ms / 1000)


def format_cost(cost: float) -> str:
    if cost == 0:
        return "$0"
    return f"${cost:.4f}" if cost < 1 else f"${cost:.2f}"
