"""``cline-tui ask`` and ``cline-tui models`` end to end: the real command in a
subprocess, talking to a real HTTP server on 127.0.0.1, checked by what it prints, its
exit code, the saved TOML file and what the server received."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli_support import FAKE_KEY, PROXY_VARS, Run, cli, saved
from tests.support.loopback import LoopbackServer, Reply, event_pieces, sse_body, text_chunks
from tests.support.streams import EXPECTED, read

DEFAULT_MODEL = "anthropic/claude-sonnet-4.6"
PLAIN = "01-cline-plain-text.sse"
PLAIN_TEXT = EXPECTED[PLAIN]["content"]


def assert_key_nowhere(home: Path, run: Run, key: str = FAKE_KEY) -> None:
    assert key not in run.stdout
    assert key not in run.stderr
    for path in home.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), f"API key written to {path}"


def capture(name: str, **replace: str) -> Reply:
    """A captured HTTP response, with some header values changed."""
    raw = read(name)
    head, sep, body = raw.partition(b"\r\n\r\n")
    for header, value in replace.items():
        head = re.sub(
            rb"(?im)^(" + re.escape(header.encode()) + rb":).*$",
            rb"\1 " + value.encode(),
            head,
        )
    return Reply.http(head + sep + body)


# --- a streamed turn --------------------------------------------------------------------


def test_streamed_reply_goes_to_stdout_and_is_saved_with_usage(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(read(PLAIN), piece_size=7))
    run = cli(isolated_home, "ask", "Write a haiku about tabs", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == PLAIN_TEXT + "\n"
    assert "8,888 in" in run.stderr
    assert "$0.0031" in run.stderr
    assert "31 out" in run.stderr

    data = saved(isolated_home, run.saved_id())
    assert data["format"] == 2
    assert data["id"] == run.saved_id()
    assert data["model"] == DEFAULT_MODEL
    user, reply = data["messages"]
    assert "parent" not in user and reply["parent"] == user["id"]
    assert data["current"] == reply["id"]
    assert user["role"] == "user"
    assert user["content"] == "Write a haiku about tabs"
    assert reply["role"] == "assistant"
    assert reply["content"] == PLAIN_TEXT
    assert reply["finish_reason"] == "stop"
    assert reply["model"] == DEFAULT_MODEL
    assert "error" not in reply
    usage = reply["usage"]
    assert usage["prompt_tokens"] == 8888
    assert usage["completion_tokens"] == 31
    assert usage["cached_tokens"] == 8885
    assert usage["cost"] == pytest.approx(0.00312)
    assert isinstance(usage["ttft_ms"], int)
    assert isinstance(usage["duration_ms"], int)
    assert 0 <= usage["ttft_ms"] <= usage["duration_ms"]

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/chat/completions"
    assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert request.headers["content-type"].startswith("application/json")
    assert request.headers["http-referer"].startswith("https://")
    assert request.headers["x-title"] == "cline-tui"
    body = request.json()
    assert body["model"] == DEFAULT_MODEL
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "Write a haiku about tabs"}]
    assert_key_nowhere(isolated_home, run)


def test_continue_sends_the_whole_history_and_saves_the_new_turn(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Use a for loop.")), piece_size=16))
    first = cli(isolated_home, "ask", "-s", "Be brief.", "How do I loop in C?", server=server)
    assert first.code == 0, first.stderr
    conversation_id = first.saved_id()

    server.enqueue(Reply.sse(sse_body(*text_chunks("Use ", "for x in xs.")), piece_size=16))
    second = cli(isolated_home, "ask", "--continue", conversation_id, "and in Python?",
                 server=server)
    assert second.code == 0, second.stderr
    assert second.stdout == "Use for x in xs.\n"
    assert second.saved_id() == conversation_id

    assert len(server.chat_requests()) == 2
    sent = server.chat_requests()[1].json()["messages"]
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "How do I loop in C?"},
        {"role": "assistant", "content": "Use a for loop."},
        {"role": "user", "content": "and in Python?"},
    ]
    data = saved(isolated_home, conversation_id)
    assert data["system"] == "Be brief."
    assert [(m["role"], m["content"]) for m in data["messages"]] == [
        ("user", "How do I loop in C?"),
        ("assistant", "Use a for loop."),
        ("user", "and in Python?"),
        ("assistant", "Use for x in xs."),
    ]
    assert len(list((isolated_home / "conversations").glob("*.toml"))) == 1


def test_continue_remembers_options_and_a_new_model_applies(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("One."))))
    first = cli(isolated_home, "ask", "-t", "0.3", "-m", "test/first", "Count", server=server)
    assert first.code == 0, first.stderr
    conversation_id = first.saved_id()

    server.enqueue(Reply.sse(sse_body(*text_chunks("Two.", model="test/second"))))
    second = cli(isolated_home, "ask", "--continue", conversation_id, "-m", "test/second",
                 "More", server=server)
    assert second.code == 0, second.stderr

    bodies = [r.json() for r in server.chat_requests()]
    assert bodies[0]["model"] == "test/first"
    assert bodies[0]["temperature"] == pytest.approx(0.3)
    assert bodies[1]["model"] == "test/second"
    assert bodies[1]["temperature"] == pytest.approx(0.3)
    data = saved(isolated_home, conversation_id)
    assert data["model"] == "test/second"
    assert data["temperature"] == pytest.approx(0.3)
    assert [m.get("model") for m in data["messages"]] == [None, "test/first", None, "test/second"]


def test_continue_with_an_unknown_id_is_a_usage_error(
    isolated_home: Path, server: LoopbackServer
) -> None:
    run = cli(isolated_home, "ask", "--continue", "20990101-000000-abcdef", "hi", server=server)
    assert run.code == 2
    assert "20990101-000000-abcdef" in run.stderr
    assert server.requests == []


def test_prompt_is_read_from_stdin(isolated_home: Path, server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(read(PLAIN), piece_size=64))
    prompt = "Summarise this:\nline one\nline two\n"
    run = cli(isolated_home, "ask", stdin=prompt, server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == PLAIN_TEXT + "\n"
    assert server.chat_requests()[0].json()["messages"] == [{"role": "user", "content": prompt}]
    assert saved(isolated_home, run.saved_id())["messages"][0]["content"] == prompt


def test_no_stream_asks_for_one_json_reply(isolated_home: Path, server: LoopbackServer) -> None:
    document = json.loads(read("23-cline-nonstreaming.json"))
    server.enqueue(Reply.json(document))
    run = cli(isolated_home, "ask", "--no-stream", "Capital of France?", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == "The capital of France is Paris.\n"
    assert "14 in" in run.stderr
    # One body, not a stream: no rate (its tokens came at once, not over time).
    assert "tok/s" not in run.stderr
    body = server.chat_requests()[0].json()
    assert body["stream"] is False
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["content"] == "The capital of France is Paris."
    assert reply["finish_reason"] == "stop"
    assert reply["usage"]["prompt_tokens"] == 14
    assert reply["usage"]["completion_tokens"] == 8
    assert reply["usage"]["cost"] == pytest.approx(0.000162)


def test_reasoning_flag_prints_reasoning_to_stderr_only(
    isolated_home: Path, server: LoopbackServer
) -> None:
    expected = EXPECTED["02-cline-reasoning-then-content.sse"]
    server.enqueue(Reply.sse(read("02-cline-reasoning-then-content.sse"), piece_size=9))
    run = cli(isolated_home, "ask", "--reasoning", "17 x 23?", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == expected["content"] + "\n"
    assert expected["reasoning"] in run.stderr
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["reasoning"] == expected["reasoning"]
    assert len(reply["reasoning_details"]) == expected["reasoning_details_items"]


def test_reasoning_is_not_printed_without_the_flag(
    isolated_home: Path, server: LoopbackServer
) -> None:
    expected = EXPECTED["02-cline-reasoning-then-content.sse"]
    server.enqueue(Reply.sse(read("02-cline-reasoning-then-content.sse"), piece_size=9))
    run = cli(isolated_home, "ask", "17 x 23?", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == expected["content"] + "\n"
    assert "17×20" not in run.stderr
    assert saved(isolated_home, run.saved_id())["messages"][1]["reasoning"] == (
        expected["reasoning"]
    )


def test_json_prints_the_final_message_with_usage(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(read(PLAIN), piece_size=11))
    run = cli(isolated_home, "ask", "--json", "haiku", server=server)

    assert run.code == 0, run.stderr
    message = json.loads(run.stdout)
    assert message["role"] == "assistant"
    assert message["content"] == PLAIN_TEXT
    assert message["model"] == DEFAULT_MODEL
    assert message["finish_reason"] == "stop"
    assert message["usage"]["prompt_tokens"] == 8888
    assert message["usage"]["completion_tokens"] == 31
    assert message["usage"]["cached_tokens"] == 8885
    assert message["usage"]["cost"] == pytest.approx(0.00312)
    assert isinstance(message["usage"]["duration_ms"], int)
    assert run.saved_id()


def test_no_save_writes_nothing(isolated_home: Path, server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(read(PLAIN)))
    run = cli(isolated_home, "ask", "--no-save", "haiku", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == PLAIN_TEXT + "\n"
    assert "saved conversation" not in run.stderr
    assert not list(isolated_home.rglob("*.toml"))


# --- the API refuses the request (exit 3) ------------------------------------------------


@pytest.mark.parametrize(
    ("capture_name", "says"),
    [
        ("25-error-401-cline.http", ["CLINE_API_KEY", "Invalid API key"]),
        ("27-error-402-cline-insufficient-credits.http", ["out of credits", "Not enough credits"]),
        ("28-error-429-cline-inference-cap.http", ["Daily free limit"]),
        ("32-error-401-openai.http", ["CLINE_API_KEY", "Incorrect API key provided"]),
        ("34-error-400-vllm-context-length.http", ["maximum context length is 32768"]),
    ],
)
def test_refused_request_exits_3_with_one_clear_line_and_saves_the_prompt(
    isolated_home: Path, server: LoopbackServer, capture_name: str, says: list[str]
) -> None:
    server.enqueue(capture(capture_name))
    run = cli(isolated_home, "ask", "Hello there", server=server)

    assert run.code == 3, run.stderr
    assert run.stdout == ""
    lines = [line for line in run.stderr.splitlines() if says[0].lower() in line.lower()]
    assert len(lines) == 1, run.stderr
    for phrase in says:
        assert phrase.lower() in lines[0].lower()
    assert "Traceback" not in run.stderr
    # 4xx is never retried; a 429 with ``no-retry: true`` is not either.
    assert len(server.requests) == 1

    data = saved(isolated_home, run.saved_id())
    assert data["messages"][0] == {**data["messages"][0], "role": "user", "content": "Hello there"}
    reply = data["messages"][1]
    assert reply["finish_reason"] == "error"
    assert says[-1].lower() in reply["error"].lower()
    assert_key_nowhere(isolated_home, run)


def test_key_echoed_back_by_the_server_is_never_shown_or_saved(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(
        Reply.json({"error": {"message": f"Incorrect API key provided: {FAKE_KEY}"}}, status=401)
    )
    run = cli(isolated_home, "ask", "Hello", server=server)

    assert run.code == 3, run.stderr
    assert "CLINE_API_KEY" in run.stderr
    assert_key_nowhere(isolated_home, run)


def test_401_without_a_key_says_how_to_set_one(
    isolated_home: Path, server: LoopbackServer
) -> None:
    # A base URL other than api.cline.bot may be a local server that needs no key, so the
    # request is sent; when it is refused, the message says which variable to set.
    server.enqueue(capture("25-error-401-cline.http"))
    run = cli(isolated_home, "ask", "Hello", key=None, server=server)

    assert run.code == 3, run.stderr
    assert "export CLINE_API_KEY=" in run.stderr
    assert "authorization" not in server.requests[0].headers
    assert saved(isolated_home, run.saved_id())["messages"][0]["content"] == "Hello"


def test_rate_limit_with_retry_after_waits_then_retries(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(
        capture("30-error-429-openrouter-retry-after.http", **{"retry-after": "1"}),
        Reply.sse(read(PLAIN), piece_size=32),
    )
    run = cli(isolated_home, "ask", "Hello", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == PLAIN_TEXT + "\n"
    assert len(server.chat_requests()) == 2
    assert run.elapsed >= 1.0
    assert "Retrying in 1.0 s" in run.stderr
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["content"] == PLAIN_TEXT
    assert reply["finish_reason"] == "stop"
    assert "error" not in reply


def test_rate_limit_asking_for_a_long_wait_is_reported_not_slept_through(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(capture("30-error-429-openrouter-retry-after.http", **{"retry-after": "600"}))
    run = cli(isolated_home, "ask", "Hello", server=server, timeout=10)

    assert run.code == 3, run.stderr
    assert len(server.requests) == 1
    assert "at capacity" in run.stderr
    assert "10 min" in run.stderr


# --- the stream goes wrong ----------------------------------------------------------------


def test_midstream_error_keeps_the_partial_reply_and_exits_1(
    isolated_home: Path, server: LoopbackServer
) -> None:
    partial = EXPECTED["07-openrouter-midstream-error.sse"]["content"]
    server.enqueue(Reply.sse(read("07-openrouter-midstream-error.sse"), piece_size=50))
    run = cli(isolated_home, "ask", "Steps?", server=server)

    assert run.code == 1, run.stderr
    assert run.stdout == partial + "\n"
    assert "Provider disconnected unexpectedly" in run.stderr
    assert len(server.requests) == 1
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["content"] == partial
    assert reply["finish_reason"] == "error"
    assert "Provider disconnected unexpectedly" in reply["error"]


def test_connection_reset_after_output_keeps_the_partial_reply_and_exits_4(
    isolated_home: Path, server: LoopbackServer
) -> None:
    chunks = text_chunks("The answer ", "is ", "forty-two.")
    server.enqueue(
        Reply(headers=[("Content-Type", "text/event-stream")], pieces=event_pieces(*chunks),
              reset_after=2)
    )
    run = cli(isolated_home, "ask", "Meaning of life?", server=server)

    assert run.code == 4, run.stderr
    assert run.stdout == "The answer is \n"
    assert len(server.requests) == 1  # never retried after partial output
    assert "Retrying" not in run.stderr
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["content"] == "The answer is "
    assert reply["finish_reason"] == "error"
    assert reply["error"]


def test_read_timeout_in_the_middle_of_the_reply_exits_4(
    isolated_home: Path, server: LoopbackServer
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text("timeout = 0.5\n")
    chunks = text_chunks("The answer ", "is ", "forty-two.")
    server.enqueue(
        Reply(headers=[("Content-Type", "text/event-stream")], pieces=event_pieces(*chunks),
              stall_after=2, stall=5)
    )
    run = cli(isolated_home, "ask", "Meaning of life?", server=server, timeout=10)

    assert run.code == 4, run.stderr
    assert run.elapsed < 4
    assert run.stdout == "The answer is \n"
    assert "went silent" in run.stderr
    assert len(server.requests) == 1
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["content"] == "The answer is "
    assert reply["finish_reason"] == "error"


def test_ctrl_c_keeps_the_partial_reply_and_exits_1(
    isolated_home: Path, server: LoopbackServer
) -> None:
    # Reasoning in its own field first, so the answer streams to the pipe as it comes (a
    # pipe is otherwise sent only what can no longer turn out to be reasoning).
    chunks = text_chunks("The answer ", "is ", "forty-two.", reasoning=("Hm.",))
    server.enqueue(
        Reply(headers=[("Content-Type", "text/event-stream")], pieces=event_pieces(*chunks),
              stall_after=3, stall=5)
    )
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env.update(CLINE_TUI_HOME=str(isolated_home), CLINE_BASE_URL=server.url,
               CLINE_API_KEY=FAKE_KEY)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", "Meaning of life?"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        # Ctrl+C must interrupt even when this run was started in the background of a
        # script, which makes SIGINT ignored (and children inherit that).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + 10
    while b"is " not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            seen += os.read(process.stdout.fileno(), 4096)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    stdout, stderr = (seen + out).decode(), err.decode()

    assert process.returncode == 1, stderr
    assert stdout == "The answer is \n"
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    conversation_id = re.findall(r"saved conversation (\S+)", stderr)[0]
    reply = saved(isolated_home, conversation_id)["messages"][1]
    assert reply["content"] == "The answer is "
    assert reply["finish_reason"] == "cancelled"


def test_server_error_before_any_output_is_retried(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(
        Reply.json({"error": {"message": "upstream overloaded"}}, status=500),
        Reply.sse(read(PLAIN), piece_size=32),
    )
    run = cli(isolated_home, "ask", "Hello", server=server)

    assert run.code == 0, run.stderr
    assert run.stdout == PLAIN_TEXT + "\n"
    assert len(server.chat_requests()) == 2
    assert "upstream overloaded" in run.stderr
    reply = saved(isolated_home, run.saved_id())["messages"][1]
    assert reply["content"] == PLAIN_TEXT
    assert "error" not in reply


def test_server_errors_that_persist_exit_4(isolated_home: Path, server: LoopbackServer) -> None:
    # ``Retry-After: 0`` keeps the three retries quick.
    server.default = Reply(
        503, [("Content-Type", "application/json"), ("Retry-After", "0")],
        [b'{"error": "still down"}'], chunked=False,
    )
    run = cli(isolated_home, "ask", "Hello", server=server)

    assert run.code == 4, run.stderr
    assert len(server.chat_requests()) == 4  # the first try and three retries
    assert "still down" in run.stderr
    assert saved(isolated_home, run.saved_id())["messages"][0]["content"] == "Hello"


# --- usage and config errors (exit 2) ------------------------------------------------------


def test_missing_key_for_the_cline_api_exits_2_without_connecting(
    isolated_home: Path, server: LoopbackServer
) -> None:
    # No CLINE_BASE_URL: the real api.cline.bot. Any attempt to reach it would go through
    # this proxy (the loopback server) and be recorded.
    proxy = {"HTTPS_PROXY": server.url, "HTTP_PROXY": server.url, "ALL_PROXY": server.url}
    run = cli(isolated_home, "ask", "Hello", key=None, env_extra=proxy, timeout=10)

    assert run.code == 2, run.stderr
    assert "CLINE_API_KEY" in run.stderr
    assert "export CLINE_API_KEY=" in run.stderr
    assert run.stdout == ""
    assert server.requests == []


def test_no_prompt_and_empty_stdin_exits_2(isolated_home: Path, server: LoopbackServer) -> None:
    run = cli(isolated_home, "ask", stdin="", server=server)

    assert run.code == 2
    assert "prompt" in run.stderr
    assert server.requests == []
    assert not (isolated_home / "conversations").exists()


def test_unknown_profile_exits_2(isolated_home: Path, server: LoopbackServer) -> None:
    run = cli(isolated_home, "ask", "--profile", "nope", "Hello", server=server)

    assert run.code == 2
    assert "nope" in run.stderr
    assert "Traceback" not in run.stderr
    assert server.requests == []


# --- cline-tui models ------------------------------------------------------------------------

CATALOG = {
    "data": [
        {
            "id": "anthropic/claude-sonnet-4.6",
            "name": "Anthropic: Claude Sonnet 4.6",
            "context_length": 200000,
            "pricing": {"prompt": "0.000003", "completion": "0.000015"},
            "supported_parameters": ["reasoning", "tools"],
        },
        {
            "id": "z-ai/plain-model",
            "name": "Plain",
            "context_length": 32768,
            "pricing": {"prompt": "0", "completion": "0"},
            "supported_parameters": [],
        },
    ]
}


def test_models_prints_the_catalog_as_a_table(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.json(CATALOG, path="/ai/cline/models"))
    run = cli(isolated_home, "models", server=server)

    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["MODEL", "CONTEXT", "INPUT", "OUTPUT", "SUPPORTS"]
    # The current model (the default here) is marked with a "*" before it.
    row = next(line for line in lines if "anthropic/claude-sonnet-4.6" in line)
    assert row.split() == [
        "*", "anthropic/claude-sonnet-4.6", "200K", "$3.00/M", "$15.00/M", "reasoning,tools"
    ]
    other = next(line for line in lines if "z-ai/plain-model" in line)
    assert other.split() == ["z-ai/plain-model", "32K", "free", "free", "-"]
    assert lines[0].index("MODEL") == row.index("anthropic") == other.index("z-ai")
    assert "not in this catalog" not in run.stderr

    (request,) = server.requests
    assert request.method == "GET"
    assert request.path == "/ai/cline/models"
    assert "authorization" not in request.headers
    assert_key_nowhere(isolated_home, run)


def test_models_json_prints_a_list(isolated_home: Path, server: LoopbackServer) -> None:
    server.enqueue(Reply.json(CATALOG, path="/ai/cline/models"))
    run = cli(isolated_home, "models", "--json", server=server)

    assert run.code == 0, run.stderr
    models = json.loads(run.stdout)
    assert isinstance(models, list)
    assert [m["id"] for m in models] == ["anthropic/claude-sonnet-4.6", "z-ai/plain-model"]
    first = models[0]
    assert first["context_length"] == 200000
    assert first["prompt_price"] == pytest.approx(3e-6)
    assert first["completion_price"] == pytest.approx(1.5e-5)
    assert first["reasoning"] is True
    assert first["tools"] is True
    assert [m["current"] for m in models] == [True, False]


def test_models_marks_the_model_last_picked_and_says_when_it_is_missing(
    isolated_home: Path, server: LoopbackServer
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text('[models]\ncline = "z-ai/plain-model"\n',
                                                 encoding="utf-8")
    server.enqueue(Reply.json(CATALOG, path="/ai/cline/models"))
    run = cli(isolated_home, "models", server=server)
    assert run.code == 0, run.stderr
    marked = [line.split()[1] for line in run.stdout.splitlines() if line.startswith("*")]
    assert marked == ["z-ai/plain-model"]
    missing = cli(isolated_home, "models", "-m", "nowhere/model", server=server)
    assert missing.code == 0, missing.stderr
    assert not any(line.startswith("*") for line in missing.stdout.splitlines())
    assert "the current model, nowhere/model, is not in this catalog" in missing.stderr


def test_models_uses_the_cache_when_the_server_fails(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.json(CATALOG, path="/ai/cline/models"))
    first = cli(isolated_home, "models", server=server)
    assert first.code == 0, first.stderr

    # Fresh cache: no request at all.
    cached = cli(isolated_home, "models", server=server)
    assert cached.code == 0, cached.stderr
    assert cached.stdout == first.stdout
    assert len(server.requests) == 1

    server.enqueue(Reply.json({"error": {"message": "catalog down"}}, status=500,
                              path="/ai/cline/models"))
    second = cli(isolated_home, "models", "--refresh", server=server)
    assert second.code == 0, second.stderr
    assert second.stdout == first.stdout
    assert "catalog down" in second.stderr
    assert "cached" in second.stderr
    assert len(server.requests) == 2
    assert all("authorization" not in r.headers for r in server.requests)


def test_models_without_a_cache_reports_the_failure(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.json({"error": "catalog down"}, status=500, path="/ai/cline/models"))
    run = cli(isolated_home, "models", server=server)

    assert run.code == 4
    assert run.stdout == ""
    assert "catalog down" in run.stderr
