"""The wire client: one chat turn against an OpenAI-compatible endpoint, on httpx.

``ChatClient.stream(request)`` returns a ``ChatStream``. Iterating it yields the reply
as ``Delta``s (and ``Retrying`` notices); whatever happens, ``stream.reply`` holds the
reply so far and ``stream.failure`` says what went wrong, if anything. Failures are
data, not exceptions, so every caller keeps the partial reply. Only cancellation
propagates (the partial reply is then marked ``finish_reason = "cancelled"``).

A reply ends in exactly one way: finished (a ``finish_reason`` arrived, or ``[DONE]``
after some output), cut off (the body ended without either: a ``cut_off`` failure),
failed (an error of any shape, before or during the stream; an empty reply is one),
cancelled, or interrupted (``finish_reason = "interrupted"``, set by whoever stopped the
process; a cancel does not overwrite it).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui import __version__
from tui.api.errors import Failure, http_failure, redact
from tui.api.reply import Delta, ReplyBuilder
from tui.api.request_check import request_problem
from tui.api.sse import SSEDecoder, SSEEvent
from tui.config import PROJECT_URL, Profile
from tui.model.conversation import Message, Usage

if TYPE_CHECKING:
    import httpx

MAX_ERROR_BODY = 64 * 1024


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    stream: bool = True
    temperature: float | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.messages,
            "stream": self.stream,  # always explicit: the Cline API defaults to true
        }
        if self.stream:
            body["stream_options"] = {"include_usage": True}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.tools:
            body["tools"] = self.tools
        return body


@dataclass(frozen=True)
class Retrying:
    """The request failed before any output and will be sent again after ``wait`` s."""

    attempt: int
    wait: float
    reason: str


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # retries after the first try
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 60.0  # longer Retry-After waits are reported, not slept through

    def delay(self, attempt: int, asked: float | None) -> float | None:
        if asked is not None:
            return asked if asked <= self.max_wait else None
        backoff = min(self.max_delay, self.base_delay * 2**attempt)
        return backoff * (0.5 + random.random() / 2)


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
    ) -> None:
        self.profile = profile
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
        and import the async backend httpx otherwise imports on its first request."""
        self._http  # noqa: B018
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._backends.anyio  # noqa: F401

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

    async def get_json(self, path: str, auth: bool = True) -> Any:
        """GET a JSON document; raises ``FailureError`` with a plain message."""
        import httpx

        try:
            response = await self._http.get(self.url(path), headers=self.headers(auth))
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
                Failure("server", f"{self.url(path)} did not return JSON.", response.status_code)
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


class FailureError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


