"""``cline-tui serve`` in a real headless Chromium (the distribution's, driven by
Playwright): the page shows the app, a prompt typed there streams its reply from the
loopback chat server, a copy reaches the browser's clipboard, the app follows the page's
size, a closed tab saves the reply in flight as interrupted, and Ctrl+C (or a killed
server) leaves no app process behind. The terminal's text is read from xterm.js's buffer,
never from pixels."""

from __future__ import annotations

import signal
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli_support import FAKE_KEY
from tests.support.loopback import LoopbackServer, Reply, event_pieces, text_chunks
from tests.support.serve_support import (
    CHROMIUM,
    PROMPT_READY,
    Served,
    alive,
    chromium,
    open_app,
    screen_text,
    terminal_size,
    wait_for_clipboard,
    wait_for_text,
    wait_gone,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (.ci/run)"),
]

TOKEN = "serve-test-token-5f1e9a0c7b2d4e6f"


def streamed(*pieces: str, stall_after: int | None = None) -> Reply:
    """A reply streamed one SSE event at a time; with ``stall_after``, silent for a minute
    after that many pieces (a reply still in flight)."""
    return Reply(headers=[("Content-Type", "text/event-stream")],
                 pieces=event_pieces(*text_chunks(*pieces)), delay=0.02,
                 stall_after=stall_after, stall=60 if stall_after is not None else 0.0)


def conversations(home: Path) -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text("utf-8"))
            for p in sorted((home / "conversations").glob("*.toml"))]


def send(page: Any, prompt: str) -> None:
    """Type into the terminal (focused, as a click on it would) and press Enter."""
    page.evaluate("window.clineTerminals[0].terminal.focus()")
    page.keyboard.type(prompt)
    page.keyboard.press("Enter")


@pytest.fixture
def served_chat(isolated_home: Path, server: LoopbackServer) -> Any:
    """A server with a token, on the loopback chat server."""
    serve = Served(isolated_home, "--token", TOKEN, base_url=server.url)
    try:
        yield serve
    finally:
        serve.close()


def test_a_prompt_typed_in_the_page_streams_its_reply_there(
    served_chat: Served, server: LoopbackServer, isolated_home: Path, tmp_path: Path,
) -> None:
    server.enqueue(streamed("The browser ", "reply arrives ", "in pieces."))
    assert f"?token={TOKEN}" in served_chat.url
    clipboard = ("clipboard-read", "clipboard-write")
    with chromium(tmp_path / "chromium", permissions=clipboard) as browser:
        page = open_app(browser, served_chat.url)
        wait_for_text(page, PROMPT_READY)
        wait_for_text(page, "palette")  # the page focused the app: its footer shows keys
        html = page.content()
        send(page, "Hello from the browser")
        wait_for_text(page, "The browser reply arrives in pieces.")
        wait_for_text(page, "to first token")  # the turn is over: the reply is in the chat
        shot = tmp_path / "chat-in-browser.png"
        page.screenshot(path=str(shot))
        screen = screen_text(page)
        # F3 copies the reply with OSC 52; xterm.js's clipboard add-on hands it on.
        assert page.evaluate("() => navigator.clipboard.readText()") == ""
        page.keyboard.press("F3")
        wait_for_clipboard(page, "The browser reply arrives in pieces.")
        wait_for_text(page, "Copied the last reply")
        assert "cannot reach the" not in screen_text(page)  # no warning on loopback
    assert "Hello from the browser" in screen
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000  # a drawn chat, not a blank page
    # The key went to the chat server from the app process, and never to the page.
    [request] = server.chat_requests()
    assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert FAKE_KEY not in html
    assert FAKE_KEY not in "\n".join(served_chat.lines)
    [saved] = conversations(isolated_home)
    assert saved["messages"][-1]["content"] == "The browser reply arrives in pieces."
    served_chat.wait_for(r"connection 1 opened from 127\.0\.0\.1: app process \d+")


def test_resizing_the_page_resizes_the_app(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path,
) -> None:
    serve = Served(isolated_home, base_url=server.url)  # loopback: no token needed
    try:
        with chromium(tmp_path / "chromium", width=900, height=600) as browser:
            page = open_app(browser, serve.url)
            wait_for_text(page, "no reply yet")  # the sidebar, at the right edge
            cols, rows = terminal_size(page)
            page.set_viewport_size({"width": 1400, "height": 900})
            # The app laid itself out again: the sidebar's row reaches past the old width.
            page.wait_for_function(
                """cols => {
                  const b = window.clineTerminals[0].terminal.buffer.active;
                  for (let i = 0; i < b.length; i++) {
                    const line = b.getLine(i).translateToString(true);
                    if (line.includes("no reply yet") && line.length > cols) return true;
                  }
                  return false;
                }""", arg=cols, timeout=30_000,
            )
            wider, taller = terminal_size(page)
        assert wider > cols and taller > rows
    finally:
        serve.close()


def test_closing_the_tab_saves_the_reply_in_flight_as_interrupted(
    served_chat: Served, server: LoopbackServer, isolated_home: Path, tmp_path: Path,
) -> None:
    server.enqueue(streamed("Half of ", "the answer", " and the rest.", stall_after=2))
    with chromium(tmp_path / "chromium") as browser:
        page = open_app(browser, served_chat.url)
        wait_for_text(page, PROMPT_READY)
        send(page, "Tell me slowly")
        wait_for_text(page, "Half of the answer")
        [pid] = served_chat.app_pids()
        page.close()
        served_chat.wait_for(rf"connection 1 closed: app process {pid} ended \(exit code 129\)")
    assert not alive(pid)
    [saved] = conversations(isolated_home)
    reply = saved["messages"][-1]
    assert reply["content"] == "Half of the answer"
    assert reply["finish_reason"] == "interrupted"
    assert "SIGHUP" in reply["error"]


