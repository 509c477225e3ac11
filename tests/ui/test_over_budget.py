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
