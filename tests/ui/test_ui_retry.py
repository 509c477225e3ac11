"""A request the server rate-limits: the reply says why in one clean line and counts
down to the next try each second; Esc during the wait says nothing was kept."""

from __future__ import annotations

import os

from tests.support.loopback import LoopbackServer, Reply
from tests.support.ui_support import KEY, send, wait_for
from tui.api.client import ChatClient
from tui.api.errors import http_failure
from tui.api.request import RetryPolicy
from tui.config import load_config
from tui.ui.app import ChatApp, make_app
from tui.ui.widgets.reply_view import ReplyView


def retrying_app(server: LoopbackServer) -> ChatApp:
    env = dict(os.environ)
    env["CLINE_BASE_URL"] = server.url
    config = load_config(environ=env)
    client = ChatClient(config.profile, api_key=KEY, read_timeout=5,
                        retry=RetryPolicy(attempts=1, max_wait=60))
    return make_app(config, client=client, fetch_catalog=False)


def status(app: ChatApp) -> str:
    views = app.query(ReplyView)
    return str(views.last().status.content) if views else ""


async def test_a_rate_limit_wait_counts_down_and_a_cancel_keeps_nothing(
    server: LoopbackServer,
) -> None:
    server.enqueue(Reply.json({"error": {"message": "Retry after 40 seconds."}}, status=429,
                              headers=[("Retry-After", "40")]))
    app = retrying_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        await wait_for(lambda: "retrying in 40 s" in status(app))
        assert status(app) == "Rate limited (429: Retry after 40 seconds) — retrying in 40 s…"
        await wait_for(lambda: "retrying in 39 s" in status(app), timeout=10)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await wait_for(lambda: status(app).startswith("Cancelled."))
        assert "partial" not in status(app) and "retrying" not in status(app)
    assert len(server.chat_requests()) == 1


def test_a_rate_limit_message_says_the_wait_once_without_stray_punctuation() -> None:
    config = load_config(environ={})
    failure = http_failure(429, {"Retry-After": "40"},
                           b'{"error": {"message": "Retry after 40 seconds."}}',
                           config.profile, KEY)
    assert failure.message == "Rate limited (429: Retry after 40 seconds). Try again in 40 s."
    assert failure.reason == "Rate limited (429: Retry after 40 seconds)."