def test_ctrl_c_stops_the_server_and_every_app_process(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path,
) -> None:
    serve = Served(isolated_home, base_url=server.url)
    try:
        with chromium(tmp_path / "chromium") as browser:
            first = open_app(browser, serve.url)
            second = open_app(browser, serve.url)
            wait_for_text(first, PROMPT_READY)
            wait_for_text(second, PROMPT_READY)
            pids = serve.app_pids()
            assert len(pids) == 2 and all(alive(p) for p in pids)
            assert serve.interrupt() == 0
        assert wait_gone(pids) == []
        assert "stopping: ending 2 app processes" in serve.lines
        assert sum("closed: app process" in line for line in serve.lines) == 2
    finally:
        serve.close()


def test_a_killed_server_takes_its_app_processes_with_it(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path,
) -> None:
    serve = Served(isolated_home, base_url=server.url)
    try:
        with chromium(tmp_path / "chromium") as browser:
            page = open_app(browser, serve.url)
            wait_for_text(page, PROMPT_READY)
            [pid] = serve.app_pids()
            serve.process.send_signal(signal.SIGKILL)
            serve.process.wait(10)
            assert wait_gone([pid]) == []  # the kernel ended it (PR_SET_PDEATHSIG)
    finally:
        serve.close()


def test_an_app_that_cannot_start_ends_the_tabs_session_and_says_why(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path,
) -> None:
    serve = Served(isolated_home, "--theme", "no-such-theme", base_url=server.url)
    try:
        with chromium(tmp_path / "chromium") as browser:
            page = open_app(browser, serve.url)
            page.wait_for_selector("body.-closed", state="attached", timeout=30_000)
            assert page.locator(".closed-dialog").is_visible()  # "Session ended"
        # The code is 2, but once in a while asyncio's child watcher (Python 3.11) finds
        # the process already reaped ("Unknown child process pid", 255): not checked here.
        serve.wait_for(r"connection 1 closed: app process \d+ ended \(exit code \d+\)")
        serve.wait_for("no-such-theme")  # the app's own message, on the server's output
    finally:
        serve.close()


def test_two_tabs_are_two_apps_each_with_its_own_chat(
    served_chat: Served, server: LoopbackServer, isolated_home: Path, tmp_path: Path,
) -> None:
    server.default = lambda request: (
        streamed(f"Answer to {request.json()['messages'][-1]['content']}.")
        if request.path.endswith("/chat/completions") else Reply(status=404, pieces=[b"{}"])
    )
    with chromium(tmp_path / "chromium") as browser:
        first = open_app(browser, served_chat.url)
        second = open_app(browser, served_chat.url)
        wait_for_text(first, PROMPT_READY)
        wait_for_text(second, PROMPT_READY)
        send(first, "left tab")
        send(second, "right tab")
        wait_for_text(first, "Answer to left tab.")
        wait_for_text(second, "Answer to right tab.")
        assert "right tab" not in screen_text(first)
    assert len(set(served_chat.app_pids())) == 2
    saved = {c["messages"][0]["content"]: c["messages"][-1]["content"]
             for c in conversations(isolated_home)}
    assert saved == {"left tab": "Answer to left tab.", "right tab": "Answer to right tab."}


def own_address() -> str | None:
    """This machine's first address that is not loopback (None: it has none)."""
    found = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False)
    for address in found.stdout.split():
        if "." in address and not address.startswith("127."):
            return address
    return None


def test_a_page_that_cannot_reach_the_clipboard_is_told_so(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path,
) -> None:
    """Served off loopback over plain HTTP, the browser gives the page no clipboard: a
    copy says so instead of only "Copied"."""
    address = own_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    server.enqueue(streamed("Copy me if you can."))
    serve = Served(isolated_home, "--host", "0.0.0.0", "--token", TOKEN, base_url=server.url)
    try:
        with chromium(tmp_path / "chromium") as browser:
            page = open_app(browser, f"http://{address}:{serve.port}/?token={TOKEN}")
            wait_for_text(page, PROMPT_READY)
            assert page.evaluate("() => window.isSecureContext") is False
            send(page, "Copy test")
            wait_for_text(page, "Copy me if you can.")
            wait_for_text(page, "to first token")  # the turn is over: F3 has a reply
            page.keyboard.press("F3")
            wait_for_text(page, "cannot reach the")
    finally:
        serve.close()


def test_every_screen_works_in_the_page(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path,
) -> None:
    """Compare (from serve's own --compare), the conversations screen and the theme
    picker, reached with the same keys as in a terminal."""
    serve = Served(isolated_home, "--compare", "vendor/left-model,vendor/right-model",
                   base_url=server.url)
    try:
        with chromium(tmp_path / "chromium") as browser:
            page = open_app(browser, serve.url)
            wait_for_text(page, "vendor/left-model")
            wait_for_text(page, "vendor/right-model")
            page.keyboard.press("Control+l")
            wait_for_text(page, "No saved conversations yet.")
            page.keyboard.press("Escape")
            page.keyboard.press("F8")
            wait_for_text(page, "Theme (now")
    finally:
        serve.close()
