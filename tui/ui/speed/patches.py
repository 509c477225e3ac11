"""The speed fixes that patch Textual's own classes, installed together when the app is
made (each is idempotent, and has ``uninstall`` for the test that compares it with
Textual alone)."""

from __future__ import annotations

from tui.ui.speed import (
    full_map,
    leaf_sizes,
    paint_crop,
    scrollbar_lines,
    strip_caches,
    strip_cycles,
)


def install_all() -> None:
    for patch in (strip_cycles, strip_caches, paint_crop, scrollbar_lines, leaf_sizes,
                  full_map):
        patch.install()
