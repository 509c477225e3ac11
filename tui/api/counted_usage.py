"""Token figures for the app's own local model, whose server sends none while streaming.

llama-cpp-python's server (0.3) ignores ``stream_options.include_usage``: a streamed reply
carries no ``usage`` and no ``timings``. It sends every generated token as a chunk of its
own (several in one chunk only when a character spans tokens; none for the tokens of a
stop sequence or the end-of-turn token), so the chunks that brought text are the reply's
tokens, counted. The prompt's tokens are asked of the server's own tokenizer
(``POST /extras/tokenize/count``) for the text of the messages sent; the few tokens the
chat template adds around each message are not in that count, so it reads a little
low. Either figure, once counted, marks the usage ``counted``, and every screen shows
counted figures with "≈": a count is never shown as the server's figure.

The model runs on this machine, so its reply costs nothing: the cost is 0, exactly.
"""

from __future__ import annotations

from typing import Any, Protocol

from tui.api.errors import FailureError
from tui.api.request import ChatRequest
from tui.model.conversation import Usage

TOKENIZE_COUNT = "/extras/tokenize/count"  # at the server's root, beside /v1


class Counter(Protocol):
    async def post_json(self, url: str, body: dict[str, Any]) -> Any: ...


def count_completion(usage: Usage, text_chunks: int) -> None:
    """The reply's tokens from its chunks, unless the server said how many."""
    if usage.completion_tokens is None and text_chunks:
        usage.completion_tokens = text_chunks
        usage.mark_counted()
    if usage.cost is None:
        usage.cost = 0.0


async def count_prompt(client: Counter, base_url: str, request: ChatRequest,
                       usage: Usage) -> None:
    """The prompt's tokens from the server's tokenizer, unless the server said how many.
    Any failure leaves the figure unknown: a count is only ever a nicety."""
    if usage.prompt_tokens is not None:
        return
    root = base_url.rstrip("/").removesuffix("/v1")
    body = {"input": prompt_text(request.messages), "model": request.model}
    try:
        answer = await client.post_json(root + TOKENIZE_COUNT, body)
    except FailureError:  # a server without the endpoint, or one that has gone
        return
    count = answer.get("count") if isinstance(answer, dict) else None
    if type(count) is int and count >= 0:
        usage.prompt_tokens = count
        usage.mark_counted()


def prompt_text(messages: list[dict[str, Any]]) -> str:
    """The text of the messages sent, one after another."""
    texts: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(part["text"] for part in content
                         if isinstance(part, dict) and isinstance(part.get("text"), str))
    return "\n".join(texts)
