"""The message cursor's mark on a prompt or reply (see ``Marked``)."""

from __future__ import annotations

from textual.color import Color
from textual.widget import Widget


class Marked:
    """The message cursor's mark on a prompt or reply: its left border drawn heavy in the
    text colour. Set as the widget's own style, not a CSS class: a class change restyles
    the view and everything in it against the whole stylesheet (about 5 ms a view), and
    the mark moves on every Alt+Up/Down.

    The rule is set on the inline styles directly, not through ``styles.border_left``:
    Textual lays the whole screen out again when an inline border is cleared, but the
    mark only swaps one one-column edge for another (the CSS gives every prompt and
    reply a left border), so the view's size does not change and a repaint of the view
    is all it needs. Only if the edge appears or goes (a stylesheet with no left border)
    is a layout asked for."""

    marked = False

    def set_marked(self, marked: bool) -> None:
        if marked == self.marked:
            return
        self.marked = marked
        assert isinstance(self, Widget)
        styles = self.styles
        had_edge = bool(styles.border_left[0])
        if marked:
            colour = Color.parse(self.app.theme_variables.get("foreground", "white"))
            changed = styles.inline.set_rule("border_left", ("heavy", colour))
        else:
            changed = styles.inline.clear_rule("border_left")
        if not changed:
            return
        layout = had_edge != bool(styles.border_left[0])
        if layout or self in self.screen._compositor.visible_widgets:
            self.refresh(layout=layout)
        else:
            # Off screen (the cursor's next stop, about to be scrolled to): only its
            # cached lines go, and it is drawn with the new edge when it comes into view.
            # ``refresh`` would ask the screen's map where it is, which places every
            # widget of the screen again for one that is not shown.
            self._styles_cache.clear()
