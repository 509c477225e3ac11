"""Piped input into the full-screen app: read whole, attached, stdin made the terminal."""

from __future__ import annotations

import contextlib
import os
import pty
import threading
from pathlib import Path

import pytest

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.pty_support import PtyApp
from tui.cli.piped import PipedInputError, is_piped, take_piped_input
from tui.model.attachment import LIMITS


def piped(data: bytes) -> int:
    """A pipe's read end holding ``data`` (written from a thread: it may pass the pipe's
    buffer) and then closed for writing."""
    read, write = os.pipe()

    def feed() -> None:
        # BrokenPipeError: the reader stopped at the limit.
        with contextlib.suppress(BrokenPipeError), os.fdopen(write, "wb") as handle:
            handle.write(data)

    threading.Thread(target=feed, daemon=True).start()
    return read


def test_a_pipe_is_attached_and_replaced_by_the_terminal() -> None:
    master, slave = pty.openpty()
    fd = piped(b"diff --git a/x b/x\n+new line\n")
    try:
        attachment = take_piped_input(fd, terminal=os.ttyname(slave))
        assert attachment is not None
        assert (attachment.name, attachment.kind, attachment.text) == (
            "stdin", "text", "diff --git a/x b/x\n+new line\n")
        assert os.isatty(fd)  # the keyboard is read from the terminal now
    finally:
        for handle in (fd, master, slave):
            os.close(handle)


def test_a_device_or_terminal_is_not_piped_input(tmp_path: Path) -> None:
    with open(os.devnull, "rb") as null:
        assert not is_piped(null.fileno())
        assert take_piped_input(null.fileno()) is None
    master, slave = pty.openpty()
    assert not is_piped(slave)
    os.close(master)
    os.close(slave)
    redirected = tmp_path / "notes.md"
    redirected.write_text("# notes\n")
    with redirected.open("rb") as handle:
        assert is_piped(handle.fileno())  # `cline-tui < notes.md`


def test_without_a_terminal_for_the_keyboard_it_says_what_to_do(tmp_path: Path) -> None:
    fd = piped(b"text")
    try:
        with pytest.raises(PipedInputError, match="no terminal to read the keyboard from"):
            take_piped_input(fd, terminal=str(tmp_path / "no-such-tty"))
    finally:
        os.close(fd)


def test_binary_or_oversized_input_is_refused_plainly() -> None:
    master, slave = pty.openpty()
    terminal = os.ttyname(slave)
    try:
        fd = piped(b"\x7fELF\x00\x01")
        with pytest.raises(PipedInputError, match="cannot be attached: stdin is a binary file"):
            take_piped_input(fd, terminal=terminal)
        os.close(fd)
        fd = piped(b"a" * (LIMITS["text"] + 10))
        with pytest.raises(PipedInputError, match="largest text file"):
            take_piped_input(fd, terminal=terminal)
        os.close(fd)
    finally:
        os.close(master)
        os.close(slave)


def test_git_diff_piped_into_the_app_is_a_chip_and_the_keyboard_still_types(
        isolated_home: Path, server: LoopbackServer) -> None:
    """``git diff | cline-tui`` in a real pseudo-terminal: the diff is attached to the
    first prompt, keys typed at the terminal reach the prompt, and Enter sends both."""
    diff = b"diff --git a/app.py b/app.py\n-old line\n+new line\n"
    server.enqueue(Reply.sse(sse_body(*text_chunks("Looks fine."))))
    app = PtyApp(isolated_home, server.url, "sk-piped-1234", stdin=diff)
    try:
        app.wait_for(f"stdin · {len(diff)} B")
        mark = app.mark()
        app.type("review this")
        app.wait_for("review this", since=mark)
        app.press("enter")
        app.wait_for("Looks fine.")
        [request] = server.chat_requests()
        assert request.json()["messages"][-1]["content"] == (
            "review this\n\nstdin:\n```\n" + diff.decode() + "```")
        assert app.quit() == 0
    finally:
        app.close()


def test_an_empty_pipe_asks_for_no_terminal() -> None:
    fd = piped(b"")
    try:
        assert take_piped_input(fd, terminal="/nonexistent/tty") is None
        assert not os.isatty(fd)  # left as it was
    finally:
        os.close(fd)


def test_a_driver_speaking_over_stdin_is_not_piped_input() -> None:
    """cline-tui serve: textual-serve's web driver talks to the app over a pipe on stdin;
    reading it as piped input would wait for its end forever."""
    fd = piped(b"\x01web driver bytes")
    try:
        driver = {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"}
        assert take_piped_input(fd, terminal="/nonexistent/tty", environ=driver) is None
        assert os.read(fd, 100) == b"\x01web driver bytes"  # not a byte taken
    finally:
        os.close(fd)
