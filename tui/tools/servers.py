"""MCP tool servers: started in the background, each with a status, stopped at the end.

``ToolServers`` starts every enabled ``[mcp.NAME]`` server at once, each in a task of
its own that holds its connection open until ``stop``. A server that cannot be run,
exits, answers nothing in time or breaks the protocol is marked failed with the reason
and the last lines of its stderr, and nothing else is disturbed. A stdio server gets the
app's minimal child environment plus its ``env`` table (never an API key), writes its
stderr to ``cache/mcp-NAME.log``, and dies with the app, even when the app is SIGKILLed
(``tui/child.py``). An HTTP server is reached through the SDK's streamable HTTP client.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import shutil
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import anyio

from tui.child import child_environment, death_wrapped, log_tail
from tui.files import make_private_dir
from tui.model.text import one_line
from tui.tool_config import ToolServerConfig
from tui.tools.catalog import ToolCatalog, ToolInfo
from tui.tools.names import safe_name
from tui.tools.watch import watched

START_TIMEOUT = 30.0  # seconds for a server to start and list its tools
STDERR_LINES = 5

STARTING, READY, FAILED, STOPPED = "starting", "ready", "failed", "stopped"
_CONNECTION_CLOSED = -32000  # mcp_types.CONNECTION_CLOSED: the transport ended


@dataclass(frozen=True)
class ServerStatus:
    """Where one server is: starting, ready (with ``tools`` tools), failed (``reason``,
    and the last lines of its stderr) or stopped. Reason and lines are control-free."""

    name: str
    state: str = STARTING
    tools: int = 0
    reason: str = ""
    stderr: tuple[str, ...] = ()
    log_file: Path | None = None

    def describe(self) -> str:
        """One line: ``time: ready (2 tools)``, ``git: failed: ...``."""
        if self.state == READY:
            return f"{self.name}: ready ({self.tools} tool{'' if self.tools == 1 else 's'})"
        if self.state == FAILED:
            return f"{self.name}: failed: {self.reason}"
        return f"{self.name}: {self.state}"


StatusListener = Callable[[ServerStatus], None]


class ToolServerError(Exception):
    """A call could not be made: the server is not ready, or it stopped."""


class ToolServer:
    """One server's connection, held open by its own task."""

    def __init__(self, config: ToolServerConfig, log_dir: Path, listener: StatusListener,
                 start_timeout: float = START_TIMEOUT) -> None:
        self.config = config
        self.log_file = log_dir / f"mcp-{safe_name(config.name)}.log"
        self.start_timeout = start_timeout
        self.status = ServerStatus(config.name, log_file=self.log_file)
        self.tools: tuple[ToolInfo, ...] = ()
        self._listener = listener
        self._client: Any = None
        self._stop = asyncio.Event()
        self._settled = asyncio.Event()  # no longer starting
        self._task: asyncio.Task[None] | None = None
        self._scope: anyio.CancelScope | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"mcp-{self.config.name}")

    async def wait_settled(self) -> None:
        await self._settled.wait()

    async def stop(self) -> None:
        self._stop.set()
        if self._scope is not None and self.status.state == STARTING:
            self._scope.cancel()  # a server still starting is not waited for
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> Any:
        """The server's ``CallToolResult``. Raises ``ToolServerError`` (not ready, or it
        stopped: the server is then marked failed) and ``TimeoutError``."""
        client = self._client
        if client is None or self.status.state != READY:
            raise ToolServerError(f"server {self.config.name} is {self.status.state}")
        from mcp import MCPError

        try:
            with anyio.fail_after(timeout):
                return await client.call_tool(tool, arguments)
        except MCPError as error:
            if error.code == _CONNECTION_CLOSED:
                self._failed("the server stopped during the call")
                raise ToolServerError(f"server {self.config.name} stopped during the call "
                                      f"(log: {self.log_file})") from None
            raise ToolServerError(f"server {self.config.name}: {one_line(str(error))}") from None

    async def _run(self) -> None:
        # One cancel scope around the connection's whole life (anyio wants its scopes
        # left in the order they were entered): its deadline is the start timeout, lifted
        # once the server is ready; ``stop`` cancels it while the server is starting.
        scope = self._scope = anyio.CancelScope(
            deadline=anyio.current_time() + self.start_timeout)
        try:
            with scope:
                async with AsyncExitStack() as stack:
                    self._client = await self._connect(stack)
                    scope.deadline = math.inf
                    self._tell(replace(self.status, state=READY, tools=len(self.tools)))
                    self._settled.set()
                    await self._stop.wait()
                    self._client = None
            if scope.cancelled_caught and not self._stop.is_set():
                self._failed(f"did not start within {self.start_timeout:g} s")
        except asyncio.CancelledError:
            self._failed("cancelled")
            raise
        except Exception as error:  # a server must never take the app down
            self._failed(_reason(error))
        finally:
            self._client = None
            if self.status.state != FAILED:
                self._tell(replace(self.status, state=STOPPED))
            self._settled.set()

    async def _connect(self, stack: AsyncExitStack) -> Any:
        from mcp import Client

        client = Client(watched(self._transport(stack), self._connection_ended), mode="auto")
        await stack.enter_async_context(client)
        listed: list[ToolInfo] = []
        cursor = None
        for _page in range(100):
            page = await client.list_tools(cursor=cursor)
            listed += [ToolInfo(self.config.name, t.name, t.description or "",
                                dict(t.input_schema or {})) for t in page.tools]
            cursor = page.next_cursor
            if cursor is None:
                break
        self.tools = tuple(listed)
        return client

    def _transport(self, stack: AsyncExitStack) -> Any:
        config = self.config
        if config.url:
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            http = create_mcp_http_client(headers=dict(config.headers) or None)
            stack.push_async_callback(http.aclose)
            return streamable_http_client(config.url, http_client=http)
        from mcp.client.stdio import StdioServerParameters, stdio_client

        assert config.command is not None
        env = {**child_environment(), **config.env}
        if config.cwd is not None and not Path(config.cwd).expanduser().is_dir():
            raise ToolServerError(f"cwd {config.cwd} is not a folder")
        if shutil.which(config.command, path=env.get("PATH", os.defpath)) is None:
            raise ToolServerError(f"command not found: {config.command}")
        command, args = death_wrapped(config.command, list(config.args))
        params = StdioServerParameters(
            command=command, args=args, env=env,
            cwd=str(Path(config.cwd).expanduser()) if config.cwd else None)
        return stdio_client(params, errlog=self._open_log(stack))

    def _open_log(self, stack: AsyncExitStack) -> TextIO:
        make_private_dir(self.log_file.parent)
        log = stack.enter_context(self.log_file.open("w", encoding="utf-8"))
        return log

    def _connection_ended(self) -> None:
        if self._stop.is_set() or self.status.state == FAILED:
            return  # stopped on purpose, or already said
        if self.status.state == STARTING:
            self._failed("the server closed the connection before it was ready (it exited?)")
        else:
            self._failed(f"the server stopped (log: {self.log_file})")

    def _failed(self, reason: str) -> None:
        if self.status.state == FAILED:
            return  # the first reason given is the one that says most
        self._client = None
        lines = [one_line(line, 200) for line in log_tail(self.log_file).splitlines()]
        stderr = tuple(line for line in lines if line)[-STDERR_LINES:]
        self._tell(replace(self.status, state=FAILED, reason=reason, stderr=stderr))
        self._settled.set()

    def _tell(self, status: ServerStatus) -> None:
        self.status = status
        with contextlib.suppress(Exception):  # a listener's fault is not the server's
            self._listener(status)


