"""The tools on offer: each server's tools under the names the model sees, as the
``tools`` entries of a chat request."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from tui.tools.names import offered_names


@dataclass(frozen=True)
class ToolInfo:
    server: str
    name: str  # the tool's own (MCP) name: what the server is called with
    description: str = ""  # untrusted text: show it inert
    schema: dict[str, Any] = field(default_factory=dict)  # JSON Schema of the arguments
    offered: str = ""  # the name the model sees (tui/tools/names.py)

    def request_entry(self) -> dict[str, Any]:
        """The OpenAI ``tools`` entry."""
        schema = dict(self.schema) if self.schema else {}
        if schema.get("type") != "object":  # OpenAI wants an object schema at the root
            schema = {"type": "object", "properties": {}}
        return {"type": "function", "function": {
            "name": self.offered or self.name,
            "description": self.description,
            "parameters": schema,
        }}


@dataclass(frozen=True)
class ToolCatalog:
    """The tools offered in a turn: a snapshot, so a server starting or failing halfway
    through a turn changes nothing the model was told."""

    tools: tuple[ToolInfo, ...] = ()

    @classmethod
    def of(cls, tools: Iterable[ToolInfo]) -> ToolCatalog:
        listed = list(tools)
        names = offered_names([(t.server, t.name) for t in listed])
        return cls(tuple(
            ToolInfo(t.server, t.name, t.description, t.schema, names[(t.server, t.name)])
            for t in listed
        ))

    def request_tools(self) -> list[dict[str, Any]]:
        return [tool.request_entry() for tool in self.tools]

    def find(self, offered: str) -> ToolInfo | None:
        return next((t for t in self.tools if t.offered == offered), None)

    def only(self, wanted: Collection[str]) -> ToolCatalog:
        """The tools ``wanted`` names: a server (all its tools), a tool (by its own or its
        offered name) or ``server.tool``. Offered names are worked out again."""
        keep = [t for t in self.tools if matches(t, wanted)]
        return ToolCatalog.of(keep)

    def unknown(self, wanted: Collection[str]) -> list[str]:
        """The names in ``wanted`` that match no tool."""
        return [w for w in wanted if not any(matches(t, [w]) for t in self.tools)]

    def __len__(self) -> int:
        return len(self.tools)


def matches(tool: ToolInfo, names: Collection[str]) -> bool:
    """Whether ``names`` names ``tool``: its server, its own or offered name, or
    ``server.tool``."""
    return any(
        name in (tool.server, tool.name, tool.offered, f"{tool.server}.{tool.name}")
        for name in names
    )