class ChatStream:
    def __init__(self, client: ChatClient, request: ChatRequest) -> None:
        self.client = client
        self.request = request
        self.builder = ReplyBuilder(model=request.model)
        self.failure: Failure | None = None
        self.started_at = 0.0
        self.first_output_at: float | None = None  # monotonic time of the first delta
        self._unreadable = 0  # data lines that were not JSON objects

    @property
    def reply(self) -> Message:
        return self.builder.message

    @property
    def warnings(self) -> list[str]:
        """What went wrong without ending the reply, in plain words, to show beside it."""
        if not self._unreadable:
            return []
        if self._unreadable == 1:
            return ["1 line of the stream could not be read and was skipped."]
        return [f"{self._unreadable} lines of the stream could not be read and were skipped."]

    def __aiter__(self) -> AsyncIterator[Delta | Retrying]:
        return self._run()

    async def _run(self) -> AsyncIterator[Delta | Retrying]:
        import httpx

        self.client.warm_up()  # a client made now is not part of the time to first token
        self.started_at = time.monotonic()
        try:
            payload = self.request.body()
            problem = request_problem(payload)  # nothing is sent that a server must reject
            if problem is not None:
                self._fail(Failure("request", problem))
                return
            try:
                body = json.dumps(payload, ensure_ascii=False, allow_nan=False)
                content = body.encode()
            except (ValueError, TypeError, RecursionError) as error:
                detail = redact(str(error), self.client.api_key)
                self._fail(Failure(
                    "request", f"The request could not be written as JSON ({detail}); "
                    "nothing was sent."
                ))
                return
            attempt = 0
            while True:
                failure: Failure | None = None
                try:
                    async for delta in self._attempt(content):
                        yield delta
                except FailureError as error:
                    failure = error.failure
                except httpx.HTTPError as error:
                    failure = self.client.network_failure(error, self.builder.has_output)
                except ValueError as error:  # e.g. a line longer than the decoder allows
                    failure = Failure("stream", f"The reply could not be read: {error}.")
                if failure is None:
                    break
                wait = None
                retry = self.client.retry
                if failure.retryable and not self.builder.has_output and attempt < retry.attempts:
                    wait = retry.delay(attempt, failure.retry_after)
                if wait is None:
                    self._fail(failure)
                    break
                attempt += 1
                yield Retrying(attempt, wait, failure.message)
                await asyncio.sleep(wait)
            for delta in self.builder.finish():  # text held back while a tag was uncertain
                yield delta
        except (asyncio.CancelledError, GeneratorExit):
            if self.reply.finish_reason != "interrupted":
                self.reply.finish_reason = "cancelled"
            raise
        finally:
            self.builder.finish()  # after a cancel: held-back text still joins the reply
            if self.reply.error:  # a mid-stream error is the server's text: it may echo the key
                self.reply.error = redact(self.reply.error, self.client.api_key)
            self._stamp_times()

    async def _attempt(self, content: bytes) -> AsyncIterator[Delta]:
        client = self.client
        async with client._http.stream(
            "POST", client.url("/chat/completions"), headers=client.headers(), content=content
        ) as response:
            if response.status_code >= 400:
                body = await _read_limited(response)
                raise FailureError(
                    http_failure(
                        response.status_code,
                        dict(response.headers),
                        body,
                        client.profile,
                        client.api_key,
                    )
                )
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            if content_type == "text/event-stream":
                async for delta in self._read_events(response):
                    yield delta
            else:
                body = await _read_limited(response, limit=64 * 1024 * 1024)
                for delta in self._read_whole(body, content_type):
                    yield delta

    async def _read_events(self, response: httpx.Response) -> AsyncIterator[Delta]:
        decoder = SSEDecoder()
        done = False
        async for piece in response.aiter_bytes():
            for event in decoder.feed(piece):
                if event.data == "[DONE]" and event.event != "error":
                    done = True
                    break
                for delta in self._add_event(event):
                    yield delta
            if done:
                break
        else:
            for event in decoder.close():
                if event.data == "[DONE]" and event.event != "error":
                    done = True
                else:
                    for delta in self._add_event(event):
                        yield delta
            last = decoder.unterminated  # a last event without its blank line
            if last == "[DONE]":
                done = True
            elif last is not None and not done:
                # Kept only if it is whole; a JSON line cut in the middle is what a cut
                # off looks like, not a line to count as unreadable.
                chunk = _json_object(last)
                if chunk is not None:
                    for delta in self._add_chunk(chunk):
                        yield delta
        self._check_ending(done)

    def _add_event(self, event: SSEEvent) -> list[Delta]:
        if event.event == "error":
            # ``event: error`` (or llama.cpp's ``error:`` field line): the data is
            # {"message": …}, {"error": …} or plain text.
            data = event.data.strip()
            parsed = _json_object(data)
            error = parsed if parsed is not None else data
            self.builder.add_error(error or "The server reported an error with no message.")
            return []
        return self._add_data(event.data)

    def _add_data(self, data: str) -> list[Delta]:
        if not data:
            return []
        chunk = _json_object(data)
        if chunk is None:
            self._unreadable += 1
            return []
        return self._add_chunk(chunk)

    def _add_chunk(self, chunk: dict[str, Any]) -> list[Delta]:
        deltas = self.builder.add_chunk(chunk)
        if deltas and self.first_output_at is None:
            self.first_output_at = time.monotonic()
        return deltas

    def _read_whole(self, body: bytes, content_type: str) -> list[Delta]:
        """A non-streamed response, or a server that ignored ``stream: true``."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            shown = " ".join(body[:200].decode("utf-8", errors="replace").split())
            shown = redact(shown, self.client.api_key)
            raise FailureError(
                Failure(
                    "server",
                    f"The server did not send a chat reply ({content_type or 'no type'}): "
                    f"{shown or 'empty body'}",
                )
            )
        deltas = self._add_chunk(data)
        self._check_ending(done=True)
        return deltas

    def _check_ending(self, done: bool) -> None:
        """The body has ended (``done``: with ``[DONE]``, or whole): a reply that is
        neither finished nor failed becomes a failure that says why."""
        builder = self.builder
        reply = builder.message
        if reply.error:
            return  # failed: the server said why
        if not builder.has_output:
            if self._unreadable and not reply.finish_reason:
                raise FailureError(
                    Failure("stream", "The server's reply could not be read (it was not JSON).")
                )
            why = f" (finish_reason: {reply.finish_reason})" if reply.finish_reason else ""
            raise FailureError(Failure("server", f"The server sent an empty reply{why}."))
        if done or reply.finish_reason:
            return
        message = (
            "The reply was cut off: the server closed the stream before saying it was "
            "finished."
        )
        for call in reply.tool_calls:
            if _json_object(call.arguments or "{}") is None:
                message += f" The arguments of tool call {call.name or '?'} are incomplete."
        raise FailureError(Failure("cut_off", message))

    def _fail(self, failure: Failure) -> None:
        self.failure = failure
        if not self.reply.error:
            self.reply.error = failure.message
        self.reply.finish_reason = "error"

    def _stamp_times(self) -> None:
        now = time.monotonic()
        reply = self.reply
        if reply.usage is None:
            reply.usage = Usage()
        reply.usage.duration_ms = round((now - self.started_at) * 1000)
        if self.first_output_at is not None:
            reply.usage.ttft_ms = round((self.first_output_at - self.started_at) * 1000)
        if self.failure is None and reply.finish_reason == "error" and reply.error:
            self.failure = Failure("stream", reply.error)


def _json_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed, if it is a JSON object."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deep
        return None
    return value if isinstance(value, dict) else None


async def _read_limited(response: httpx.Response, limit: int = MAX_ERROR_BODY) -> bytes:
    body = bytearray()
    async for piece in response.aiter_bytes():
        body += piece
        if len(body) >= limit:
            break
    return bytes(body[:limit])
