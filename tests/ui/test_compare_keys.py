"""The compare screen from the keyboard and on small terminals: switching columns and
scrolling the active one without leaving the prompt (wide and as tabs), the keys in the
footer and in F1, a summary that leaves room for the replies, and F10 back to the chat
the comparison came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.compare_support import finished_compare, numbered_lines
from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, screen_text, settled, store_for
from tui.model.conversation import Conversation, Message
from tui.ui.screens.chat import ChatScreen
from tui.ui.screens.compare import CompareScreen
from tui.ui.screens.help import help_rows
from tui.ui.widgets.prompt import PromptArea

MODELS = ["alpha/model", "beta/model", "gamma/model"]


def compare(app) -> CompareScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, CompareScreen)
    return app.screen


def shown_columns(app) -> list[int]:  # type: ignore[no-untyped-def]
    """The columns drawn on screen (one, as a tab, on a narrow terminal)."""
    return [c.index for c in compare(app).columns if c.display and c.region.width > 0]


@pytest.mark.parametrize("size", [(70, 24), (150, 30)], ids=["tabs", "wide"])
async def test_alt_arrows_and_alt_digits_switch_columns_from_the_prompt(
    server: LoopbackServer, size: tuple[int, int]
) -> None:
    app = build_app(server, serve_catalog=False, conversation=finished_compare(MODELS))
    async with app.run_test(size=size) as pilot:
        await settled(pilot, lambda: isinstance(app.focused, PromptArea))
        screen = compare(app)
        prompt = app.focused
        prompt.load_text("half-typed")  # type: ignore[union-attr]
        for key, expected in (("alt+right", 1), ("alt+right", 2), ("alt+right", 0),
                              ("alt+left", 2), ("alt+2", 1), ("ctrl+pagedown", 2),
                              ("ctrl+pageup", 1), ("alt+1", 0), ("alt+4", 0)):
            await pilot.press(key)
            await settled(pilot, lambda e=expected: screen.active == e)
            active = [c.index for c in screen.columns if c.has_class("-active")]
            assert active == [expected], key
            assert app.focused is prompt, key  # the prompt keeps the focus and its text
        assert prompt.text == "half-typed"  # type: ignore[union-attr]
        if screen.has_class("-narrow"):
            await pilot.press("alt+right")
            await settled(pilot, lambda: shown_columns(app) == [1])
            assert screen.query_one("#column-tabs").active == "tab-1"  # type: ignore[attr-defined]


async def test_a_column_with_the_focus_hands_it_to_the_next(server: LoopbackServer) -> None:
    app = build_app(server, serve_catalog=False, conversation=finished_compare(MODELS))
    async with app.run_test(size=(150, 30)) as pilot:
        screen = compare(app)
        screen.columns[0].transcript.focus()
        await settled(pilot, lambda: app.focused is screen.columns[0].transcript)
        await pilot.press("alt+right")
        await settled(pilot, lambda: app.focused is screen.columns[1].transcript)
        await pilot.press("ctrl+g")  # acts on the column switched to
        assert screen.active == 1


async def test_page_keys_scroll_the_active_column_from_the_prompt(
    server: LoopbackServer,
) -> None:
    answers = [numbered_lines(0), numbered_lines(1), numbered_lines(2)]
    app = build_app(server, serve_catalog=False,
                    conversation=finished_compare(MODELS, answers))
    async with app.run_test(size=(70, 24)) as pilot:
        screen = compare(app)
        first, second = screen.columns[0].transcript, screen.columns[1].transcript
        await settled(pilot, lambda: isinstance(app.focused, PromptArea)
                      and first.max_scroll_y > 20 and first.scroll_y == first.max_scroll_y)
        await pilot.press("alt+right")
        await settled(pilot, lambda: second.max_scroll_y > 20
                      and second.scroll_y == second.max_scroll_y)
        bottom = second.scroll_y
        await pilot.press("pageup")
        await settled(pilot, lambda: second.scroll_y < bottom)
        assert first.scroll_y == first.max_scroll_y  # the other column stays
        await pilot.press("ctrl+home")
        await settled(pilot, lambda: second.scroll_y == 0)
        assert "c1 line 0" in screen_text(app)
        await pilot.press("pagedown")
        await settled(pilot, lambda: second.scroll_y > 0)
        await pilot.press("ctrl+end")
        await settled(pilot, lambda: second.scroll_y == second.max_scroll_y)
        assert isinstance(app.focused, PromptArea)


async def test_the_column_keys_are_in_the_footer_and_in_f1(server: LoopbackServer) -> None:
    app = build_app(server, serve_catalog=False, conversation=finished_compare(MODELS))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot, lambda: "Next column" in screen_text(app).splitlines()[-1])
        assert "alt+→ Next column" in screen_text(app).splitlines()[-1]
        rows = {row.binding_id: row for row in help_rows(app, app.screen)}
        for binding_id in ("compare.next_column", "compare.previous_column",
                           "compare.column_1", "compare.column_4", "compare.page_up",
                           "compare.page_down", "compare.top", "compare.bottom"):
            assert binding_id in rows, binding_id
        assert set(rows["compare.next_column"].key.split(", ")) == {"alt+→", "^pgdn"}
        assert "active column" in rows["compare.page_up"].description


@pytest.mark.parametrize("models", [MODELS[:2], [*MODELS, "delta/model"]], ids=["2", "4"])
async def test_at_60x15_the_summary_takes_two_rows_and_the_reply_keeps_five(
    server: LoopbackServer, models: list[str]
) -> None:
    app = build_app(server, serve_catalog=False, conversation=finished_compare(models))
    async with app.run_test(size=(60, 15)) as pilot:
        screen = compare(app)
        summary = screen.query_one("#summary")
        await settled(pilot, lambda: summary.region.height > 0)
        assert summary.region.height <= 2
        assert screen.columns[0].transcript.region.height >= 5
        text = screen_text(app)
        for n in range(1, len(models) + 1):
            assert text.count(f"col {n}:") <= 1
        assert "alpha/model (column" not in text
        rows = [line.strip() for line in text.splitlines()
                if "col 1:" in line or line.strip().startswith("col ")]
        assert all(len(row) <= 58 for row in rows)


async def test_f10_goes_back_to_the_chat_the_comparison_came_from(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        conversation: Conversation = chat.conversation
        conversation.add(Message(role="user", content="Earlier question"))
        conversation.add(Message(role="assistant", content="Earlier answer",
                                 model=conversation.model, finish_reason="stop"))
        store = store_for(app.config)
        store.save(conversation)
        app.open_compare(["a/model", "b/model"])
        await settled(pilot, lambda: isinstance(app.screen, CompareScreen))
        # Meanwhile another window adds a turn to that chat: it is there on the way back.
        other = store.load(conversation.id)
        other.add(Message(role="user", content="From the other window"))
        store.save(other)
        await pilot.press("ctrl+n")  # a new comparison of the same models: same way back
        await settled(pilot, lambda: isinstance(app.screen, CompareScreen)
                      and app.screen.back_to is not None)
        await pilot.press("f10")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        back = app.screen.conversation  # type: ignore[attr-defined]
        assert back.id == conversation.id
        assert [m.content for m in back.messages] == [
            "Earlier question", "Earlier answer", "From the other window"]
        assert "Earlier answer" in screen_text(app)


async def test_f10_after_a_command_line_comparison_opens_a_new_chat(
    server: LoopbackServer,
) -> None:
    app = build_app(server, serve_catalog=False, compare_models=["a/model", "b/model"])
    async with app.run_test(size=(100, 30)) as pilot:
        first = compare(app).conversation.id
        await pilot.press("f10")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen.conversation  # type: ignore[attr-defined]
        assert chat.kind == "chat" and not chat.messages and chat.id != first


async def test_f10_after_opening_a_saved_comparison_goes_back_to_the_chat(
    server: LoopbackServer, isolated_home: Path
) -> None:
    from tests.support.ui_support import open_history

    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(120, 30)) as pilot:
        store = store_for(app.config)
        store.save(finished_compare(["a/model", "b/model"]))
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        chat.conversation.add(Message(role="user", content="Where I was"))
        store.save(chat.conversation)
        history = await open_history(pilot)
        await pilot.press(*"prime", "enter")  # the comparison's prompt
        await settled(pilot, lambda: isinstance(app.screen, CompareScreen))
        assert history is not app.screen
        await pilot.press("f10")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert app.screen.conversation.id == chat.conversation.id  # type: ignore[attr-defined]
