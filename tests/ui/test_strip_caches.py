"""Strips made with the cheaper caches (tui/ui/speed/strip_caches.py) give the same
lines as Textual's own for any sequence of the operations a frame uses, hit their caches
the same way, and keep them as small."""

from __future__ import annotations

import random

from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import MONOKAI
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

from tui.ui.speed import strip_caches, strip_cycles

STYLES = [None, Style(bold=True), Style(color="red", bgcolor="blue"), Style(italic=True)]
WORDS = ["a", "hello", " ", "wide 字", "tab\t", "end.", ""]
FILTER = ANSIToTruecolor(MONOKAI)


def random_strip(rng: random.Random) -> Strip:
    return Strip([Segment(rng.choice(WORDS[:-1]), rng.choice(STYLES))
                  for _ in range(rng.randint(1, 6))])


def run(seed: int) -> list[object]:
    """A fixed random sequence of strip operations; what each gave."""
    rng = random.Random(seed)
    strips = [random_strip(rng) for _ in range(4)]
    seen: list[object] = []
    for _ in range(300):
        strip = rng.choice(strips)
        length = strip.cell_length
        op = rng.randrange(8)
        if op == 0:
            result: object = strip.crop(rng.randint(0, length), rng.randint(0, length + 3))
        elif op == 1:
            result = strip.divide(sorted(rng.sample(range(1, length + 2), k=min(2, length))))
        elif op == 2:
            result = strip.apply_style(rng.choice(STYLES[1:]))  # type: ignore[arg-type]
        elif op == 3:
            result = strip.adjust_cell_length(rng.randint(0, length + 4), rng.choice(STYLES))
        elif op == 4:
            result = strip.crop_extend(rng.randint(0, length), rng.randint(0, length + 4),
                                       rng.choice(STYLES))
        elif op == 5:
            result = strip.apply_offsets(rng.randint(0, 5), rng.randint(0, 5))
        elif op == 6:
            result = strip.apply_filter(FILTER, Color(0, 0, 0))
        else:
            result = Strip.join([strip, rng.choice(strips)]).simplify()
        if isinstance(result, Strip) and rng.random() < 0.3:
            strips.append(result)  # operations on what operations made
        seen.append([list(s) for s in result] if isinstance(result, list) else list(result))  # type: ignore[arg-type]
        seen.append(strip.text)
    return seen


def test_strips_behave_as_textuals() -> None:
    strip_cycles.install()
    try:
        assert strip_caches.install()
        patched = [run(seed) for seed in range(20)]
        strip_caches.uninstall()
        original = [run(seed) for seed in range(20)]
    finally:
        strip_caches.install()
    assert patched == original


def test_the_caches_hit_and_stay_small() -> None:
    assert strip_caches.install()
    strip = Strip([Segment("0123456789" * 5, Style(bold=True))])
    crops = [strip.crop(start, start + 5) for start in range(40)]
    assert len(strip._crop_cache) == 16  # bounded as FIFOCache(16) is
    assert strip.crop(39, 44) is crops[-1]  # a hit: the same strip
    assert strip.crop(0, 5) is not crops[0]  # the oldest was let go
    assert type(strip._divide_cache).__name__ == "_Bounded"
