"""Redirects against two loopback servers (two ports: two origins). A chat request or the
catalog GET redirected to another origin is refused with a message naming the target, and
nothing reaches that origin; within the origin a 307/308 is followed with the same body
and headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.client_support import FAST_RETRY, KEY, collect, request
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tui.api.client import ChatClient
from tui.api.errors import FailureError
from tui.cli.output import failure_exit
from tui.config import Profile

PROFILE_HEADER = ("X-Api-Key", "profile-secret-header")


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    try:
        yield srv
    finally:
        srv.stop()


def client_for(server: LoopbackServer) -> ChatClient:
    profile = Profile("custom", server.url, headers=dict([PROFILE_HEADER]))
    return ChatClient(profile, api_key=KEY, retry=FAST_RETRY, read_timeout=2.0)


def redirect(status: int, location: str, path: str | None = None) -> Reply:
    return Reply(status=status, headers=[("Location", location)], pieces=[b""], chunked=False,
                 path=path)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_chat_request_is_not_sent_to_another_origin(
    server: LoopbackServer, elsewhere: LoopbackServer, status: int
) -> None:
    target = f"{elsewhere.url}/v1/chat/completions"
    server.enqueue(redirect(status, target))
    elsewhere.default = Reply.sse(sse_body(*text_chunks("stolen")))
    async with client_for(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "" and elsewhere.requests == []
    assert len(server.chat_requests()) == 1  # and not retried
    failure = stream.failure
    assert failure is not None and failure.kind == "redirect" and failure_exit(failure) == 4
    assert target in failure.message and "another origin" in failure.message
    assert stream.reply.error == failure.message


async def test_a_same_origin_307_is_followed_with_body_and_headers(
    server: LoopbackServer,
) -> None:
    server.enqueue(
        redirect(307, "/v2/chat/completions", path="/chat/completions"),
        Reply.sse(sse_body(*text_chunks("moved but fine")), path="/v2/chat/completions"),
    )
    async with client_for(server) as client:
        stream = client.stream(request())
        text, _ = await collect(stream)
    assert text == "moved but fine" and stream.failure is None
    first, second = server.requests
    assert second.path == "/v2/chat/completions" and second.method == "POST"
    assert second.body == first.body and second.json()["messages"][0]["content"] == "hi"
    assert second.headers["x-api-key"] == PROFILE_HEADER[1]


async def test_a_same_origin_302_of_a_post_is_refused(server: LoopbackServer) -> None:
    """A 302 turns a POST into a GET without the conversation: never what was meant."""
    server.enqueue(redirect(302, "/elsewhere/chat/completions"))
    async with client_for(server) as client:
        stream = client.stream(request())
        await collect(stream)
    assert len(server.requests) == 1
    assert stream.failure is not None and stream.failure.kind == "redirect"
    assert f"{server.url}/elsewhere/chat/completions" in stream.failure.message


async def test_the_catalog_is_not_fetched_from_another_origin(
    server: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    target = f"{elsewhere.url}/models"
    server.enqueue(redirect(307, target, path="/models"))
    elsewhere.default = Reply.json({"data": []})
    async with client_for(server) as client:
        with pytest.raises(FailureError) as caught:
            await client.get_json("/models")
    assert target in caught.value.failure.message
    assert elsewhere.requests == []


async def test_the_catalog_follows_a_same_origin_redirect(server: LoopbackServer) -> None:
    server.enqueue(redirect(301, "/v1/models", path="/models"),
                   Reply.json({"data": [{"id": "m"}]}, path="/v1/models"))
    async with client_for(server) as client:
        data = await client.get_json("/models")
    assert data == {"data": [{"id": "m"}]}


async def test_localhost_is_another_origin_than_127_0_0_1(server: LoopbackServer) -> None:
    target = f"http://localhost:{server.port}/chat/completions"
    server.enqueue(redirect(308, target))
    async with client_for(server) as client:
        stream = client.stream(request())
        await collect(stream)
    assert len(server.requests) == 1
    assert stream.failure is not None and target in stream.failure.message
