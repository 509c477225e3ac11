"""``cline-tui ask``: one turn with no TUI. The reply streams to stdout; the saved id and
a usage line go to stderr.

Every exit path saves: the prompt is written before the request is sent, the reply is
journaled while it streams (``tui.storage.journal``: a SIGKILL loses at most the last second or
two), and the end of the turn saves the reply whatever ended it: finished, failed, Ctrl+C
(cancelled), SIGTERM or SIGHUP (interrupted), or stdout closed by its reader (printing
stops quietly, the reply is still read to its end and saved). When saving failed the
exit code is 5, whatever happened to the turn, and stderr says why.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tui.api.client import ChatClient
from tui.api.errors import Failure
from tui.api.request import ChatRequest
from tui.api.stream import Retrying
from tui.chat.tool_loop import SentReply
from tui.chat.turn import (
    build_request,
    continued_column,
    make_client,
    missing_key_message,
    new_conversation,
    request_model,
)
from tui.cli.answer_out import AnswerPrinter
from tui.cli.ask_input import model_inputs, read_input
from tui.cli.output import ExitCode, failure_exit, say
from tui.cli.quiet_pipe import QuietPipe
from tui.config import Config
from tui.format import finish_said, total_cost, turn_usage_line, usage_line
from tui.model.attachment import Attachment, AttachmentError
from tui.model.conversation import Conversation, Message
from tui.model.tree import go_on_from, matching
from tui.model.wire import Inputs
from tui.storage.journal import Journaling, mark_interrupted
from tui.storage.store import ConversationStore, StoreError

if TYPE_CHECKING:
    from tui.cli.ask_tools import AskTools

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@dataclass(frozen=True)
class AskOptions:
    """``cline-tui ask``'s command line (built by ``tui.cli.launch.ask_options``)."""

    prompt: list[str] = field(default_factory=list)  # the words; none: read stdin
    attach: tuple[str, ...] = ()  # -a FILE, in order
    continue_id: str | None = None
    from_id: str | None = None  # with continue_id: the message the new prompt follows
    save: bool = True
    streaming: bool = True
    json: bool = False
    reasoning: bool = False
    # Given on the command line: they then apply to a continued conversation too.
    model_given: bool = False
    system_given: bool = False
    temperature_given: bool = False
    # MCP tools: --tools (all), --tool NAME (only these), --allow NAME, --yes.
    tools: bool = False
    tool_names: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    yes: bool = False
    over_budget: bool = False  # send even when a [budget] limit would be passed

    @property
    def wants_tools(self) -> bool:
        return self.tools or bool(self.tool_names)


def go_on_from_message(conversation: Conversation, given: str) -> str | None:
    """Make the next prompt go on from the message ``given`` names (``ask --from``), or
    say why it cannot. After a reply (or a tool result) the prompt is its child; after a
    prompt it is an alternative to that prompt, as editing it in the chat screen is (two
    prompts in a row would send only the second). Either way a new branch, which becomes
    the current one when the turn is saved."""
    if conversation.kind == "compare":
        return (f"conversation {conversation.id} is a comparison: --from goes on from a "
                "message of a chat only")
    found = matching(conversation, given)
    if not found:
        return (f"no message '{given}' in conversation {conversation.id} "
                f"(cline-tui show {conversation.id} --tree lists them)")
    if len(found) > 1:
        listed = ", ".join(f"{m.id} ({m.role})" for m in found[:5])
        return (f"'{given}' could be any of {len(found)} messages of conversation "
                f"{conversation.id}: {listed}{'…' if len(found) > 5 else ''}")
    message = found[0]
    if message.role == "user":
        parent = next((m for m in conversation.nodes if m.id == message.parent), None)
        go_on_from(conversation, parent)
    else:
        go_on_from(conversation, message)
    return None


def over_budget(config: Config, conversation: Conversation, prompt: str,
                attachments: list[Attachment] | None = None) -> bool:
    """Say so and True when sending ``prompt`` would pass a ``[budget]`` limit."""
    from tui.api.catalog import Catalog
    from tui.chat.budget import overruns, spent_today
    from tui.model.estimate import next_prompt, prompt_cost

    cached = Catalog(make_client(config), config.paths.cache_dir).cached()
    info = next((m for m in cached[0] if m.id == conversation.model), None) if cached else None
    estimate = next_prompt(conversation, prompt, attachments or ())
    next_cost = prompt_cost(estimate.tokens, info.prompt_price if info else None)
    try:
        today = spent_today(config)
    except (OSError, StoreError) as error:
        say(f"cannot read today's spending from the history index: {error}")
        today = 0.0
    found = overruns(config.budget, today=today, conversation=total_cost(conversation),
                     next_cost=next_cost)
    for overrun in found:
        say(f"not sent: {overrun.describe()} (--over-budget sends anyway)")
    return bool(found)


