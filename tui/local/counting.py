"""Counting the local model's prompt tokens with its server's own tokenizer.

llama-cpp-python's server sends no usage while streaming (see ``tui.api.counted_usage``),
but it has ``POST /extras/tokenize/count``. Asked for the prompt exactly as the server
builds it, it gives the server's own prompt count. The app can build it for the chat
format it chose itself, ``gemma`` (the bundled model): llama-cpp-python's ``format_gemma``
drops system messages and wraps each turn in ``<start_of_turn>…<end_of_turn>``; the
tokenizer adds the BOS token as the chat handler does. For a model file with a chat
template of its own, only the messages' text is counted: the template's few tokens per
message are missing, so the figure reads a little low. Either way the figure is the
app's count, and it is shown with "≈".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TOKENIZE_COUNT = "/extras/tokenize/count"  # at the server's root, beside /v1

_GEMMA_ROLES = {"user": "<start_of_turn>user\n", "assistant": "<start_of_turn>model\n"}
_GEMMA_END = "<end_of_turn>\n"


@dataclass
class LocalCounting:
    """How to count tokens on the app's own llama-cpp-python server."""

    chat_format: str | None = None  # the server's --chat_format (None: the file's template)

    def count_url(self, base_url: str) -> str:
        return base_url.rstrip("/").removesuffix("/v1") + TOKENIZE_COUNT

    def prompt_text(self, messages: list[dict[str, Any]]) -> str:
        """The prompt as the server builds it (gemma), or the messages' text."""
        if self.chat_format == "gemma":
            return gemma_prompt(messages)
        return "\n".join(filter(None, (_text(m) for m in messages)))


def gemma_prompt(messages: list[dict[str, Any]]) -> str:
    """llama-cpp-python's ``format_gemma``: user and assistant turns, then the model's."""
    prompt = ""
    for message in messages:
        role = _GEMMA_ROLES.get(message.get("role", ""))
        if role is None:
            continue
        content = message.get("content")
        prompt += role + content + _GEMMA_END if isinstance(content, str) and content else role
    return prompt + _GEMMA_ROLES["assistant"]


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(part["text"] for part in content
                         if isinstance(part, dict) and isinstance(part.get("text"), str))
    return ""
