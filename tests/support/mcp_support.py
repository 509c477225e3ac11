"""MCP servers for the tool tests: the test server (tests/support/mcp_test_server.py)
over stdio or streamable HTTP, the real ``mcp-server-time``, and chat replies that call
tools."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.paths import PROJECT
from tui.model.conversation import Conversation, Message, ToolCall, Usage
from tui.tool_config import ToolServerConfig

TEST_SERVER = ["-m", "tests.support.mcp_test_server"]


def stdio_test_server(name: str = "test", *extra: str, **fields: Any) -> ToolServerConfig:
    """The test server, run over stdio from this checkout."""
    return ToolServerConfig(
        name, command=sys.executable, args=(*TEST_SERVER, *extra),
        env={"PYTHONPATH": str(PROJECT)}, cwd=str(PROJECT), **fields)


def time_server(name: str = "time") -> ToolServerConfig:
    """``mcp-server-time`` from PyPI: a real server nobody here wrote."""
    return ToolServerConfig(name, command=sys.executable, args=("-m", "mcp_server_time"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def http_test_server(log: Path) -> Iterator[str]:
    """The test server over streamable HTTP on 127.0.0.1; yields its URL."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *TEST_SERVER, "--http", str(port)], cwd=PROJECT,
            stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the HTTP test server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


def config_toml(*servers: str, tools: str = "") -> str:
    """A config.toml with ``[mcp.NAME]`` tables for the test server and the time server,
    named by ``servers``: ``test``, ``time`` or ``test:--pid-file:PATH``."""
    lines = []
    if tools:
        lines += ["[tools]", tools, ""]
    for spec in servers:
        name, *extra = spec.split(":", 1)
        config = time_server() if name == "time" else stdio_test_server(name)
        args = list(config.args) + (extra[0].split(":") if extra else [])
        lines += [f"[mcp.{name}]", f"command = {json.dumps(config.command)}",
                  f"args = {json.dumps(args)}"]
        if config.env:
            lines.append("env = { " + ", ".join(
                f"{k} = {json.dumps(v)}" for k, v in config.env.items()) + " }")
        if config.cwd:
            lines.append(f"cwd = {json.dumps(config.cwd)}")
        lines.append("")
    return "\n".join(lines)


def call_chunks(*calls: tuple[str, str, dict[str, Any]], pieces: int = 3,
                reasoning_details: list[Any] | None = None,
                model: str = "test/model") -> list[dict[str, Any]]:
    """A streamed reply that calls tools: ``(id, name, arguments)`` each, the arguments'
    JSON sent in ``pieces`` parts, and ``finish_reason: tool_calls``."""
    chunks: list[dict[str, Any]] = []
    if reasoning_details:
        chunks.append({"id": "gen-t", "model": model, "choices": [
            {"index": 0, "delta": {"reasoning": "I should call a tool.",
                                   "reasoning_details": reasoning_details}}]})
    for index, (call_id, name, arguments) in enumerate(calls):
        text = json.dumps(arguments)
        size = max(1, -(-len(text) // pieces))
        parts = [text[i:i + size] for i in range(0, len(text), size)]
        chunks.append({"id": "gen-t", "model": model, "choices": [{"index": 0, "delta": {
            "tool_calls": [{"index": index, "id": call_id, "type": "function",
                            "function": {"name": name, "arguments": parts[0]}}]}}]})
        for part in parts[1:]:
            chunks.append({"id": "gen-t", "model": model, "choices": [{"index": 0, "delta": {
                "tool_calls": [{"index": index, "function": {"arguments": part}}]}}]})
    chunks.append({"id": "gen-t", "model": model,
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
                   "usage": {"prompt_tokens": 100, "completion_tokens": 20, "cost": 0.001}})
    return chunks


TOOL_MODEL = "anthropic/claude-sonnet-4.6"


def saved_tool_turn(conversation_id: str = "20261101-093000-70015a") -> Conversation:
    """A finished tool turn at fixed times: a call, its result, a failed call, the answer."""
    when = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    conversation = Conversation(id=conversation_id, created=when, updated=when,
                                model=TOOL_MODEL, profile="cline", title="Tools")
    conversation.add(Message(role="user", content="What time is it?", created=when))
    conversation.add(Message(
        role="assistant", model=TOOL_MODEL, created=when, finish_reason="tool_calls",
        tool_calls=[ToolCall("call_1", "echo", '{"text": "09:30"}'),
                    ToolCall("call_2", "fail", '{"why": "[bold]no[/]"}')],
        usage=Usage(prompt_tokens=100, completion_tokens=20, cost=0.001)))
    conversation.add(Message(role="tool", content="09:30", created=when, tool_call_id="call_1",
                             tool_name="echo", duration_ms=300))
    conversation.add(Message(role="tool", content="failed on purpose: [bold]no[/]",
                             created=when, tool_call_id="call_2", tool_name="fail",
                             tool_error=True, duration_ms=1200))
    conversation.add(Message(
        role="assistant", model=TOOL_MODEL, created=when, content="It is 09:30.",
        finish_reason="stop", usage=Usage(prompt_tokens=150, completion_tokens=5, cost=0.002)))
    return conversation
