"""Textual's Footer, recomposed once per refresh instead of once per bindings change, and
showing only the keys that fit whole beside the palette key."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

PALETTE = "-command-palette"


def fitting(widths: Iterable[int], room: int) -> int:
    """How many keys of these widths (their margin included) fit, left to right, in
    ``room`` columns: the first one that does not fit and every one after it go."""
    count = used = 0
    for width in widths:
        used += width
        if used > room:
            break
        count += 1
    return count


def key_width(key: FooterKey) -> int:
    """Columns a compact footer key takes: ``key description`` and one more (a key's
    margin; the palette key's bar)."""
    text = key.key_display + (f" {key.description}" if key.description else "")
    return cell_len(text) + 1


class Footer(TextualFooter):
    """Textual's ``Footer`` rebuilds all its keys after every bindings change, and a new
    screen publishes five of them while it mounts and takes focus: five rebuilds of
    ~10 ms each before the first full frame (benchmarks/startup.py). This one rebuilds
    once for however many changes arrive before the next refresh.

    Textual's lets keys run under the palette key (docked right): a key cut in half
    beside its bar, and one stray column after it (the palette key's margin). Here a key
    that does not fit whole is not shown (F1 lists every key), and the palette key
    always is."""

    DEFAULT_CSS = """
    Footer.-compact FooterKey.-command-palette {
        margin-right: 0;
    }
    """

    _rebuild_pending = False
    _built_width = 0
    _built_keys: tuple[tuple[object, ...], ...] | None = None  # what the keys were built from

    def __init__(self) -> None:
        super().__init__(compact=True)  # one space between keys: a chat's keys fit in 120
        # Keys in the first compose, from the screen's bindings as they are then: Textual's
        # waits for the first bindings change, and rebuilding then laid the screen out a
        # second time before the first full frame (~25 ms). A later change that leaves
        # the same keys rebuilds nothing (``_rebuild``).
        self.set_reactive(TextualFooter._bindings_ready, True)

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        # Docked at the bottom of a screen, it is as wide as the app: before the first
        # layout (its own size still 0) the app's width is the one it will have.
        width = self._built_width = self.size.width or self.app.size.width
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class(PALETTE)]
        palette = [w for w in widgets if isinstance(w, FooterKey) and w.has_class(PALETTE)]
        if width and len(keys) + len(palette) == len(widgets):  # no key groups: all measured
            room = width - sum(key_width(p) for p in palette)
            for key in keys[fitting((key_width(k) for k in keys), room):]:
                key.display = False
        if self.compact:
            # The class each key's ``compact`` would add once mounted, restyling it:
            # ~0.5 ms a key, a dozen keys, before the first frame.
            for key in keys + palette:
                key.add_class("-compact", update=False)
        if self._built_keys is None:
            self._built_keys = self._keys_to_show()
        yield from widgets

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._schedule_rebuild()

    def on_resize(self, event: Resize) -> None:
        if self._bindings_ready and event.size.width != self._built_width:
            self._schedule_rebuild()

    def _schedule_rebuild(self) -> None:
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        """Build the keys again, unless the keys to show are those shown, at the same
        width (the chat's message cursor changes the bindings on every move, and most
        moves leave the keys as they were)."""
        self._rebuild_pending = False
        if not self.is_attached:
            return  # its screen has closed since
        keys = self._keys_to_show()
        built = self._built_keys
        if built is not None and self.size.width == self._built_width and [
            k[:3] for k in keys] == [k[:3] for k in built] and self._enable(keys):
            self._built_keys = keys  # the same keys: at most one dimmed or lit again
            return
        self._built_keys = keys
        await self.recompose()

    def _enable(self, keys: tuple[tuple[object, ...], ...]) -> bool:
        """Dim or light the keys built, in place; False when they are not one a binding
        (grouped keys), so they must be built again."""
        built = [k for k in self.query_children(FooterKey) if not k.has_class(PALETTE)]
        if len(built) != len(keys):
            return False
        for widget, key in zip(built, keys, strict=True):
            widget.disabled = not key[3]
        return True

    def _keys_to_show(self) -> tuple[tuple[object, ...], ...]:
        """One entry a key drawn: Textual's footer draws the first binding of an action."""
        keys: dict[str, tuple[object, ...]] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in keys:
                keys[binding.action] = (binding.key, binding.action, binding.description,
                                        enabled, tooltip)
        return tuple(keys.values())
