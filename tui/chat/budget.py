"""Spending limits (``[budget]`` in config.toml): whether the next request would pass
one, with the figures to show.

"Spent" is what saved replies cost as the server reported it (``usage.cost``): today's
across every conversation since local midnight, from the history index; a conversation's
over all its branches. The next request is counted at its estimated prompt cost
(``tui.model.estimate``); its answer's cost is not known before it is written, so a limit
can still be passed by one reply's completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tui.budget_config import Budget
from tui.config import Config
from tui.format import format_cost
from tui.storage.history_index import HistoryIndex


@dataclass(frozen=True)
class Overrun:
    """A limit the next request would pass."""

    name: str  # "daily" or "per-conversation"
    limit: float
    spent: float
    next_cost: float | None  # the request's estimated prompt cost (None: no price known)

    def describe(self) -> str:
        ahead = (f" + about {format_cost(self.next_cost)} for this request's prompt"
                 if self.next_cost else "")
        return (f"the {self.name} budget of {format_cost(self.limit)} would be passed: "
                f"{format_cost(self.spent)} spent{ahead}")


def overruns(budget: Budget, *, today: float, conversation: float | None,
             next_cost: float | None) -> list[Overrun]:
    """The limits that sending would pass: what is spent plus the next prompt's cost
    goes over the limit (or what is spent has reached it already)."""
    found = []
    ahead = next_cost or 0.0
    for name, limit, spent in (("daily", budget.daily, today),
                               ("per-conversation", budget.per_conversation,
                                conversation or 0.0)):
        if limit is not None and (spent + ahead > limit or spent >= limit):
            found.append(Overrun(name, limit, spent, next_cost))
    return found


def start_of_today(now: datetime | None = None) -> datetime:
    """Local midnight, as an aware time."""
    moment = (now or datetime.now()).astimezone()
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def index_is_built(config: Config) -> bool:
    """Whether the history index exists: counting from it then costs a scan of the
    folder, not a parse of every conversation."""
    return not HistoryIndex(config.paths.conversations, config.paths.cache_dir).needs_build()


def spent_today(config: Config) -> float:
    """What saved replies have cost since local midnight, in every conversation."""
    index = HistoryIndex(config.paths.conversations, config.paths.cache_dir)
    index.refresh()
    return index.spent_since(start_of_today())
