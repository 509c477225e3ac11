"""The one-widget Markdown view: blocks settle as text streams in, the view grows with
its text, and an append that keeps the height repaints without a layout."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tui.ui.markdown_view import MarkdownView, split_blocks


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield MarkdownView()


def shown(app: App[None]) -> str:
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


def test_blocks_are_the_top_level_markdown_blocks() -> None:
    source = "# Title\n\nA paragraph\nover two lines.\n\n```py\nx = 1\n\ny = 2\n```\n\n- a\n- b\n"
    assert [text for _, text in split_blocks(source)] == [
        "# Title", "A paragraph\nover two lines.", "```py\nx = 1\n\ny = 2\n```", "- a\n- b",
    ]


async def test_streamed_text_settles_into_blocks_and_grows_the_view() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MarkdownView)
        for piece in ("# Plan", "\n\nFirst ", "para", "graph.\n\n```python\nx", " = 1\n"):
            view.append(piece)
            await pilot.pause()
        text = shown(app)
        assert "Plan" in text and "First paragraph." in text and "x = 1" in text
        assert view._settled == ["# Plan", "First paragraph."]  # the fence is still live
        height = view.size.height
        view.append("y = 2\nz = 3\n```\n\nDone.")
        await pilot.pause()
        assert view.size.height > height
        assert "z = 3" in shown(app) and "Done." in shown(app)


async def test_an_append_that_keeps_the_height_repaints_without_a_layout() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MarkdownView)
        view.append("Streaming")
        await pilot.pause()
        height = view.size.height
        view.append(" text")  # same line
        assert not view._layout_required
        await pilot.pause()
        assert "Streaming text" in shown(app)
        assert view.size.height == height
        view.append(" that goes on" * 10)  # wraps: a new line
        assert view._layout_required
        await pilot.pause()
        assert view.size.height > height
        assert shown(app).count("goes on") >= 5
