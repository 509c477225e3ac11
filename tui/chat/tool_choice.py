"""Which tools one chat offers: servers and tools switched off in the tools panel, the
tools the user allowed for the chat at an approval, and whether the model takes tools.
No Textual here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.api.catalog import ModelInfo
from tui.tool_config import ToolServerConfig
from tui.tools.catalog import ToolCatalog, ToolInfo


@dataclass
class ToolChoice:
    """One chat's choices; a new chat starts with every ready tool on."""

    off_servers: set[str] = field(default_factory=set)
    off_tools: set[str] = field(default_factory=set)  # "server.tool"
    allowed: set[str] = field(default_factory=set)  # "server.tool": run without asking
    said_no_tools: set[str] = field(default_factory=set)  # models told "no tools" once

    def server_on(self, server: str) -> bool:
        return server not in self.off_servers

    def tool_on(self, tool: ToolInfo) -> bool:
        return self.server_on(tool.server) and key(tool) not in self.off_tools

    def toggle_server(self, server: str) -> None:
        self.off_servers ^= {server}

    def toggle_tool(self, tool: ToolInfo) -> None:
        self.off_tools ^= {key(tool)}

    def offered(self, catalog: ToolCatalog) -> ToolCatalog:
        """The tools of ``catalog`` this chat has on, named again for the model."""
        return ToolCatalog.of(t for t in catalog.tools if self.tool_on(t))

    def preapproved(self, configs: Iterable[ToolServerConfig]) -> set[str]:
        """What runs without asking: config.toml's ``allow`` lists and this chat's."""
        return {f"{c.name}.{tool}" for c in configs for tool in c.allow} | self.allowed


def key(tool: ToolInfo) -> str:
    return f"{tool.server}.{tool.name}"


def model_takes_tools(models: list[ModelInfo], model: str) -> bool:
    """False only when the catalog says so. A catalog that lists no model's supported
    parameters (the plain OpenAI shape) says nothing about tools."""
    if not any(m.tools or m.reasoning for m in models):
        return True
    entry = next((m for m in models if m.id == model), None)
    return entry is None or entry.tools
