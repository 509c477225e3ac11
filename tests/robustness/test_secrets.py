"""The API key never leaves the environment: after a full session (ask, the TUI in a
pseudo-terminal, servers that echo the key back, exports, the history index) no file the
app wrote and nothing it printed holds the key. Everything it writes is owner-only."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from tests.support.cli_support import cli
from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tests.support.pty_support import PtyApp
from tests.support.ui_support import CATALOG

KEY = "sk-SECRET-d3adb33f-0123456789abcdef"


def echoing_route(request: Recorded) -> Reply:
    """Every kind of reply a careless server could echo the key in."""
    if request.path.endswith("/models"):
        return Reply.json(CATALOG)
    body = json.loads(request.body)
    prompt = body["messages"][-1]["content"]
    sent = request.headers.get("authorization", "")
    if "refuse" in prompt:
        return Reply.json({"error": {"message": f"invalid key {sent} ({KEY})"}}, status=401)
    if "midway" in prompt:
        chunks = [*text_chunks("partial answer")[:-1],
                  {"error": {"message": f"upstream rejected {sent}", "key": KEY}}]
        return Reply.sse(sse_body(*chunks, done=False))
    if "choice" in prompt:
        chunk = {"choices": [{"index": 0, "delta": {}, "finish_reason": "error",
                              "error": {"message": f"provider said {KEY}"}}]}
        return Reply.sse(sse_body(*text_chunks("half")[:-1], chunk, done=False))
    if "html" in prompt:
        return Reply(headers=[("Content-Type", "text/html")],
                     pieces=[f"<html>your key {KEY}</html>".encode()], chunked=False)
    return Reply.sse(sse_body(*text_chunks("all good", usage={"prompt_tokens": 3})))


def files_holding_the_key(home: Path) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]


@pytest.mark.slow
def test_a_full_session_never_writes_or_prints_the_key(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.default = echoing_route
    outputs: list[str] = []
    for prompt in ("please refuse", "stop midway", "a choice error", "html please", "fine"):
        run = cli(isolated_home, "ask", prompt, server=server, key=KEY)
        outputs += [run.stdout, run.stderr]
        assert "[API key]" in run.stderr or prompt in ("fine", "stop midway", "a choice error")
    for args in (["history", "--json"], ["history", "upstream"], ["models", "--json"]):
        run = cli(isolated_home, *args, server=server, key=KEY)
        outputs += [run.stdout, run.stderr]
    ids = [e["id"] for e in json.loads(cli(isolated_home, "history", "--json").stdout)]
    assert len(ids) == 5
    for conversation_id in ids:
        for fmt in ("markdown", "json", "toml"):
            run = cli(isolated_home, "show", conversation_id, "--format", fmt)
            outputs += [run.stdout, run.stderr]

    app = PtyApp(isolated_home, server.url, KEY)
    try:
        deadline = time.monotonic() + 15
        while len(app.raw()) < 2000:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        app.type("stop midway in the app")
        app.press("enter")
        app.wait_for("partial answer")
        app.wait_for("upstream rejected")
        mark = app.mark()
        app.press("f2")
        app.wait_for("openai/gpt-4.1", since=mark)
        app.type("gpt-4.1")
        app.press("enter")  # picked: remembered in settings.toml
        # Until the pick is saved the picker may still be open, and Ctrl+L would go to it.
        deadline = time.monotonic() + 20
        while not (isolated_home / "settings.toml").exists():
            assert time.monotonic() < deadline, "the picked model was never saved"
            time.sleep(0.05)
        mark = app.mark()
        app.press("ctrl+l")
        # The chat's title bar shows the prompt too: wait for the list and its preview.
        app.wait_for("Conversations · ", since=mark)
        app.wait_for("· updated", since=mark)
        app.press("\x1b[15~")  # F5: export Markdown
        app.wait_for("Exported to", since=mark)
        mark = app.mark()
        app.press("\x1b[17~")  # F6: export JSON
        app.wait_for("Exported to", since=mark)
        app.press("escape", "escape")
        assert app.quit() == 0
    finally:
        app.close() if app.process.poll() is None else None
    outputs.append(app.raw().decode("utf-8", errors="replace"))

    for text in outputs:
        assert KEY not in text
    written = sorted(p.relative_to(isolated_home).as_posix()
                     for p in isolated_home.rglob("*") if p.is_file())
    assert any(p.startswith("exports/") and p.endswith(".md") for p in written), written
    assert any(p.startswith("exports/") and p.endswith(".json") for p in written), written
    assert any(p.startswith("cache/history.sqlite3") for p in written), written
    assert "settings.toml" in written, written
    assert any(p.startswith("cache/models-") for p in written), written  # the catalog
    assert any(p.startswith("conversations/") for p in written), written
    assert files_holding_the_key(isolated_home) == []
    # The request itself still carried it: the key is used, only never kept.
    assert all(r.headers.get("authorization") == f"Bearer {KEY}"
               for r in server.chat_requests())
    assert_owner_only(isolated_home)


def assert_owner_only(home: Path) -> None:
    loose = []
    for path in home.rglob("*"):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            if mode & 0o077:
                loose.append(f"{path.relative_to(home)}/ {oct(mode)}")
        elif mode & 0o077:
            loose.append(f"{path.relative_to(home)} {oct(mode)}")
    assert loose == [], "readable by others: " + ", ".join(loose)


@pytest.mark.parametrize("prompt", ["stop midway", "a choice error", "html please"])
async def test_the_client_redacts_a_key_echoed_in_any_error(
    server: LoopbackServer, prompt: str
) -> None:
    from tui.api.client import ChatClient
    from tui.api.request import ChatRequest, RetryPolicy
    from tui.config import Profile

    server.default = echoing_route
    profile = Profile("cline", server.url, "CLINE_API_KEY", catalog="cline")
    async with ChatClient(profile, api_key=KEY, retry=RetryPolicy(attempts=0)) as client:
        stream = client.stream(ChatRequest("m", [{"role": "user", "content": prompt}]))
        async for _ in stream:
            pass
    assert stream.failure is not None and stream.reply.error
    assert KEY not in stream.failure.message and KEY not in stream.reply.error
    assert "[API key]" in stream.failure.message


def test_the_history_index_is_owner_only(tmp_path: Path) -> None:
    from tui.storage.history_index import HistoryIndex

    folder = tmp_path / "conversations"
    folder.mkdir()
    index = HistoryIndex(folder, tmp_path / "cache")
    index.refresh()
    assert stat.S_IMODE(index.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(index.path.parent.stat().st_mode) == 0o700


def test_folders_the_app_creates_above_its_own_are_owner_only_too(
    tmp_path: Path, server: LoopbackServer
) -> None:
    """A new CLINE_TUI_HOME (and any missing folder above it) is made 0700, as the XDG
    base directory spec asks; folders that already exist keep their mode."""
    tmp_path.chmod(0o755)
    home = tmp_path / "new" / "home"
    server.default = echoing_route
    run = cli(home, "ask", "fine", server=server, key=KEY)
    assert run.code == 0, run.stderr
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert_owner_only(tmp_path / "new")
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
