"""Starting the MCP tool servers behind the full-screen app, after its first frame.

Imported only when config.toml names an enabled ``[mcp.NAME]`` server: the MCP SDK takes
a while to load and the start-up figure must not change. Each server starts in a task of
its own (``tui/tools/servers.py``); one that fails says so in a notification and the chat
goes on without it."""

from __future__ import annotations

import asyncio

from tui.tools.servers import FAILED, ServerStatus, ToolServers
from tui.ui.services import Services


async def start_tool_servers(services: Services) -> None:
    """Load the MCP SDK in a thread (the screen keeps drawing), then start every server."""
    hub = services.tools
    if hub.servers is not None:
        return
    await asyncio.to_thread(_load_sdk)
    if hub.servers is not None:
        return

    def changed(status: ServerStatus) -> None:
        if status.state == FAILED:
            services.say(f"Tool server {status.describe()} (F6: tools panel)",
                         severity="warning", timeout=10)
        hub.changed(status)

    config = services.config
    hub.servers = ToolServers(config.mcp, config.paths.cache_dir, listener=changed)
    hub.servers.start()
    hub.changed()


def _load_sdk() -> None:
    import mcp
    import mcp.client.stdio
    import mcp.client.streamable_http  # noqa: F401
