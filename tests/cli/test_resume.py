"""Which saved conversation ``--resume [ID]``, ``-c/--continue-last`` and ``ask --continue``
open: an id, its unique start (as ``show`` takes it), or the one updated last; anything
else is a clear error and exit 2 before the app or a request starts."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.cli.chat
from tests.support.cli_support import cli, saved
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tui.chat.launch import LaunchPlan
from tui.cli.main import main

NEWEST = "20261107-093000-0000bb"  # the newest readable one of the fixed conversations


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """What the full-screen app was asked to open (it is not started)."""
    plans: list[str | None] = []

    def run_app(plan: LaunchPlan, config: object) -> int:
        plans.append(plan.resume)
        return 0

    monkeypatch.setattr(tui.cli.chat, "run_app", run_app)
    return plans


@pytest.mark.parametrize(("argv", "expected"), [
    (["--resume", "20261104"], "20261104-093000-000003"),
    (["--resume", "20261104-093000-000003"], "20261104-093000-000003"),
    (["--resume"], NEWEST),
    (["-c"], NEWEST),
    (["--continue-last", "-m", "x/y"], NEWEST),
])
def test_resume_by_prefix_or_the_last(ids: list[str], opened: list[str | None],
                                      argv: list[str], expected: str) -> None:
    assert main(argv) == 0
    assert opened == [expected]


@pytest.mark.parametrize(("argv", "said"), [
    (["--resume", "202611"], "could be any of"),
    (["--resume", "2099"], "no saved conversation '2099'"),
    (["--resume", "../x"], "is not a conversation id"),
    (["--resume", "20261104", "-c"], "not both"),
])
def test_resume_refuses_unknown_or_ambiguous(
    ids: list[str], opened: list[str | None], capsys: pytest.CaptureFixture[str],
    argv: list[str], said: str,
) -> None:
    assert main(argv) == 2
    assert opened == []
    assert said in capsys.readouterr().err


def test_continue_last_with_nothing_saved(opened: list[str | None],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-c"]) == 2
    assert opened == [] and "no saved conversation to continue" in capsys.readouterr().err


def test_ask_continue_by_prefix_and_the_last(isolated_home: Path,
                                             server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("First.")), piece_size=16))
    first = cli(isolated_home, "ask", "one", server=server)
    conversation_id = first.saved_id()
    server.enqueue(Reply.sse(sse_body(*text_chunks("Second.")), piece_size=16))
    second = cli(isolated_home, "ask", "--continue", conversation_id[:-2], "two", server=server)
    assert second.code == 0, second.stderr
    assert second.saved_id() == conversation_id
    server.enqueue(Reply.sse(sse_body(*text_chunks("Third.")), piece_size=16))
    third = cli(isolated_home, "ask", "-c", "three", server=server)
    assert third.code == 0, third.stderr
    assert third.saved_id() == conversation_id
    contents = [m["content"] for m in saved(isolated_home, conversation_id)["messages"]]
    assert contents == ["one", "First.", "two", "Second.", "three", "Third."]


def test_ask_continue_ambiguous_is_exit_2_without_a_request(
    isolated_home: Path, ids: list[str], server: LoopbackServer
) -> None:
    run = cli(isolated_home, "ask", "--continue", "202611", "hi", server=server)
    assert run.code == 2
    assert "could be any of" in run.stderr
    assert server.requests == []
