"""The last check before a request leaves: values a server would reject, or that would
make the body invalid JSON (``json.dumps`` writes NaN and Infinity, which JSON has not),
stop the request with a message saying what to change. Nothing is sent then."""

from __future__ import annotations

import math
from typing import Any

from tui.model.temperature import TEMPERATURE_WORDS, check_temperature


def request_problem(body: dict[str, Any]) -> str | None:
    """Why ``body`` must not be sent, or None."""
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        return (
            f"No model is set for this conversation (found {model!r}), so nothing was sent: "
            "pick one with F2, or pass -m MODEL."
        )
    temperature = body.get("temperature")
    if temperature is not None and isinstance(check_temperature(temperature), str):
        return (
            f"The temperature {temperature!r} is not {TEMPERATURE_WORDS}, so "
            "nothing was sent: change it in this chat's settings, or pass -t."
        )
    if _holds_non_finite(body):
        return (
            "The request holds a number JSON cannot carry (NaN or infinity), so nothing was "
            "sent: check the conversation file for nan or inf."
        )
    return None


def _holds_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_holds_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_non_finite(v) for v in value)
    return False
