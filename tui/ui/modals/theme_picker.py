"""The theme picker: type to filter; the highlighted theme is previewed on the whole app
at once. Enter keeps it, Esc puts the old one back. Dismisses with the chosen name or
None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.ui.render.inert import inert


class ThemePicker(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="themes.close"),
        Binding("down", "move(1)", "Next", show=False, id="themes.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="themes.up"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, themes: dict[str, Theme], current: str) -> None:
        super().__init__()
        self.themes = themes
        self.original = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(inert(f"Theme (now {self.original})"), classes="hint")
            yield Input(placeholder="type to filter", id="theme-filter")
            yield OptionList(id="theme-list")
            yield Static("Enter keeps · Esc puts the old one back", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self._fill("")

    @on(Input.Changed, "#theme-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        words = query.lower().split()
        names = [n for n in sorted(self.themes) if all(w in n for w in words)]
        options.add_options(
            Option(Content.assemble(inert(name.ljust(28)),
                                    ("dark" if self.themes[name].dark else "light", "dim")),
                   id=name)
            for name in names
        )
        if names:
            current = self.app.theme
            options.highlighted = names.index(current) if current in names else 0

    @on(OptionList.OptionHighlighted, "#theme-list")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id
        if name and name != self.app.theme:
            self.app.theme = name

    @on(Input.Submitted, "#theme-filter")
    def _submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#theme-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.app.theme = self.original
        self.dismiss(None)
