"""A failed reply's error is shown once: written under the reply, and said again in a
toast only when that line cannot be seen (another screen on top, a compare column on
another tab)."""

from __future__ import annotations

import json

import pytest

from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tests.support.ui_support import (
    build_app,
    collect_notes,
    screen_text,
    send,
    settled,
    wait_for,
)
from tui.ui.screens.compare import CompareScreen
from tui.ui.widgets.reply_view import ReplyView


async def test_a_failed_reply_is_shown_inline_only(server: LoopbackServer) -> None:
    server.enqueue(Reply.json({"error": {"message": "model overloaded"}}, status=400))
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "model overloaded" in screen_text(app))
        await pilot.pause()
        await pilot.pause()
        assert not [n for n in notes if "overloaded" in n], notes


async def test_a_reply_failing_under_another_screen_is_also_a_toast(
    server: LoopbackServer,
) -> None:
    # Some text, then the error after a pause long enough to open the conversations screen.
    error = b'event: error\ndata: {"message": "model overloaded"}\n\n'
    reply = Reply.sse(sse_body(text_chunks("Partial")[0], done=False), stall_after=1, stall=3)
    reply.pieces.append(error)
    server.enqueue(reply)
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        await settled(pilot, lambda: "Partial" in screen_text(app))
        await pilot.press("ctrl+l")
        await wait_for(lambda: app.screen.is_history)  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: any("overloaded" in n for n in notes))


def route(request: Recorded) -> Reply:
    model = json.loads(request.body)["model"]
    if model.startswith("broken"):
        return Reply.json({"error": {"message": "model not found"}}, status=404)
    return Reply.sse(sse_body(*text_chunks(f"{model} says hi", model=model)))


@pytest.mark.parametrize(("size", "toast"), [((120, 40), False), ((60, 20), True)])
async def test_a_compare_column_error_is_a_toast_only_on_a_hidden_tab(
    server: LoopbackServer, size: tuple[int, int], toast: bool
) -> None:
    """Wide, both columns show; at 60 columns they are tabs and the failing second one
    is not the tab showing."""
    server.default = route
    app = build_app(server, serve_catalog=False, compare_models=["ok/model", "broken/model"])
    notes = collect_notes(app)
    async with app.run_test(size=size) as pilot:
        await send(pilot, "hello")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await wait_for(lambda: len(app.query(ReplyView)) == 2)
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: not screen.streaming)
        await pilot.pause()
        await pilot.pause()
        said = [n for n in notes if "model not found" in n]
        assert bool(said) == toast, notes
