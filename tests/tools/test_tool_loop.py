"""The tool loop as a front end uses it (no CLI): a real chat client against the
scripted chat server, the test MCP server as a real process, approvals from a script.
Checks what each request carried, what the conversation holds, and what the listener
was told."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from tests.support.client_support import make_client
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.mcp_support import call_chunks, stdio_test_server
from tui.api.request import ChatRequest
from tui.chat.tool_loop import (
    CANCELLED,
    Decision,
    PendingCall,
    SentReply,
    ToolLoop,
    ToolLoopListener,
)
from tui.model.conversation import Conversation, Message, ToolCall
from tui.model.wire import NOT_RUN, wire_messages
from tui.tools.calls import ToolRunner
from tui.tools.results import ToolResult
from tui.tools.servers import ToolServers


class Told(ToolLoopListener):
    def __init__(self) -> None:
        self.events: list[str] = []
        self.started = asyncio.Event()

    def call_started(self, call: ToolCall, tool: object) -> None:
        self.events.append(f"start {call.id}")
        self.started.set()

    def call_finished(self, call: ToolCall, result: ToolResult) -> None:
        self.events.append(f"done {call.id} error={result.error}")

    def round_limit(self, rounds: int) -> None:
        self.events.append(f"limit {rounds}")


def new_conversation() -> Conversation:
    conversation = Conversation(model="test/model")
    conversation.add(Message(role="user", content="go"))
    return conversation


async def run_turn(server: LoopbackServer, tmp_path: Path, answers: list[Decision],
                   listener: Told, rounds: int = 10,
                   conversation: Conversation | None = None) -> tuple[Conversation, object]:
    conversation = conversation or new_conversation()
    asked: list[PendingCall] = []

    async def approve(pending: PendingCall) -> Decision:
        asked.append(pending)
        return answers.pop(0)

    async with ToolServers([stdio_test_server()], tmp_path) as servers, \
            make_client(server) as client:
        await servers.wait_started()
        loop = ToolLoop(ToolRunner(servers, servers.catalog()), approve, rounds=rounds,
                        allowed=["test.image"], listener=listener)

        async def send(request: ChatRequest) -> SentReply:
            stream = client.stream(request)
            async for _delta in stream:
                pass
            conversation.add(stream.reply)
            return SentReply(stream.reply, ok=stream.failure is None)

        outcome = await loop.run_turn(
            conversation, lambda: ChatRequest("test/model", wire_messages(conversation)),
            send, lambda: None)
    return conversation, (outcome, asked)


async def test_allow_deny_and_preapproved_calls_in_one_reply(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("c1", "echo", {"text": "a"}), ("c2", "image", {}),
                                        ("c3", "fail", {})))),
        Reply.sse(sse_body(*call_chunks(("c4", "echo", {"text": "c"}),
                                        ("c5", "echo", {"text": "d"})))),
        Reply.sse(sse_body(*text_chunks("All done.", usage={
            "prompt_tokens": 10, "completion_tokens": 2, "cost": 0.0005}))),
    )
    told = Told()
    conversation, (outcome, asked) = await run_turn(
        server, tmp_path, ["allow_once", "deny", "allow_tool"], told)

    # c1 allowed once, c2 pre-approved, c3 denied; c4 "allow this tool", so c5 not asked.
    assert [p.call.id for p in asked] == ["c1", "c3", "c4"]
    assert asked[0].tool.server == "test" and asked[0].tool.name == "echo"
    tools = [m for m in conversation.messages if m.role == "tool"]
    assert [(m.tool_call_id, m.content, m.tool_error) for m in tools] == [
        ("c1", "a", False), ("c2", "[image: image/png, 70 bytes]", False),
        ("c3", "Denied by the user.", True), ("c4", "c", False), ("c5", "d", False)]
    assert [m.tool_name for m in tools] == ["echo", "image", "fail", "echo", "echo"]
    assert all(m.duration_ms is not None for m in tools if not m.tool_error)
    assert sorted(told.events[:5]) == sorted(
        ["start c1", "start c2", "done c1 error=False", "done c2 error=False",
         "done c3 error=True"])
    assert not outcome.stopped and not outcome.round_limit
    assert len(outcome.replies) == 3 and outcome.last.content == "All done."
    totals = outcome.totals
    assert (totals.turns, totals.prompt, totals.completion) == (3, 210, 42)  # 100+100+10
    assert round(totals.cost, 6) == 0.0025
    every = [r.json() for r in server.chat_requests()]
    assert all("echo" in str(body["tools"]) for body in every)


async def test_stop_at_an_approval_ends_the_turn_and_runs_nothing(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.enqueue(Reply.sse(sse_body(*call_chunks(("c1", "echo", {"text": "a"}),
                                                   ("c2", "echo", {"text": "b"})))))
    told = Told()
    conversation, (outcome, asked) = await run_turn(server, tmp_path, ["stop"], told)
    assert outcome.stopped and len(asked) == 1 and told.events == []
    assert [m.role for m in conversation.messages] == ["user", "assistant"]
    conversation.add(Message(role="user", content="never mind"))
    wire = wire_messages(conversation)
    assert [m["content"] for m in wire if m["role"] == "tool"] == [NOT_RUN, NOT_RUN]


async def test_the_round_limit_stops_before_running_more_calls(
    server: LoopbackServer, tmp_path: Path
) -> None:
    for number in range(3):
        server.enqueue(Reply.sse(sse_body(*call_chunks((f"c{number}", "image", {})))))
    told = Told()
    conversation, (outcome, _) = await run_turn(server, tmp_path, [], told, rounds=2)
    assert outcome.round_limit and told.events[-1] == "limit 2"
    assert len(server.chat_requests()) == 3
    assert [m.tool_call_id for m in conversation.messages if m.role == "tool"] == ["c0", "c1"]


async def test_cancelling_while_a_tool_runs_answers_every_call(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.enqueue(Reply.sse(sse_body(*call_chunks(("c1", "slow", {"seconds": 60}),
                                                   ("c2", "image", {})))))
    told = Told()
    conversation = new_conversation()
    task = asyncio.ensure_future(
        run_turn(server, tmp_path, ["allow_once"], told, conversation=conversation))
    await told.started.wait()
    while "done c2 error=False" not in told.events:  # the quick call has finished
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    tools = [m for m in conversation.messages if m.role == "tool"]
    assert [(m.tool_call_id, m.content, m.tool_error) for m in tools] == [
        ("c1", CANCELLED, True), ("c2", "[image: image/png, 70 bytes]", False)]
    assert len(server.chat_requests()) == 1  # the turn ended there
