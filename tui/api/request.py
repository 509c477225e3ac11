"""What is sent: a chat request's body, and how often a failed one is sent again."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    stream: bool = True
    temperature: float | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.messages,
            "stream": self.stream,  # always explicit: the Cline API defaults to true
        }
        if self.stream:
            body["stream_options"] = {"include_usage": True}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.tools:
            body["tools"] = self.tools
        return body


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # retries after the first try
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 60.0  # longer Retry-After waits are reported, not slept through

    def delay(self, attempt: int, asked: float | None) -> float | None:
        if asked is not None:
            return asked if asked <= self.max_wait else None
        backoff = min(self.max_delay, self.base_delay * 2**attempt)
        return backoff * (0.5 + random.random() / 2)
