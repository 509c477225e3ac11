"""Typed values out of one TOML table of a conversation file: a value of the wrong type
is reported in the conversation's problems and set aside raw (kept in the file), never
coerced and never a crash."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from tui.model.text import one_line

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Fields:
    """Typed values out of one TOML table; wrong types reported and set aside raw."""

    def __init__(self, data: dict[str, Any], where: str, problems: list[str]) -> None:
        self.data = data
        self.where = where
        self.problems = problems
        self.raw: dict[str, Any] = {}

    def _wrong(self, key: str, expected: str) -> None:
        value = self.data[key]
        shown = one_line(repr(value), 60)
        self.problems.append(
            f"{self.where}{key} = {shown} is not {expected}: kept in the file, not used")
        self.raw[key] = value

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        self._wrong(key, "text")
        return None

    def flag(self, key: str) -> bool:
        """A true/false key; absent or wrong: false (a wrong one is reported)."""
        value = self.data.get(key, False)
        if isinstance(value, bool):
            return value
        self._wrong(key, "true or false")
        return False

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self._wrong(key, "a whole number")
        return None

    def number(self, key: str, low: float = -math.inf, high: float = math.inf) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if (isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value) and low <= value <= high):
            return float(value)
        self._wrong(key, "a number" if math.isinf(high) else f"a number from {low} to {high}")
        return None

    def time(self, key: str) -> datetime:
        value = self.data.get(key)
        if isinstance(value, datetime):
            return utc(value)  # here, not at save time: a time out of range is unreadable
        if value is not None:
            self._wrong(key, "a date and time")
        return EPOCH

    def table(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is None or isinstance(value, dict):
            return value
        self._wrong(key, "a table")
        return None

    def listing(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self._wrong(key, "a list")
        return []

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self._wrong(key, "a list of texts")
        return []

    def extra(self, known: frozenset[str]) -> dict[str, Any]:
        """Unknown keys, and the raw values of known keys that had the wrong type."""
        return {**{k: v for k, v in self.data.items() if k not in known}, **self.raw}


def utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
