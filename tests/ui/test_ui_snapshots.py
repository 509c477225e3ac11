"""Snapshots of the chat screen (pytest-textual-snapshot). Fixed terminal sizes,
scripted streams, saved conversations with fixed times: nothing on screen depends on
the clock. After an intended change: pytest --snapshot-update, then look at the SVGs."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.support.compare_support import finished_compare
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, catalog_loaded, fixed_conversation, settled
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView


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


def _saved_reply(content: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tui.model.conversation import Conversation, Message

    when = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    c = Conversation(id="20261103-080000-dddddd", created=when, updated=when, model="m/odel",
                     profile="cline")
    c.add(Message(role="user", content="Show me", created=when))
    c.add(Message(role="assistant", content=content, created=when, model="m/odel",
                  finish_reason="stop"))
    return c


class TestEveryCharacter:
    """A reply with HTML-like tags, an HTML block, a poem and Key: value lines: every tag
    shown as written, every single line break kept, the fence and the table as usual."""

    def test_tags_and_line_breaks(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        content = ("A <div>block</div>, a break<br>inside a line and <tex>\\frac{1}{2}</tex>."
                   "\n\n<div align=\"center\">\n  *Not* interpreted\n</div>\n\n"
                   "Roses are red,\nviolets are blue.\n\nName: Ada\nRole: engineer\n\n"
                   "```python\nprint(\"<b>hi</b>\")\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |")
        app = build_app(server, conversation=_saved_reply(content))
        assert snap_compare(app, terminal_size=(90, 40), run_before=catalog_loaded)


class TestLongMessage:
    """A saved 200 KB reply: its first part drawn, and under it the line saying how
    many characters are not shown and how to show them."""

    def test_first_part_and_the_rest_line(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        content = "".join(f"Paragraph {n} of a long saved reply. {'More of the same. ' * 16}"
                          "\n\n" for n in range(600))
        app = build_app(server, conversation=_saved_reply(content))

        async def drawn(pilot: Pilot[None]) -> None:

            await catalog_loaded(pilot)
            view = pilot.app.query_one(ReplyView).body
            transcript = pilot.app.screen.query_one("#transcript")
            await settled(pilot, lambda: not view.rendering and view.size.height > 100
                          and transcript.scroll_y == transcript.max_scroll_y)

        assert snap_compare(app, terminal_size=(90, 24), run_before=drawn)


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
            pilot.app.query_one(PromptArea).focus()
            pilot.app.query_one(PromptArea).load_text("Plan the release")
            await pilot.press("enter")
            await settled(pilot, lambda: bool(pilot.app.query(ReplyView)) and (
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
    """Out of credits: the reply shows the error in plain words, once (no toast covers
    it), and the app is ready for the next prompt."""

    def test_error(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        server.enqueue(Reply.json(
            {"error": {"code": 402, "message": "Not enough credits available"}}, status=402))

        async def send(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            pilot.app.query_one(PromptArea).focus()
            pilot.app.query_one(PromptArea).load_text("Hello?")
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()

        assert snap_compare(build_app(server), terminal_size=(90, 24), run_before=send)


class TestNoKey:
    """First run with no CLINE_API_KEY: the app opens and says how to set it."""

    def test_no_key_first_run(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(build_app(None, key=False), terminal_size=(90, 24))


def _stalled_columns(server: LoopbackServer) -> None:
    import json

    from tests.support.loopback import Recorded

    def reply(request: Recorded) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return Reply(status=404, pieces=[b"{}"], chunked=False)
        model = json.loads(request.body)["model"]
        body = sse_body(*text_chunks(f"{model} is ", "thinking about it"))
        events = [e + b"\n\n" for e in body.split(b"\n\n") if e]
        return Reply(headers=[("Content-Type", "text/event-stream")], pieces=events,
                     stall_after=2, stall=30)

    server.default = reply


class TestCompare:
    """Side by side: each column headed by its model, its own transcript, and a usage
    line; the summary names the fastest and cheapest; narrow terminals get tabs."""

    @staticmethod
    def _app(server: LoopbackServer, conversation):  # type: ignore[no-untyped-def]
        return build_app(server, serve_catalog=False, conversation=conversation)

    def _mid_stream(self, snap_compare, server, models, size):  # type: ignore[no-untyped-def]
        from tui.ui.screens.compare import CompareScreen

        _stalled_columns(server)
        app = build_app(server, serve_catalog=False, compare_models=models)
        CompareScreen.live_interval = 3600  # no clock on screen

        async def start(pilot: Pilot[None]) -> None:
            await settled(pilot, lambda: isinstance(pilot.app.focused, PromptArea))
            pilot.app.query_one(PromptArea).load_text("Are you ready?")
            await pilot.press("enter")
            screen = pilot.app.screen
            await settled(pilot, lambda: all(
                c.transcript.replies() and
                c.transcript.replies()[-1].message.content == f"{c.model} is thinking about it"
                for c in screen.columns))  # type: ignore[attr-defined]

        try:
            assert snap_compare(app, terminal_size=size, run_before=start)
        finally:
            CompareScreen.live_interval = 0.25

    def test_two_columns_mid_stream(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        self._mid_stream(snap_compare, server, ["alpha/model", "beta/model"], (100, 24))

    def test_three_columns_mid_stream(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        self._mid_stream(snap_compare, server, ["alpha/model", "beta/model", "gamma/model"],
                         (130, 24))

    def test_two_columns_finished(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = self._app(server, finished_compare(["alpha/model", "beta/model"]))
        assert snap_compare(app, terminal_size=(100, 24))

    def test_three_columns_finished(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = self._app(server, finished_compare(["alpha/model", "beta/model", "gamma/m"]))
        assert snap_compare(app, terminal_size=(130, 24))

    def test_narrow_uses_tabs(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = self._app(server, finished_compare(["alpha/model", "beta/model", "gamma/m"]))
        assert snap_compare(app, terminal_size=(70, 24))


class TestSmallTerminals:
    """The chat at 80x24 and 60x15: the usage sidebar has given way, the chat and the
    prompt's placeholder get the whole width."""

    def test_chat_80x24(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, conversation=fixed_conversation())
        assert snap_compare(app, terminal_size=(80, 24), run_before=catalog_loaded)

    def test_chat_60x15(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        app = build_app(server, conversation=fixed_conversation())
        assert snap_compare(app, terminal_size=(60, 15), run_before=catalog_loaded)

    def test_chat_shrunk_to_80x24(self, snap_compare, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
        """Started wide, then resized: the sidebar goes as it would at start-up."""

        async def shrink(pilot: Pilot[None]) -> None:
            await catalog_loaded(pilot)
            await pilot.resize_terminal(80, 24)
            await settled(pilot, lambda: not pilot.app.screen.query_one("#usage").display)

        app = build_app(server, conversation=fixed_conversation())
        assert snap_compare(app, terminal_size=(120, 30), run_before=shrink)
