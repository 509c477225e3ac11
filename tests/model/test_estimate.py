"""The next prompt's tokens before sending: the server's last count plus a guess for
what came after it."""

from __future__ import annotations

from tui.model import tree
from tui.model.conversation import Conversation, Message, Usage
from tui.model.estimate import (
    MESSAGE_OVERHEAD,
    next_prompt,
    prompt_cost,
    text_tokens,
)


def test_a_guess_is_a_token_every_four_characters() -> None:
    assert text_tokens("") == 0
    assert text_tokens("abcd") == 1
    assert text_tokens("abcde") == 2
    assert text_tokens("x" * 4000) == 1000


def test_a_new_chat_is_all_guess() -> None:
    c = Conversation(model="m", system="Be brief.")  # 9 characters: 3 tokens
    estimate = next_prompt(c, "What is 2+2?")  # 12 characters: 3 tokens
    assert estimate.counted == 0
    assert estimate.guessed == 2 * MESSAGE_OVERHEAD + 3 + 3


def test_the_last_count_is_the_base_and_only_what_follows_is_guessed() -> None:
    c = Conversation(model="m", system="Be brief." * 100)
    c.add(Message(role="user", content="q" * 400))
    c.add(Message(role="assistant", content="a" * 4000,
                  usage=Usage(prompt_tokens=1234, completion_tokens=567)))
    c.add(Message(role="user", content="b" * 40))  # sent after the count: 10 tokens
    estimate = next_prompt(c, "c" * 8)  # 2 tokens
    assert estimate.counted == 1234 + 567
    assert estimate.guessed == (MESSAGE_OVERHEAD + 10) + (MESSAGE_OVERHEAD + 2)
    assert estimate.tokens == 1234 + 567 + 2 * MESSAGE_OVERHEAD + 12


def test_a_reply_with_no_completion_count_has_its_text_guessed() -> None:
    c = Conversation(model="m")
    c.add(Message(role="user", content="hi"))
    c.add(Message(role="assistant", content="a" * 40, usage=Usage(prompt_tokens=100)))
    assert next_prompt(c).tokens == 100 + MESSAGE_OVERHEAD + 10


def test_only_the_branch_shown_counts() -> None:
    c = Conversation(model="m")
    first = c.add(Message(role="user", content="hi"))
    c.add(Message(role="assistant", content="old", usage=Usage(prompt_tokens=999,
                                                                  completion_tokens=999)))
    tree.go_on_from(c, first)
    c.add(Message(role="assistant", content="new", usage=Usage(prompt_tokens=10,
                                                                  completion_tokens=2)))
    assert next_prompt(c).counted == 12


def test_cost_is_the_prompt_price_times_the_tokens() -> None:
    assert prompt_cost(1000, 3e-6) == 1000 * 3e-6
    assert prompt_cost(1000, None) is None


def test_the_note_under_the_prompt() -> None:
    from tui.format import estimate_note

    assert estimate_note(0, None, None) == ("", False)
    assert estimate_note(1200, 0.0036, 200_000) == (
        "next prompt ≈ 1,200 tokens · ≈ $0.0036", False)
    assert estimate_note(12, 0.00001, None)[0] == "next prompt ≈ 12 tokens · under $0.0001"
    assert estimate_note(300_000, None, 200_000) == (
        "next prompt ≈ 300,000 tokens · over the model's 200K context", True)


def test_fitting_the_window_leaves_out_the_oldest_turns_first() -> None:
    from tui.model.estimate import FIT_SHARE, fit_window, next_prompt
    from tui.model.wire import wire_messages

    c = Conversation(model="m")
    for n in range(6):
        c.add(Message(role="user", content=f"q{n} " + "q" * 4000))
        c.add(Message(role="assistant", content=f"a{n} " + "a" * 4000, finish_reason="stop"))
    tokens = next_prompt(c, "next").tokens
    assert fit_window(c, tokens, "next").leave_out == []  # it fits: nothing asked
    fit = fit_window(c, 8000, "next")
    assert fit.over and fit.fits_after
    assert [m.content[:2] for m in fit.leave_out] == ["q0", "q1", "q2"]
    assert fit.tokens - fit.saved <= 8000 * FIT_SHARE
    for prompt in fit.leave_out:
        prompt.left_out = True
    c.add(Message(role="user", content="next"))
    sent = [m["content"][:2] for m in wire_messages(c)]
    assert sent == ["q3", "a3", "q4", "a4", "q5", "a5", "ne"]
    # Already left out: not offered again; nothing more can fit a tiny window.
    tiny = fit_window(c, 100)
    assert all(not m.left_out for m in tiny.leave_out) and not tiny.fits_after


def test_the_prompt_being_sent_is_never_left_out() -> None:
    from tui.model.estimate import fit_window
    from tui.model.wire import wire_messages

    c = Conversation(model="m")
    c.add(Message(role="user", content="x" * 40000, left_out=True))
    assert wire_messages(c)[0]["content"] == "x" * 40000
    assert fit_window(c, 1000).leave_out == []  # going on from it: nothing earlier
