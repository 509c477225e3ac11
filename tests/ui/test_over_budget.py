"""[budget] in the full-screen chat: a send that would pass a limit asks first, with the
figures; keeping the prompt sends nothing, sending anyway sends it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, screen_text, send, settled
from tui.model.conversation import Conversation, Message, Usage
from tui.ui.modals.over_budget import OverBudget
from tui.ui.widgets.prompt import PromptArea

MODEL = "anthropic/claude-sonnet-4.6"


def costly_chat() -> Conversation:
    when = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    c = Conversation(id="20261101-093000-b0d6e7", created=when, updated=when, model=MODEL)
    c.add(Message(role="user", content="Tell me a story.", created=when))
    c.add(Message(role="assistant", content="Once upon a time.", model=MODEL, created=when,
                  finish_reason="stop", usage=Usage(prompt_tokens=10, completion_tokens=5,
                                                    cost=0.002)))
    return c


async def test_over_the_conversation_limit_it_asks_first(
        isolated_home: Path, server: LoopbackServer) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text("[budget]\nper_conversation = 0.001\n")
    app = build_app(server, serve_catalog=False, conversation=costly_chat())
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "And then?")
        await settled(pilot, lambda: isinstance(app.screen, OverBudget))
        assert app.screen.reasons == [  # type: ignore[attr-defined]
            "the per-conversation budget of $0.0010 would be passed: $0.0020 spent"]
        assert "Over budget: send anyway?" in screen_text(app)
        await pilot.press("n")  # keep it: nothing sent, the prompt still there
        await settled(pilot, lambda: not isinstance(app.screen, OverBudget))
        assert server.chat_requests() == []
        assert app.screen.query_one(PromptArea).text == "And then?"
        server.enqueue(Reply.sse(sse_body(*text_chunks("Happily ever after."))))
        await pilot.press("enter")
        await settled(pilot, lambda: isinstance(app.screen, OverBudget))
        await pilot.press("y")
        await settled(pilot, lambda: "Happily ever after." in screen_text(app))
        assert len(server.chat_requests()) == 1


async def test_without_limits_nothing_is_asked(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Fine."))))
    app = build_app(server, serve_catalog=False, conversation=costly_chat())
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "And then?")
        await settled(pilot, lambda: "Fine." in screen_text(app))
        assert not isinstance(app.screen, OverBudget)


def spending_text(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#usage-spending").text


async def test_the_sidebar_shows_what_today_has_cost_against_the_limit(
        isolated_home: Path, server: LoopbackServer) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        "[budget]\ndaily = 5\nper_conversation = 1\n")
    earlier = Conversation(model=MODEL)  # another chat, today
    earlier.add(Message(role="user", content="Hi"))
    earlier.add(Message(role="assistant", content="Hello.", model=MODEL, finish_reason="stop",
                        usage=Usage(prompt_tokens=10, completion_tokens=5, cost=0.25)))
    app = build_app(server, serve_catalog=False)
    app.services.store.save(earlier)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, lambda: "$0.2500 of $5.00" in spending_text(app))
        assert "this chat  " in spending_text(app) and "$0 of $1.00" in spending_text(app)
        usage = {"prompt_tokens": 3, "completion_tokens": 2, "cost": 0.5}
        server.enqueue(Reply.sse(sse_body(*text_chunks("Sure.", usage=usage))))
        await send(pilot, "One more?")
        # This reply's cost joins today's, counted again once it is saved.
        await settled(pilot, lambda: "$0.7500 of $5.00" in spending_text(app))
        assert "$0.5000 of $1.00" in spending_text(app)


async def test_without_limits_the_sidebar_shows_todays_spend_alone(
        server: LoopbackServer) -> None:
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(120, 40)) as pilot:
        # No index yet and no limit: not counted until the first reply is saved.
        assert spending_text(app).split() == ["today", "–"]
        usage = {"prompt_tokens": 3, "completion_tokens": 2, "cost": 0.01}
        server.enqueue(Reply.sse(sse_body(*text_chunks("Sure.", usage=usage))))
        await send(pilot, "Hi")
        await settled(pilot, lambda: spending_text(app).split() == ["today", "$0.0100"])
        assert "this chat" not in spending_text(app)
