"""A turn with tools: the model's calls approved, run, answered, and the model asked
again, until it answers without calling a tool.

Front ends give the loop what only they know: how to send one request and show its
reply (``send``), how to ask the user about a call (``approve``), how to save, and a
``ToolLoopListener`` told what happens. The loop owns the rest: which calls need asking
(none with ``approve_all``; not those pre-approved, nor a tool the user allowed for the
chat), running the approved ones concurrently, one ``tool`` message per call ("Denied by
the user." for a denied one), and the round limit. Esc/stop ends the turn: the calls of
that reply are not run, and later requests answer them "not run" (``tui/model/wire.py``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from tui.api.request import ChatRequest
from tui.format import ReplyTotals, reply_totals
from tui.model.conversation import Conversation, Message, ToolCall
from tui.tools.catalog import ToolInfo, matches
from tui.tools.results import ToolResult, denied_result, error_result

if TYPE_CHECKING:  # the full-screen chat imports this module before any server runs
    from tui.tools.calls import ToolRunner

Decision = Literal["allow_once", "allow_tool", "deny", "stop"]
CANCELLED = "Cancelled by the user before it finished."


@dataclass(frozen=True)
class PendingCall:
    """A call waiting for approval: the call as the model made it and the tool it names."""

    call: ToolCall
    tool: ToolInfo


@dataclass(frozen=True)
class SentReply:
    """What ``send`` gives back: the reply (already added to the conversation and saved)
    and whether it ended well enough to go on (no error, not cancelled)."""

    message: Message
    ok: bool


class ToolLoopListener:
    """What the loop tells its front end; every method does nothing unless overridden."""

    def call_started(self, call: ToolCall, tool: ToolInfo | None) -> None: ...

    def call_finished(self, call: ToolCall, result: ToolResult) -> None: ...

    def round_limit(self, rounds: int) -> None: ...


@dataclass
class TurnOutcome:
    replies: list[Message] = field(default_factory=list)  # every reply of the turn
    stopped: bool = False  # the user stopped the turn at an approval
    round_limit: bool = False  # the last reply's calls were not run: too many rounds

    @property
    def totals(self) -> ReplyTotals:
        """Tokens and cost over every request of the turn."""
        return turn_totals(self.replies)

    @property
    def last(self) -> Message | None:
        return self.replies[-1] if self.replies else None


def turn_totals(replies: list[Message]) -> ReplyTotals:
    """The usage of a turn's replies added up (each reply keeps its own figures)."""
    return reply_totals(replies)


Approver = Callable[[PendingCall], Awaitable[Decision]]


class ToolLoop:
    def __init__(
        self,
        runner: ToolRunner,
        approve: Approver,
        *,
        rounds: int = 10,
        allowed: Collection[str] = (),
        approve_all: bool = False,
        listener: ToolLoopListener | None = None,
    ) -> None:
        """``allowed``: names that run without asking (a tool's own, offered or
        ``server.tool`` name, or a server's name for all its tools)."""
        self.runner = runner
        self.approve = approve
        self.rounds = rounds
        self.allowed: set[str] = set(allowed)  # grows with "allow this tool"
        self.approve_all = approve_all
        self.listener = listener or ToolLoopListener()

    def request_with_tools(self, request: ChatRequest) -> ChatRequest:
        return replace(request, tools=self.runner.catalog.request_tools())

    async def run_turn(
        self,
        conversation: Conversation,
        request_for: Callable[[], ChatRequest],
        send: Callable[[ChatRequest], Awaitable[SentReply]],
        save: Callable[[], object],
    ) -> TurnOutcome:
        """Send, answer the calls, send again, until a reply calls no tool."""
        outcome = TurnOutcome()
        rounds = 0
        while True:
            sent = await send(self.request_with_tools(request_for()))
            outcome.replies.append(sent.message)
            if not sent.ok or not sent.message.tool_calls:
                return outcome
            if rounds >= self.rounds:
                outcome.round_limit = True
                self.listener.round_limit(self.rounds)
                return outcome
            rounds += 1
            stopped = await self.answer_calls(conversation, sent.message)
            save()
            if stopped:
                outcome.stopped = True
                return outcome

    async def answer_calls(self, conversation: Conversation, reply: Message) -> bool:
        """Ask about, run and answer every call of ``reply``; True when the user chose
        to stop (then nothing is run and no answer is added)."""
        name_unnamed_calls(reply)
        denied: set[int] = set()
        for index, call in enumerate(reply.tool_calls):
            tool = self.runner.tool_for(call)
            if tool is None or self._preapproved(tool):
                continue  # an unknown tool gets its error result without asking
            decision = await self.approve(PendingCall(call, tool))
            if decision == "stop":
                return True
            if decision == "deny":
                denied.add(index)
            elif decision == "allow_tool":
                self.allowed.add(f"{tool.server}.{tool.name}")
        tasks = [asyncio.ensure_future(self._run_one(call, index in denied))
                 for index, call in enumerate(reply.tool_calls)]
        try:
            await asyncio.gather(*tasks)
        finally:
            # Cancelled (Esc, Ctrl+C): the calls still running are stopped, and every
            # call is answered all the same, so the saved turn says what happened.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for call, task in zip(reply.tool_calls, tasks, strict=True):
                done = not task.cancelled() and task.exception() is None
                result = task.result() if done else error_result(CANCELLED)
                conversation.add(tool_message(call, result))
        return False

    def _preapproved(self, tool: ToolInfo) -> bool:
        return self.approve_all or matches(tool, self.allowed)

    async def _run_one(self, call: ToolCall, denied: bool) -> ToolResult:
        if denied:
            result = denied_result()
        else:
            self.listener.call_started(call, self.runner.tool_for(call))
            result = await self.runner.run(call)
        self.listener.call_finished(call, result)
        return result


def name_unnamed_calls(reply: Message) -> None:
    """Give a call the provider sent with no id (or a repeated one) an id of its own: its
    result must name it, or the next request would send the call as not run."""
    seen: set[str] = set()
    for call in reply.tool_calls:
        while not call.id or call.id in seen:
            call.id = f"call_{secrets.token_hex(6)}"
        seen.add(call.id)


def tool_message(call: ToolCall, result: ToolResult) -> Message:
    """The ``tool`` message that answers ``call``."""
    return Message(
        role="tool", content=result.text, tool_call_id=call.id, tool_name=call.name,
        tool_error=result.error, duration_ms=result.duration_ms,
    )
