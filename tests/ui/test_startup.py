"""What start-up leaves for after the first frame (benchmarks/startup.py measures the
time): the httpx client made on first use or by the warm-up, the footer rebuilt once per
burst of bindings changes, and the garbage collector off only while the app starts."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from rich.segment import Segment
from textual.strip import Strip

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, wait_for
from tui.api.client import ChatClient
from tui.api.request import ChatRequest
from tui.cli.main import main
from tui.config import Profile
from tui.ui import app as app_module
from tui.ui.render import markdown_feed
from tui.ui.render.markdown_feed import FRAME, MarkdownFeed
from tui.ui.speed import heap, keystrokes, strip_cycles
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.prompt import PromptArea


def client_for(server: LoopbackServer) -> ChatClient:
    return ChatClient(Profile("test", server.url, "TEST_KEY"), api_key="k")


async def test_the_httpx_client_is_made_on_first_use(server: LoopbackServer) -> None:
    client = client_for(server)
    assert client._client is None  # nothing made, no certificates loaded
    server.enqueue(Reply.sse(sse_body(*text_chunks("Hello", " there"))))
    stream = client.stream(ChatRequest("m", [{"role": "user", "content": "hi"}]))
    text = "".join([d.text async for d in stream if getattr(d, "kind", "") == "content"])
    assert text == "Hello there"
    assert client._client is not None
    await client.aclose()
    await client_for(server).aclose()  # one never used closes too


async def test_a_client_warmed_in_a_thread_serves_the_loop(server: LoopbackServer) -> None:
    client = client_for(server)
    threads = [threading.Thread(target=client.warm_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = client._client
    assert made is not None
    server.enqueue(Reply.json({"data": []}, path="/models"))
    assert await client.get_json("/models") == {"data": []}
    assert client._client is made  # one client, however many threads warmed it
    await client.aclose()


async def test_the_app_warms_up_and_freezes_the_heap_after_its_first_frame(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build_app(server, serve_catalog=False)  # no catalog fetch to make it sooner
    seen: list[tuple[bool, bool, bool]] = []  # (client made, collector on, screen laid out)
    load = app_module._load_for_replies

    def watched(client: ChatClient) -> None:  # in the warm-up's thread: attributes only
        focused = app.focused
        laid_out = isinstance(focused, PromptArea) and focused.size.width > 0
        seen.append((client._client is not None, gc.isenabled(), laid_out))
        load(client)

    monkeypatch.setattr(app_module, "_load_for_replies", watched)
    gc.disable()  # as run_app starts it
    try:
        async with app.run_test() as pilot:
            await wait_for(gc.isenabled)  # the warm-up's last step
            await pilot.pause()
            assert seen == [(False, False, True)]  # once, after the screen was laid out
            assert app.client._client is not None  # made in the warm-up, before any turn
            assert gc.get_freeze_count() > 0
    finally:
        gc.enable()


async def test_an_app_started_with_the_collector_on_leaves_it_alone(
    server: LoopbackServer,
) -> None:
    app = build_app(server, serve_catalog=False)
    frozen = gc.get_freeze_count()
    async with app.run_test() as pilot:
        await wait_for(lambda: app.client._client is not None)  # the warm-up ran
        await pilot.pause()
        assert gc.get_freeze_count() <= frozen  # a test's app freezes nothing (some die)
        assert gc.isenabled()


async def test_the_footer_rebuilds_once_for_a_burst_of_changes(server: LoopbackServer) -> None:
    app = build_app(server, serve_catalog=False)  # no catalog arriving to change bindings
    async with app.run_test() as pilot:
        footer = app.screen.query_one(Footer)
        # Start-up is over: the warm-up has run and the footer has no rebuild waiting.
        await wait_for(lambda: app.client._client is not None and footer._bindings_ready
                       and not footer._rebuild_pending and bool(footer.query("FooterKey")))
        started = finished = 0
        recompose = footer.recompose

        async def counted() -> None:
            nonlocal started, finished
            started += 1
            await recompose()
            finished += 1

        footer.recompose = counted  # type: ignore[method-assign]
        new_chat: list[bool | None] = [True]  # what check_action says of Ctrl+N
        check = app.screen.check_action
        app.screen.check_action = (  # type: ignore[method-assign]
            lambda action, parameters: new_chat[0] if action == "new_chat"
            else check(action, parameters))

        def keys() -> str:
            return " ".join(str(key.render()) for key in footer.query("FooterKey")
                            if key.display)

        new_chat[0] = False
        for _ in range(5):
            app.screen.refresh_bindings()  # five changes queued for the footer at once
        await wait_for(lambda: finished >= 1 and not footer._rebuild_pending)
        assert started == 1
        await pilot.pause()
        assert "New chat" not in keys()
        app.screen.refresh_bindings()  # nothing changed: nothing rebuilt
        await wait_for(lambda: not footer._rebuild_pending)
        new_chat[0] = True
        app.screen.refresh_bindings()  # a later change is still shown
        await wait_for(lambda: finished >= 2 and not footer._rebuild_pending)
        assert started == 2
        await pilot.pause()
        assert "New chat" in keys() and "palette" in keys()
        new_chat[0] = None  # dimmed: the same keys, one of them disabled in place
        app.screen.refresh_bindings()
        await wait_for(lambda: not footer._rebuild_pending and any(
            key.disabled for key in footer.query("FooterKey")))
        assert started == 2
        assert "New chat" in keys()


def test_an_app_that_stops_early_leaves_the_collector_on(isolated_home: object) -> None:
    assert main(["--theme", "no-such-theme"]) == 2
    assert gc.isenabled()


# --- streaming: the collector and keystrokes ----------------------------------------


def unreachable_after(use: Callable[[Strip], object]) -> int:
    """How many objects only the collector can free after ``use`` on 20 fresh lines."""
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            use(Strip([Segment("hello "), Segment("world")]))
        return gc.collect()
    finally:
        gc.enable()


def test_textual_strips_still_refer_to_themselves_without_the_patch() -> None:
    """Why tui/ui/speed/strip_cycles.py exists; when this fails, Textual fixed it: delete it."""
    original = getattr(Strip.divide, "__wrapped__", Strip.divide)
    assert unreachable_after(lambda strip: original(strip, [11])) >= 20


def test_lines_that_come_back_unchanged_are_freed_without_the_collector() -> None:
    strip_cycles.install()
    strip_cycles.install()  # twice is once

    def use(strip: Strip) -> None:
        assert strip.divide([11]) == [strip]
        assert strip.adjust_cell_length(11) is strip
        assert strip.crop_extend(0, 11, None) is strip
        assert strip.divide([5, 11])[0].text == "hello"  # other answers are still cached
        assert strip._divide_cache.get((5, 11)) is not None

    assert unreachable_after(use) == 0


@pytest.fixture
def heap_at_rest(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No hold on full collections left by an earlier test (its keys or its stream, in
    the last two seconds), and the collector's thresholds put back afterwards."""
    saved = gc.get_threshold()
    for name, value in (("_resume_at", None), ("_held_since", None), ("_streaming", 0)):
        monkeypatch.setattr(heap, name, value)
    if saved[2] == heap.DEFERRED:
        gc.set_threshold(saved[0], saved[1], heap._threshold)
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("heap_at_rest")
def test_full_collections_wait_while_any_reply_streams_and_a_moment_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]  # the heap module's clock, moved by hand
    monkeypatch.setattr(heap, "time", SimpleNamespace(monotonic=lambda: now[0]))
    young, middle, full = gc.get_threshold()
    with heap.full_collections_deferred():
        assert gc.get_threshold()[2] == heap.DEFERRED
        try:
            with heap.full_collections_deferred():  # a second column
                raise RuntimeError("a column fails")
        except RuntimeError:
            pass
        assert gc.get_threshold()[2] == heap.DEFERRED  # the first still streams
    assert gc.get_threshold()[2] == heap.DEFERRED  # its last blocks are still drawn
    with heap.full_collections_deferred():  # the next reply starts at once
        now[0] += heap.RESUME_AFTER + 1
        gc.collect(0)  # past the first reply's moment: no matter, this one streams
        assert gc.get_threshold()[2] == heap.DEFERRED
    now[0] += heap.RESUME_AFTER - 0.5
    gc.collect(0)
    assert gc.get_threshold()[2] == heap.DEFERRED  # not yet
    now[0] += 1
    gc.collect(0)  # the first young collection after the moment puts it back
    assert gc.get_threshold() == (young, middle, full)


@pytest.mark.usefixtures("heap_at_rest")
def test_full_collections_wait_while_keys_are_pressed_for_a_while_at_most(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]  # the heap module's clock, moved by hand
    monkeypatch.setattr(heap, "time", SimpleNamespace(monotonic=lambda: now[0]))
    young, middle, full = gc.get_threshold()
    heap.key_pressed()
    assert gc.get_threshold()[2] == heap.DEFERRED
    now[0] += heap.RESUME_AFTER - 0.5
    heap.key_pressed()  # the next key, before the moment: the hold goes on
    now[0] += 1
    gc.collect(0)
    assert gc.get_threshold()[2] == heap.DEFERRED
    now[0] += heap.RESUME_AFTER
    gc.collect(0)  # the keys stopped a moment ago: full collections are back
    assert gc.get_threshold() == (young, middle, full)
    # Keys without a pause: the hold ends once it has lasted MAX_KEY_HOLD.
    heap.key_pressed()
    for _ in range(int(heap.MAX_KEY_HOLD) + 1):
        now[0] += 1
        heap.key_pressed()
        gc.collect(0)
    assert gc.get_threshold()[2] == heap.DEFERRED
    now[0] += heap.RESUME_AFTER
    heap.key_pressed()  # held back a full MAX_KEY_HOLD: this key does not extend it
    gc.collect(0)
    assert gc.get_threshold() == (young, middle, full)
    heap.key_pressed()  # and the next key starts another hold
    assert gc.get_threshold()[2] == heap.DEFERRED


class Recorder:
    def __init__(self) -> None:
        self.appended: list[str] = []

    def append(self, text: str) -> None:
        self.appended.append(text)

    def call_after_refresh(self, callback: Callable[[], object]) -> bool:
        asyncio.get_running_loop().call_soon(callback)  # the frame that draws it
        return True


async def test_streamed_text_waits_a_moment_after_a_keystroke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = Recorder()
    feed = MarkdownFeed(view)  # type: ignore[arg-type]
    monkeypatch.setattr(keystrokes, "since", lambda: 3600.0)  # no key pressed lately
    feed.write("first")
    await wait_for(lambda: view.appended == ["first"])  # at once
    monkeypatch.setattr(keystrokes, "since", lambda: 0.0)  # a key pressed just now
    monkeypatch.setattr(markdown_feed, "INPUT_FIRST", 60.0)  # a long moment, to look at
    feed.write("second")
    await asyncio.sleep(FRAME * 3)
    assert view.appended == ["first"]  # held back for the keystroke's frame
    feed.stop()  # stopping appends it at once
    assert view.appended == ["first", "second"]


def test_the_app_asks_textual_for_120_frames_a_second_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.cli.chat import use_frame_rate

    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    use_frame_rate()
    assert os.environ["TEXTUAL_FPS"] == "120"
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    use_frame_rate()
    assert os.environ["TEXTUAL_FPS"] == "30"


def test_the_frame_rate_is_set_before_textual_is_imported(isolated_home: object) -> None:
    code = ("import os, sys\nos.environ.pop('TEXTUAL_FPS', None)\n"
            "sys.argv = ['cline-tui', '--theme', 'no-such-theme']\n"
            "import tui.cli.main\ncode = tui.cli.main.main()\n"
            "from textual import constants\nprint(code, constants.MAX_FPS)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.stdout.split() == ["2", "120"], result.stderr
