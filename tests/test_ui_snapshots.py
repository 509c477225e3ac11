"""Snapshots of the chat screen (pytest-textual-snapshot). Fixed terminal sizes,
scripted streams, saved conversations with fixed times: nothing on screen depends on
the clock. After an intended change: pytest --snapshot-update, then look at the SVGs."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from tests.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.ui_support import build_app, fixed_conversation
from tui.ui.messages import ReplyView
from tui.ui.prompt import PromptArea


async def wait_until(pilot: Pilot[None], condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if condition():
            await pilot.pause()
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the screen never got there")


async def catalog_loaded(pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: len(pilot.app.models) > 0)  # type: ignore[attr-defined]


class TestEmptyChat:
    """A new chat: empty transcript, the prompt focused, title bar with model and
    profile, usage sidebar with nothing yet, the footer's keys."""

    def test_empty_chat(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(build_app(server), terminal_size=(110, 30), run_before=catalog_loaded)


class TestFinishedReply:
    """A saved exchange reopened: the reasoning folded (one line 'Reasoning'), the
    answer as Markdown with a highlighted code block, the usage line under it."""

    def test_reasoning_folded(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, conversation=fixed_conversation())
        assert snap_compare(app, terminal_size=(90, 30), run_before=catalog_loaded)

    def test_reasoning_unfolded(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def unfold(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await pilot.press("ctrl+t")

        app = build_app(server, conversation=fixed_conversation())
        assert snap_compare(app, terminal_size=(90, 30), run_before=unfold)


class TestStreaming:
    """A reply mid-stream: the header says the model with '…', the reasoning is open
    and live, no status line yet."""

    def test_reply_streaming(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        body = sse_body(*text_chunks(reasoning=("Working out ", "the steps."),))
        events = [e + b"\n\n" for e in body.split(b"\n\n") if e]
        server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")], pieces=events,
                             stall_after=2, stall=30))

        async def start(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            pilot.app.query_one(PromptArea).load_text("Plan the release")
            await pilot.press("enter")
            await wait_until(pilot, lambda: bool(pilot.app.query(ReplyView)) and (
                pilot.app.query_one(ReplyView).message.reasoning == "Working out the steps."))

        assert snap_compare(build_app(server), terminal_size=(90, 24), run_before=start)


class TestModelPicker:
    """The picker filtered by 'q': only the Qwen model, with its context size,
    'free' prices and reasoning support; hostile catalog names stay literal."""

    def test_picker_filtering(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def open_and_filter(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await pilot.press("f2", "q", "w")

        assert snap_compare(build_app(server), terminal_size=(110, 24), run_before=open_and_filter)

    def test_picker_all_models(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        async def open_picker(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await pilot.press("f2")

        assert snap_compare(build_app(server), terminal_size=(110, 24), run_before=open_picker)


class TestUsageSidebar:
    """The sidebar after a reply: prompt/completion/cached tokens, cost, time to first
    token, speed; the conversation totals; 103 of 200K context used."""

    def test_usage_sidebar(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, conversation=fixed_conversation())
        assert snap_compare(app, terminal_size=(120, 30), run_before=catalog_loaded)


class TestError:
    """Out of credits: the reply shows the error in plain words, a toast repeats it,
    and the app is ready for the next prompt."""

    def test_error(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        server.enqueue(Reply.json(
            {"error": {"code": 402, "message": "Not enough credits available"}}, status=402))

        async def send(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            pilot.app.query_one(PromptArea).load_text("Hello?")
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()

        assert snap_compare(build_app(server), terminal_size=(90, 24), run_before=send)


class TestNoKey:
    """First run with no CLINE_API_KEY: the app opens and says how to set it."""

    def test_no_key_first_run(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(build_app(None, key=False), terminal_size=(90, 24))