class ToolServers:
    """Every enabled server of the config, started together in the background.

    Use ``async with ToolServers(...) as servers`` (or ``start`` then ``stop``) inside a
    running event loop; ``wait_started`` waits until none is starting."""

    def __init__(self, configs: Iterable[ToolServerConfig], log_dir: Path, *,
                 listener: StatusListener | None = None,
                 start_timeout: float = START_TIMEOUT) -> None:
        self._listeners: list[StatusListener] = [listener] if listener else []
        self.servers = [ToolServer(c, log_dir, self._tell, start_timeout)
                        for c in configs if c.enabled]

    def listen(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    @property
    def statuses(self) -> list[ServerStatus]:
        return [server.status for server in self.servers]

    def start(self) -> None:
        for server in self.servers:
            server.start()

    async def wait_started(self) -> None:
        await asyncio.gather(*(server.wait_settled() for server in self.servers))

    async def stop(self) -> None:
        await asyncio.gather(*(server.stop() for server in self.servers))

    async def __aenter__(self) -> ToolServers:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def catalog(self) -> ToolCatalog:
        """The tools of every ready server, under names the model accepts."""
        return ToolCatalog.of(
            tool for server in self.servers if server.status.state == READY
            for tool in server.tools)

    def server(self, name: str) -> ToolServer | None:
        return next((s for s in self.servers if s.config.name == name), None)

    def _tell(self, status: ServerStatus) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(status)


def _reason(error: BaseException) -> str:
    """A one-line reason for a failed start; the SDK wraps errors in exception groups."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if getattr(error, "code", None) == _CONNECTION_CLOSED:
        return "the server closed the connection before it was ready (it exited?)"
    if isinstance(error, OSError) and error.strerror:
        return one_line(f"{error.strerror}: {error.filename}" if error.filename else
                        error.strerror)
    text = one_line(str(error), 200)
    return text or type(error).__name__


