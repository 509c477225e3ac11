"""The local model's figures on screen: after a reply the usage line and the sidebar show
its prompt and completion tokens and speed, marked "≈" as counted by the app; the sidebar's
context window is the one the app gave the server; the picker lists the model as free with
that context. The local server is played by the loopback server with the captured stream."""

from __future__ import annotations

from pathlib import Path

from tests.support.local_wire import (
    CHUNKS,
    MODEL,
    PROMPT,
    PROMPT_COUNT,
    local_config,
    local_reply,
    play_local_server,
)
from tests.support.loopback import LoopbackServer
from tests.support.ui_support import catalog_loaded, chat, saved, send, settled
from tui.chat.turn import make_client
from tui.ui.app import make_app
from tui.ui.modals.model_picker import ModelPicker
from tui.ui.widgets.reply_view import ReplyView

CONTEXT = 4096  # the context this app "started its server with" (4K on screen)


async def test_a_local_reply_shows_counted_figures_and_the_configured_context(
    server: LoopbackServer, isolated_home: Path
) -> None:
    play_local_server(server)
    server.enqueue(local_reply())
    config = local_config(server, context=CONTEXT)
    app = make_app(config, client=make_client(config))

    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        await send(pilot, PROMPT)
        screen = chat(app)
        panel = screen.usage_panel
        await settled(pilot, lambda: not screen.streaming and "≈" in panel.reply.text)

        last = panel.reply.text
        assert f"≈{PROMPT_COUNT}" in _row(last, "prompt")
        assert f"≈{CHUNKS}" in _row(last, "completion")
        assert "tok/s" in _row(last, "speed") and "≈" in _row(last, "speed")
        assert _row(last, "cost").endswith("$0")
        assert "counted by cline-tui" in last
        totals = panel.totals.text
        assert f"≈{PROMPT_COUNT}" in _row(totals, "prompt")
        assert f"≈{CHUNKS}" in _row(totals, "completion")
        context = panel.context.text
        assert f"≈{PROMPT_COUNT + CHUNKS}" in _row(context, "used")
        assert _row(context, "window").endswith("4K")
        line = app.screen.query(ReplyView).last().status.render().plain
        assert f"≈{CHUNKS} out" in line and f"≈{PROMPT_COUNT} in" in line

        await pilot.press("f2")
        await settled(pilot, lambda: isinstance(app.screen, ModelPicker))
        row = str(app.screen.query_one("#models").get_option_at_index(0).prompt)
        assert row.split() == [MODEL, "4K", "free", "in", "free", "out"]

    # Saved as counted, so it reads "≈" when the conversation is opened again.
    text = saved(isolated_home)[0].read_text()
    assert "counted = true" in text


def _row(rows: str, label: str) -> str:
    line = next(line for line in rows.splitlines() if line.startswith(label))
    return line.rstrip()
