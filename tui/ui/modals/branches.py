"""The branches view (F9 in the chat): every message of every branch, one line each, as
``cline-tui show ID --tree`` draws them (``tui/model/tree_outline.py``); the branch shown
marked ``*``. Up/Down move, Enter shows the branch through the highlighted message (its
newest continuation) with the cursor on that message, Esc closes. Dismisses with the
message's id or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.model.conversation import Conversation
from tui.model.text import one_line
from tui.model.tree import leaves
from tui.model.tree_outline import outline_rows
from tui.ui.render.inert import inert


class BranchesView(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "close", "Close", id="branches.close")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, conversation: Conversation, selected: str | None) -> None:
        super().__init__()
        self.conversation = conversation
        self.selected = selected

    def compose(self) -> ComposeResult:
        c = self.conversation
        count = len(leaves(c))
        title = one_line(c.title, 60) or "this conversation"
        with Vertical(classes="dialog-box"):
            yield Static(inert(f"Branches of {title}: {len(c.nodes)} messages, {count} "
                               f"branch{'es' if count != 1 else ''}"), classes="hint")
            yield OptionList(id="branches-list")
            yield Static("* the branch shown · indented: an alternative to the line below it "
                         "· Enter shows its branch · Esc closes", classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        rows = outline_rows(self.conversation)
        options.add_options(Option(inert(row.text), id=row.message.id) for row in rows)
        ids = [row.message.id for row in rows]
        target = self.selected if self.selected in ids else self.conversation.current
        if target in ids:
            options.highlighted = ids.index(target)
        options.focus()

    @on(OptionList.OptionSelected, "#branches-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
