"""The usage sidebar keeps every label apart from its value, at every width it is
drawn: the value never runs into its label, never wraps onto a line of its own."""

from __future__ import annotations

import re

import pytest
from textual.app import App, ComposeResult

from tests.support.ui_support import fixed_conversation, screen_text, settled
from tui.api.catalog import ModelInfo
from tui.ui.themes import APP_VARIABLES, resolve_variables
from tui.ui.widgets.usage_panel import UsagePanel

LABELS = ("prompt", "completion", "cached", "cost", "first token", "speed", "finish",
          "turns", "used", "window")


class PanelApp(App[None]):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLES)

    def get_css_variables(self) -> dict[str, str]:
        return resolve_variables(super().get_css_variables())

    def compose(self) -> ComposeResult:
        yield UsagePanel(id="usage")

    def on_mount(self) -> None:
        panel = self.query_one(UsagePanel)
        panel.styles.width = self.width
        panel.refresh_usage(fixed_conversation(),
                            ModelInfo(id="anthropic/claude-sonnet-4.6", context_length=200000))


@pytest.mark.parametrize("width", [34, 28, 22, 18])
async def test_labels_and_values_stay_apart(width: int) -> None:
    app = PanelApp(width)
    async with app.run_test(size=(60, 40)) as pilot:
        await settled(pilot, lambda: "window" in screen_text(app))
        lines = screen_text(app).splitlines()
        for label in LABELS:
            # A label, two blank cells at least, then its value, on one line.
            together = re.compile(rf"(^|[\s▏]){label}\s{{2,}}\S")
            assert any(together.search(line) for line in lines), (label, lines)
            assert not any(re.search(rf"{label}\s*▏?\s*$", line) for line in lines), (
                label, lines)
        assert not any(re.search(r"(token|completion|window|speed)\d", line) for line in lines)
