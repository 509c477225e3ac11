"""What the app asks the local server's tokenizer to count: the prompt as
llama-cpp-python's "gemma" chat format builds it (the real server's count of it is
checked in test_local_server.py), else the messages' text."""

from __future__ import annotations

from tui.local.counting import LocalCounting, gemma_prompt


def test_the_gemma_prompt_is_built_as_the_server_builds_it() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},  # Gemma's format has no system turn
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": ""},
    ]

    assert gemma_prompt(messages) == (
        "<start_of_turn>user\nHi<end_of_turn>\n"
        "<start_of_turn>model\nHello.<end_of_turn>\n"
        "<start_of_turn>user\n"
        "<start_of_turn>model\n"
    )


def test_a_model_with_its_own_template_counts_the_text() -> None:
    counting = LocalCounting(chat_format=None)
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]

    assert counting.prompt_text(messages) == "Be brief.\nHi"


def test_the_count_is_asked_at_the_servers_root() -> None:
    counting = LocalCounting("gemma")

    assert counting.count_url("http://127.0.0.1:8123/v1") == (
        "http://127.0.0.1:8123/extras/tokenize/count")
    assert counting.count_url("http://127.0.0.1:8123/v1/") == (
        "http://127.0.0.1:8123/extras/tokenize/count")
