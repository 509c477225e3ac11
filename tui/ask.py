"""``cline-tui ask``: one turn with no TUI. The reply streams to stdout; the saved id and
a usage line go to stderr. A failed or interrupted turn still saves the prompt and any
partial reply."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from typing import Any, TextIO

from tui.answer_out import AnswerPrinter
from tui.client import Retrying
from tui.config import Config
from tui.conversation import Conversation, Message
from tui.session import (
    build_request,
    make_client,
    missing_key_message,
    new_conversation,
    usage_line,
)
from tui.store import ConversationStore, StoreError
from tui.text import one_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _say(message: str) -> None:
    print(f"cline-tui: {one_line(message, 2000)}", file=sys.stderr, flush=True)


def _read_prompt(args: argparse.Namespace) -> str | None:
    if args.prompt:
        return " ".join(args.prompt)
    if sys.stdin is None or sys.stdin.isatty():
        return None
    return sys.stdin.read()


def run_ask(args: argparse.Namespace, config: Config) -> int:
    prompt = _read_prompt(args)
    if prompt is None or not prompt.strip():
        _say("no prompt: give one as an argument or on stdin (cline-tui ask \"...\")")
        return EXIT_USAGE
    if config.profile.starts_server:
        from tui.local_model import with_local_model

        config = with_local_model(config)
    store = ConversationStore(config.paths.conversations)
    if args.continue_id:
        try:
            conversation = store.load(args.continue_id)
        except StoreError as error:
            _say(str(error))
            return EXIT_USAGE
        # Options given now apply to this turn and are remembered.
        if getattr(args, "model", None):
            conversation.model = config.model
        if getattr(args, "system", None) is not None:
            conversation.system = config.system
        if getattr(args, "temperature", None) is not None:
            conversation.temperature = config.temperature
    else:
        conversation = new_conversation(config)
        if not conversation.model:
            _say(f"no model chosen for profile '{config.profile.name}': pass -m MODEL")
            return EXIT_USAGE
    problem = missing_key_message(config)
    if problem:
        from tui.local_model import local_available

        if local_available(config):
            problem += " Or ask the local model, offline: cline-tui ask --profile local ..."
        _say(problem)
        return EXIT_USAGE
    if not args.no_save:
        conversation.id = store.new_id() if not args.continue_id else conversation.id
    conversation.add(Message(role="user", content=prompt))
    if config.profile.starts_server:
        from tui.local_server import run_served

        return run_served(
            config, lambda served: asyncio.run(_turn(args, served, conversation, store))
        )
    return asyncio.run(_turn(args, config, conversation, store))


async def _turn(
    args: argparse.Namespace, config: Config, conversation: Conversation, store: ConversationStore
) -> int:
    out: TextIO = sys.stdout
    request = build_request(conversation, stream=not args.no_stream)
    printer = AnswerPrinter(out, sys.stderr, answer=not args.json, reasoning=args.reasoning)
    async with make_client(config) as client:
        stream = client.stream(request)
        cancelled = False
        try:
            async for delta in stream:
                if isinstance(delta, Retrying):
                    _say(f"{delta.reason} Retrying in {delta.wait:.1f} s.")
                    continue
                printer.add(delta)
        except asyncio.CancelledError:
            cancelled = True  # Ctrl+C: keep and save what arrived
        reply = stream.reply
        printer.close()
        if args.json:
            out.write(json.dumps(_reply_json(reply), ensure_ascii=False, indent=2) + "\n")
        out.flush()

    conversation.add(reply)
    for call in reply.tool_calls:
        _say(f"tool call {call.name}({call.arguments})")
    if reply.finish_reason == "length":
        _say("the reply was cut off: the model reached its maximum output length")
    elif reply.finish_reason == "content_filter":
        _say("the reply was stopped by the provider's content filter")
    if not args.no_save:
        try:
            store.save(conversation)
            _say(f"saved conversation {conversation.id}")
        except (OSError, StoreError) as error:
            _say(f"could not save the conversation: {error}")
    _say(usage_line(reply))
    for warning in stream.warnings:
        _say(warning)
    if cancelled:
        _say("interrupted: the partial reply was kept")
        return EXIT_FAILED
    if stream.failure is not None:
        _say(stream.failure.message)
        return stream.failure.exit_code
    return EXIT_OK


def _reply_json(reply: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": reply.role,
        "model": reply.model,
        "content": reply.content,
        "reasoning": reply.reasoning or None,
        "refusal": reply.refusal or None,
        "tool_calls": [asdict(c) for c in reply.tool_calls] or None,
        "finish_reason": reply.finish_reason,
        "error": reply.error,
        "usage": None,
    }
    if reply.usage is not None:
        usage = asdict(reply.usage)
        usage.update(usage.pop("extra"))
        data["usage"] = usage
    return {k: v for k, v in data.items() if v is not None}
