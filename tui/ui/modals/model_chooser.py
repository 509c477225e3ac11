"""Choosing the models of a comparison: 2 to 4 of the catalog (each id once), filtered
like the model picker. Enter or Space marks or unmarks a model, Ctrl+S or the Compare
button starts, Esc cancels. Dismisses with the chosen ids in the order they were
marked (column 1 first), or None."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.catalog import ModelInfo
from tui.model.compare import MAX_COLUMNS, MIN_COLUMNS
from tui.model.text import one_line
from tui.ui.modals.model_picker import matches, model_row
from tui.ui.render.inert import inert


def unique_models(models: list[ModelInfo], *extra: str) -> list[ModelInfo]:
    """The catalog with each id once (its first entry), then the ``extra`` ids it lacks
    (the chat's model, ids typed in)."""
    seen: set[str] = set()
    found: list[ModelInfo] = []
    for model in [*models, *(ModelInfo(id=i) for i in extra if i)]:
        if model.id not in seen:
            seen.add(model.id)
            found.append(model)
    return found


class FilterField(Input):
    """The filter: Space in it marks the highlighted model until a word is typed (a
    filter never starts with a space), then types a space between words. Decided here,
    in key order: the app hands on keys faster than the field takes them (typed fast,
    or sent at once by tmux), so the screen cannot tell from the field's value."""

    class MarkAsked(Message):
        """Space on an empty filter."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "space" and not self.value.strip():
            event.stop()
            event.prevent_default()
            self.post_message(self.MarkAsked())
            return
        await super()._on_key(event)


class ModelChooser(ModalScreen[list[str] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="chooser.cancel"),
        Binding("ctrl+s", "compare", "Compare", id="chooser.compare",
                tooltip="Compare the marked models"),
        # When the list has the focus; in the filter, FilterField asks for it.
        Binding("space", "mark", "Mark", show=False, id="chooser.mark",
                tooltip="Mark or unmark the highlighted model"),
        Binding("down", "cursor_down", "Next", show=False, id="chooser.down"),
        Binding("up", "cursor_up", "Previous", show=False, id="chooser.up"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, models: list[ModelInfo], current: str, note: str = "") -> None:
        super().__init__()
        self.models = unique_models(models, current)
        self.chosen: list[str] = [current] if current else []
        self.note = note  # why there is no catalog
        self._shown: list[ModelInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(id="chooser-chosen", markup=False)
            yield FilterField(placeholder="type to filter, or a model id and Enter",
                              id="filter")
            yield OptionList(id="models")
            yield Static(classes="hint", id="chooser-note", markup=False)
            with Horizontal(classes="buttons"):
                # As in every dialog: Cancel, then what the dialog is for, on the right.
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Compare", variant="primary", id="compare", compact=True)

    def on_mount(self) -> None:
        self._fill("")

    # --- the list -------------------------------------------------------------------

    def _row(self, model: ModelInfo) -> Content:
        mark = ("[x] ", "bold $text-accent") if model.id in self.chosen else "[ ] "
        return Content.assemble(mark, model_row(model))

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self.query_one("#models", OptionList)
        options.clear_options()
        self._shown = [m for m in self.models if matches(m, query)]
        options.add_options(Option(self._row(m), id=m.id) for m in self._shown)
        if self._shown:
            options.highlighted = 0
        self._show_state()

    def _show_state(self, problem: str = "") -> None:
        chosen = "  ".join(f"{n} {one_line(m, 60)}" for n, m in enumerate(self.chosen, 1))
        self.query_one("#chooser-chosen", Static).update(
            inert(f"Compare {MIN_COLUMNS} to {MAX_COLUMNS} models: {chosen or 'none marked'}"))
        hint = problem or self.note or (
            "Enter or Space marks · Ctrl+S compares · Esc cancels")
        self.query_one("#chooser-note", Static).update(inert(hint))

    def _highlighted(self) -> ModelInfo | None:
        index = self.query_one("#models", OptionList).highlighted
        return self._shown[index] if index is not None and index < len(self._shown) else None

    def _toggle(self, model_id: str) -> bool:
        """Mark or unmark; False (and the hint says why) when a fifth would be marked."""
        if model_id in self.chosen:
            self.chosen.remove(model_id)
        elif len(self.chosen) >= MAX_COLUMNS:
            self._show_state(f"At most {MAX_COLUMNS} models: unmark one first.")
            return False
        else:
            self.chosen.append(model_id)
        options = self.query_one("#models", OptionList)
        model = next((m for m in self.models if m.id == model_id), None)
        if model is not None and model in self._shown:
            options.replace_option_prompt(model_id, self._row(model))
        self._show_state()
        return True

    # --- keys -----------------------------------------------------------------------

    @on(Input.Submitted, "#filter")
    def _submit(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        model = self._highlighted()
        if model is None and typed:  # a model the catalog does not list
            self.models = unique_models(self.models, typed)
            model = self.models[-1] if self.models[-1].id == typed else None
        if model is not None and self._toggle(model.id) and typed:
            event.input.value = ""  # the next model's name goes in an empty filter

    @on(OptionList.OptionSelected, "#models")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._toggle(event.option.id)

    @on(FilterField.MarkAsked)
    def action_mark(self) -> None:
        model = self._highlighted()
        if model is not None:
            self._toggle(model.id)

    def action_cursor_down(self) -> None:
        self.query_one("#models", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#models", OptionList).action_cursor_up()

    @on(Button.Pressed, "#compare")
    def action_compare(self) -> None:
        if len(self.chosen) < MIN_COLUMNS:
            self._show_state(f"Mark at least {MIN_COLUMNS} different models "
                             "(Enter or Space marks one).")
            return
        self.dismiss(list(self.chosen))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
