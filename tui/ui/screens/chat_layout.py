"""The chat screen's usage sidebar: shown when the terminal is wide enough, hidden or
shown by Ctrl+B until the width crosses the line again."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from tui.ui.widgets.usage_panel import UsagePanel

# Below this many columns the usage sidebar gives way to the chat (the chat keeps 66).
USAGE_MIN_WIDTH = 100


class UsageFit(Screen[None]):
    # Ctrl+B's choice (shown or hidden), kept until the terminal crosses USAGE_MIN_WIDTH;
    # None: the sidebar follows the width.
    _usage_choice: bool | None = None
    _wide: bool | None = None

    @property
    def usage_panel(self) -> UsagePanel:
        return self.query_one(UsagePanel)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_usage(event.size.width)

    def _fit_usage(self, width: int) -> None:
        """The sidebar shows when the terminal is wide enough, on every resize. Ctrl+B's
        choice holds until the width crosses USAGE_MIN_WIDTH, then the width decides again."""
        wide = width >= USAGE_MIN_WIDTH
        if wide != self._wide:
            self._wide = wide
            self._usage_choice = None
        panel = self.query_one_optional(UsagePanel)
        if panel is not None:
            panel.display = wide if self._usage_choice is None else self._usage_choice

    def action_toggle_usage(self) -> None:
        panel = self.usage_panel
        self._usage_choice = not panel.display
        panel.display = self._usage_choice
