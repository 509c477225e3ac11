"""The usage sidebar: this reply's tokens, cost and speed, the conversation's totals,
and how much of the model's context window the conversation now fills.

A conversation with branches (an edited prompt, a regenerated reply) is counted twice:
"This branch" is the path shown, what going on from here builds on (the context used is
its too), and "All branches" is everything the conversation has cost. A conversation with
one branch has one "Conversation" block: the two would say the same.

"Spending" is what replies cost today in every conversation (from the history index,
counted in a thread when the chat opens and after each reply), against the ``[budget]``
limits when they are set."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from tui.api.catalog import ModelInfo
from tui.budget_config import Budget
from tui.format import (
    APPROX,
    approx,
    format_context,
    format_cost,
    reply_totals,
    tokens_per_second,
    total_cost,
)
from tui.model.conversation import Conversation, Message, Usage
from tui.ui.render.inert import inert


def _n(value: int | None, mark: str = "") -> str:
    """``1,234``; ``≈1,234`` with ``mark`` (a counted figure); ``–`` when unknown."""
    return "–" if value is None else f"{mark}{value:,}"


COUNTED_NOTE = (APPROX, "counted by cline-tui")  # under figures the server did not send


TOTALS, THIS_BRANCH, ALL_BRANCHES = "Conversation", "This branch", "All branches"
LAST_TURN = "Last turn"


def last_turn(branch: list[Message]) -> list[Message]:
    """The replies since the last prompt: one, or several when tools were called."""
    replies: list[Message] = []
    for message in reversed(branch):
        if message.role == "user":
            break
        if message.role == "assistant":
            replies.append(message)
    return replies[::-1]

GAP = 2  # cells between a label and its value, at every width


class Rows(Widget):
    """Labels and values, laid out for the width it is given: each label on the left, its
    value right-aligned, at least GAP blank cells between. Nothing wraps: when the width
    is short the value is cut with "…" (then the label), never the gap."""

    DEFAULT_CSS = "Rows { height: auto; }"

    def __init__(self, rows: list[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows

    def update(self, rows: list[tuple[str, str]]) -> None:
        if rows == self.rows:
            return  # the same rows: nothing to draw again
        layout = len(rows) != len(self.rows)
        self.rows = rows
        self.refresh(layout=layout)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows)

    def render(self) -> Content:
        width = self.content_region.width
        return Content("\n").join(_row(label, value, width) for label, value in self.rows)

    @property
    def text(self) -> str:
        """The rows as they are drawn (for tests and copy)."""
        return self.render().plain


def _row(label: str, value: str, width: int) -> Content:
    """One row ``width`` cells wide: the label, at least GAP blank cells, the value
    right-aligned. Too short: the value is cut with "…" first, then the label."""
    if cell_len(label) + GAP + cell_len(value) > width:
        keep = width - cell_len(label) - GAP - 1
        value = set_cell_size(value, keep) + "…" if keep >= 1 else "…"
        if cell_len(label) + GAP + 1 > width:
            label = set_cell_size(label, max(width - GAP - 2, 0)) + "…"
    space = max(width - cell_len(label) - cell_len(value), GAP)
    return Content.assemble((label + " " * space, "dim"), inert(value))


class UsagePanel(VerticalScroll, can_focus=False):
    """Not in the Tab order: Tab from the prompt goes straight to the transcript (the mouse
    wheel still scrolls it)."""

    DEFAULT_CSS = """
    UsagePanel {
        width: 34;
        padding: 0 1;
        border-left: vkey $foreground 20%;
        background: $surface;
    }
    UsagePanel .heading { text-style: bold; margin: 1 0 0 0; color: $usage-accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.reply = Rows([("status", "no reply yet")], id="usage-reply")
        # A turn of several requests (tool calls): its figures added up.
        self.turn_heading = Static(LAST_TURN, classes="heading", id="usage-turn-heading")
        self.turn = Rows([("requests", "0")], id="usage-turn")
        self.turn_heading.display = self.turn.display = False
        self.totals_heading = Static(TOTALS, classes="heading", id="usage-totals-heading")
        self.totals = Rows([("turns", "0")], id="usage-totals")
        self.all_heading = Static(ALL_BRANCHES, classes="heading", id="usage-tree-heading")
        self.all_branches = Rows([("turns", "0")], id="usage-tree")
        self.all_heading.display = self.all_branches.display = False  # until there are branches
        self.context = Rows([("used", "–")], id="usage-context")
        self.spending = Rows([("today", "–")], id="usage-spending")
        self.budget = Budget()
        self.spent_today: float | None = None  # None: not counted (yet)

    def compose(self) -> ComposeResult:
        yield Static("Last reply", classes="heading")
        yield self.reply
        yield self.turn_heading
        yield self.turn
        yield self.totals_heading
        yield self.totals
        yield self.all_heading
        yield self.all_branches
        yield Static("Context", classes="heading")
        yield self.context
        yield Static("Spending", classes="heading")
        yield self.spending

    def refresh_usage(self, conversation: Conversation, model: ModelInfo | None) -> None:
        branch = conversation.messages
        replies = [m for m in branch if m.role == "assistant"]
        last = replies[-1] if replies else None
        self.reply.update(self._reply_rows(last))
        turn = last_turn(branch)
        if len(turn) > 1:
            rows = self._total_rows(turn)
            self.turn.update([("requests", rows[0][1]), *rows[1:]])
        self.turn_heading.display = self.turn.display = len(turn) > 1
        branched = len(branch) < len(conversation.nodes)
        self.totals_heading.update(THIS_BRANCH if branched else TOTALS)
        self.totals.update(self._total_rows(branch))
        if branched:
            self.all_branches.update(self._total_rows(conversation.nodes))
        self.all_heading.display = self.all_branches.display = branched
        self.context.update(self._context_rows(last, model))
        self.spending.update(self._spending_rows(conversation))

    def show_spent_today(self, spent: float | None, budget: Budget,
                         conversation: Conversation) -> None:
        self.spent_today, self.budget = spent, budget
        self.spending.update(self._spending_rows(conversation))

    def _spending_rows(self, conversation: Conversation) -> list[tuple[str, str]]:
        """Today's spend in every conversation, and this one's when it has a limit."""
        def against(spent: float | None, limit: float | None) -> str:
            if limit is None:
                return format_cost(spent, "–")
            return f"{format_cost(spent or 0.0)} of {format_cost(limit)}"

        rows = [("today", against(self.spent_today, self.budget.daily))]
        if self.budget.per_conversation is not None:
            rows.append(("this chat",
                         against(total_cost(conversation), self.budget.per_conversation)))
        return rows

    @staticmethod
    def _total_rows(messages: list[Message]) -> list[tuple[str, str]]:
        totals = reply_totals(messages)
        mark = APPROX if totals.counted else ""
        return [
            ("turns", str(totals.turns)),
            ("prompt", _n(totals.prompt, mark)),
            ("completion", _n(totals.completion, mark)),
            ("cost", format_cost(totals.cost, "–")),
        ]

    @staticmethod
    def _reply_rows(reply: Message | None) -> list[tuple[str, str]]:
        if reply is None:
            return [("status", "no reply yet")]
        usage = reply.usage or Usage()
        rate = tokens_per_second(usage)
        mark = approx(usage)
        rows = [
            ("prompt", _n(usage.prompt_tokens, mark)),
            ("completion", _n(usage.completion_tokens, mark)),
            ("cached", _n(usage.cached_tokens)),
            ("cost", format_cost(usage.cost, "–")),
            ("first token", f"{usage.ttft_ms / 1000:.2f} s" if usage.ttft_ms is not None else "–"),
            ("speed", f"{mark}{rate:.1f} tok/s" if rate is not None else "–"),
            ("finish", reply.finish_reason or "–"),
        ]
        return [*rows, COUNTED_NOTE] if mark else rows

    @staticmethod
    def _context_rows(last: Message | None, model: ModelInfo | None) -> list[tuple[str, str]]:
        used = None
        mark = ""
        if last is not None and last.usage is not None and last.usage.prompt_tokens is not None:
            used = last.usage.prompt_tokens + (last.usage.completion_tokens or 0)
            mark = approx(last.usage)
        window = model.context_length if model else None
        rows = [("used", _n(used, mark)), ("window", format_context(window))]
        if used is not None and window:
            share = used / window
            filled = min(16, round(share * 16))
            shown = "<1%" if 0 < share < 0.01 else f"{share:.0%}"
            rows.append(("", f"{'█' * filled}{'░' * (16 - filled)} {shown}"))
        return rows
