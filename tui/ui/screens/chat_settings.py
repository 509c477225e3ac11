"""The chat's own settings: its model (F2), its system prompt and temperature (F5), and
a comparison of models started from it (the palette's "Compare models"). A change is
saved at once when the chat has messages, and takes effect from the next reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.ui.screens.chat_tree import TreeActions
from tui.ui.services import OpenCompare

if TYPE_CHECKING:
    from tui.ui.modals.chat_options import ChatOptionsResult

# The dialogs are imported when first opened, not before the first frame.


class ChatSettings(TreeActions):
    def action_pick_model(self) -> None:
        from tui.ui.modals.model_picker import ModelPicker

        services = self.services
        picker = ModelPicker(services.models, self.conversation.model, services.catalog_note)
        self.app.push_screen(picker, self._model_chosen)

    def _model_chosen(self, model: str | None) -> None:
        if not model or model == self.conversation.model:
            return
        self.conversation.model = model
        self.services.remember_model(model)
        if self.conversation.messages:
            self._save()
        self.refresh_chrome()
        self.services.say(f"Model: {model} (from the next reply on)")

    def action_compare(self) -> None:
        """Choose 2 to 4 models (this chat's already marked) to compare side by side."""
        from tui.ui.modals.model_chooser import ModelChooser

        services = self.services
        chooser = ModelChooser(services.models, self.conversation.model, services.catalog_note)
        self.app.push_screen(chooser, self._compare_chosen)

    def _compare_chosen(self, models: list[str] | None) -> None:
        if models:
            self.post_message(OpenCompare(models))

    def action_edit_chat(self) -> None:
        from tui.ui.modals.chat_options import ChatOptions

        c = self.conversation
        self.app.push_screen(ChatOptions(c.system, c.temperature), self._chat_edited)

    def use_system_prompt(self, system: str | None) -> None:
        """This chat's system prompt from a preset (the command palette)."""
        self._chat_edited((system, self.conversation.temperature))
        self.services.say("System prompt set." if system else "System prompt cleared.")

    def _chat_edited(self, result: ChatOptionsResult | None) -> None:
        if result is None:
            return
        self.conversation.system, self.conversation.temperature = result
        if self.conversation.messages:
            self._save()
        self.refresh_chrome()
