"""Edit this chat's system prompt and temperature. Dismisses with (system, temperature)
or None when cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from tui.model.temperature import TEMPERATURE_WORDS, read_temperature
from tui.ui.modals.fit import fit_box

ChatOptionsResult = tuple[str | None, float | None]


class ChatOptions(ModalScreen[ChatOptionsResult | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="settings.cancel"),
        Binding("ctrl+s", "save", "Save", id="settings.save"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, system: str | None, temperature: float | None) -> None:
        super().__init__()
        self.system = system or ""
        self.temperature = temperature

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            system = TextArea(self.system, id="system", soft_wrap=True)
            system.border_title = "System prompt"
            yield system
            with Horizontal(classes="row"):
                yield Label("Temperature (0 to 2; empty: model default)")
                value = "" if self.temperature is None else f"{self.temperature:g}"
                yield Input(value, id="temperature")
            yield Label("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Static("Ctrl+S saves\nEsc cancels", classes="keys-hint", markup=False)
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The system prompt's box gives up height first (it scrolls)."""
        fit_box(self, self.query_one(".dialog-box"), self.query_one("#system"))

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#temperature")
    def action_save(self) -> None:
        raw = self.query_one("#temperature", Input).value.strip()
        temperature: float | None = None
        if raw:
            checked = read_temperature(raw)
            if isinstance(checked, str):
                error = self.query_one("#error", Label)
                error.update(f"Temperature must be {TEMPERATURE_WORDS}.")
                error.add_class("-shown")
                self.call_after_refresh(self._fit)
                return
            temperature = checked
        system = self.query_one("#system", TextArea).text.strip() or None
        self.dismiss((system, temperature))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
