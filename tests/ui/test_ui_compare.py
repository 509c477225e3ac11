"""Compare screen flows against the loopback server: columns stream concurrently at
different speeds, one fails without stopping the others, everything lands in one file."""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, saved, screen_text, send, settled
from tui.model.conversation import Conversation
from tui.storage.store import ConversationStore
from tui.ui.screens.chat import ChatScreen
from tui.ui.screens.compare import CompareScreen
from tui.ui.widgets.compare_column import CompareColumn
from tui.ui.widgets.prompt import PromptArea

MODELS = ["fast/model", "slow/model", "broken/model"]


def usage(tokens: int, cost: float) -> dict[str, Any]:
    return {"prompt_tokens": 10, "completion_tokens": tokens, "cost": cost}


def route(request: Recorded) -> Reply:
    """A reply chosen by the model the request names."""
    if request.path.endswith("/models"):
        return Reply(status=404, pieces=[b"{}"], chunked=False)
    body = json.loads(request.body)
    model = body["model"]
    turn = sum(1 for m in body["messages"] if m["role"] == "user")
    if model.startswith("fast"):
        chunks = text_chunks(f"Fast answer {turn}.", model=model, usage=usage(4, 0.001))
        return Reply.sse(sse_body(*chunks), piece_size=30)
    if model.startswith("slow"):
        words = [f"slow{i} " for i in range(40)]
        chunks = text_chunks(*words, model=model, usage=usage(40, 0.02))
        # Its first token comes 0.25 s late, so "first token" cannot go to it by chance.
        return Reply.sse(sse_body(*chunks), piece_size=60, delay=0.01, stall_after=0, stall=0.25)
    if model.startswith("broken"):
        return Reply.json({"error": {"message": "model not found"}}, status=404)
    return Reply.sse(sse_body(*text_chunks(f"{model} says hi", model=model)))


def compare_app(server: LoopbackServer, models: list[str] | None = None):  # type: ignore[no-untyped-def]
    server.default = route
    return build_app(server, serve_catalog=False, compare_models=models or MODELS)


def screen(app) -> CompareScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, CompareScreen)
    return app.screen


async def settle(app) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        await app.workers.wait_for_complete()
        await asyncio.sleep(0.02)
        if not screen(app).streaming:
            return
    raise AssertionError("columns never finished")


async def test_columns_stream_concurrently_and_one_failure_leaves_the_rest(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = compare_app(server)
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "Go")
        await settle(app)
        await pilot.pause()
        columns = screen(app).columns
        views = [c.transcript.replies()[-1] for c in columns]
        assert views[0].message.content == "Fast answer 1."
        assert views[1].message.content == "".join(f"slow{i} " for i in range(40))
        assert views[2].message.finish_reason == "error"
        assert "model not found" in (views[2].message.error or "")
        assert views[0].message.usage and views[0].message.usage.cost == 0.001
        assert views[1].message.usage and views[1].message.usage.completion_tokens == 40
        summary = str(app.screen.query_one("#summary").render())
        # Who was first depends on the machine; cost and length do not.
        parts = dict(part.split(": ", 1) for part in summary.split(" · "))
        assert "cheapest $0.0010" in parts["col 1"], summary
        assert "longest 40 tokens" in parts["col 2"], summary
        assert "col 3" not in parts  # the failed column wins nothing
    [path] = saved(isolated_home)
    data = tomllib.loads(path.read_text())
    assert data["kind"] == "compare" and data["models"] == MODELS
    replies = {m["column"]: m for m in data["messages"] if m["role"] == "assistant"}
    assert set(replies) == {0, 1, 2}
    assert replies[0]["content"] == "Fast answer 1." and replies[0]["usage"]["cost"] == 0.001
    assert replies[1]["usage"]["completion_tokens"] == 40
    assert replies[2]["finish_reason"] == "error"
    # The three requests overlapped: the slow one was still streaming when the fast ended.
    assert {r.json()["model"] for r in server.chat_requests()} == set(MODELS)


async def test_follow_up_continues_each_column_with_its_own_history(
    server: LoopbackServer,
) -> None:
    app = compare_app(server, ["fast/model", "other/model"])
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "One")
        await settle(app)
        await send(pilot, "Two")
        await settle(app)
    second_turn = [r.json() for r in server.chat_requests()][2:]
    by_model = {body["model"]: body["messages"] for body in second_turn}
    assert by_model["fast/model"] == [
        {"role": "user", "content": "One"},
        {"role": "assistant", "content": "Fast answer 1."},
        {"role": "user", "content": "Two"},
    ]
    assert by_model["other/model"][1] == {"role": "assistant", "content": "other/model says hi"}