def run_ask(args: AskOptions, config: Config) -> int:
    if args.from_id is not None and not args.continue_id:
        say("--from names a message of the conversation --continue ID (or -c) continues: "
            "give one")
        return ExitCode.USAGE
    if (args.allow or args.yes) and not args.wants_tools:
        say("--allow and --yes do nothing without --tools or --tool: no tools are offered")
    given = read_input(args.prompt, list(args.attach))
    if given is None:
        return ExitCode.USAGE
    prompt = given.prompt
    if config.profile.starts_server:
        from tui.local.model import with_local_model

        config = with_local_model(config)
    store = ConversationStore(config.paths.conversations)
    if args.continue_id:
        try:
            conversation = store.load(args.continue_id)
        except StoreError as error:
            say(str(error))
            return ExitCode.USAGE
        if args.from_id is not None:
            problem = go_on_from_message(conversation, args.from_id)
            if problem:
                say(problem)
                return ExitCode.USAGE
        # Options given now apply to this turn and are remembered.
        if args.model_given:
            conversation.model = config.model
        if args.system_given:
            conversation.system = config.system
        if args.temperature_given:
            conversation.temperature = config.temperature
    else:
        conversation = new_conversation(config, store if args.save else None)
        if not conversation.model:
            say(f"no model chosen for profile '{config.profile.name}': pass -m MODEL")
            return ExitCode.USAGE
    problem = missing_key_message(config)
    if problem:
        from tui.local.model import local_available

        if local_available(config):
            problem += " Or ask the local model, offline: cline-tui ask --profile local ..."
        say(problem)
        return ExitCode.USAGE
    if config.budget.any and not args.over_budget and over_budget(
            config, conversation, prompt, given.attachments):
        return ExitCode.USAGE
    inputs = model_inputs(config, conversation, request_model(conversation), given.attachments,
                          store)
    if inputs is None:
        return ExitCode.USAGE
    conversation.add(Message(role="user", content=prompt, attachments=given.attachments))
    try:  # earlier images and PDFs are read back now: one that is gone stops the turn
        first = build_request(conversation, stream=args.streaming, say=say, inputs=inputs)
    except AttachmentError as error:
        say(f"not sent: {error}")
        return ExitCode.USAGE
    if config.profile.starts_server:
        from tui.cli.served import run_served

        return run_served(config, lambda served: asyncio.run(
            _turn(args, served, conversation, store, first, inputs)))
    return asyncio.run(_turn(args, config, conversation, store, first, inputs))


async def _turn(
    args: AskOptions, config: Config, conversation: Conversation, store: ConversationStore,
    first_request: ChatRequest, inputs: Inputs,
) -> int:
    saving = store if args.save else None
    _save(saving, conversation)  # the prompt, before the request is sent (quiet: retried)
    stop = _StopSignals()
    out = QuietPipe(sys.stdout)  # a reader that went away ends printing, quietly
    turn = _TurnState()
    tools: AskTools | None = None

    def request_for() -> ChatRequest:
        if not turn.replies:
            return first_request
        return build_request(conversation, stream=args.streaming, inputs=inputs)

    async with make_client(config) as client:

        async def send(request: ChatRequest) -> SentReply:
            return await _stream_reply(args, client, request, conversation, saving, out, turn,
                                       stop)

        try:
            if args.wants_tools:
                from tui.cli.ask_tools import start_tools

                tools = await start_tools(config, client, first_request.model,
                                          names=args.tool_names, allow=args.allow, yes=args.yes)
            if tools is not None and tools.loop is not None:
                outcome = await tools.loop.run_turn(
                    conversation, request_for, send, lambda: _save(saving, conversation))
                turn.stopped, turn.round_limit = outcome.stopped, outcome.round_limit
            else:
                await send(request_for())
        except asyncio.CancelledError:
            turn.cancelled = True  # Ctrl+C, SIGTERM, SIGHUP while a tool ran
        finally:
            stop.streaming_over()
            if tools is not None:
                await tools.stop()
    return _finish(args, conversation, saving, stop, turn, out)


@dataclass
class _TurnState:
    """What the requests of one turn came to."""

    replies: list[Message] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: Failure | None = None
    cancelled: bool = False
    stopped: bool = False  # the user chose to stop at a tool approval
    round_limit: bool = False
    saved: bool = True


