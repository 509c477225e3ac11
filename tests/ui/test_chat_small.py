"""The chat screen at small sizes and from the keyboard alone: the usage sidebar gives way
to the chat on every resize, and the transcript scrolls while the prompt keeps focus."""

from __future__ import annotations

from pathlib import Path

from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, chat, settled, wait_for


async def test_sidebar_follows_every_resize(server: LoopbackServer, isolated_home: Path) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 30)) as pilot:
        panel = chat(app).usage_panel
        await settled(pilot, lambda: panel.display)
        await pilot.resize_terminal(80, 24)
        await settled(pilot, lambda: not panel.display)
        assert chat(app).transcript.size.width > 70  # the chat has the whole width
        await pilot.resize_terminal(60, 15)
        await settled(pilot, lambda: not panel.display)
        await pilot.resize_terminal(130, 30)
        await settled(pilot, lambda: panel.display)


async def test_ctrl_b_holds_until_the_width_crosses(
    server: LoopbackServer, isolated_home: Path
) -> None:
    app = build_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = chat(app).usage_panel
        await settled(pilot, lambda: not panel.display)
        await pilot.press("ctrl+b")  # shown by hand on a narrow terminal
        await settled(pilot, lambda: panel.display)
        await pilot.resize_terminal(90, 24)  # still narrow: the choice holds
        await pilot.pause()
        assert panel.display
        await pilot.resize_terminal(120, 24)  # wide: the width decides again
        await settled(pilot, lambda: panel.display)
        await pilot.press("ctrl+b")  # hidden by hand on a wide terminal
        await settled(pilot, lambda: not panel.display)
        await pilot.resize_terminal(110, 24)
        await pilot.pause()
        assert not panel.display
        await pilot.resize_terminal(70, 24)
        await pilot.resize_terminal(120, 24)
        await wait_for(lambda: panel.display)
