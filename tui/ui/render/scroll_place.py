"""Where a widget is in the container that scrolls it, and keeping what the user reads in
place when rows are added above it (``MarkdownView`` drawing a block it had guessed)."""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import ScrollableContainer
from textual.widget import Widget


def rows_shown(widget: Widget) -> tuple[int, int] | None:
    """The widget's content rows on screen, from the first to past the last (None: not
    on screen)."""
    placed = widget.screen._compositor.visible_widgets.get(widget)
    if placed is None:
        return None
    region, clip = placed
    top = region.y + widget.styles.gutter.top
    return max(0, clip.y - top), max(0, clip.bottom - top)


def keep_place(widget: Widget, moved: int, then: Callable[[], None]) -> bool:
    """Scroll the container by ``moved`` rows added above what it shows, unless it follows
    its end (the anchor keeps the end in view by itself) or is on its way somewhere (a
    scroll to the start, a page up: where it lands is what was asked for). True when the
    scroll waits for the layout that makes room for it (past the end as laid out now);
    ``then`` is called once it is done."""
    container = next((a for a in widget.ancestors if isinstance(a, ScrollableContainer)),
                     None)
    if container is None or (container.is_anchored and not container._anchor_released):
        return False
    if container.scroll_target_y != container.scroll_y:
        return False
    # Now, not after the next frame (Textual's default): that frame lays the rows out
    # anew, and must show them where they were. A scroll the user makes meanwhile (the
    # mouse wheel scrolls at once too) is then made from the place kept.
    target = container.scroll_y + moved
    if target <= container.max_scroll_y:
        container.scroll_to(y=target, animate=False, immediate=True)
        return False

    def scroll() -> None:  # by as much from where it is then, once there is room
        container.scroll_to(y=container.scroll_y + moved, animate=False, immediate=True)
        then()

    widget.call_after_refresh(scroll)
    return True
