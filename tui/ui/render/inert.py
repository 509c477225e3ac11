"""Untrusted text made safe for widgets: never parsed as markup, no control sequences."""

from __future__ import annotations

from textual.content import Content

from tui.model.text import strip_controls


def inert(text: str, style: str = "") -> Content:
    """``text`` as literal content: ``[@click=app.quit]`` stays those characters."""
    return Content.styled(strip_controls(text), style) if style else Content(strip_controls(text))
