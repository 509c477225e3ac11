"""What a strict server rejects in a chat request: OpenAI's checks and those of strict chat
templates (llama.cpp's Jinja templates for Mistral, Gemma and others, which raise on
roles that do not alternate).

``violation(body)`` names the first rule a request body breaks, or returns None. The
loopback server in strict mode answers such a request with a 400 naming the rule.
"""

from __future__ import annotations

import json
import math
from typing import Any

ROLES = {"system", "user", "assistant", "tool"}


class Violation(Exception):
    """A rule broken: ``rule`` is a short code, the message says where and how."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule


def violation(body: bytes) -> Violation | None:
    try:
        check(body)
    except Violation as broken:
        return broken
    return None


def check(body: bytes) -> None:
    data = _parse(body)
    if not isinstance(data, dict):
        raise Violation("invalid_body", "the body is not a JSON object")
    model = data.get("model")
    if not isinstance(model, str) or not model.strip():
        raise Violation("invalid_model", f"'model' must be a non-empty string, got {model!r}")
    if data.get("temperature") is not None:
        _check_temperature(data["temperature"])
    if "stream" in data and not isinstance(data["stream"], bool):
        raise Violation("invalid_stream", "'stream' must be true or false")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Violation("invalid_messages", "'messages' must be a non-empty array")
    _check_messages(messages)


def _parse(body: bytes) -> Any:
    def no_constant(name: str) -> Any:
        raise Violation("invalid_json", f"{name} is not JSON")

    try:
        return json.loads(body.decode("utf-8"), parse_constant=no_constant)
    except UnicodeDecodeError:
        raise Violation("invalid_json", "the body is not UTF-8") from None
    except ValueError as error:
        raise Violation("invalid_json", f"the body is not JSON: {error}") from None


def _check_temperature(value: Any) -> None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not 0 <= value <= 2:
        raise Violation("invalid_temperature", f"'temperature' must be from 0 to 2, got {value!r}")


def _check_messages(messages: list[Any]) -> None:
    expected = "user"  # after the system prompt: user, then assistant, then user, ...
    pending: list[str] = []  # tool calls of the last assistant message not answered yet
    used_ids: set[str] = set()
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise Violation("invalid_message", f"{where} is not an object")
        role = message.get("role")
        if role not in ROLES:
            raise Violation("invalid_role", f"{where} has role {role!r}")
        content = message.get("content")
        if role == "system":
            if index != 0:
                raise Violation("system_not_first", f"{where}: a system message only comes first")
            _check_text(where, content)
            continue
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                raise Violation(
                    "unexpected_tool_message",
                    f"{where}: tool_call_id {call_id!r} answers no call of the assistant "
                    "message before it",
                )
            pending.remove(call_id)
            _check_text(where, content)
            continue
        if pending:
            raise Violation(
                "unanswered_tool_call",
                f"{where}: tool calls {pending} were not answered by tool messages",
            )
        carries_on = role == "assistant" and _after_tools(messages, index)
        if role != expected and not carries_on:
            raise Violation(
                "roles_not_alternating",
                f"{where} is {role!r} where {expected!r} was expected: after the system "
                "prompt, roles must alternate user/assistant/user/assistant/...",
            )
        if role == "user":
            _check_text(where, content, parts=True)
            expected = "assistant"
            continue
        calls = message.get("tool_calls")
        if calls is not None:
            pending = _check_calls(where, calls, used_ids)
        if content is not None:
            _check_text(where, content)
        if not content and not pending:
            raise Violation("empty_assistant_message", f"{where} has no content and no tool calls")
        expected = "user"
    if pending:
        raise Violation("unanswered_tool_call", f"tool calls {pending} were not answered")


def _after_tools(messages: list[Any], index: int) -> bool:
    """An assistant message right after tool results carries on the same turn."""
    previous = messages[index - 1] if index else None
    return isinstance(previous, dict) and previous.get("role") == "tool"


def _check_text(where: str, content: Any, parts: bool = False) -> None:
    if isinstance(content, str) or (parts and isinstance(content, list)):
        return
    raise Violation("invalid_content", f"{where}.content must be a string, got {content!r}")


def _check_calls(where: str, calls: Any, used_ids: set[str]) -> list[str]:
    if not isinstance(calls, list) or not calls:
        raise Violation("invalid_tool_calls", f"{where}.tool_calls must be a non-empty array")
    ids = []
    for number, call in enumerate(calls):
        at = f"{where}.tool_calls[{number}]"
        if not isinstance(call, dict) or call.get("type") != "function":
            raise Violation("invalid_tool_call", f"{at} must be an object of type 'function'")
        call_id = call.get("id")
        if not isinstance(call_id, str) or not call_id or call_id in used_ids:
            raise Violation("invalid_tool_call_id", f"{at} needs an id of its own, got {call_id!r}")
        used_ids.add(call_id)
        function = call.get("function")
        if not isinstance(function, dict):
            raise Violation("invalid_tool_call", f"{at}.function must be an object")
        name, arguments = function.get("name"), function.get("arguments")
        if not isinstance(name, str) or not name:
            raise Violation("invalid_tool_call", f"{at}.function.name must be a non-empty string")
        if not isinstance(arguments, str):
            raise Violation("invalid_tool_call", f"{at}.function.arguments must be a string")
        try:
            # llama.cpp parses them for templates that want an object.
            json.loads(arguments)
        except ValueError:
            raise Violation(
                "invalid_tool_call_arguments", f"{at}.function.arguments is not JSON"
            ) from None
        ids.append(call_id)
    return ids


def error_body(broken: Violation) -> dict[str, Any]:
    """OpenAI's error shape for a rejected request."""
    return {
        "error": {
            "message": f"strict server: {broken}",
            "type": "invalid_request_error",
            "param": None,
            "code": broken.rule,
        }
    }
