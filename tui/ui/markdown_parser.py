"""The Markdown dialect of the conversation pane: CommonMark with tables and
strikethrough, in which nothing the model wrote disappears from the screen.

Rich renders markdown-it's tokens and silently drops some of them: HTML tags (a model's
``<tex>…</tex>``, ``<div>``, ``<br>``), and the text of an HTML block. markdown-it itself
turns ``&amp;`` into ``&`` and swallows link reference definitions. This parser keeps
every one as the characters the model sent: HTML becomes plain text (never interpreted),
entities and reference definitions are not recognised. And because a chat reply is not a
hard-wrapped document, a single line break is shown as a line break (a poem, an address,
``Key: value`` lines); fences, tables and lists keep their own layout.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


def make_parser() -> MarkdownIt:
    parser = MarkdownIt().enable("strikethrough").enable("table")
    parser.disable(["entity", "reference"])
    parser.core.ruler.push("shown_literally", _shown_literally)
    return parser


def _shown_literally(state: StateCore) -> None:
    tokens: list[Token] = []
    for token in state.tokens:
        if token.type == "html_block":
            tokens.extend(_literal_paragraph(token))
            continue
        if token.type == "inline" and token.children:
            token.children = _literal_inline(token.children)
        tokens.append(token)
    state.tokens = tokens


def _literal_inline(children: list[Token]) -> list[Token]:
    shown: list[Token] = []
    for child in children:
        if child.type == "html_inline":
            child.type = "text"
        elif child.type == "softbreak":
            child.type = "hardbreak"
        elif child.type == "image":
            # Rich shows an image as its alt text alone: the address goes too. As a link
            # it is shown "alt (address)", like every other link.
            link_open = Token("link_open", "a", 1, attrs={"href": child.attrGet("src") or ""})
            shown.extend([Token("text", "", 0, content="🌆 "), link_open,
                          *_literal_inline(child.children or []),
                          Token("link_close", "a", -1)])
            continue
        shown.append(child)
    return shown


def _literal_paragraph(block: Token) -> list[Token]:
    """An HTML block as a paragraph of its own lines, each shown as written."""
    children: list[Token] = []
    for number, line in enumerate(block.content.rstrip("\n").split("\n")):
        if number:
            children.append(Token("hardbreak", "br", 0))
        children.append(Token("text", "", 0, content=line))
    level = block.level
    return [
        Token("paragraph_open", "p", 1, map=block.map, level=level, block=True),
        Token("inline", "", 0, map=block.map, level=level + 1, content=block.content,
              children=children, block=True),
        Token("paragraph_close", "p", -1, level=level, block=True),
    ]