async def test_escape_cancels_all_and_ctrl_g_only_the_focused_column(
    server: LoopbackServer,
) -> None:
    def slow(request: Recorded) -> Reply:
        words = [f"w{i} " for i in range(400)]
        model = json.loads(request.body)["model"]
        return Reply.sse(sse_body(*text_chunks(*words, model=model)), piece_size=40, delay=0.01)

    app = compare_app(server, ["a/model", "b/model"])
    server.default = slow
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "Go")
        await asyncio.sleep(0.3)
        columns = screen(app).columns
        columns[1].transcript.focus()
        await pilot.press("ctrl+g")  # cancel column 2 only
        await asyncio.sleep(0.2)
        assert columns[1].transcript.replies()[-1].message.finish_reason == "cancelled"
        assert columns[0].transcript.replies()[-1].message.finish_reason is None  # streaming
        await pilot.press("escape")
        await settle(app)
        assert columns[0].transcript.replies()[-1].message.finish_reason == "cancelled"
        assert "w0 w1" in columns[0].transcript.replies()[-1].message.content


async def test_swap_a_column_model_between_turns(server: LoopbackServer) -> None:
    app = compare_app(server, ["fast/model", "other/model"])
    app.models = []
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "One")
        await settle(app)
        screen(app).columns[1].transcript.focus()
        await pilot.press("f2")
        await pilot.press(*"new/model", "enter")
        await pilot.pause()
        assert screen(app).conversation.models == ["fast/model", "new/model"]
        await send(pilot, "Two")
        await settle(app)
    assert len(server.chat_requests()) == 4
    assert {r.json()["model"] for r in server.chat_requests()[2:]} == {"fast/model", "new/model"}


async def test_prefer_and_continue_a_column_alone(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = compare_app(server, ["fast/model", "other/model"])
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "One")
        await settle(app)
        screen(app).columns[1].transcript.focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        summary = str(app.screen.query_one("#summary").render())
        # Which column was faster depends on the machine; the longest reply and the
        # preference do not.
        second = next(part for part in summary.split(" · ") if part.startswith("col 2: "))
        assert "longest 5 tokens" in second and second.endswith(", preferred"), summary
        await pilot.press("f9")
        await pilot.pause()
        from tui.ui.screens.chat import ChatScreen

        assert isinstance(app.screen, ChatScreen)
        chat: Conversation = app.screen.conversation
        assert chat.model == "other/model"
        assert [m.content for m in chat.messages] == ["One", "other/model says hi"]
    compare_file = next(p for p in saved(isolated_home) if "compare" in p.read_text())
    data = tomllib.loads(compare_file.read_text())
    flags = [m.get("preferred") for m in data["messages"] if m["role"] == "assistant"]
    assert flags.count(True) == 1


async def test_a_column_carried_on_alone_says_where_it_came_from(
    server: LoopbackServer, isolated_home: Path
) -> None:
    """F9: the chat's title bar names the comparison and the column; the chat's file
    keeps them, and the title bar says so again when the chat is opened later."""
    app = compare_app(server, ["fast/model", "other/model"])
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "One")
        await settle(app)
        compare_id = screen(app).conversation.id
        screen(app).columns[1].transcript.focus()
        await pilot.press("f9")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        note = f"from column 2 of comparison {compare_id}"
        title = str(app.screen.query_one("#title-bar", Static).render())
        assert note in title, title
        prompt = app.screen.query_one(PromptArea)  # this screen's: another chat is below
        prompt.focus()
        prompt.load_text("Two")
        await pilot.press("enter")
        await settled(pilot, lambda: any("Two" in p.read_text() and "origin" in p.read_text()
                                         for p in saved(isolated_home)))
    chat_file = next(p for p in saved(isolated_home) if "origin" in p.read_text())
    data = tomllib.loads(chat_file.read_text())
    assert data["origin"] == {"conversation": compare_id, "column": 2}
    reopened = build_app(None, conversation=ConversationStore(chat_file.parent).load(data["id"]))
    async with reopened.run_test(size=(150, 40)) as pilot:
        await settled(pilot, lambda: note in screen_text(reopened))


async def test_narrow_terminal_shows_tabs(server: LoopbackServer) -> None:
    app = compare_app(server)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        shown = [c for c in app.screen.query(CompareColumn) if c.display and c.has_class("-active")]
        assert len(shown) == 1 and shown[0].index == 0
        await pilot.press("tab")  # the tabs can be reached and switched from the keyboard
        screen(app)._set_active(2)
        await pilot.pause()
        assert [c.index for c in screen(app).columns if c.has_class("-active")] == [2]
