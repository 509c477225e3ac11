"""The help screen: every key active on the screen underneath, with what it does and the
binding id to remap it with under ``[keys]`` in config.toml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from tui.model.text import strip_controls
from tui.ui.widgets import prompt


@dataclass(frozen=True)
class HelpRow:
    key: str
    description: str
    binding_id: str
    where: str


def where(app: App[Any], screen: Screen[Any], node: object) -> str:
    """Where a binding applies, in a word: the screen, the prompt, the app, a widget."""
    if node is app:
        return "app"
    if node is screen:
        return "screen"
    if isinstance(node, prompt.PromptArea):
        return "prompt"
    return type(node).__name__.lower()


def help_rows(app: App[Any], screen: Screen[Any]) -> list[HelpRow]:
    """The bindings a key press on ``screen`` would reach (those it has on only at times
    too, after those on now), the screen's own first, then
    the prompt's own keys (Enter, new line, Up: handled in the prompt, not bindings) when
    the screen has one; the keys of one binding (F2, Ctrl+O) share a row."""
    rows: dict[tuple[str, str], HelpRow] = {}
    at_times: set[tuple[str, str]] = set()  # keys that act only at times (not now)
    if screen.query_one_optional(prompt.PromptArea) is not None:
        for key, description in prompt.KEYS:
            rows[(key, "prompt")] = HelpRow(key, description, "", "prompt")
    # A screen's keys that act only at times (the chat's, on a selected message) are
    # listed too: the screen says every action is on while its bindings are read.
    # Those on now come first: a newcomer reads Esc, F2 and the rest before the keys for
    # a selected message.
    on_now = {id(active.binding) for active in screen.active_bindings.values()}
    listing = hasattr(screen, "listing_keys")
    if listing:
        screen.listing_keys = True  # type: ignore[attr-defined]
    try:
        active_bindings = list(screen.active_bindings.values())
    finally:
        if listing:
            screen.listing_keys = False  # type: ignore[attr-defined]
    for active in active_bindings:
        binding: Binding = active.binding
        description = binding.tooltip or binding.description  # the footer's is short
        if not description or binding.system:
            continue
        node = active.node
        place = where(app, screen, node)
        mark = (binding.id or binding.action, place)
        key = app.get_key_display(binding)
        if mark in rows:
            row = rows[mark]
            rows[mark] = HelpRow(f"{row.key}, {key}", row.description, row.binding_id, place)
        else:
            rows[mark] = HelpRow(key, description, binding.id or "", place)
        if id(binding) not in on_now:
            at_times.add(mark)
    order = {"screen": 0, "app": 2}
    ranked = sorted(rows.items(), key=lambda item: (order.get(item[1].where, 1),
                                                    item[0] in at_times))
    return [row for _, row in ranked]


WHAT_WIDTH = 36  # "What it does" keeps this many columns before others give way


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "close", "Close", id="help.close")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, title: str, rows: list[HelpRow]) -> None:
        super().__init__()
        self.heading = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(f"Keys: {self.heading}", classes="hint", markup=False)
            yield DataTable(zebra_stripes=True, cursor_type="row")
            yield Static("Remap a key in config.toml:  [keys]  chat.model = \"f6\"  "
                         "· Esc closes", classes="hint", markup=False)

    _filled_width = -1

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        """The table. When all of it does not fit the dialog, the "Where" column goes,
        then the "Binding id" column, before "What it does" is narrowed below
        ``WHAT_WIDTH`` (its text wrapped)."""
        table = self.query_one(DataTable)
        room = table.content_region.width - 2  # the vertical scrollbar (shown or not)
        if room <= 0 or room == self._filled_width:
            return
        self._filled_width = room
        # Keys come from config.toml: shown literally, never as markup.
        cells = [[Text(strip_controls(cell)) for cell in
                  (row.key, row.description, row.where, row.binding_id)] for row in self.rows]
        labels = ["Key", "What it does", "Where", "Binding id"]
        shown = [0, 1, 2, 3]
        widths = [max([len(label), *(row[i].cell_len for row in cells)])
                  for i, label in enumerate(labels)]

        def spare() -> int:
            return room - sum(widths[i] for i in shown) - 2 * table.cell_padding * len(shown)

        for dropped in (2, 3):  # Where, then Binding id
            if widths[1] + spare() >= WHAT_WIDTH:
                break
            shown.remove(dropped)
        narrow = spare() < 0
        if narrow:
            widths[1] = max(12, widths[1] + spare())
        table.clear(columns=True)
        for i in shown:
            table.add_column(labels[i], width=widths[i] if narrow else None)
        for row_cells in cells:
            table.add_row(*(row_cells[i] for i in shown), height=None if narrow else 1)

    def action_close(self) -> None:
        self.dismiss(None)
