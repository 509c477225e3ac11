"""The ``[budget]`` table of config.toml: spending limits in USD.

    [budget]
    daily = 5.00             # across every conversation, since local midnight
    per_conversation = 1.00  # what one conversation has cost, every branch counted

A bad value is a warning and that limit is off: the app still starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_KEYS = ("daily", "per_conversation")


@dataclass(frozen=True)
class Budget:
    daily: float | None = None
    per_conversation: float | None = None

    @property
    def any(self) -> bool:
        return self.daily is not None or self.per_conversation is not None


def parse_budget(table: Any, warnings: list[str]) -> Budget:
    if table is None:
        return Budget()
    if not isinstance(table, dict):
        warnings.append("config.toml: 'budget' must be a table (ignored)")
        return Budget()
    for key in table:
        if key not in _KEYS:
            warnings.append(f"config.toml: unknown setting 'budget.{key}' (ignored)")
    limits: dict[str, float] = {}
    for key in _KEYS:
        value = table.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value >= 0
        ):
            warnings.append(f"config.toml: 'budget.{key}' must be an amount in USD, "
                            f"0 or more (that limit is off)")
            continue
        limits[key] = float(value)
    return Budget(**limits)
