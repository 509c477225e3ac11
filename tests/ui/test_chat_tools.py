"""Tools in the full-screen chat, with Pilot: the loopback chat server scripted to call
tools, and the MCP test server (tests/support/mcp_test_server.py) as a real process over
stdio. The chat server's recorded requests show what was sent; the saved file what was
kept; the screen what a person sees."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from textual.widgets import OptionList

from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tests.support.mcp_support import call_chunks, config_toml, saved_tool_turn
from tests.support.ui_support import (
    build_app,
    catalog_loaded,
    chat,
    collect_notes,
    saved,
    screen_text,
    send,
    settled,
    wait_for,
)
from tui.model.conversation import Conversation
from tui.ui.app import ChatApp
from tui.ui.modals.tool_approval import ToolApproval
from tui.ui.modals.tools_panel import ToolsPanel
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.tool_views import ToolResultView

MODEL = "anthropic/claude-sonnet-4.6"  # the test catalog says it takes tools


def setup_home(home: Path, *servers: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(config_toml(*servers), encoding="utf-8")


def tool_app(server: LoopbackServer, model: str = MODEL) -> ChatApp:
    return build_app(server, conversation=Conversation(model=model, profile="cline"))


async def tools_ready(pilot: Any, app: ChatApp) -> None:
    """Every configured server has settled (ready or failed), and the catalog is in."""
    await catalog_loaded(pilot)
    await settled(pilot, lambda: app.services.tools.servers is not None and all(
        s.state != "starting" for s in app.services.tools.statuses))


def calls_reply(*calls: tuple[str, str, dict[str, Any]]) -> Reply:
    return Reply.sse(sse_body(*call_chunks(*calls, model=MODEL)))


def answer_reply(text: str = "All done.") -> Reply:
    return Reply.sse(sse_body(*text_chunks(text, model=MODEL, usage={
        "prompt_tokens": 150, "completion_tokens": 5, "cost": 0.002})))


async def approve(pilot: Any, app: ChatApp, key: str) -> ToolApproval:
    await settled(pilot, lambda: isinstance(app.screen, ToolApproval))
    dialog = app.screen
    assert isinstance(dialog, ToolApproval)
    await pilot.press(key)
    await settled(pilot, lambda: app.screen is not dialog)
    return dialog


def requests(server: LoopbackServer) -> list[dict[str, Any]]:
    return [r.json() for r in server.chat_requests()]


async def test_allow_once_shows_the_result_and_sends_it_back(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(calls_reply(("call_1", "echo", {"text": "hello from a tool"})),
                   answer_reply("The tool said hello."))
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        assert "tools: " in screen_text(app)  # the title bar counts the tools on
        await send(pilot, "Use echo")
        dialog = await approve(pilot, app, "a")
        assert dialog.pending.call.name == "echo" and dialog.pending.tool.server == "test"
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "The tool said hello." in screen_text(app))
        [view] = app.query(ToolResultView)
        assert not view.running and view.message is not None
        assert view.message.content == "hello from a tool"
        assert "↳ echo: done in" in screen_text(app)
        assert "Last turn" in screen_text(app)  # the sidebar's totals of the turn
    first, second = requests(server)
    assert "echo" in [t["function"]["name"] for t in first["tools"]]
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": "call_1",
                                      "content": "hello from a tool"}
    [path] = saved(isolated_home)
    roles = [m["role"] for m in tomllib.loads(path.read_text())["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant"]


async def test_allow_for_the_chat_asks_once_and_deny_sends_denied(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(calls_reply(("call_1", "echo", {"text": "one"})),
                   calls_reply(("call_2", "echo", {"text": "two"}),
                               ("call_3", "fail", {"why": "x"})),
                   answer_reply())
    app = tool_app(server)
    asked: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await send(pilot, "Use tools")
        asked.append((await approve(pilot, app, "t")).pending.call.id)
        # The second echo is not asked about; the fail call is, and is denied.
        asked.append((await approve(pilot, app, "d")).pending.call.id)
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "All done." in screen_text(app))
        assert "↳ fail: denied" in screen_text(app)
    assert asked == ["call_1", "call_3"]
    third = requests(server)[2]["messages"]
    tool_messages = {m["tool_call_id"]: m["content"] for m in third if m["role"] == "tool"}
    assert tool_messages == {"call_1": "one", "call_2": "two", "call_3": "Denied by the user."}


async def test_esc_at_the_approval_stops_the_turn_and_keeps_the_prompt(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(calls_reply(("call_1", "echo", {"text": "never"})), answer_reply("Later."))
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await send(pilot, "Use echo")
        await settled(pilot, lambda: isinstance(app.screen, ToolApproval))
        prompt = app.query_one(PromptArea)
        prompt.load_text("typed meanwhile")  # what was typed while the reply streamed
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Stopped at a tool call" in screen_text(app))
        assert len(server.chat_requests()) == 1
        assert not app.query(ToolResultView)
        assert prompt.text == "typed meanwhile"
        assert not chat(app).streaming
        # The app is usable: the next prompt goes out (the call answered "not run").
        await send(pilot, "Go on without it")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Later." in screen_text(app))
    sent = requests(server)[1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "user"]
    assert sent[2]["tool_call_id"] == "call_1"  # answered "not run" (tui/model/wire.py)
    [path] = saved(isolated_home)
    messages = tomllib.loads(path.read_text())["messages"]
    assert [m["role"] for m in messages][:2] == ["user", "assistant"]
    assert messages[1]["tool_calls"][0]["id"] == "call_1"  # the partial turn is kept


async def test_esc_while_a_tool_runs_cancels_it_and_answers_the_call(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(calls_reply(("call_1", "slow", {"seconds": 60})), answer_reply("Later."))
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await send(pilot, "Be slow")
        await approve(pilot, app, "a")
        await settled(pilot, lambda: "⚙ slow: running" in screen_text(app))
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "↳ slow: error" in screen_text(app))
        [view] = app.query(ToolResultView)
        assert view.message is not None and view.message.tool_error
        assert len(server.chat_requests()) == 1  # the turn ended there
        await send(pilot, "Go on")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Later." in screen_text(app))
    [path] = saved(isolated_home)
    messages = tomllib.loads(path.read_text())["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "user", "assistant"]
    assert messages[2]["error"] is True and "Cancelled" in messages[2]["content"]


async def test_a_failing_server_shows_in_the_panel_and_the_chat_still_works(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    with (isolated_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write('\n[mcp.broken]\ncommand = "no-such-mcp-server-here"\n')
    server.enqueue(answer_reply("Plain answer."))
    app = tool_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await settled(pilot, lambda: any("broken: failed" in n for n in notes))
        await pilot.press("f6")
        await settled(pilot, lambda: isinstance(app.screen, ToolsPanel))
        text = screen_text(app)
        assert "broken: failed: command not found: no-such-mcp-server-here" in text
        assert "test: ready (" in text and "Say the text back." in text
        await pilot.press("escape")
        await send(pilot, "Hello")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Plain answer." in screen_text(app))
    [request] = requests(server)
    assert {t["function"]["name"] for t in request["tools"]} >= {"echo", "slow"}


async def test_a_tool_switched_off_in_the_panel_is_not_sent(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(answer_reply("No echo."), answer_reply("No tools."))
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await pilot.press("f6")
        await settled(pilot, lambda: isinstance(app.screen, ToolsPanel))
        panel = app.screen
        assert isinstance(panel, ToolsPanel)
        listing = panel.query_one(OptionList)
        [echo] = [i for i, t in panel._tools.items() if t.name == "echo"]
        listing.highlighted = listing.get_option_index(echo)
        await pilot.press("space")
        await settled(pilot, lambda: "☐ echo" in screen_text(app))
        await pilot.press("escape")
        await send(pilot, "Hello")
        await app.workers.wait_for_complete()
        # The whole server off (from the palette's "Tools" this time): no tools at all.
        [command] = [c for c in app.get_system_commands(app.screen) if c.title == "Tools"]
        command.callback()
        await settled(pilot, lambda: isinstance(app.screen, ToolsPanel))
        listing = app.screen.query_one(OptionList)
        listing.highlighted = listing.get_option_index("server:test")
        await pilot.press("enter")
        await settled(pilot, lambda: "☐ test: ready" in screen_text(app))
        await pilot.press("escape")
        await settled(pilot, lambda: "tools: " not in screen_text(app))
        await send(pilot, "Again")
        await app.workers.wait_for_complete()
    first, second = requests(server)
    offered = {t["function"]["name"] for t in first["tools"]}
    assert "echo" not in offered and "slow" in offered
    assert "tools" not in second


async def test_a_model_without_tools_gets_none_and_is_told_once(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(answer_reply("One."), answer_reply("Two."))
    app = tool_app(server, model="qwen/qwen3-8b")  # the test catalog: reasoning, no tools
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await send(pilot, "Hello")
        await app.workers.wait_for_complete()
        await send(pilot, "Again")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Two." in screen_text(app))
        assert screen_text(app).count("does not take tools") == 1
    assert all("tools" not in request for request in requests(server))


async def test_a_saved_tool_turn_reopens_with_its_calls_and_results(
    server: LoopbackServer,
) -> None:
    app = build_app(server, conversation=saved_tool_turn())
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        await settled(pilot, lambda: "It is 09:30." in screen_text(app))
        views = list(app.query(ToolResultView))
        assert [v.tool_name for v in views] == ["echo", "fail"]
        text = screen_text(app)
        assert "↳ echo: done in 0.3 s" in text and "↳ fail: error in 1.2 s" in text
        assert views[1].has_class("-error")
        views[1].fold.collapsed = False
        await settled(pilot, lambda: "failed on purpose: [bold]no[/]" in screen_text(app))
        # The message cursor goes over prompts and replies; tool results are skipped.
        screen = chat(app)
        await pilot.press("alt+up")
        await pilot.press("alt+up")
        await settled(pilot, lambda: screen.selected is not None
                      and screen.selected.finish_reason == "tool_calls")
        assert "Last turn" in screen_text(app)


async def test_compare_shows_tool_calls_and_does_not_run_them(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")

    def route(request: Recorded) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return Reply(status=404, pieces=[b"{}"], chunked=False)
        model = request.json()["model"]
        if model == "a/caller":
            return Reply.sse(sse_body(*call_chunks(("call_1", "echo", {"text": "x"}),
                                                   model=model)))
        return Reply.sse(sse_body(*text_chunks("Plain.", model=model)))

    server.default = route
    app = build_app(server, serve_catalog=False, compare_models=["a/caller", "b/plain"])
    async with app.run_test(size=(150, 40)) as pilot:
        # As in a person's use: the servers are up (importing the MCP SDK in its thread
        # holds the interpreter for seconds on a loaded machine, and CI once ran out of
        # the 30 s wait while it did).
        await settled(pilot, lambda: app.services.tools.servers is not None and all(
            s.state != "starting" for s in app.services.tools.statuses))
        await send(pilot, "Go")
        await settled(pilot, lambda: "tools are not run in a comparison" in screen_text(app))
        await app.workers.wait_for_complete()
        assert '⚙ echo({"text": "x"})' in screen_text(app)
        assert not app.query(ToolApproval) and not app.query(ToolResultView)
    assert len(server.chat_requests()) == 2


async def test_hostile_descriptions_and_results_are_shown_literally(
    server: LoopbackServer, isolated_home: Path
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(calls_reply(("call_1", "markup", {})), answer_reply())
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await pilot.press("f6")
        await settled(pilot, lambda: isinstance(app.screen, ToolsPanel))
        listing = app.screen.query_one(OptionList)
        listing.highlighted = listing.option_count - 1  # scrolled to the last tool
        await settled(pilot, lambda: "[bold red]Markup[/] and ]52;c;aGk= escapes."
                      in screen_text(app))
        await pilot.press("escape")
        await send(pilot, "Markup please")
        await approve(pilot, app, "a")
        await app.workers.wait_for_complete()
        [view] = app.query(ToolResultView)
        view.fold.collapsed = False
        await settled(pilot, lambda: "[@click=app.quit]quit[/] [31mred[0m" in screen_text(app))
        assert "\x1b" not in screen_text(app)


async def test_the_round_limit_ends_the_turn_and_says_so(
    server: LoopbackServer, isolated_home: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(config_toml("test", tools="rounds = 1"),
                                               encoding="utf-8")
    server.enqueue(calls_reply(("call_1", "echo", {"text": "one"})),
                   calls_reply(("call_2", "echo", {"text": "two"})))
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        await send(pilot, "Loop")
        await approve(pilot, app, "t")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Stopped after 1 rounds of tool calls" in screen_text(app))
        assert [v.call_id for v in app.query(ToolResultView)] == ["call_1"]
    assert len(server.chat_requests()) == 2


async def test_the_servers_end_with_the_app(
    server: LoopbackServer, isolated_home: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "server.pid"
    setup_home(isolated_home, f"test:--pid-file:{pid_file}")
    app = tool_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await tools_ready(pilot, app)
        assert [s.state for s in app.services.tools.statuses] == ["ready"]
        await wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != "")
        pid = int(pid_file.read_text())
        assert process_alive(pid)
    await wait_for(lambda: not process_alive(pid), timeout=20)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet reaped, counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"
