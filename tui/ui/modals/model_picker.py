"""The model picker: type to filter the catalog; each row shows context size, prices,
and reasoning/tools support. Dismisses with the chosen model id, or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.catalog import ModelInfo
from tui.format import format_context, format_price
from tui.ui.render.inert import inert


def model_row(model: ModelInfo, width: int = 38) -> Content:
    """``id  context  $in/M in  $out/M out  reasoning tools`` on one line."""
    name = model.id if len(model.id) <= width else model.id[: width - 1] + "…"
    flags = " ".join(f for f, on in (("reasoning", model.reasoning), ("tools", model.tools)) if on)
    return Content.assemble(
        inert(name.ljust(width)),
        (f" {format_context(model.context_length):>6}", "dim"),
        f" {format_price(model.prompt_price):>8} in",
        f" {format_price(model.completion_price):>8} out",
        (f"  {flags}", "italic"),
    )


def matches(model: ModelInfo, query: str) -> bool:
    """Every word of the query appears in the id or the name."""
    haystack = f"{model.id} {model.name}".lower()
    return all(word in haystack for word in query.lower().split())


class ModelPicker(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss_picker", "Close", id="picker.close"),
        Binding("down", "cursor_down", "Next", show=False, id="picker.down"),
        Binding("up", "cursor_up", "Previous", show=False, id="picker.up"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, models: list[ModelInfo], current: str, note: str = "") -> None:
        super().__init__()
        self.models = models
        self.current = current
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(inert(f"Model (now {self.current or 'none'})"), classes="hint")
            yield Input(placeholder="type to filter, or a model id and Enter", id="filter")
            yield OptionList(id="models")
            yield Static(classes="hint", id="picker-note", markup=False)

    def on_mount(self) -> None:
        self._fill("")

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self.query_one("#models", OptionList)
        options.clear_options()
        shown = [m for m in self.models if matches(m, query)]
        options.add_options(Option(model_row(m), id=m.id) for m in shown)
        if shown:
            index = next((i for i, m in enumerate(shown) if m.id == self.current), 0)
            options.highlighted = index
        count = f"{len(shown)} of {len(self.models)}" if query.strip() else str(len(shown))
        hint = self.note or f"{count} models · Enter picks · Esc closes"
        self.query_one("#picker-note", Static).update(inert(hint))

    @on(Input.Submitted, "#filter")
    def _submit(self, event: Input.Submitted) -> None:
        options = self.query_one("#models", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)
        elif event.value.strip():
            self.dismiss(event.value.strip())  # a model the catalog does not list

    @on(OptionList.OptionSelected, "#models")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cursor_down(self) -> None:
        self.query_one("#models", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#models", OptionList).action_cursor_up()

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
