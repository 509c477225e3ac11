"""How ``cline-tui ask`` reports each way a reply can end, and what reaches its stdout:
the real command in a subprocess against the loopback server. stdout is a pipe here (the
answer only, never reasoning), except in the last test, where it is a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.support.cli_support import FAKE_KEY, cli, saved
from tests.support.loopback import FINISH, LoopbackServer, Reply, content, sse_body
from tests.support.streams import EXPECTED, read

# The chat template opened the think block in the prompt: only the closing tag arrives.
ORPHAN_CLOSE = [content("The user greets me."), content(" I should greet back.</th"),
                content("ink>\n\nHello"), content(" there!"), FINISH]


def test_a_cut_off_reply_exits_4_and_is_saved_with_its_error(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(content("Hello"), content(" world"), done=False)
                             + b'data: {"choices":[{"index":0,"delta":{"cont'))
    run = cli(isolated_home, "ask", "hi", server=server)
    assert run.code == 4, run.stderr
    assert run.stdout == "Hello world\n"
    assert "The reply was cut off" in run.stderr and "Traceback" not in run.stderr
    message = saved(isolated_home, run.saved_id())["messages"][1]
    assert message["content"] == "Hello world"
    assert message["finish_reason"] == "error" and "cut off" in message["error"]


def test_finish_reason_length_prints_the_cut_off_note(
    isolated_home: Path, server: LoopbackServer
) -> None:
    name = "09-openai-finish-length.sse"
    server.enqueue(Reply.sse(read(name), piece_size=40))
    run = cli(isolated_home, "ask", "write a long story", server=server)
    assert run.code == 0, run.stderr
    assert run.stdout == EXPECTED[name]["content"] + "\n"
    assert "the reply was cut off: the model reached its maximum output length" in run.stderr


def test_an_empty_reply_is_a_failure_on_stderr(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(b"data: [DONE]\n\n"))
    run = cli(isolated_home, "ask", "hi", server=server)
    assert run.code == 4, run.stderr
    assert run.stdout == "" and "The server sent an empty reply." in run.stderr


def test_an_error_field_line_fails_the_turn(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(b'error: {"code":500,"message":"the request exceeds the available '
                             b'context size"}\n\ndata: [DONE]\n\n'))
    run = cli(isolated_home, "ask", "hi", server=server)
    assert run.code == 1, run.stderr
    assert "the request exceeds the available context size" in run.stderr


def test_skipped_lines_are_mentioned_on_stderr(
    isolated_home: Path, server: LoopbackServer
) -> None:
    body = sse_body(content("one "), done=False) + b"data: {garbage\n\n"
    server.enqueue(Reply.sse(body + sse_body(content("two"), FINISH)))
    run = cli(isolated_home, "ask", "hi", server=server)
    assert run.code == 0, run.stderr
    assert run.stdout == "one two\n"
    assert "1 line of the stream could not be read and was skipped." in run.stderr


def test_a_split_surrogate_pair_is_saved_as_one_character(
    isolated_home: Path, server: LoopbackServer
) -> None:
    body = sse_body(content("smile \ud83d"), content("\ude00"), FINISH)  # escaped by dumps
    server.enqueue(Reply.sse(body, piece_size=1))
    run = cli(isolated_home, "ask", "hi", server=server)
    assert run.code == 0, run.stderr
    assert run.stdout == "smile \U0001f600\n"
    assert saved(isolated_home, run.saved_id())["messages"][1]["content"] == "smile \U0001f600"


# --- stdout carries the answer only -----------------------------------------------------


def test_a_pipe_gets_the_answer_without_reasoning_that_had_no_opening_tag(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(*ORPHAN_CLOSE), piece_size=13))
    run = cli(isolated_home, "ask", "hello", server=server)
    assert run.code == 0, run.stderr
    assert run.stdout == "\n\nHello there!\n"
    assert "greet" not in run.stderr  # reasoning goes to stderr only when asked for
    message = saved(isolated_home, run.saved_id())["messages"][1]
    assert message["reasoning"] == "The user greets me. I should greet back."
    assert message["content"] == "\n\nHello there!"


def test_a_pipe_with_reasoning_asked_for_gets_it_on_stderr(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(content("thought</think>answer"), FINISH)))
    run = cli(isolated_home, "ask", "--reasoning", "hello", server=server)
    assert run.code == 0, run.stderr
    assert run.stdout == "answer\n"
    assert "thought" in run.stderr


def test_a_pipe_gets_a_plain_answer_whole_at_the_end(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(content("no "), content("thinking "), content("here"),
                                      FINISH), piece_size=5))
    run = cli(isolated_home, "ask", "hello", server=server)
    assert run.code == 0 and run.stdout == "no thinking here\n"


def test_a_pipe_gets_the_answer_as_it_comes_once_reasoning_had_its_own_field(
    isolated_home: Path, server: LoopbackServer
) -> None:
    reasoning = {"choices": [{"index": 0, "delta": {"reasoning": "hmm"}}]}
    server.enqueue(Reply.sse(sse_body(reasoning, content("a </think> b"), FINISH)))
    run = cli(isolated_home, "ask", "hello", server=server)
    assert run.code == 0 and run.stdout == "a </think> b\n"


def test_a_terminal_gets_the_text_as_it_comes_and_a_note_when_it_was_reasoning(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(*ORPHAN_CLOSE), piece_size=13))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(CLINE_TUI_HOME=str(isolated_home), CLINE_BASE_URL=server.url,
               CLINE_API_KEY=FAKE_KEY)
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "tui", "ask", "hello"], env=env,
                                   stdin=subprocess.DEVNULL, stdout=secondary,
                                   stderr=subprocess.PIPE)
        os.close(secondary)
        shown = b""
        while True:
            try:
                piece = os.read(primary, 4096)
            except OSError:  # the terminal closed: the process has gone
                break
            if not piece:
                break
            shown += piece
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        assert process.wait(20) == 0, stderr
    finally:
        os.close(primary)
    text = shown.decode().replace("\r\n", "\n")
    assert text.startswith("The user greets me. I should greet back.\n")
    assert text.endswith("Hello there!\n")
    assert "the text above was the model's reasoning, not its answer" in stderr
    assert "Traceback" not in stderr
