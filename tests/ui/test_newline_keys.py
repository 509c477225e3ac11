"""A new line in the prompt with keys every terminal sends: Ctrl+J, and a backslash then
Enter (plain tmux sends Shift+Enter and Alt+Enter as Enter)."""

from __future__ import annotations

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app
from tui.ui.widgets.prompt import PromptArea


async def test_backslash_enter_is_a_new_line(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("ok"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        prompt = app.query_one(PromptArea)
        prompt.focus()
        await pilot.press(*"one", "backslash", "enter", *"two", "ctrl+j", *"three")
        assert prompt.text == "one\ntwo\nthree"
        assert prompt.cursor_location == (2, 5)
        assert server.chat_requests() == []  # nothing sent yet
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert prompt.text == ""
    assert server.chat_requests()[0].json()["messages"][0]["content"] == "one\ntwo\nthree"


async def test_a_backslash_inside_a_line_still_sends(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("ok"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        prompt = app.query_one(PromptArea)
        prompt.focus()
        await pilot.press(*"a", "backslash", *"n")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
    assert server.chat_requests()[0].json()["messages"][0]["content"] == "a\\n"


def test_placeholder_names_the_keys_that_always_work() -> None:
    placeholder = str(PromptArea().placeholder)
    assert "Ctrl+J" in placeholder and "\\ Enter" in placeholder