async def _stream_reply(
    args: AskOptions, client: ChatClient, request: ChatRequest, conversation: Conversation,
    saving: ConversationStore | None, out: QuietPipe, turn: _TurnState, stop: _StopSignals,
) -> SentReply:
    """Send one request, print its reply as it streams, add it to the conversation and
    save. Cancellation (Ctrl+C, SIGTERM, SIGHUP) keeps and saves what arrived."""
    printer = AnswerPrinter(out, sys.stderr, answer=not args.json, reasoning=args.reasoning)
    stream = client.stream(request)
    if conversation.kind == "compare":  # the reply belongs to the column carried on
        stream.reply.column = continued_column(conversation)
    journaling = Journaling(saving, conversation, lambda: stream.reply)
    try:
        async for delta in stream:
            if isinstance(delta, Retrying):
                say(f"{delta.reason} Retrying in {delta.wait:.1f} s.")
                continue
            printer.add(delta)
    except asyncio.CancelledError:
        turn.cancelled = True  # keep and save what arrived
    journaling.stop()
    reply = stream.reply
    printer.close()
    out.flush()
    conversation.add(reply)
    turn.replies.append(reply)
    if turn.cancelled and stop.signal_name:
        mark_interrupted(reply, stop.signal_name)
    if not args.wants_tools:
        for call in reply.tool_calls:
            say(f"tool call {call.name}({call.arguments}) (not run: ask --tools runs tools)")
    ended = finish_said(reply.finish_reason)
    if ended and reply.finish_reason != "tool_calls":
        say(ended)
    # The last reply of the turn reports the save; one with calls is not the last.
    saved = _save(saving, conversation, report=not reply.tool_calls and not turn.cancelled)
    turn.saved = saved
    journaling.finish(saved)
    say(usage_line(reply))
    turn.warnings += stream.warnings
    turn.failure = stream.failure
    return SentReply(reply, ok=not turn.cancelled and stream.failure is None)


def _finish(args: AskOptions, conversation: Conversation, saving: ConversationStore | None,
            stop: _StopSignals, turn: _TurnState, out: QuietPipe) -> int:
    """The end of the turn: the JSON answer, the last save, the totals, the exit code."""
    reply = turn.replies[-1] if turn.replies else None
    if args.json and reply is not None:
        out.write(json.dumps(_reply_json(reply), ensure_ascii=False, indent=2) + "\n")
        out.flush()
    if reply is None or reply.tool_calls or turn.cancelled:
        turn.saved = _save(saving, conversation, report=True) and turn.saved
    if len(turn.replies) > 1:
        say(turn_usage_line(turn.replies))
    for warning in turn.warnings:
        say(warning)
    code = ExitCode.OK
    if turn.cancelled:
        by = f" by {stop.signal_name}" if stop.signal_name else ""  # else Ctrl+C
        say(f"interrupted{by}: the partial reply was kept")
        code = ExitCode.FAILED
    elif turn.failure is not None:
        say(turn.failure.message)
        code = failure_exit(turn.failure)
    elif turn.stopped or turn.round_limit:
        if turn.stopped:
            say("stopped at a tool call: the turn ended there")
        code = ExitCode.FAILED
    return code if turn.saved else ExitCode.NOT_SAVED


def _save(store: ConversationStore | None, conversation: Conversation,
          report: bool = False) -> bool:
    """Write the conversation (nothing to do with ``--no-save``); False when that failed.
    ``report``: say on stderr what happened."""
    if store is None:
        return True
    try:
        saved = store.save(conversation)
    except (OSError, StoreError, ValueError) as error:  # ValueError: text TOML cannot hold
        if report:
            say(f"could not save the conversation: {error}")
        return False
    if report:
        if saved.note:  # merged with another writer's turns, or kept apart from them
            say(saved.note)
        say(f"saved conversation {saved.stem}")
    return True


class _StopSignals:
    """SIGTERM and SIGHUP (the terminal closed) while the reply streams cancel it, as
    Ctrl+C does; the partial reply is then saved marked interrupted. A signal after the
    stream ended changes nothing: the turn is saved as it is."""

    def __init__(self) -> None:
        self.signal_name: str | None = None
        self._task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            # Removed when asyncio.run closes the loop, after the final save.
            loop.add_signal_handler(number, self._stop, number)

    def _stop(self, number: signal.Signals) -> None:
        if self._task is not None and self.signal_name is None:
            self.signal_name = number.name
            self._task.cancel()

    def streaming_over(self) -> None:
        self._task = None


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
