"""The wire client pointed at the loopback server, with fast retries, and a stream read
to its end."""

from __future__ import annotations

from tests.support.loopback import LoopbackServer
from tui.api.client import ChatClient
from tui.api.reply import Delta
from tui.api.request import ChatRequest, RetryPolicy
from tui.api.stream import ChatStream, Retrying
from tui.config import Profile

KEY = "sk-test-9f8e7d6c5b4a"
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_wait=5)


def make_client(server: LoopbackServer, **kwargs: object) -> ChatClient:
    profile = Profile("cline", server.url, "CLINE_API_KEY", catalog="cline")
    options: dict = {"api_key": KEY, "retry": FAST_RETRY, "read_timeout": 2.0}
    options.update(kwargs)
    return ChatClient(profile, **options)  # type: ignore[arg-type]


def request(**kwargs: object) -> ChatRequest:
    options: dict = {"model": "test/model", "messages": [{"role": "user", "content": "hi"}]}
    options.update(kwargs)
    return ChatRequest(**options)


async def collect(stream: ChatStream) -> tuple[str, list[Delta | Retrying]]:
    events = [event async for event in stream]
    text = "".join(e.text for e in events if isinstance(e, Delta) and e.kind == "content")
    return text, events
