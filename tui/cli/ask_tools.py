"""``ask --tools``: the MCP servers started for one turn, the tools chosen, each call
approved on the terminal (or by ``--allow``/``--yes``) and reported on stderr.

Nothing here is imported unless tools were asked for: the MCP SDK takes a while to load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass

from tui.api.catalog import Catalog
from tui.api.client import ChatClient
from tui.chat.tool_loop import Decision, PendingCall, ToolLoop, ToolLoopListener
from tui.cli.output import say
from tui.config import Config
from tui.model.conversation import ToolCall
from tui.model.text import one_line
from tui.tools.calls import ToolRunner
from tui.tools.results import ToolResult
from tui.tools.servers import FAILED, ToolServers

QUESTION = "allow {call}? [y/N/a(lways)] "


@dataclass
class AskTools:
    """The servers of one ``ask`` turn and the loop that uses them."""

    servers: ToolServers
    loop: ToolLoop | None  # None: no tool could be offered (the turn goes on without)

    async def stop(self) -> None:
        await self.servers.stop()


async def start_tools(
    config: Config, client: ChatClient, model: str, *, names: tuple[str, ...],
    allow: tuple[str, ...], yes: bool,
) -> AskTools | None:
    """Start the servers and choose the tools. None (having said why) when tools cannot
    be offered at all: no server configured, or a model known not to take tools."""
    enabled = [server for server in config.mcp if server.enabled]
    if not enabled:
        say("no MCP tool servers are set up: add an [mcp.NAME] table to config.toml "
            "(README: Tools (MCP)); going on without tools")
        return None
    if not takes_tools(config, client, model):
        say(f"model {model} does not take tools (says the model catalog): no tools are "
            "sent")
        return None
    servers = ToolServers(enabled, config.paths.cache_dir)
    servers.start()
    await servers.wait_started()
    for status in servers.statuses:
        if status.state == FAILED:
            say(f"tool server {status.describe()}")
            for line in status.stderr:
                say(f"  {status.name} stderr: {line}")
            if status.log_file is not None:
                say(f"  log: {status.log_file}")
    catalog = servers.catalog()
    if names:
        for name in catalog.unknown(names):
            say(f"--tool {name}: no ready server or tool has that name")
        catalog = catalog.only(names)
    if not len(catalog):
        say("no tools are available: going on without tools")
        return AskTools(servers, None)
    listed = ", ".join(tool.offered for tool in catalog.tools)
    say(f"tools offered: {one_line(listed, 500)}")
    preapproved = [f"{s.name}.{tool}" for s in enabled for tool in s.allow] + list(allow)
    loop = ToolLoop(
        ToolRunner(servers, catalog, config.tools.result_limit),
        approve_on_terminal,
        rounds=config.tools.rounds,
        allowed=preapproved,
        approve_all=yes,
        listener=StderrReport(),
    )
    return AskTools(servers, loop)


def takes_tools(config: Config, client: ChatClient, model: str) -> bool:
    """False only when the cached model catalog says so. A catalog that lists no model's
    supported parameters (the plain OpenAI shape) says nothing about tools."""
    cached = Catalog(client, config.paths.cache_dir).cached()
    if cached is None:
        return True
    models = cached[0]
    if not any(m.tools or m.reasoning for m in models):
        return True
    entry = next((m for m in models if m.id == model), None)
    return entry is None or entry.tools


def call_text(call: ToolCall) -> str:
    return f"{call.name}({one_line(call.arguments, 500)})"


class StderrReport(ToolLoopListener):
    """One line per call when it starts, one when it ends."""

    def call_started(self, call: ToolCall, tool: object) -> None:
        say(f"tool {call_text(call)}")

    def call_finished(self, call: ToolCall, result: ToolResult) -> None:
        seconds = f" in {result.duration_ms / 1000:.1f} s" if result.duration_ms is not None else ""
        if result.error:
            say(f"tool {call.name}: error{seconds}: {one_line(result.text, 300)}")
        else:
            cut = " (truncated)" if result.truncated else ""
            say(f"tool {call.name}: done{seconds}, {result.full_length:,} characters{cut}")

    def round_limit(self, rounds: int) -> None:
        say(f"stopped after {rounds} rounds of tool calls ([tools] rounds in config.toml): "
            "the last calls were not run")


async def approve_on_terminal(pending: PendingCall) -> Decision:
    """Ask on the terminal; with none, deny and say how to allow."""
    answer = await ask_terminal(f"cline-tui: {QUESTION.format(call=call_text(pending.call))}")
    if answer is None:
        say(f"tool {pending.call.name} denied: no terminal to ask on; use --allow "
            f"{pending.tool.name} or --yes to run tools without asking")
        return "deny"
    answer = answer.strip().lower()
    if answer in ("y", "yes"):
        return "allow_once"
    if answer in ("a", "always"):
        return "allow_tool"
    return "deny"


async def ask_terminal(question: str) -> str | None:
    """The line typed at the terminal after ``question``; None when there is no terminal
    (``/dev/tty`` does not open). Read without a thread: Ctrl+C cancels it at once."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[str] = loop.create_future()
    typed = bytearray()

    def readable() -> None:
        try:
            data = os.read(fd, 1024)
        except OSError:
            data = b""
        typed.extend(data)
        if (not data or b"\n" in typed) and not answered.done():
            answered.set_result(typed.split(b"\n")[0].decode("utf-8", "replace"))

    try:
        os.write(fd, question.encode("utf-8", "replace"))
        loop.add_reader(fd, readable)
        try:
            return await answered
        finally:
            loop.remove_reader(fd)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
