"""The footer at 60, 80 and 120 columns on the chat, compare and conversations screens:
keys shown whole or not at all, nothing stray, the palette key always at the right."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from tests.support.loopback import LoopbackServer
from tests.support.ui_support import (
    build_app,
    catalog_loaded,
    open_history,
    screen_text,
    settled,
)
from tui.model.compare import new_compare
from tui.model.conversation import Conversation, Message
from tui.ui.screens.compare import CompareScreen
from tui.ui.widgets.footer import Footer

WIDTHS = [60, 80, 120]


def compare_conversation() -> Conversation:
    when = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    c = new_compare(["alpha/model", "beta/model"],
                    Conversation(id="20261102-100000-cccccc", created=when, updated=when,
                                 profile="cline"))
    c.add(Message(role="user", content="Name a prime above 10.", created=when))
    return c


def check_footer(pilot: Pilot[None], width: int) -> None:
    footer = pilot.app.screen.query_one(Footer)
    keys = [k for k in footer.query(FooterKey) if not k.has_class("-command-palette")]
    items = [f"{k.key_display} {k.description}" for k in keys]
    line = screen_text(pilot.app).split("\n")[-1]
    assert len(line) == width
    left, bar, palette = line.partition("▏")
    assert bar, line
    assert palette == "^p palette", line  # nothing after it, not even one column
    shown = left.rstrip()
    whole = [" ".join(items[:n]) for n in range(len(items) + 1)]
    assert shown in whole, f"a key cut in the footer: {line!r}"


async def footer_drawn(pilot: Pilot[None]) -> None:
    def drawn() -> bool:
        footer = pilot.app.screen.query(Footer)
        return bool(footer) and bool(footer.first().query(FooterKey)) and \
            screen_text(pilot.app).split("\n")[-1].rstrip().endswith("palette")
    await settled(pilot, drawn)
    await pilot.pause()


@pytest.mark.parametrize("width", WIDTHS)
async def test_chat_footer(server: LoopbackServer, width: int) -> None:
    app = build_app(server)
    async with app.run_test(size=(width, 24)) as pilot:
        await catalog_loaded(pilot)
        await footer_drawn(pilot)
        check_footer(pilot, width)


@pytest.mark.parametrize("width", WIDTHS)
async def test_compare_footer(server: LoopbackServer, width: int) -> None:
    app = build_app(server, serve_catalog=False, conversation=compare_conversation())
    async with app.run_test(size=(width, 24)) as pilot:
        await settled(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
        await footer_drawn(pilot)
        check_footer(pilot, width)


@pytest.mark.parametrize("width", WIDTHS)
async def test_conversations_footer(width: int) -> None:
    app = build_app(None)
    async with app.run_test(size=(width, 24)) as pilot:
        await open_history(pilot)
        await footer_drawn(pilot)
        check_footer(pilot, width)


async def test_footer_follows_a_resize(server: LoopbackServer) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 24)) as pilot:
        await catalog_loaded(pilot)
        await footer_drawn(pilot)
        await pilot.resize_terminal(60, 24)
        footer = pilot.app.screen.query_one(Footer)
        await settled(pilot, lambda: footer._built_width == 60)
        await pilot.pause()
        check_footer(pilot, 60)
        await pilot.resize_terminal(120, 24)
        await settled(pilot, lambda: footer._built_width == 120)
        await pilot.pause()
        check_footer(pilot, 120)
