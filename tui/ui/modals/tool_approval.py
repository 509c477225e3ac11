"""Asking whether the model may run a tool: the tool, its server and the call's full
arguments (pretty JSON when they parse, else as sent; inert and scrollable). Dismisses
with the decision: "allow_once", "allow_tool" (this tool, for this chat), "deny", or
"stop" (Esc: the turn ends here, nothing of this reply is run)."""

from __future__ import annotations

import json

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.chat.tool_loop import Decision, PendingCall
from tui.model.text import one_line
from tui.ui.render.inert import inert


def pretty_arguments(arguments: str) -> str:
    """The arguments as indented JSON; as sent when they are not JSON."""
    try:
        parsed = json.loads(arguments) if arguments.strip() else {}
    except (ValueError, RecursionError):
        return arguments
    return json.dumps(parsed, indent=2, ensure_ascii=False)


class ToolApproval(ModalScreen[Decision]):
    BINDINGS = [
        Binding("escape", "decide('stop')", "Stop the turn", id="approval.stop"),
        Binding("a", "decide('allow_once')", "Allow once", id="approval.once"),
        Binding("t", "decide('allow_tool')", "Allow this tool", id="approval.tool"),
        Binding("d", "decide('deny')", "Deny", id="approval.deny"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, pending: PendingCall) -> None:
        super().__init__()
        self.pending = pending

    def compose(self) -> ComposeResult:
        call, tool = self.pending.call, self.pending.tool
        with Vertical(classes="dialog-box"):
            yield Static(inert(f"Run tool {one_line(tool.name, 80)} from server "
                               f"{one_line(tool.server, 60)}?"), id="approval-title",
                         markup=False)
            if tool.description:
                yield Static(inert(one_line(tool.description, 300)), id="approval-description",
                             markup=False)
            with VerticalScroll(id="approval-arguments"):
                yield Static(inert(pretty_arguments(call.arguments)), markup=False)
            yield Static("a allow once · t allow for this chat · d deny · Esc stops the turn",
                         id="approval-keys", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Allow once", id="allow_once", variant="primary")
                yield Button("Allow for this chat", id="allow_tool")
                yield Button("Deny", id="deny", variant="error")

    def on_mount(self) -> None:
        self.query_one("#allow_once", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id in ("allow_once", "allow_tool", "deny"):
            self.action_decide(event.button.id)

    def action_decide(self, decision: str) -> None:
        self.dismiss(decision)  # type: ignore[arg-type]
