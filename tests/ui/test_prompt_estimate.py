"""The line under the prompt: the next request's estimated prompt tokens and cost, from
the last reply's real counts plus a guess for the draft as it is typed, and a warning
when that is over the model's context window."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, catalog_loaded, screen_text, wait_for
from tui.model.conversation import Conversation, Message, Usage
from tui.ui.widgets.prompt import PromptArea

MODEL = "anthropic/claude-sonnet-4.6"  # the test catalog: $3/M prompt, 200K context


def chat_with(prompt_tokens: int, completion_tokens: int) -> Conversation:
    when = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    c = Conversation(id="20261101-093000-e57e57", created=when, updated=when, model=MODEL)
    c.add(Message(role="user", content="Tell me about tokens.", created=when))
    c.add(Message(role="assistant", content="They are pieces of words.", model=MODEL,
                  created=when, finish_reason="stop",
                  usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)))
    return c


def estimate(app: object) -> str:
    return str(app.screen.estimate_text)  # type: ignore[attr-defined]


async def test_the_estimate_follows_the_draft_and_prices_it(server: LoopbackServer) -> None:
    app = build_app(server, conversation=chat_with(1000, 200))
    async with app.run_test(size=(120, 30)) as pilot:
        await catalog_loaded(pilot)
        await wait_for(lambda: estimate(app) == "next prompt ≈ 1,200 tokens · ≈ $0.0036")
        app.screen.query_one(PromptArea).load_text("abcd" * 10)  # 10 tokens + 4 framing
        await wait_for(lambda: "≈ 1,214 tokens" in estimate(app))
        await wait_for(lambda: "next prompt ≈ 1,214 tokens" in screen_text(app))


async def test_over_the_context_window_it_says_so(server: LoopbackServer) -> None:
    app = build_app(server, conversation=chat_with(199_900, 50))
    async with app.run_test(size=(120, 30)) as pilot:
        await catalog_loaded(pilot)
        await wait_for(lambda: "199,950 tokens" in estimate(app))
        assert "over" not in estimate(app)
        app.screen.query_one(PromptArea).load_text("x" * 400)
        await wait_for(lambda: "over the model's 200K context" in estimate(app))


async def test_a_new_chat_shows_nothing_until_something_is_typed(
        server: LoopbackServer) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 30)) as pilot:
        await catalog_loaded(pilot)
        assert estimate(app) == ""
        app.screen.query_one(PromptArea).load_text("hi")
        await wait_for(lambda: estimate(app).startswith("next prompt ≈ 5 tokens"))
