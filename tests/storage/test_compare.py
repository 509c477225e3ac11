"""The pure parts of comparing models: parsing --compare, the turn summary, preferring
a reply, carrying a column on alone, and the compare file format."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tui.model.compare import (
    column_as_chat,
    last_turn,
    new_compare,
    parse_models,
    set_preferred,
    summarize,
    summary_rows,
)
from tui.model.conversation import Conversation, Message, Usage
from tui.model.wire import wire_messages
from tui.storage.store import ConversationStore


def reply(column: int, model: str, content: str, ttft: int, duration: int, cost: float | None,
          tokens: int, finish: str = "stop") -> Message:
    return Message(role="assistant", content=content, model=model, column=column,
                   finish_reason=finish,
                   usage=Usage(completion_tokens=tokens, ttft_ms=ttft, duration_ms=duration,
                               cost=cost))


def compare_with_turn() -> Conversation:
    c = new_compare(["fast/a", "slow/b", "cheap/c"], Conversation(system="Be brief."))
    c.add(Message(role="user", content="Hi"))
    c.add(reply(1, "slow/b", "Hello from b, at length.", 900, 4000, 0.01, 40))
    c.add(reply(0, "fast/a", "Hello from a.", 100, 1000, 0.002, 5))
    c.add(reply(2, "cheap/c", "Hey.", 300, 1500, 0.0001, 2))
    return c


def test_parse_models() -> None:
    assert parse_models("a, b,c") == ["a", "b", "c"]
    for bad in ("a", "a,b,c,d,e", ""):
        with pytest.raises(ValueError, match="2 to 4 models"):
            parse_models(bad)


def test_summary_names_the_winners() -> None:
    summary = summarize(last_turn(compare_with_turn()))
    assert summary.fastest_first_token and summary.fastest_first_token.model == "fast/a"
    assert summary.fastest_overall and summary.fastest_overall.model == "fast/a"
    assert summary.cheapest and summary.cheapest.model == "cheap/c"
    assert summary.longest and summary.longest.model == "slow/b"
    rows = summary_rows(summary.facts(), 200)
    assert rows == ["col 1: first token 0.10 s, done first 1.0 s · col 2: longest 40 tokens"
                    " · col 3: cheapest $0.0001"]


def test_summary_names_each_column_once_and_models_never() -> None:
    summary = summarize(last_turn(compare_with_turn()))
    text = " ".join(summary_rows(summary.facts(preferred=0), 200))
    assert text.count("col 1") == 1 and text.count("col 2") == 1
    assert "fast/a" not in text and "slow/b" not in text  # the headers name the models
    assert text.startswith("col 1: first token 0.10 s, done first 1.0 s, preferred · ")


def test_summary_rows_fit_the_width_and_never_cut_a_word() -> None:
    summary = summarize(last_turn(compare_with_turn()))
    facts = summary.facts(preferred=1)
    whole = " ".join(summary_rows(facts, 1000))
    for width in range(20, 120):
        rows = summary_rows(facts, width, max_rows=2)
        assert 1 <= len(rows) <= 2
        assert all(len(row) <= width for row in rows), (width, rows)
        shown = " ".join(rows)
        if shown != whole:
            assert shown.endswith(" …"), (width, rows)
        # Every word shown is a whole word of the full summary, or ends in "…".
        words = {word.rstrip(",") for word in whole.split()}
        for word in shown.removesuffix(" …").split():
            assert word.rstrip(",") in words or word.rstrip(",").endswith("…"), (width, rows)
    # Wide enough: one row; 60 columns (a small terminal): two, nothing left out.
    assert len(summary_rows(facts, 120)) == 1
    assert " ".join(summary_rows(facts, 58)) == whole


def test_failed_replies_win_nothing() -> None:
    c = compare_with_turn()
    c.messages[2].finish_reason = "error"  # fast/a failed after all
    c.messages[2].error = "boom"
    summary = summarize(last_turn(c))
    assert summary.fastest_first_token and summary.fastest_first_token.model == "cheap/c"


def test_last_turn_is_in_column_order_and_only_the_last_prompt() -> None:
    c = compare_with_turn()
    c.add(Message(role="user", content="Again"))
    c.add(reply(0, "fast/a", "Again a.", 100, 900, 0.001, 3))
    assert [m.content for m in last_turn(c)] == ["Again a."]


def test_prefer_marks_one_reply_and_is_saved(isolated_home: Path) -> None:
    c = compare_with_turn()
    set_preferred(c, 2)
    chosen = set_preferred(c, 1)
    assert chosen is not None and chosen.model == "slow/b"
    assert [m.preferred for m in last_turn(c)] == [False, True, False]
    store = ConversationStore(isolated_home / "conversations")
    path = store.save(c)
    data = tomllib.loads(path.read_text())
    assert data["kind"] == "compare" and data["models"] == ["fast/a", "slow/b", "cheap/c"]
    replies = [m for m in data["messages"] if m["role"] == "assistant"]
    assert [m["column"] for m in replies] == [1, 0, 2]
    assert [m.get("preferred", False) for m in replies] == [True, False, False]
    again = store.load(c.id)
    assert [m.preferred for m in last_turn(again)] == [False, True, False]


def test_each_column_sends_its_own_history() -> None:
    c = compare_with_turn()
    c.add(Message(role="user", content="More?"))
    wire = wire_messages(c, 2)
    assert wire == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hey."},
        {"role": "user", "content": "More?"},
    ]


def test_a_column_carries_on_as_a_chat() -> None:
    c = compare_with_turn()
    chat = column_as_chat(c, 1, "20261125-000000-aaaaaa")
    assert chat.kind == "chat" and chat.model == "slow/b" and chat.id != c.id
    assert [(m.role, m.content) for m in chat.messages] == [
        ("user", "Hi"), ("assistant", "Hello from b, at length.")]
    assert all(m.column is None for m in chat.messages)
    assert chat.system == "Be brief."
    assert len(c.messages) == 4  # the comparison itself is untouched


def test_export_stacked_and_side_by_side() -> None:
    from tui.storage.compare_export import compare_markdown

    c = compare_with_turn()
    set_preferred(c, 0)
    c.messages[1].content = "Line one | with a pipe\nline two"
    stacked = "\n".join(compare_markdown(c, "stacked"))
    assert stacked.index("### 1. fast/a ★ preferred") < stacked.index("### 2. slow/b")
    assert stacked.index("### 2. slow/b") < stacked.index("### 3. cheap/c")
    assert "## Prompt 1\n\nHi" in stacked
    table = compare_markdown(c, "side-by-side")
    assert "| 1. fast/a ★ preferred | 2. slow/b | 3. cheap/c |" in table
    row = next(line for line in table if "Line one" in line)
    assert "Line one \\| with a pipe<br>line two" in row
    assert row.count(" | ") == 2  # three cells: the pipe in the text is escaped


def test_continuing_a_compare_as_one_chat_sends_the_preferred_column_only() -> None:
    from tui.chat.turn import build_request

    c = compare_with_turn()
    set_preferred(c, 2)
    c.add(Message(role="user", content="More?"))
    said: list[str] = []
    request = build_request(c, say=said.append)
    assert request.model == "cheap/c"
    assert [m["role"] for m in request.messages] == ["system", "user", "assistant", "user"]
    assert request.messages[2]["content"] == "Hey."
    assert said == ["this is a comparison: continuing column 3 (cheap/c; the preferred "
                    "reply's); the other columns' replies are not sent"]


def test_continuing_a_compare_with_no_preferred_reply_takes_column_one() -> None:
    from tui.chat.turn import build_request

    c = compare_with_turn()
    c.add(Message(role="user", content="More?"))
    said: list[str] = []
    request = build_request(c, say=said.append)
    assert request.model == "fast/a"
    assert request.messages[2]["content"] == "Hello from a."
    assert len(request.messages) == 4
    assert "column 1 (fast/a; no reply is marked preferred)" in said[0]


def test_ask_continue_on_a_compare_sends_one_column_through_a_strict_server(
    isolated_home: Path, server: LoopbackServer
) -> None:
    from tests.support.cli_support import cli

    c = compare_with_turn()
    set_preferred(c, 1)
    c.id = "20261201-120000-c0ffee"
    ConversationStore(isolated_home / "conversations").save(c)
    server.enqueue(Reply.sse(sse_body(*text_chunks("Sure.", model="slow/b"))))
    run = cli(isolated_home, "ask", "--continue", c.id, "More?", server=server)
    assert run.code == 0, run.stderr
    assert "continuing column 2 (slow/b; the preferred reply's)" in run.stderr
    [sent] = server.chat_requests()
    assert sent.json()["model"] == "slow/b"
    assert sent.json()["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello from b, at length."},
        {"role": "user", "content": "More?"},
    ]
    # The reply is saved as that column's: it is never sent with the other columns.
    saved = ConversationStore(isolated_home / "conversations").load(c.id)
    assert saved.messages[-1].content == "Sure."
    assert saved.messages[-1].column == 1
    assert "Sure." not in [m["content"] for m in wire_messages(saved, 0)]
    assert wire_messages(saved, 1)[-1] == {"role": "assistant", "content": "Sure."}
