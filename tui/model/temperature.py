"""What a temperature may be, checked in one place for every way one arrives: typed
after ``-t`` or in a dialog, read from config.toml or settings.toml, about to be sent."""

from __future__ import annotations

import math

TEMPERATURE_RANGE = (0.0, 2.0)
TEMPERATURE_WORDS = "a number from 0 to 2"  # what a temperature must be, in messages


def check_temperature(value: object) -> float | str:
    """``value`` as a temperature the API accepts (a finite number from 0 to 2; True and
    False are not numbers), or a plain message saying why it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{value!r} is not a number"
    low, high = TEMPERATURE_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        return f"{value!r} is not {TEMPERATURE_WORDS}"
    return float(value)


def read_temperature(text: str) -> float | str:
    """Typed text as a temperature (``0.7``), or a plain message saying why it is not one."""
    try:
        number = float(text)
    except ValueError:
        return f"'{text}' is not a number"
    checked = check_temperature(number)
    return checked if isinstance(checked, float) else f"'{text}' is not {TEMPERATURE_WORDS}"
