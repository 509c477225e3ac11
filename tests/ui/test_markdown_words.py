"""Every word of a reply's source appears in its rendered lines: for the content of every
wire capture and for generated Markdown (paragraphs, line breaks, HTML-like tags, lists,
fences, tables, quotes, emphasis, links, images, headings).

A "word" is a run of letters and digits: markup characters (``*``, ``#``, ``|``, ``<``)
may be drawn differently or not at all, but no letter or digit the model sent may go
missing. Two kinds of runs are markup and not expected on screen: a fence's info string
(the language name of a code block) and the number of an ordered-list item (Rich numbers
the items itself). Blocks are rendered the way the view renders them, at 200 columns so
that no word is cut at a line end.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tests.support.streams import EXPECTED
from tests.support.ui_support import ViewApp, screen_text, wait_for
from tui.model.text import strip_controls
from tui.ui.render.markdown_blocks import render_block
from tui.ui.render.markdown_parser import make_parser, split_blocks
from tui.ui.render.markdown_view import MarkdownView

WIDTH = 200
_WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" is emphasis markup
_FENCE_INFO = re.compile(r"^( {0,3}(?:`{3,}|~{3,})).*$", re.MULTILINE)
_ORDERED_MARKER = re.compile(r"^(\s*(?:>\s*)*)\d{1,9}[.)](?=\s|$)", re.MULTILINE)


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text))


def expected_words(source: str) -> Counter[str]:
    return words(_ORDERED_MARKER.sub(r"\1", _FENCE_INFO.sub(r"\1", source)))


def rendered(source: str) -> str:
    console = Console(width=WIDTH, color_system=None)
    parser = make_parser()
    blocks = [render_block(block, WIDTH, console, parser, "monokai")
              for _, block in split_blocks(source, parser)]
    return "\n\n".join("\n".join(strip.text for strip in lines) for lines in blocks)


def missing(source: str, shown: str) -> Counter[str]:
    return expected_words(source) - words(shown)


CONTENTS = sorted({strip_controls(e["content"]) for e in EXPECTED.values() if e.get("content")})


@pytest.mark.parametrize("content", CONTENTS)
def test_every_word_of_each_captured_reply_is_rendered(content: str) -> None:
    assert not missing(content, rendered(content))


# --- generated Markdown ---------------------------------------------------------------

word = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éüßжλ日本"),
               min_size=1, max_size=10)
tag = st.sampled_from(["tex", "div", "br", "b", "span", "kbd", "sub", "think", "x-y"])
inline = st.one_of(
    word,
    word.map(lambda w: f"*{w}*"),
    word.map(lambda w: f"**{w}**"),
    word.map(lambda w: f"~~{w}~~"),
    word.map(lambda w: f"`{w}`"),
    st.tuples(word, word).map(lambda p: f"[{p[0]}](https://example.com/{p[1]})"),
    st.tuples(word, word).map(lambda p: f"![{p[0]}](https://example.com/{p[1]}.png)"),
    st.tuples(tag, word).map(lambda p: f"<{p[0]}>{p[1]}</{p[0]}>"),
    tag.map(lambda t: f"<{t}/>"),
    word.map(lambda w: f"<!-- {w} -->"),
    word.map(lambda w: f"&{w};"),
    word.map(lambda w: f"{w}\\"),  # a backslash at a line's end is a hard break
)
line = st.lists(inline, min_size=1, max_size=8).map(" ".join)
lines = st.lists(line, min_size=1, max_size=4)
paragraph = lines.map("\n".join)
heading = st.tuples(st.integers(1, 6), line).map(lambda p: "#" * p[0] + " " + p[1])
setext = st.tuples(line, st.sampled_from(["===", "---"])).map("\n".join)
fence = st.tuples(st.sampled_from(["", "python", "js", "text"]),
                  st.lists(st.lists(word, min_size=1, max_size=6).map(" ".join),
                           min_size=1, max_size=4)).map(
    lambda p: f"```{p[0]}\n" + "\n".join(p[1]) + "\n```")
bullets = st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(
    f"- {item}" for item in items))
numbered = st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(
    f"{n}. {item}" for n, item in enumerate(items, 1)))
quote = lines.map(lambda ls: "\n".join(f"> {item}" for item in ls))
html_block = st.tuples(st.sampled_from(["div", "details", "table", "pre"]), lines).map(
    lambda p: f"<{p[0]}>\n" + "\n".join(p[1]) + f"\n</{p[0]}>")
cells = st.lists(word, min_size=2, max_size=3)
table = st.tuples(cells, st.lists(cells, min_size=1, max_size=3)).map(lambda p: "\n".join([
    "| " + " | ".join(p[0]) + " |",
    "|" + "---|" * len(p[0]),
    *("| " + " | ".join((row + p[0])[: len(p[0])]) + " |" for row in p[1]),
]))
block = st.one_of(paragraph, heading, setext, fence, bullets, numbered, quote, html_block,
                  table)
document = st.lists(block, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(document)
def test_every_word_of_generated_markdown_is_rendered(source: str) -> None:
    shown = rendered(source)
    assert not missing(source, shown), shown


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(block, min_size=2, max_size=5), st.sampled_from(["\n", "\n\n"]))
def test_blocks_side_by_side_lose_no_word(blocks: list[str], gap: str) -> None:
    """Blocks one line apart interrupt or continue each other: still nothing is lost."""
    source = gap.join(blocks)
    assert not missing(source, rendered(source))


# --- the same, through the view, streamed in pieces -----------------------------------


async def test_every_word_of_each_captured_reply_is_on_screen_when_streamed() -> None:
    app = ViewApp()
    async with app.run_test(size=(WIDTH, 60)) as pilot:
        view = app.query_one(MarkdownView)
        for content in CONTENTS:
            view.update("")
            for start in range(0, len(content), 7):  # seven characters at a time
                view.append(content[start : start + 7])
                await pilot.pause()
            await wait_for(lambda: not view.rendering)  # the last blocks drawn
            await pilot.pause()
            screen = screen_text(app)
            assert not missing(content, screen), content
