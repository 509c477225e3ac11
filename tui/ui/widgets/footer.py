"""Textual's Footer, recomposed once per refresh instead of once per bindings change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's ``Footer`` rebuilds all its keys after every bindings change, and a new
    screen publishes five of them while it mounts and takes focus: five rebuilds of
    ~10 ms each before the first full frame (benchmarks/startup.py). This one rebuilds
    once for however many changes arrive before the next refresh."""

    _rebuild_pending = False

    def __init__(self) -> None:
        super().__init__(compact=True)  # one space between keys: a chat's keys fit in 120

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_pending:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        await self.recompose()
