"""Token figures for a server that sends none while streaming: the app's own local model.

llama-cpp-python's server (0.3) ignores ``stream_options.include_usage``: a streamed reply
carries no ``usage`` and no ``timings``. It sends every generated token as a chunk of its
own (several in one chunk only when a character spans tokens; none for the tokens of a
stop sequence or the end-of-turn token), so the chunks that brought text are the reply's
tokens, counted. The prompt's tokens are asked of the server's tokenizer; what to ask
and where is the ``TokenCounting`` the client was given (``tui.local.counting``). A
figure counted this way marks the usage ``counted``, and every screen shows counted
figures with "≈": a count is never shown as the server's figure. Figures the server
does send are kept as they are.

The model runs on this machine, so its reply costs nothing: the cost is 0, exactly.
"""

from __future__ import annotations

from typing import Any, Protocol

from tui.api.errors import FailureError
from tui.api.request import ChatRequest
from tui.model.conversation import Usage


class TokenCounting(Protocol):
    """How to count a prompt's tokens on a server that sends no usage."""

    def count_url(self, base_url: str) -> str:
        """Where to POST ``{"input": text}`` for ``{"count": n}``."""
        ...

    def prompt_text(self, messages: list[dict[str, Any]]) -> str:
        """The text whose tokens are the prompt's."""
        ...


class Poster(Protocol):
    async def post_json(self, url: str, body: dict[str, Any],
                        timeout: float | None = None) -> Any: ...


# The count comes at once from an idle server. One busy with another reply (a second
# compare column) answers only when that reply ends; this reply is not kept open
# that long for a nicety: its prompt count is then left unknown.
COUNT_TIMEOUT = 3.0  # seconds


def count_completion(usage: Usage, text_chunks: int) -> None:
    """The reply's tokens from its chunks, unless the server said how many."""
    if usage.completion_tokens is None and text_chunks:
        usage.completion_tokens = text_chunks
        usage.mark_counted()
    if usage.cost is None:
        usage.cost = 0.0


async def count_prompt(client: Poster, counting: TokenCounting, base_url: str,
                       request: ChatRequest, usage: Usage) -> None:
    """The prompt's tokens from the server's tokenizer, unless the server said how many.
    Any failure leaves the figure unknown: a count is only ever a nicety."""
    if usage.prompt_tokens is not None:
        return
    body = {"input": counting.prompt_text(request.messages), "model": request.model}
    try:
        answer = await client.post_json(counting.count_url(base_url), body, COUNT_TIMEOUT)
    except FailureError:  # a server without the endpoint, or one that has gone
        return
    count = answer.get("count") if isinstance(answer, dict) else None
    if type(count) is int and count >= 0:
        usage.prompt_tokens = count
        usage.mark_counted()
