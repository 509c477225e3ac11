"""What went wrong with a request, in plain words.

Every failure the client meets becomes one ``Failure``: its kind decides retries and
exit codes (``tui.cli.output.failure_exit``), its message is one line a person can act
on. The API key never appears in a message, even when a server echoes it back.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

from tui.api.reply import error_text
from tui.config import Profile

MAX_ERROR_BODY = 64 * 1024  # bytes of an error response read, at most
FailureKind = Literal[
    "auth", "credits", "rate_limit", "refused", "server", "network", "timeout", "stream",
    "cut_off", "redirect", "request",
]


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    message: str
    status: int | None = None
    retry_after: float | None = None  # seconds the server asked us to wait
    retryable: bool = False
    # The message without its advice to wait ("Try again in 40 s."), for when the client
    # waits and retries by itself and says so in its own words; None: the message.
    cause: str | None = None

    @property
    def reason(self) -> str:
        """What went wrong, without advice on what to do about it."""
        return self.cause or self.message


def redact(text: str, secret: str | None) -> str:
    if secret and len(secret) >= 4 and secret in text:
        return text.replace(secret, "[API key]")
    return text


def retry_after_seconds(headers: dict[str, str], now: float | None = None) -> float | None:
    """The wait a 429/503 asks for: ``retry-after-ms``, then ``Retry-After`` in seconds
    or as an HTTP date."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def body_message(body: bytes, limit: int = 300) -> str:
    """The error message inside a response body: ``error`` as an object, a string, or a
    string holding JSON; otherwise the start of the body itself."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        if "error" in data and data["error"] is not None:
            message = error_text(data["error"])
        elif isinstance(data.get("message"), str):
            message = data["message"]
        elif isinstance(data.get("detail"), str):  # FastAPI-style servers
            message = data["detail"]
        else:
            message = text
    else:
        message = text
    message = " ".join(message.split())
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return message


def http_failure(
    status: int, headers: dict[str, str], body: bytes, profile: Profile, api_key: str | None
) -> Failure:
    key_sent = bool(api_key)
    detail = redact(body_message(body), api_key) or f"HTTP {status}"
    if detail.endswith(".") and not detail.endswith(".."):
        detail = detail[:-1]  # it is written inside parentheses that end the sentence
    lowered = {k.lower(): v.lower() for k, v in headers.items()}
    no_retry = lowered.get("no-retry", "") in ("true", "1", "yes")
    if status in (401, 403):
        if not key_sent:
            message = f"No API key is set for profile '{profile.name}'. {profile.key_help()}"
        else:
            message = f"The API key was refused ({status}: {detail}). {profile.key_help()}"
        return Failure("auth", message, status)
    if status == 402:
        where = " Add credits at https://app.cline.bot." if profile.is_cline else ""
        return Failure("credits", f"Out of credits (402: {detail}).{where}", status)
    if status == 429:
        wait = retry_after_seconds(headers)
        hint = f" Try again in {format_wait(wait)}." if wait is not None and not no_retry else ""
        cause = f"Rate limited (429: {detail})."
        return Failure("rate_limit", cause + hint, status, wait, not no_retry, cause)
    if status == 408:
        return Failure("timeout", f"The server timed out (408: {detail}).", status, None, True)
    if status >= 500:
        wait = retry_after_seconds(headers)
        return Failure(
            "server", f"The server failed ({status}: {detail}).", status, wait, not no_retry
        )
    return Failure("refused", f"The request was refused ({status}: {detail}).", status)


def format_wait(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3600 * 1.5:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class FailureError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure
