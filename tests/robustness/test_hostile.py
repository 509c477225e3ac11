"""Hostile content from the model, the catalog, the server, saved files and theme files:
shown literally, never interpreted, on every screen, in notifications and in exports.

The first tests run the real ``cline-tui`` in a pseudo-terminal and check the BYTES it
writes: Textual writes its own control sequences (colours, cursor moves), so the checks
look for the planted ones (an OSC 52 clipboard write with its payload, an OSC 0 title
change, a C1 CSI, a bidi override), and that the click markup did not quit the app.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tests.support.pty_support import PtyApp
from tests.support.ui_support import CATALOG, build_app, collect_notes, screen_text, send
from tui.model.conversation import Conversation, Message, ToolCall
from tui.storage.export import to_json, to_markdown
from tui.storage.store import ConversationStore
from tui.ui.themes import ThemeError, load_themes, parse_theme

CLIP = "cHduZWQtY2xpcGJvYXJk"  # base64 of "pwned-clipboard"
EVIL = (f"[@click=app.quit]click me[/] unbalanced [/] [bold red]b "
        f"\x1b]52;c;{CLIP}\x07 \x1b]0;pwned-title\x07 \x1b]2;pwned-title\x1b\\ "
        f"\x9b31mC1 \u202eevil-bidi \x1b[6n \x07 \x00")
LONG_LINE = "W" * 100_000

HOSTILE_CATALOG = {"data": [
    *CATALOG["data"][:3],
    {"id": f"evil/ZQMODEL{EVIL}", "name": f"ZQNAME {EVIL}", "context_length": 8192,
     "pricing": {"prompt": "0.000001", "completion": "0.000001"}},
]}


def hostile_route(request: Recorded) -> Reply:
    if request.path.endswith("/models"):
        return Reply.json(HOSTILE_CATALOG)
    body = json.loads(request.body)
    turn = sum(1 for m in body["messages"] if m["role"] == "user")
    if turn >= 2 and not body["model"].startswith("b/"):
        return Reply.json({"error": {"message": f"ZQERR {EVIL}"}}, status=400)
    # EVIL at both ends: the start may scroll past unpainted when the reply arrives at once.
    chunks = text_chunks(f"ZQSTART {EVIL}", f"\n\n{LONG_LINE}\n\n", f"ZQEND {EVIL}",
                         reasoning=(f"thinking {EVIL}",), model=body["model"])
    return Reply.sse(sse_body(*chunks), piece_size=4096)


def assert_inert_bytes(app: PtyApp) -> None:
    raw = app.raw()
    text = raw.decode("utf-8", errors="replace")
    assert b"\x1b]52" not in raw and CLIP.encode() + b"\x07" not in raw
    assert b"\x1b]0;pwned" not in raw and b"\x1b]2;pwned" not in raw
    assert "\x9b" not in text  # a C1 CSI, as UTF-8 (a raw 0x9b byte is inside "┛")
    assert "\u202e" not in text
    assert b"\x1b[6n" not in raw  # a cursor report request would answer into the input
    assert b"\x00" not in raw


@pytest.mark.slow
def test_chat_picker_and_conversations_send_no_planted_sequences_to_the_terminal(
    isolated_home: Path, server: LoopbackServer
) -> None:
    store = ConversationStore(isolated_home / "conversations")
    saved = Conversation(id="20260101-000000-bad001", title=f"ZQTITLE {EVIL}", model="m")
    saved.add(Message(role="user", content=f"old {EVIL}"))
    store.save(saved)
    server.default = hostile_route
    app = PtyApp(isolated_home, server.url, "sk-pty-hostile-1234")
    try:
        deadline = time.monotonic() + 15
        while not server.requests or len(app.raw()) < 2000:
            assert time.monotonic() < deadline, app.text()[-2000:]
            time.sleep(0.05)
        time.sleep(0.5)
        app.type("hello")
        app.press("enter")
        app.wait_for("ZQEND")
        app.wait_for("[@click=app.quit]click me[/]")  # literal, not a link
        app.type("again")
        app.press("enter")
        app.wait_for("ZQERR")
        mark = app.mark()
        app.press("f2")
        app.wait_for("evil/ZQMODEL[@click=app.quit]click me", since=mark)  # the catalog
        app.press("escape")
        mark = app.mark()
        app.press("ctrl+l")
        app.wait_for("ZQTITLE", since=mark)
        app.press("escape", "escape")
        time.sleep(0.3)
        assert app.process.poll() is None, "the click markup quit the app"
        code = app.quit()
    finally:
        app.close() if app.process.poll() is None else None
    assert code == 0
    assert_inert_bytes(app)
    assert "]52;c;" + CLIP in app.text()  # what is left of it is shown, as text


@pytest.mark.slow
def test_compare_sends_no_planted_sequences_to_the_terminal(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.default = hostile_route
    app = PtyApp(isolated_home, server.url, "sk-pty-hostile-5678", "--compare", "a/one,b/two")
    try:
        deadline = time.monotonic() + 15
        while len(app.raw()) < 2000:
            assert time.monotonic() < deadline, app.text()[-2000:]
            time.sleep(0.05)
        time.sleep(0.8)
        app.type("hello")
        app.press("enter")
        app.wait_for("ZQEND")
        time.sleep(0.5)
        code = app.quit()
    finally:
        app.close() if app.process.poll() is None else None
    assert code == 0
    assert_inert_bytes(app)


# --- the same content on every screen, through Pilot --------------------------------------


def assert_inert_screen(text: str) -> None:
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
        assert bad not in text


async def test_notifications_keep_hostile_server_errors_literal(server: LoopbackServer) -> None:
    server.enqueue(Reply.json({"error": {"message": f"ZQERR {EVIL}"}}, status=500))
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "ZQERR" in text and "[@click=app.quit]click me[/]" in text
        assert_inert_screen(text)
        for note in notes:
            assert_inert_screen(note)
        assert app.is_running


async def test_a_100000_character_line_is_shown_without_hanging(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("start ", LONG_LINE, " ZQEND")),
                             piece_size=8192))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        started = time.monotonic()
        await send(pilot, "long")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert time.monotonic() - started < 10
        assert "WWWWWWWW" in screen_text(app)
        assert app.is_running


async def test_compare_columns_keep_hostile_replies_and_model_names_literal(
    server: LoopbackServer,
) -> None:
    def route(request: Recorded) -> Reply:
        if request.path.endswith("/models"):
            return Reply(status=404, pieces=[b"{}"], chunked=False)
        return Reply.sse(sse_body(*text_chunks(f"ZQSTART {EVIL} ZQEND")))

    server.default = route
    models = ["evil/[@click=app.quit]q[/]\x1b]0;pwned-title\x07", "b/two"]
    app = build_app(server, serve_catalog=False, compare_models=models)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await send(pilot, "hello")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert text.count("[@click=app.quit]click me[/]") == 2
        assert "evil/[@click=app.quit]q[/]" in text
        assert_inert_screen(text)
        assert app.is_running


# --- exports -------------------------------------------------------------------------------


def hostile_conversation() -> Conversation:
    conversation = Conversation(id="20260101-000000-bad002", title=f"T {EVIL}",
                                model=f"m {EVIL}", system=f"S {EVIL}")
    conversation.add(Message(role="user", content=f"U {EVIL}\n{LONG_LINE}"))
    conversation.add(Message(
        role="assistant", content=f"A {EVIL}", reasoning=f"R {EVIL}", refusal=f"N {EVIL}",
        error=f"E {EVIL}", finish_reason="error", model=f"m {EVIL}",
        tool_calls=[ToolCall(id="c1", name=f"f {EVIL}", arguments=f'{{"a": "{EVIL}"}}')],
    ))
    return conversation


def test_markdown_export_has_no_control_characters() -> None:
    text = to_markdown(hostile_conversation())
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
        assert bad not in text
    assert "[@click=app.quit]click me[/]" in text and LONG_LINE in text


def test_json_export_escapes_control_characters_and_round_trips() -> None:
    conversation = hostile_conversation()
    text = to_json(conversation)
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
        assert bad not in text
    data = json.loads(text)
    assert data["messages"][1]["content"] == f"A {EVIL}"  # exact, once decoded
    assert data["title"] == f"T {EVIL}"


# --- theme files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "[@click=app.quit]x[/]", "evil\x1b]0;pwned\x07", "../../evil", "a\u202eb", "x" * 1000,
    "evil\n", "/etc/passwd", "..", "",
])
def test_a_hostile_theme_name_is_refused(name: str) -> None:
    with pytest.raises(ThemeError) as raised:
        parse_theme({"name": name, "primary": "#123456"})
    message = str(raised.value)
    assert "'name' must be" in message


def test_hostile_theme_files_are_reported_inertly(isolated_home: Path) -> None:
    themes = isolated_home / "themes"
    themes.mkdir(parents=True)
    (themes / "evil.toml").write_text(
        'name = "[@click=app.quit]x[/]\\u001b]0;pwned\\u0007"\nprimary = "#123456"\n')
    (themes / "colours.toml").write_text(
        'primary = "[@click=app.quit]\\u001b]52;c;AAAA\\u0007"\n'
        'background = "\\u202e#000000"\n')
    (themes / "binary.toml").write_bytes(b"\x1b]0;pwned\x07\xff\xfe")
    loaded = load_themes(themes)
    assert not {"evil", "colours", "binary"} & set(loaded.themes)
    assert len(loaded.problems) == 3
    for problem in loaded.problems:
        for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert bad not in problem


async def test_hostile_theme_problems_reach_the_screen_inert(
    isolated_home: Path, server: LoopbackServer
) -> None:
    themes = isolated_home / "themes"
    themes.mkdir(parents=True)
    (themes / "evil.toml").write_text(
        'name = "[@click=app.quit]x[/]"\nprimary = "\\u001b]52;c;AAAA\\u0007[/]"\n')
    app = build_app(server)
    messages = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("evil.toml" in m for m in messages)
        for message in messages:
            assert_inert_screen(message)
        assert app.is_running
