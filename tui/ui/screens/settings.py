"""The settings screen: default model, temperature, streaming, reasoning unfolded and the
named system-prompt presets. Dismisses with the new values (saved to settings.toml by
the app) or None when cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, Switch, TextArea
from textual.widgets.option_list import Option

from tui.model.temperature import TEMPERATURE_WORDS, read_temperature
from tui.model.text import one_line
from tui.ui.modals.fit import fit_box
from tui.ui.render.inert import inert


@dataclass
class SettingsValues:
    model: str
    temperature: float | None
    streaming: bool
    reasoning_unfolded: bool
    presets: dict[str, str] = field(default_factory=dict)


def parse_temperature(raw: str) -> float | None:
    """Empty: the model's default. Raises ValueError outside 0 to 2."""
    if not raw.strip():
        return None
    value = read_temperature(raw)
    if isinstance(value, str):
        raise ValueError(value)
    return value


NARROW = 70  # below this many columns each setting's label sits above its field


class SettingsScreen(ModalScreen[SettingsValues | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="settings_screen.cancel"),
        Binding("ctrl+s", "save", "Save", id="settings_screen.save"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, values: SettingsValues, profile: str, theme: str) -> None:
        super().__init__()
        self.values = values
        self.presets = dict(values.presets)
        self.profile = profile
        self.theme_name = theme

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static("Settings (saved to settings.toml; config.toml is left alone)",
                         classes="hint", markup=False)
            with VerticalScroll(id="settings-fields", can_focus=False):
                yield from self._fields()
            yield Label("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Static("Ctrl+S saves\nEsc cancels", classes="keys-hint", markup=False)
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def _fields(self) -> ComposeResult:
        """What the settings are: they scroll between the title and the buttons, which
        stay in sight however small the terminal."""
        v = self.values
        with Horizontal(classes="row"):
            yield Label(inert(f"Default model ({one_line(self.profile, 20)})"))
            yield Input(v.model, id="model", placeholder="model id")
        with Horizontal(classes="row"):
            yield Label("Temperature (0-2, empty: default)")
            temperature = "" if v.temperature is None else f"{v.temperature:g}"
            yield Input(temperature, id="temperature")
        with Horizontal(classes="row"):
            yield Label("Stream replies")
            yield Switch(v.streaming, id="streaming")
        with Horizontal(classes="row"):
            yield Label("Show reasoning unfolded")
            yield Switch(v.reasoning_unfolded, id="reasoning")
        yield Label("System-prompt presets (pick one in a chat from the palette)")
        yield OptionList(id="presets")
        with Horizontal(classes="preset-buttons"):
            yield Button("New", id="preset-new")
            yield Button("Edit", id="preset-edit")
            yield Button("Delete", id="preset-delete", variant="error")
        yield Static(inert(f"Theme: {self.theme_name} (F8 or “Theme” in the palette)"),
                     classes="hint")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        fit_box(self, self.query_one(".dialog-box"), self.query_one("#settings-fields"))

    def on_mount(self) -> None:
        self._fill_presets()
        self.query_one("#model", Input).focus()

    def _fill_presets(self, highlight: str | None = None) -> None:
        options = self.query_one("#presets", OptionList)
        options.clear_options()
        for name, text in self.presets.items():
            options.add_option(Option(inert(f"{name}  ·  {one_line(text, 50)}"), id=name))
        if self.presets:
            names = list(self.presets)
            options.highlighted = names.index(highlight) if highlight in names else 0

    def _highlighted_preset(self) -> str | None:
        options = self.query_one("#presets", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    @on(Button.Pressed, "#preset-new")
    def _new_preset(self) -> None:
        self.app.push_screen(PresetEditor("", "", set(self.presets)), self._preset_done)

    @on(Button.Pressed, "#preset-edit")
    @on(OptionList.OptionSelected, "#presets")
    def _edit_preset(self) -> None:
        name = self._highlighted_preset()
        if name is not None:
            others = set(self.presets) - {name}
            self.app.push_screen(PresetEditor(name, self.presets[name], others),
                                 partial(self._preset_done, old=name))

    @on(Button.Pressed, "#preset-delete")
    def _delete_preset(self) -> None:
        name = self._highlighted_preset()
        if name is not None:
            del self.presets[name]
            self._fill_presets()

    def _preset_done(self, result: tuple[str, str] | None, old: str | None = None) -> None:
        if result is None:
            return
        name, text = result
        if old is not None and old != name:
            self.presets = {(name if k == old else k): v for k, v in self.presets.items()}
        self.presets[name] = text
        self._fill_presets(name)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        error = self.query_one("#error", Label)
        try:
            temperature = parse_temperature(self.query_one("#temperature", Input).value)
        except ValueError:
            error.update(f"Temperature must be {TEMPERATURE_WORDS}, or empty.")
            return
        model = self.query_one("#model", Input).value.strip()
        if any(c.isspace() for c in model):
            error.update("A model id has no spaces.")
            return
        self.dismiss(SettingsValues(
            model=model or self.values.model,
            temperature=temperature,
            streaming=self.query_one("#streaming", Switch).value,
            reasoning_unfolded=self.query_one("#reasoning", Switch).value,
            presets=self.presets,
        ))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PresetEditor(ModalScreen[tuple[str, str] | None]):
    """One preset: a name and its system prompt."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="preset.cancel")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, name: str, text: str, taken: set[str]) -> None:
        super().__init__()
        self.preset_name = name
        self.text = text
        self.taken = taken

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("Name")
            yield Input(self.preset_name, id="preset-name", max_length=40)
            yield Label("System prompt")
            yield TextArea(self.text, id="preset-text", soft_wrap=True)
            yield Label("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        name = one_line(self.query_one("#preset-name", Input).value, 40).strip()
        text = self.query_one("#preset-text", TextArea).text.strip()
        error = self.query_one("#error", Label)
        if not name or not text:
            error.update("A preset needs a name and a prompt.")
        elif name in self.taken:
            error.update("There is already a preset with that name.")
        else:
            self.dismiss((name, text))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
