"""Reading one chat reply as it streams in, whatever way it ends.

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
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from tui.api import chunk_json
from tui.api.counted_usage import TokenCounting, count_completion, count_prompt
from tui.api.errors import MAX_ERROR_BODY, Failure, FailureError, http_failure, redact
from tui.api.reply import Delta, ReplyBuilder
from tui.api.request import ChatRequest, RetryPolicy
from tui.api.request_check import request_problem
from tui.api.sse import SSEDecoder, SSEEvent
from tui.config import Profile
from tui.model.conversation import Message, Usage

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Retrying:
    """The request failed before any output and will be sent again after ``wait`` s;
    ``reason`` says what went wrong, without advice to wait (the client waits)."""

    attempt: int
    wait: float
    reason: str


class Sender(Protocol):
    """What a stream needs of its client (``tui.api.client.ChatClient``)."""

    profile: Profile
    api_key: str | None
    retry: RetryPolicy
    counting: TokenCounting | None  # a server that sends no usage: how to count it

    def warm_up(self) -> None: ...

    def post_stream(
        self, path: str, content: bytes
    ) -> AbstractAsyncContextManager[httpx.Response]: ...

    def network_failure(self, error: Exception, started: bool) -> Failure: ...

    async def post_json(self, url: str, body: dict[str, Any],
                        timeout: float | None = None) -> Any: ...


class ChatStream:
    def __init__(self, client: Sender, request: ChatRequest) -> None:
        self.client = client
        self.request = request
        self.builder = ReplyBuilder(model=request.model)
        self.failure: Failure | None = None
        self.started_at = 0.0
        self.first_output_at: float | None = None  # monotonic time of the first delta
        self.ended_at: float | None = None  # monotonic time the body ended
        # The server said the reply is whole ([DONE]): the deltas given out with it are
        # the last, and what is left is closing the response.
        self.complete = False
        self._streamed = False  # the reply came as events (not one JSON body)
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
                    async for deltas in self._attempt(content):
                        for delta in deltas:
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
                yield Retrying(attempt, wait, failure.reason)
                await asyncio.sleep(wait)
            for delta in self.builder.finish():  # text held back while a tag was uncertain
                yield delta
            self.ended_at = time.monotonic()
            if (self.client.counting is not None and self.failure is None
                    and self.builder.has_output):
                await count_prompt(self.client, self.client.counting,
                                   self.client.profile.base_url, self.request, self._usage())
        except (asyncio.CancelledError, GeneratorExit):
            if self.reply.finish_reason != "interrupted":
                self.reply.finish_reason = "cancelled"
            raise
        finally:
            self.builder.finish()  # after a cancel: held-back text still joins the reply
            if self.reply.error:  # a mid-stream error is the server's text: it may echo the key
                self.reply.error = redact(self.reply.error, self.client.api_key)
            self._stamp_times()

    async def _attempt(self, content: bytes) -> AsyncIterator[list[Delta]]:
        """One request; the deltas of each read of the body at a time (one yield for
        the ~30 chunks of a read, not one for each through every generator here), the
        text of a read's chunks in one delta (``_joined``)."""
        client = self.client
        async with client.post_stream("/chat/completions", content) as response:
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
                async for deltas in self._read_events(response):
                    yield deltas
            else:
                body = await _read_limited(response, limit=64 * 1024 * 1024)
                yield self._read_whole(body, content_type)

    async def _read_events(self, response: httpx.Response) -> AsyncIterator[list[Delta]]:
        self._streamed = True
        decoder = SSEDecoder()
        done = False
        async for piece in response.aiter_bytes():
            events = decoder.feed_data(piece)
            if decoder.all_data:  # nearly every read: only plain events, [DONE] perhaps
                plain = cast("list[str]", events)
                if "[DONE]" in plain:
                    plain = plain[: plain.index("[DONE]")]
                    done = self.complete = True
                deltas = self._add_datas(plain) if plain else []
                if deltas:
                    yield _joined(deltas)
                if done:
                    break
                continue
            deltas = []
            datas: list[str] = []  # plain message events' data: nearly all, read in a run
            for event in events:
                if isinstance(event, str):
                    if event == "[DONE]":
                        done = True
                        break
                    datas.append(event)
                    continue
                if datas:
                    deltas += self._add_datas(datas)
                    datas = []
                if event.data == "[DONE]" and event.event != "error":
                    done = True
                    break
                deltas += self._add_event(event)
            if datas:
                deltas += self._add_datas(datas)
            self.complete = done
            if deltas:
                yield _joined(deltas)
            if done:
                break
        else:
            deltas = []
            for event in decoder.close():
                if event.data == "[DONE]" and event.event != "error":
                    done = True
                else:
                    deltas += self._add_event(event)
            last = decoder.unterminated  # a last event without its blank line
            if last == "[DONE]":
                done = True
            elif last is not None and not done:
                # Kept only if it is whole; a JSON line cut in the middle is what a cut
                # off looks like, not a line to count as unreadable.
                chunk = _json_object(last)
                if chunk is not None:
                    deltas += self._add_chunk(chunk)
            if deltas:
                yield _joined(deltas)
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
        return self._add_datas([data])

    def _add_datas(self, datas: list[str]) -> list[Delta]:
        deltas, unreadable = self.builder.add_events(datas)
        self._unreadable += unreadable
        if deltas and self.first_output_at is None:
            self.first_output_at = time.monotonic()
        return deltas

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

    def _usage(self) -> Usage:
        reply = self.reply
        if reply.usage is None:
            reply.usage = Usage()
        return reply.usage

    def _stamp_times(self) -> None:
        now = self.ended_at or time.monotonic()
        reply = self.reply
        usage = self._usage()
        if self.client.counting is not None:  # a server that sends no usage: count it
            count_completion(usage, self.builder.text_chunks if self._streamed else 0)
        usage.duration_ms = round((now - self.started_at) * 1000)
        if self.first_output_at is not None:
            usage.ttft_ms = round((self.first_output_at - self.started_at) * 1000)
        if self.failure is None and reply.finish_reason == "error" and reply.error:
            self.failure = Failure("stream", reply.error)


def _joined(deltas: list[Delta]) -> list[Delta]:
    """The deltas of one read, with each run of content (or of reasoning) pieces joined
    into one: a fast stream brings ~30 chunks a read, and whoever shows the reply then
    handles one piece of text, not 30 (each through the view, its control-character
    filter and its Markdown feed)."""
    joined: list[Delta] = []
    run: list[str] = []
    for delta in deltas:
        kind = delta.kind
        if joined and kind == joined[-1].kind and kind in _JOINABLE:
            if not run:
                run.append(joined[-1].text)
            run.append(delta.text)
            continue
        if run:
            joined[-1] = Delta(joined[-1].kind, "".join(run))
            run = []
        joined.append(delta)
    if run:
        joined[-1] = Delta(joined[-1].kind, "".join(run))
    return joined


_JOINABLE = frozenset({"content", "reasoning"})


def _json_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed, if it is a JSON object."""
    try:
        value = chunk_json.loads(text)
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
