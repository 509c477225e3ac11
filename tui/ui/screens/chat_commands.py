"""The chat screen's commands in the command palette: the system-prompt presets, then
every action of the chat, those on the selected message included."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Protocol

from textual.app import SystemCommand
from textual.markup import escape

from tui.model.text import one_line
from tui.ui.services import Services


class ChatActions(Protocol):
    """What the palette needs of the chat screen."""

    services: Services

    def use_system_prompt(self, system: str | None) -> None: ...
    def action_pick_model(self) -> None: ...
    async def action_new_chat(self) -> None: ...
    def action_toggle_usage(self) -> None: ...
    def action_toggle_reasoning(self) -> None: ...
    def action_edit_chat(self) -> None: ...
    def action_copy_code(self) -> None: ...
    def action_cancel_reply(self) -> None: ...
    def action_compare(self) -> None: ...
    def action_branches(self) -> None: ...
    def action_tools(self) -> None: ...
    def action_send_left_out_again(self) -> None: ...
    def action_attach(self) -> None: ...
    async def run_tree_action(self, name: str, parameters: tuple[object, ...]) -> None: ...

# (title, help, action, parameters): actions on the message the cursor is on.
_TREE_COMMANDS: list[tuple[str, str, str, tuple[Any, ...]]] = [
    ("Select earlier message", "Move the message cursor up (Alt+Up)", "cursor", (-1,)),
    ("Edit selected prompt", "Sending it makes a new branch; the old one stays",
     "edit_message", ()),
    ("Regenerate reply", "A new alternative to the selected (else the last) reply",
     "retry", ()),
    ("Regenerate with another model", "Pick the model, then a new alternative streams",
     "regenerate_with", ()),
    ("Previous alternative", "Show the selected message's previous alternative",
     "alternative", (-1,)),
    ("Next alternative", "Show the selected message's next alternative", "alternative", (1,)),
    ("Fork from selected message", "A new conversation from the start to this message",
     "fork", ()),
    ("Delete selected message", "And the branch below it (Ctrl+Z undoes)",
     "delete_message", ()),
    ("Undo delete", "Put back the messages just deleted", "undo_delete", ()),
    ("Copy message", "Copy the selected message, else the last reply", "copy_reply", ()),
]


def chat_commands(screen: ChatActions) -> Iterable[SystemCommand]:
    for name, text in screen.services.settings.presets.items():
        # The palette parses titles as markup: a preset's name is escaped.
        title = escape(f"System prompt: {one_line(name, 60)}")
        yield SystemCommand(title, "Use this preset in this chat",
                            partial(screen.use_system_prompt, text))
    yield SystemCommand("System prompt: none", "Clear this chat's system prompt",
                        partial(screen.use_system_prompt, None))
    actions: list[tuple[str, str, Callable[[], object]]] = [
        ("Choose model", "Pick the model for the next reply", screen.action_pick_model),
        ("New chat", "Start a new conversation", screen.action_new_chat),
        ("Toggle usage sidebar", "Show or hide tokens, cost and speed",
         screen.action_toggle_usage),
        ("Toggle reasoning", "Fold or unfold the last reasoning",
         screen.action_toggle_reasoning),
        ("Edit system prompt and temperature", "Settings of this chat",
         screen.action_edit_chat),
        ("Copy last code block", "Copy the last code block", screen.action_copy_code),
        ("Cancel reply", "Stop the reply that is streaming", screen.action_cancel_reply),
        ("Compare models", "Choose 2 to 4 models: the same prompt to each, side by side",
         screen.action_compare),
        ("Branches", "Every branch of this conversation: pick one to show",
         screen.action_branches),
        ("Tools", "MCP tool servers and their tools: status, on/off for this chat (F6)",
         screen.action_tools),
        ("Send left-out turns again", "Turns left out to fit the context window are sent "
         "again from the next prompt", screen.action_send_left_out_again),
        ("Attach file", "A file for the next prompt: browse from the working directory "
         "(F7; or type @ and a path)", screen.action_attach),
    ]
    for title, help_text, action in actions:
        yield SystemCommand(title, help_text, action)
    for title, help_text, name, parameters in _TREE_COMMANDS:
        yield SystemCommand(title, help_text, partial(screen.run_tree_action, name, parameters))
