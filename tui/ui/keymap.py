"""The ``[keys]`` table of config.toml: binding ids mapped to keys, checked against the
bindings the app really has, then handed to ``App.set_keymap``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.binding import Binding
from textual.dom import DOMNode

from tui.model.text import one_line

_KEY = re.compile(r"^[A-Za-z0-9_+\-]{1,40}$")


def binding_classes() -> list[type[DOMNode]]:
    """Every screen and widget of ours that has bindings (imported here, not at the top,
    so this module stays cheap to import)."""
    from textual.widgets import Input, OptionList, TextArea

    from tui.ui.modals.attach_file import AttachFile
    from tui.ui.modals.branches import BranchesView
    from tui.ui.modals.chat_options import ChatOptions
    from tui.ui.modals.history_dialogs import ConfirmDelete, RenameDialog
    from tui.ui.modals.model_chooser import ModelChooser
    from tui.ui.modals.model_picker import ModelPicker
    from tui.ui.modals.over_budget import OverBudget
    from tui.ui.modals.theme_picker import ThemePicker
    from tui.ui.modals.too_long import TooLong
    from tui.ui.modals.tool_approval import ToolApproval
    from tui.ui.modals.tools_panel import ToolsPanel
    from tui.ui.screens.chat import ChatScreen
    from tui.ui.screens.compare import CompareScreen
    from tui.ui.screens.help import HelpScreen
    from tui.ui.screens.history import HistoryScreen
    from tui.ui.screens.settings import PresetEditor, SettingsScreen
    from tui.ui.widgets.attachment_chips import Chip
    from tui.ui.widgets.conversation_list import ConversationList
    from tui.ui.widgets.prompt import PromptArea

    return [ChatScreen, CompareScreen, ModelPicker, ModelChooser, ChatOptions, HistoryScreen,
            ConversationList, RenameDialog, ConfirmDelete, ThemePicker, SettingsScreen,
            PresetEditor, HelpScreen, BranchesView, ToolApproval, ToolsPanel, OverBudget,
            TooLong, PromptArea, AttachFile, Chip, TextArea, Input, OptionList]


def bindings_by_id(classes: Iterable[type[DOMNode]]) -> dict[str, Binding]:
    """Binding id → its binding, over the classes and their bases."""
    found: dict[str, Binding] = {}
    for cls in classes:
        for klass in cls.__mro__:
            for binding in klass.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding)
    return found


def check_keymap(
    keys: dict[str, str], known: dict[str, Binding]
) -> tuple[dict[str, str], list[str]]:
    """The usable part of ``[keys]`` and a warning for each entry that is not."""
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, value in keys.items():
        shown = one_line(binding_id, 60)
        if binding_id not in known:
            warnings.append(f"config.toml [keys]: unknown binding id '{shown}' (ignored; "
                            "the help screen, F1, lists the ids)")
            continue
        parts = [part.strip() for part in value.split(",")]
        if not parts or not all(_KEY.match(part) for part in parts):
            warnings.append(f"config.toml [keys]: '{shown}' = '{one_line(value, 60)}' is not "
                            "a key like 'f6' or 'ctrl+x' (ignored)")
            continue
        keymap[binding_id] = ",".join(parts)
    return keymap, warnings
