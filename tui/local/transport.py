"""The client's transport to the app's own llama-cpp-python server.

While the model loads, each request waits until the server is ready (or fails with the
reason it never will be). Each chat request gets a ``max_tokens`` when it has none: the
client sends none, and without it llama-cpp-python 0.3 generates up to the end of the
context and then fails the reply (a ValueError in ``Llama.eval``). The model list says
what the server's own list leaves out: the context the app gave the server (its
``--n_ctx``) and a price of nothing, since the model runs here. It also keeps proxy
settings from the environment away from a loopback server.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tui.local.counting import LocalCounting
from tui.local.model import reply_limit

# What the model list says of a model the app runs itself: it costs nothing.
FREE = {"prompt": "0", "completion": "0"}


class LocalTransport(httpx.AsyncBaseTransport):
    def __init__(self, context: int | None = None, chat_format: str | None = None, *,
                 ready: bool = False) -> None:
        """``context`` and ``chat_format``: the ``--n_ctx`` and ``--chat_format`` the
        server was started with (``open`` gives them when they are not known yet)."""
        self._inner = httpx.AsyncHTTPTransport()
        self._settled = asyncio.Event()
        self.failure: str | None = None
        self.context = context
        self.counting = LocalCounting(chat_format)  # for the client: its figures
        if ready:
            self._settled.set()

    @property
    def max_tokens(self) -> int:
        return reply_limit(self.context)

    def open(self, context: int, chat_format: str | None) -> None:
        """The server is up, serving a context of ``context`` tokens."""
        self.context = context
        self.counting.chat_format = chat_format
        self._settled.set()

    def fail(self, message: str) -> None:
        self.failure = message
        self._settled.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._settled.wait()
        if self.failure is not None:
            raise httpx.ConnectError(self.failure, request=request)
        path = request.url.path
        if path.endswith("/chat/completions"):
            request = _with_max_tokens(request, self.max_tokens)
        response = await self._inner.handle_async_request(request)
        if request.method == "GET" and path.endswith("/models") and response.status_code == 200:
            return await self._described(response)
        return response

    async def _described(self, response: httpx.Response) -> httpx.Response:
        """The server's model list with each model's context and price filled in."""
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        items = document.get("data") if isinstance(document, dict) else None
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    _describe(item, self.context)
            body = json.dumps(document, ensure_ascii=False).encode()
        headers = [(k, v) for k, v in response.headers.raw
                   if k.lower() not in (b"content-length", b"content-encoding",
                                        b"transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=body)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _describe(item: dict[str, Any], context: int | None) -> None:
    """What the server left out of one model's entry, and only that."""
    if context and not isinstance(item.get("context_length"), int):
        item["context_length"] = context
    if not isinstance(item.get("pricing"), dict):
        item["pricing"] = dict(FREE)


def _with_max_tokens(request: httpx.Request, max_tokens: int) -> httpx.Request:
    try:
        body = json.loads(request.content)
    except (ValueError, httpx.RequestNotRead):
        return request
    if not isinstance(body, dict) or "max_tokens" in body:
        return request
    body["max_tokens"] = max_tokens
    headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
    return httpx.Request(
        request.method, request.url, headers=headers,
        content=json.dumps(body, ensure_ascii=False).encode(), extensions=request.extensions,
    )
