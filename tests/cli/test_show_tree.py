"""``cline-tui show ID`` on a conversation with branches: the branch shown, and a word
(on stderr and at the top) that there are others; ``show ID --tree`` draws every branch,
one line per message, indented only where the conversation splits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.tree_support import TREE_ID, write_tree
from tui.cli.main import main
from tui.model.conversation import Conversation, Message, chain
from tui.model.tree import add_after
from tui.storage.store import ConversationStore

TREE = """\
20261201-100000-7ee7ee  Loops: 9 messages in 4 branches (* the branch shown; indented: \
alternatives to the next line less indented)
    you        c0000008  OTHER How do I loop in Go?  2/2
    assistant  c0000009  OTHER for range.
* you        c0000001  How do I loop in C?  1/2
    assistant  c0000007  OTHER use a while loop.  2/2
* assistant  c0000002  Use a for loop.  1/2
    you        c0000003  OTHER and in Python?  1/2
    assistant  c0000004  OTHER for x in xs.
* you        c0000005  and in Rust?  2/2
* assistant  c0000006  Use for x in xs.iter().
"""


def show(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["show", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_tree_draws_every_branch_and_marks_the_one_shown(
        isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(isolated_home / "conversations")
    code, out, err = show(capsys, TREE_ID[:10], "--tree")
    assert code == 0, err
    assert out == TREE


def test_show_prints_the_branch_shown_and_says_there_are_others(
        isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(isolated_home / "conversations")
    code, out, err = show(capsys, TREE_ID)
    assert code == 0, err
    assert "OTHER" not in out
    assert [line for line in out.splitlines() if line.startswith("## ")] == [
        "## You", "## Assistant (test/model)", "## You", "## Assistant (test/model)"]
    assert ("- branch: the one shown; 3 other branches are not in this export "
            "(the JSON export holds every branch)") in out.splitlines()
    assert f"3 other branches not shown: cline-tui show {TREE_ID} --tree" in err


def linear(count: int) -> Conversation:
    return Conversation(id="20261201-110000-11aa11", title="Long", nodes=chain([
        Message(role="user" if i % 2 == 0 else "assistant", content=f"message {i}")
        for i in range(count)]))


def test_a_long_conversation_without_alternatives_is_not_indented(
        isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ConversationStore(isolated_home / "conversations").save(linear(1000))
    code, out, err = show(capsys, "20261201-110000-11aa11", "--tree")
    assert code == 0, err
    lines = out.splitlines()[1:]
    assert len(lines) == 1000
    assert all(line.startswith(("* you ", "* assistant ")) for line in lines)
    assert lines[-1].endswith("message 999")
    code, out, err = show(capsys, "20261201-110000-11aa11")
    assert "branch" not in out and "branch" not in err


def test_deeply_nested_alternatives_stop_indenting_and_say_their_depth(
        isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = linear(2)  # the branch shown; the alternatives below nest off a side branch
    side = add_after(c, c.nodes[0], Message(role="assistant", content="side"), show=False)
    for depth in range(2, 16):
        older = add_after(c, side, Message(role="user", content=f"deep {depth}"), show=False)
        add_after(c, side, Message(role="user", content=f"newer {depth}"), show=False)
        side = older
    ConversationStore(isolated_home / "conversations").save(c)
    code, out, err = show(capsys, c.id, "--tree")
    assert code == 0, err
    by_text = {line.rsplit("  ", 1)[0].split("  ")[-1]: line for line in out.splitlines()}
    assert by_text["side"].startswith("    assistant")  # one step in
    assert by_text["deep 10"].startswith("  " + "  " * 10 + "you")
    assert by_text["deep 15"].startswith("  " + "  " * 10 + "(15) you")


def test_tree_with_another_format_is_a_usage_error(
        isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(isolated_home / "conversations")
    code, out, err = show(capsys, TREE_ID, "--tree", "--format", "json")
    assert code == 2 and out == ""
    assert "--format json or toml already holds every branch" in err


def test_tree_of_a_format_1_file_and_of_hostile_text(
        isolated_home: Path, capsys: pytest.CaptureFixture[str], ids: list[str]) -> None:
    old = isolated_home / "conversations" / "20261130-080000-0f0f0f.toml"
    old.write_text('format = 1\ntitle = "Old"\n'
                   '[[messages]]\nrole = "user"\ncontent = "hi"\n'
                   '[[messages]]\nrole = "assistant"\ncontent = "hello"\n', encoding="utf-8")
    code, out, err = show(capsys, "20261130-080000-0f0f0f", "--tree")
    assert code == 0, err
    assert out.splitlines()[1:] == ["* you        00000001  hi",
                                    "* assistant  00000002  hello"]
    code, out, err = show(capsys, "20261107-093000-0000bb", "--tree")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "[red]not red[/red]" in out
