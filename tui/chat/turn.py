"""What every front end shares to run a turn: a client for the active profile, a new
conversation and the request for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.api.catalog import ModelInfo
from tui.api.client import ChatClient
from tui.api.request import ChatRequest
from tui.config import CLINE_BASE_URL, Config
from tui.model.conversation import Conversation
from tui.model.wire import TEXT_ONLY, Inputs, wire_messages

if TYPE_CHECKING:
    import httpx

    from tui.storage.store import ConversationStore


def make_client(config: Config, transport: httpx.AsyncBaseTransport | None = None) -> ChatClient:
    counting = None
    if config.profile.starts_server:
        from tui.local.transport import LocalTransport

        if transport is None:
            transport = LocalTransport(config.local_context, config.local_chat_format,
                                       ready=True)
        if isinstance(transport, LocalTransport):
            counting = transport.counting  # its server sends no usage while streaming
    return ChatClient(
        config.profile, api_key=config.api_key, read_timeout=config.timeout,
        transport=transport, counting=counting,
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


def new_conversation(
    config: Config, store: ConversationStore | None = None, model: str | None = None
) -> Conversation:
    """A conversation with the config's settings (``model`` chosen over its model); with
    ``store``, named by an id no saved conversation has."""
    conversation = Conversation(
        model=model or config.model,
        system=config.system or None,
        temperature=config.temperature,
        profile=config.profile.name,
    )
    if store is not None:
        conversation.id = store.new_id()
    return conversation


def inputs_for(info: ModelInfo | None, read: Callable[..., bytes] | None = None) -> Inputs:
    """What a model takes besides text, from its catalog entry (none when the catalog
    does not list it), with ``read`` for attachments saved beside the conversation."""
    if info is None:
        return Inputs(read=read)
    return Inputs(images=info.images, files=info.files, read=read)


def build_request(
    conversation: Conversation, stream: bool = True, say: Callable[[str], None] | None = None,
    inputs: Inputs = TEXT_ONLY,
) -> ChatRequest:
    """The request for the next turn. A compare conversation carried on as one chat (``ask
    --continue``) sends one column's history and model; ``say`` is told which. ``inputs``:
    what the model takes besides text (``inputs_for``)."""
    column, model = None, request_model(conversation)
    if conversation.kind == "compare":
        column = continued_column(conversation)
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
        messages=wire_messages(conversation, column, inputs),
        stream=stream,
        temperature=conversation.temperature,
    )


def request_model(conversation: Conversation) -> str:
    """The model the next ``build_request`` asks: a compare carried on as one chat asks
    its continued column's model."""
    if conversation.kind == "compare":
        column = continued_column(conversation)
        if column < len(conversation.models):
            return conversation.models[column]
    return conversation.model


def build_column_request(
    conversation: Conversation, column: int, model: str, stream: bool = True,
    inputs: Inputs = TEXT_ONLY,
) -> ChatRequest:
    """The request for one column of a compare: its model, every prompt and that
    column's replies."""
    return ChatRequest(
        model=model,
        messages=wire_messages(conversation, column, inputs),
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
