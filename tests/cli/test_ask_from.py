"""``ask --continue ID`` on a conversation with branches goes on from the branch shown;
``--from MSG`` goes on from any message as a new branch. Checked where it matters: the
request the server received holds exactly that branch's messages (no alternative's text,
reasoning or reasoning details), and the file keeps every branch with the new one
current."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_support import cli, saved
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.tree_support import OTHER, SHAPE, TREE_ID, write_tree

C_PROMPT = {"role": "user", "content": "How do I loop in C?"}
C_REPLY = {"role": "assistant", "content": "Use a for loop."}


@pytest.fixture
def tree(isolated_home: Path) -> Path:
    write_tree(isolated_home / "conversations")
    return isolated_home / "conversations" / f"{TREE_ID}.toml"


def ask(home: Path, server: LoopbackServer, *args: str) -> list[dict[str, object]]:
    """Run ``ask ARGS`` (the reply "Done."), check it worked, and return the messages
    the server was sent, after checking no other branch's text reached it."""
    server.enqueue(Reply.sse(sse_body(*text_chunks("Done."))))
    run = cli(home, "ask", *args, server=server)
    assert run.code == 0, run.stderr
    assert run.saved_id() == TREE_ID
    request = server.chat_requests()[-1]
    assert OTHER not in request.body.decode("utf-8")
    messages: list[dict[str, object]] = request.json()["messages"]
    return messages


def branch_saved(home: Path) -> list[tuple[str, str]]:
    """The branch the file shows (following parents from ``current``): (role, content)."""
    data = saved(home, TREE_ID)
    by_id = {m["id"]: m for m in data["messages"]}
    branch, at = [], by_id[data["current"]]
    while True:
        branch.append((at["role"], at["content"]))
        if "parent" not in at:
            return branch[::-1]
        at = by_id[at["parent"]]


def test_continue_goes_on_from_the_branch_shown(isolated_home: Path, tree: Path,
                                                 server: LoopbackServer) -> None:
    sent = ask(isolated_home, server, "--continue", TREE_ID, "and in Zig?")
    assert sent == [C_PROMPT, C_REPLY, {"role": "user", "content": "and in Rust?"},
                    {"role": "assistant", "content": "Use for x in xs.iter()."},
                    {"role": "user", "content": "and in Zig?"}]
    assert branch_saved(isolated_home)[-2:] == [("user", "and in Zig?"), ("assistant", "Done.")]
    assert len(saved(isolated_home, TREE_ID)["messages"]) == len(SHAPE) + 2


def test_from_a_reply_on_another_branch_sends_only_that_branch(
        isolated_home: Path, tree: Path, server: LoopbackServer) -> None:
    # c0000007 is an alternative reply to the first prompt, off the branch shown: its own
    # text is OTHER, so check the exact messages instead of the OTHER rule.
    server.enqueue(Reply.sse(sse_body(*text_chunks("Done."))))
    run = cli(isolated_home, "ask", "--continue", TREE_ID, "--from", "c0000007", "why?",
              server=server)
    assert run.code == 0, run.stderr
    request = server.chat_requests()[-1]
    assert request.json()["messages"] == [
        C_PROMPT, {"role": "assistant", "content": "OTHER use a while loop.",
                   "reasoning_details": [{"type": "reasoning.text", "text": "OTHER detail",
                                          "index": 0}]},
        {"role": "user", "content": "why?"}]
    assert "and in Rust?" not in request.body.decode("utf-8")
    assert branch_saved(isolated_home) == [
        ("user", "How do I loop in C?"), ("assistant", "OTHER use a while loop."),
        ("user", "why?"), ("assistant", "Done.")]


def test_from_a_reply_by_a_unique_start_of_its_id(isolated_home: Path, tree: Path,
                                                  server: LoopbackServer) -> None:
    sent = ask(isolated_home, server, "--continue", TREE_ID[:12], "--from", "C0000002",
               "and in Go?")
    assert sent == [C_PROMPT, C_REPLY, {"role": "user", "content": "and in Go?"}]
    data = saved(isolated_home, TREE_ID)
    new_prompt, reply = data["messages"][-2:]
    assert new_prompt["parent"] == "c0000002" and reply["parent"] == new_prompt["id"]
    assert data["current"] == reply["id"]
    # Nothing was lost: every earlier message is still there, as it was.
    assert [(m["id"], m.get("parent")) for m in data["messages"][:-2]] == [
        (i, p) for i, p, _, _ in SHAPE]


def test_from_a_prompt_makes_an_alternative_to_it(isolated_home: Path, tree: Path,
                                                  server: LoopbackServer) -> None:
    sent = ask(isolated_home, server, "--continue", TREE_ID, "--from", "c0000005",
               "and in Ruby?")
    assert sent == [C_PROMPT, C_REPLY, {"role": "user", "content": "and in Ruby?"}]
    data = saved(isolated_home, TREE_ID)
    assert data["messages"][-2]["parent"] == "c0000002"  # a sibling of c0000005


def test_from_the_first_prompt_starts_a_new_first_branch(isolated_home: Path, tree: Path,
                                                         server: LoopbackServer) -> None:
    sent = ask(isolated_home, server, "--continue", TREE_ID, "--from", "c0000001",
               "How do I loop in Ada?")
    assert sent == [{"role": "user", "content": "How do I loop in Ada?"}]
    assert "parent" not in saved(isolated_home, TREE_ID)["messages"][-2]
    assert branch_saved(isolated_home) == [("user", "How do I loop in Ada?"),
                                           ("assistant", "Done.")]


@pytest.mark.parametrize(("args", "said"), [
    (["--continue", TREE_ID, "--from", "d0000001"],
     f"no message 'd0000001' in conversation {TREE_ID}"),
    (["--continue", TREE_ID, "--from", "c00000"], "'c00000' could be any of 9 messages"),
    (["--from", "c0000002"], "--from names a message of the conversation --continue"),
])
def test_a_message_that_is_not_one_is_a_usage_error(
        isolated_home: Path, tree: Path, server: LoopbackServer,
        args: list[str], said: str) -> None:
    before = tree.read_bytes()
    run = cli(isolated_home, "ask", *args, "hello", server=server)
    assert run.code == 2
    assert said in run.stderr
    assert server.requests == []
    assert tree.read_bytes() == before


def test_from_in_a_comparison_is_refused(isolated_home: Path,
                                         server: LoopbackServer) -> None:
    from tests.support.history_support import write_fixed

    write_fixed(isolated_home / "conversations")
    run = cli(isolated_home, "ask", "--continue", "20261106-093000-0000aa", "--from",
              "00000001", "more", server=server)
    assert run.code == 2
    assert "is a comparison" in run.stderr
    assert server.requests == []
