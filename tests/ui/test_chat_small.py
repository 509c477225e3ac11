"""The chat screen at small sizes and from the keyboard alone: the usage sidebar gives way
to the chat on every resize, and the transcript scrolls while the prompt keeps focus."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, chat, screen_text, settled, wait_for
from tui.model.conversation import Conversation, Message
from tui.ui.screens.help import HelpScreen


async def test_sidebar_follows_every_resize(server: LoopbackServer, isolated_home: Path) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 30)) as pilot:
        panel = chat(app).usage_panel
        await settled(pilot, lambda: panel.display)
        await pilot.resize_terminal(80, 24)
        await settled(pilot, lambda: not panel.display)
        assert chat(app).transcript.size.width > 70  # the chat has the whole width
        await pilot.resize_terminal(60, 15)
        await settled(pilot, lambda: not panel.display)
        await pilot.resize_terminal(130, 30)
        await settled(pilot, lambda: panel.display)


async def test_ctrl_b_holds_until_the_width_crosses(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = build_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = chat(app).usage_panel
        await settled(pilot, lambda: not panel.display)
        await pilot.press("ctrl+b")  # shown by hand on a narrow terminal
        await settled(pilot, lambda: panel.display)
        await pilot.resize_terminal(90, 24)  # still narrow: the choice holds
        await pilot.pause()
        assert panel.display
        await pilot.resize_terminal(120, 24)  # wide: the width decides again
        await settled(pilot, lambda: panel.display)
        await pilot.press("ctrl+b")  # hidden by hand on a wide terminal
        await settled(pilot, lambda: not panel.display)
        await pilot.resize_terminal(110, 24)
        await pilot.pause()
        assert not panel.display
        await pilot.resize_terminal(70, 24)
        await pilot.resize_terminal(120, 24)
        await wait_for(lambda: panel.display)


def _long_conversation() -> Conversation:
    when = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    c = Conversation(id="20261102-100000-aaaaaa", created=when, updated=when,
                     model="anthropic/claude-sonnet-4.6", profile="cline")
    for n in range(12):
        c.add(Message(role="user", content=f"Question {n}", created=when))
        c.add(Message(role="assistant", content="\n\n".join(f"Answer {n}, line {i}."
                                                            for i in range(6)),
                      created=when, model="anthropic/claude-sonnet-4.6", finish_reason="stop"))
    return c


async def test_page_keys_scroll_the_transcript_from_the_prompt(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = build_app(server, conversation=_long_conversation())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat(app)
        transcript, prompt = screen.transcript, screen.prompt
        await settled(pilot, lambda: transcript.max_scroll_y > 0
                      and transcript.scroll_y == transcript.max_scroll_y)
        prompt.load_text("one\ntwo\nthree")
        prompt.move_cursor((2, 3))
        bottom = transcript.scroll_y
        await pilot.press("pageup")
        await wait_for(lambda: transcript.scroll_y < bottom)
        assert prompt.has_focus and prompt.cursor_location == (2, 3)
        await pilot.press("ctrl+home")
        await wait_for(lambda: transcript.scroll_y == 0)
        await pilot.press("pagedown")
        await wait_for(lambda: transcript.scroll_y > 0)
        await pilot.press("ctrl+end")
        await wait_for(lambda: transcript.scroll_y == transcript.max_scroll_y)
        assert prompt.has_focus and prompt.cursor_location == (2, 3)
        assert prompt.text == "one\ntwo\nthree"


async def test_tab_reaches_the_transcript_and_shows_it(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = build_app(server, conversation=_long_conversation())
    async with app.run_test(size=(120, 30)) as pilot:  # the sidebar shown
        screen = chat(app)
        await settled(pilot, lambda: screen.prompt.has_focus)
        styles = screen.transcript.styles
        before = (styles.background_tint, styles.scrollbar_color)
        await pilot.press("tab")
        await settled(pilot, lambda: screen.transcript.has_focus)
        # The focus shows: the pane is tinted and its scrollbar takes the accent colour.
        assert styles.background_tint != before[0] and styles.scrollbar_color != before[1]


async def test_help_lists_the_scrolling_keys(server: LoopbackServer, isolated_home: Path) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await wait_for(lambda: isinstance(app.screen, HelpScreen))
        keys = {row.binding_id: row for row in app.screen.rows}  # type: ignore[attr-defined]
        for binding_id in ("chat.page_up", "chat.page_down", "chat.top", "chat.bottom"):
            assert binding_id in keys
        assert "conversation" in keys["chat.page_up"].description


async def test_tab_to_the_transcript_keeps_its_place(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = build_app(server, conversation=_long_conversation())
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = chat(app).transcript
        await settled(pilot, lambda: transcript.max_scroll_y > 0
                      and transcript.scroll_y == transcript.max_scroll_y)
        await pilot.press("pageup")
        await pilot.press("pageup")
        await settled(pilot, lambda: transcript.scroll_y < transcript.max_scroll_y - 20)
        place = transcript.scroll_y
        await pilot.press("tab")
        await settled(pilot, lambda: transcript.has_focus)
        assert transcript.scroll_y == place


async def test_keys_typed_right_after_enter_are_kept(server: LoopbackServer) -> None:
    """Keys that reach the prompt before the screen handles the send (a fast typist, a
    terminal's burst) stay in the box: only the sent text is taken out."""
    from textual import events

    from tui.ui.widgets.prompt import PromptArea

    server.enqueue(Reply.sse(sse_body(*text_chunks("Sure."))))
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.screen.query_one(PromptArea)
        prompt.insert("first")
        # As a terminal's bytes arrive: three key events queued before any is handled.
        for key, char in (("enter", "\r"), ("n", "n"), ("e", "e")):
            app.post_message(events.Key(key, char))
        await settled(pilot, lambda: "Sure." in screen_text(app))
        assert prompt.text == "ne"
        [request] = server.chat_requests()
        assert request.json()["messages"][-1]["content"] == "first"
