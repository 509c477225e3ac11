"""The tools panel (F6): every MCP server with its status (starting, ready with n tools,
failed with the reason and the last lines of its stderr, disabled in config.toml), each
tool with its description, and Enter or Space to switch a server or a tool on or off for
this chat. Descriptions, reasons and stderr are the servers' text: inert, one line each.
The list follows the servers' statuses while it is open."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.chat.tool_choice import ToolChoice
from tui.model.text import one_line
from tui.tool_config import ToolServerConfig
from tui.tools.catalog import ToolInfo
from tui.ui.render.inert import inert
from tui.ui.services import ToolHub

ON, OFF = "☑", "☐"


class ToolsPanel(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f6", "close", "Close", id="tools.close"),
        Binding("space", "switch", "On/off", id="tools.toggle"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, hub: ToolHub, configs: tuple[ToolServerConfig, ...],
                 choice: ToolChoice, note: str = "") -> None:
        super().__init__()
        self.hub = hub
        self.configs = configs
        self.choice = choice
        self.note = note  # e.g. the model takes no tools
        self._tools: dict[str, ToolInfo] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static("Tools (MCP servers) for this chat", classes="heading", markup=False)
            yield OptionList(id="tools-list")
            hint = "Enter or Space: switch on/off for this chat · Esc closes"
            if self.note:
                hint = f"{self.note}\n{hint}"
            yield Static(inert(hint), id="tools-hint", markup=False)

    def on_mount(self) -> None:
        self._fill()
        self.hub.listen(self._fill)
        self.query_one(OptionList).focus()

    def on_unmount(self) -> None:
        self.hub.forget(self._fill)

    def _fill(self) -> None:
        if not self.is_attached:
            return
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(self._options())
        if highlighted is not None and listing.option_count:
            listing.highlighted = min(highlighted, listing.option_count - 1)

    def _options(self) -> list[Option | None]:
        options: list[Option | None] = []
        statuses = {s.name: s for s in self.hub.statuses}
        self._tools = {}
        if not self.configs:
            options.append(Option(inert("No MCP servers are set up: add an [mcp.NAME] table "
                                        "to config.toml (README: Tools (MCP))."),
                                  disabled=True))
        for config in self.configs:
            status = statuses.get(config.name)
            server_on = self.choice.server_on(config.name)
            if not config.enabled:
                line = f"  {config.name}: disabled in config.toml"
                options.append(Option(inert(line), disabled=True))
                continue
            state = status.describe() if status is not None else f"{config.name}: starting"
            lines = [f"{ON if server_on else OFF} {one_line(state, 200)}"]
            if status is not None and status.stderr:
                lines += [f"    stderr: {line}" for line in status.stderr]
            prompt = inert("\n".join(lines))
            options.append(Option(Content.assemble(prompt.stylize("bold", 0, 2 + len(
                config.name))), id=f"server:{config.name}"))
            if status is None or status.state != "ready" or self.hub.servers is None:
                continue
            server = self.hub.servers.server(config.name)
            for tool in server.tools if server is not None else ():
                option_id = f"tool:{len(self._tools)}"
                self._tools[option_id] = tool
                mark = ON if self.choice.tool_on(tool) else OFF
                text = f"    {mark} {one_line(tool.name, 80)}"
                if tool.description:
                    text += f"\n        {one_line(tool.description, 300)}"
                options.append(Option(inert(text, "" if server_on else "dim"), id=option_id))
            options.append(None)
        return options

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._toggle(event.option.id)

    def action_switch(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self._toggle(listing.get_option_at_index(listing.highlighted).id)

    def _toggle(self, option_id: str | None) -> None:
        if option_id is None:
            return
        if option_id.startswith("server:"):
            self.choice.toggle_server(option_id.removeprefix("server:"))
        elif option_id in self._tools:
            self.choice.toggle_tool(self._tools[option_id])
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
