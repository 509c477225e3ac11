"""MCP tool servers against real processes: the real ``mcp-server-time`` from PyPI, the
test server over stdio and over streamable HTTP, and servers that fail to start."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from tests.support.mcp_support import http_test_server, stdio_test_server, time_server
from tui.model.conversation import ToolCall
from tui.tool_config import ToolServerConfig
from tui.tools.calls import ToolRunner
from tui.tools.servers import FAILED, READY, STARTING, STOPPED, ServerStatus, ToolServers


async def run_call(servers: ToolServers, name: str, arguments: object,
                   limit: int = 20_000) -> object:
    runner = ToolRunner(servers, servers.catalog(), limit)
    return await runner.run(ToolCall(id="call_1", name=name, arguments=json.dumps(arguments)))


async def test_the_real_time_server_lists_its_tools_and_tells_the_time(tmp_path: Path) -> None:
    async with ToolServers([time_server()], tmp_path) as servers:
        await servers.wait_started()
        assert servers.statuses[0].state == READY, servers.statuses
        names = [tool.offered for tool in servers.catalog().tools]
        assert "get_current_time" in names and "convert_time" in names
        entry = servers.catalog().find("get_current_time")
        assert entry is not None
        schema = entry.request_entry()["function"]["parameters"]
        assert "timezone" in schema["properties"]

        result = await run_call(servers, "get_current_time", {"timezone": "Asia/Tokyo"})

    assert not result.error, result.text
    data = json.loads(result.text)
    assert data["timezone"] == "Asia/Tokyo"
    assert data["datetime"].endswith("+09:00")
    assert servers.statuses[0].state == STOPPED


@pytest.fixture
async def test_servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("CLINE_API_KEY", "sk-cline-SECRET-must-not-leak")
    monkeypatch.setenv("SOME_SERVICE_TOKEN", "tok-SECRET-must-not-leak")
    seen: list[ServerStatus] = []
    configs = [stdio_test_server(timeout=1.0)]
    async with ToolServers(configs, tmp_path / "cache", listener=seen.append) as servers:
        await servers.wait_started()
        yield servers, seen


async def test_the_test_server_reports_its_start_and_its_tools(test_servers: object) -> None:
    servers, seen = test_servers
    assert [s.state for s in seen] == [READY]  # it was "starting" before: the default
    assert ServerStatus("x").state == STARTING
    assert seen[0].tools == 9 and seen[0].describe() == "test: ready (9 tools)"
    entries = servers.catalog().request_tools()
    echo = next(e for e in entries if e["function"]["name"] == "echo")
    assert echo["type"] == "function"
    assert echo["function"]["description"] == "Say the text back."
    assert echo["function"]["parameters"]["properties"]["text"]["type"] == "string"


async def test_a_text_result_and_an_error_result(test_servers: object) -> None:
    servers, _ = test_servers
    echoed = await run_call(servers, "echo", {"text": "hello there"})
    assert (echoed.text, echoed.error) == ("hello there", False)
    assert echoed.duration_ms is not None

    failed = await run_call(servers, "fail", {"why": "no reason"})
    assert failed.error
    assert "failed on purpose: no reason" in failed.text


async def test_an_image_is_summarised_in_one_line(test_servers: object) -> None:
    servers, _ = test_servers
    result = await run_call(servers, "image", {})
    assert result.text.splitlines() == ["[image: image/png, 70 bytes]"]
    assert result.parts[0].kind == "image" and result.parts[0].mime_type == "image/png"


async def test_a_big_result_is_cut_with_a_note(test_servers: object) -> None:
    servers, _ = test_servers
    result = await run_call(servers, "big", {}, limit=1000)
    assert result.truncated and result.full_length == 100_450
    assert result.text.startswith("0123456789abcdef")
    assert result.text.endswith("[result truncated: 99,450 of 100,450 characters left out]")


async def test_bad_arguments_give_an_error_result(test_servers: object) -> None:
    servers, _ = test_servers
    runner = ToolRunner(servers, servers.catalog())
    not_json = await runner.run(ToolCall(id="c", name="echo", arguments='{"text": '))
    assert not_json.error and "not valid JSON" in not_json.text
    a_list = await runner.run(ToolCall(id="c", name="echo", arguments='["hi"]'))
    assert a_list.error and "must be a JSON object" in a_list.text
    unknown = await runner.run(ToolCall(id="c", name="nope", arguments="{}"))
    assert unknown.error and "No tool named 'nope'" in unknown.text


async def test_a_call_over_its_timeout_is_an_error_and_the_server_goes_on(
    test_servers: object,
) -> None:
    servers, _ = test_servers
    result = await run_call(servers, "slow", {"seconds": 60})
    assert result.error and "did not answer within 1 s" in result.text
    after = await run_call(servers, "echo", {"text": "still here"})
    assert after.text == "still here"


async def test_the_server_never_sees_the_api_key(test_servers: object) -> None:
    servers, _ = test_servers
    result = await run_call(servers, "env", {})
    environment = json.loads(result.text)
    assert "CLINE_API_KEY" not in environment
    assert "SOME_SERVICE_TOKEN" not in environment
    assert "sk-cline-SECRET" not in result.text and "tok-SECRET" not in result.text
    assert "PATH" in environment
    assert environment["PYTHONPATH"]  # what its [mcp.NAME] env table set


async def test_a_server_that_crashes_mid_call_is_marked_failed(test_servers: object) -> None:
    servers, seen = test_servers
    runner = ToolRunner(servers, servers.catalog())  # what the turn was offered
    result = await runner.run(ToolCall(id="c1", name="crash", arguments="{}"))
    assert result.error and "stopped during the call" in result.text
    status = servers.statuses[0]
    assert status.state == FAILED
    assert "crashing now, on purpose" in status.stderr
    assert seen[-1] == status
    again = await runner.run(ToolCall(id="c2", name="echo", arguments='{"text": "x"}'))
    assert again.error and "server test is failed" in again.text
    assert len(servers.catalog()) == 0  # a later turn is offered none of its tools


async def test_a_server_that_exits_while_idle_is_marked_failed_at_once(
    test_servers: object,
) -> None:
    servers, seen = test_servers
    ended = asyncio.Event()
    servers.listen(lambda status: ended.set() if status.state == FAILED else None)
    result = await run_call(servers, "exit_soon", {})
    assert result.text == "bye"
    await asyncio.wait_for(ended.wait(), 30)  # no call needed to notice
    status = servers.statuses[0]
    assert status.reason.startswith("the server stopped (log: ")
    assert "leaving while idle" in status.stderr
    assert [s.state for s in seen] == [READY, FAILED]


async def test_servers_that_fail_to_start_leave_the_others_working(tmp_path: Path) -> None:
    configs = [
        ToolServerConfig("missing", command="no-such-mcp-server-here"),
        ToolServerConfig("dies", command=sys.executable, args=(
            "-c", "import sys; sys.stderr.write('line one\\nbad token in config\\n'); "
                  "sys.exit(2)")),
        ToolServerConfig("mute", command=sys.executable, args=(
            "-c", "import time; time.sleep(120)")),
        stdio_test_server(),
        ToolServerConfig("off", command="whatever", enabled=False),
    ]
    async with ToolServers(configs, tmp_path, start_timeout=3) as servers:
        await servers.wait_started()
        states = {s.name: s for s in servers.statuses}
        assert set(states) == {"missing", "dies", "mute", "test"}  # "off" is not started
        assert states["missing"].state == FAILED
        assert states["missing"].reason == "command not found: no-such-mcp-server-here"
        assert states["dies"].state == FAILED
        assert "before it was ready" in states["dies"].reason
        assert states["dies"].stderr[-2:] == ("line one", "bad token in config")
        assert (tmp_path / "mcp-dies.log").read_text().endswith("bad token in config\n")
        assert states["mute"].state == FAILED
        assert states["mute"].reason == "did not start within 3 s"
        assert states["test"].state == READY
        result = await run_call(servers, "echo", {"text": "fine"})
        assert result.text == "fine"
    assert servers.server("test").status.state == STOPPED


async def test_the_test_server_over_streamable_http(tmp_path: Path) -> None:
    with http_test_server(tmp_path / "http.log") as url:
        config = ToolServerConfig("web", url=url, headers={"X-Test": "1"})
        async with ToolServers([config], tmp_path) as servers:
            await servers.wait_started()
            assert servers.statuses[0].state == READY, servers.statuses
            echoed = await run_call(servers, "echo", {"text": "over http"})
            image = await run_call(servers, "image", {})
    assert echoed.text == "over http"
    assert image.text == "[image: image/png, 70 bytes]"


async def test_an_http_server_that_is_not_there_fails(tmp_path: Path) -> None:
    from tests.support.mcp_support import free_port

    config = ToolServerConfig("gone", url=f"http://127.0.0.1:{free_port()}/mcp")
    async with ToolServers([config], tmp_path, start_timeout=10) as servers:
        await servers.wait_started()
        assert servers.statuses[0].state == FAILED
        assert servers.statuses[0].reason
