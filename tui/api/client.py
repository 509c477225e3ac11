"""The wire client: one chat turn against an OpenAI-compatible endpoint, on httpx.

``ChatClient.stream(request)`` returns a ``ChatStream`` (``tui.api.stream``), which reads
the reply; the client holds the connection, the headers and the retry policy, and fetches
JSON documents (the model catalog).
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from tui import __version__
from tui.api import chunk_json
from tui.api.counted_usage import TokenCounting
from tui.api.errors import MAX_ERROR_BODY, Failure, FailureError, http_failure, redact
from tui.api.request import ChatRequest, RetryPolicy
from tui.api.stream import ChatStream
from tui.config import PROJECT_URL, Profile

if TYPE_CHECKING:
    import httpx


class ChatClient:
    def __init__(
        self,
        profile: Profile,
        *,
        api_key: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        counting: TokenCounting | None = None,
    ) -> None:
        """``counting``: for a server that sends no usage while streaming (the local
        model), how the reply's figures are counted instead."""
        self.profile = profile
        self.counting = counting
        self.api_key = api_key
        self.retry = retry or RetryPolicy()
        self._timeouts = (connect_timeout, read_timeout)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    @property
    def _http(self) -> httpx.AsyncClient:
        """The httpx client, made on first use: importing httpx and loading the system's
        certificates take ~50 ms, which the full-screen app spends after its first frame
        (``warm_up`` in a thread) rather than before it."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import httpx

                    connect, read = self._timeouts
                    self._client = httpx.AsyncClient(
                        timeout=httpx.Timeout(read, connect=connect),
                        transport=self._transport,
                        follow_redirects=True,
                        event_hooks={"response": [self._refuse_foreign_redirect]},
                    )
        return self._client

    async def _refuse_foreign_redirect(self, response: httpx.Response) -> None:
        """Follow a redirect only within the origin the request was sent to: following
        one elsewhere would hand the whole conversation and the profile's headers (an
        ``X-Api-Key``, say) to another server. A POST is followed only by a 307/308,
        which keep its method and body."""
        if not response.has_redirect_location:
            return
        source = response.request.url
        target = source.join(response.headers["location"])
        shown = redact(str(target), self.api_key)
        if _origin(target) != _origin(source):
            raise FailureError(Failure(
                "redirect",
                f"The server redirected the request to {shown}, another origin; it was not "
                "followed, so nothing was sent there. If that address is right, make it the "
                "profile's base_url.",
                response.status_code,
            ))
        if response.request.method == "POST" and response.status_code not in (307, 308):
            raise FailureError(Failure(
                "redirect",
                f"The server redirected the request to {shown} with status "
                f"{response.status_code}, which would drop the request body; it was not "
                "followed. If that address is right, make it the profile's base_url.",
                response.status_code,
            ))

    def warm_up(self) -> None:
        """Make the httpx client now (safe from a thread) so the first request does not,
        and import the async backend httpx otherwise imports on its first request, and
        the decoder of the reply's JSON."""
        self._http  # noqa: B018
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._backends.anyio  # noqa: F401

        chunk_json.warm_up()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def headers(self, auth: bool = True) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "HTTP-Referer": PROJECT_URL,
            "X-Title": "cline-tui",
            "User-Agent": f"cline-tui/{__version__}",
        }
        headers.update(self.profile.headers)
        if auth and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def url(self, path: str) -> str:
        return self.profile.base_url.rstrip("/") + path

    def stream(self, request: ChatRequest) -> ChatStream:
        return ChatStream(self, request)

    def post_stream(
        self, path: str, content: bytes
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """POST ``content`` to ``path``; the response's body is read as it arrives."""
        return self._http.stream("POST", self.url(path), headers=self.headers(),
                                 content=content)

    async def get_json(self, path: str, auth: bool = True) -> Any:
        """GET a JSON document; raises ``FailureError`` with a plain message."""
        return await self._json("GET", self.url(path), auth)

    async def post_json(self, url: str, body: dict[str, Any],
                        timeout: float | None = None) -> Any:
        """POST ``body`` to ``url`` (on the profile's server, but not under its base
        path: llama-cpp-python's ``/extras/…``) and return the JSON answer; raises
        ``FailureError`` with a plain message. ``timeout``: seconds for the whole answer
        (None: the client's timeouts)."""
        return await self._json("POST", url, True, body, timeout)

    async def _json(self, method: str, url: str, auth: bool,
                    body: dict[str, Any] | None = None, timeout: float | None = None) -> Any:
        import httpx

        try:
            if timeout is None:
                response = await self._http.request(method, url, headers=self.headers(auth),
                                                    json=body)
            else:
                async with asyncio.timeout(timeout):
                    response = await self._http.request(method, url,
                                                        headers=self.headers(auth), json=body)
        except TimeoutError:
            raise FailureError(Failure("timeout", f"{url} did not answer in {timeout:g} s.",
                                       retryable=True)) from None
        except httpx.HTTPError as error:
            raise FailureError(self.network_failure(error, started=False)) from None
        if response.status_code >= 400:
            raise FailureError(
                http_failure(
                    response.status_code,
                    dict(response.headers),
                    response.content[:MAX_ERROR_BODY],
                    self.profile,
                    self.api_key if auth else None,
                )
            )
        try:
            return response.json()
        except (ValueError, RecursionError):
            raise FailureError(
                Failure("server", f"{url} did not return JSON.", response.status_code)
            ) from None

    def network_failure(self, error: Exception, started: bool) -> Failure:
        import httpx

        where = self.profile.base_url
        if isinstance(error, httpx.ConnectTimeout):
            return Failure("timeout", f"Timed out connecting to {where}.", retryable=True)
        if isinstance(error, httpx.ReadTimeout):
            what = "in the middle of the reply" if started else "before the reply started"
            return Failure(
                "timeout", f"The server went silent {what} (read timeout).", retryable=True
            )
        if isinstance(error, httpx.ConnectError):
            detail = redact(str(error), self.api_key) or "connection failed"
            return Failure("network", f"Could not connect to {where}: {detail}.", retryable=True)
        if started:
            return Failure("network", "The connection was lost in the middle of the reply.")
        detail = redact(str(error), self.api_key) or type(error).__name__
        return Failure("network", f"The connection to {where} failed: {detail}.", retryable=True)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default
