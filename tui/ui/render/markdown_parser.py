"""The Markdown dialect of the conversation pane: CommonMark with tables and
strikethrough, in which nothing the model wrote disappears from the screen.

Rich renders markdown-it's tokens and silently drops some of them: HTML tags (a model's
``<tex>…</tex>``, ``<div>``, ``<br>``) and the text of an HTML block. markdown-it itself
turns ``&amp;`` into ``&``, swallows link reference definitions, percent-encodes link
addresses and drops a table row's cells beyond the header's. This parser keeps every
character as the model sent it: HTML is plain text (never interpreted), entities and
reference definitions are not recognised, addresses are shown as written and extra
cells are kept in the row's last cell. And because a chat reply is not a hard-wrapped
document, a single line break is shown as a line break (a poem, an address, ``Key:
value`` lines); fences, tables and lists keep their own layout.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


def make_parser() -> MarkdownIt:
    parser = MarkdownIt().enable("strikethrough").enable("table")
    parser.disable(["entity", "reference"])
    # A link's address is shown, never followed: as written, not percent-encoded.
    parser.normalizeLink = _as_written  # type: ignore[method-assign]
    parser.core.ruler.after("block", "whole_table_rows", _whole_table_rows)
    parser.core.ruler.push("shown_literally", _shown_literally)
    return parser


BLOCK_RULES = ("normalize", "block", "whole_table_rows")  # the core rules that split


def parse_blocks(parser: MarkdownIt, source: str) -> list[Token]:
    """``parser.parse`` but for the text inside the blocks (a paragraph's emphasis, its
    links): enough to find where the blocks start. ``parse_inline`` finishes a block's
    tokens when it is drawn; a block that is never drawn is never parsed further."""
    state = StateCore(source, parser, {})
    for name, rule in _core_rules(parser):
        if name in BLOCK_RULES:
            rule(state)
    return state.tokens


def parse_inline(parser: MarkdownIt, tokens: list[Token]) -> list[Token]:
    """The rest of ``parser.parse`` for tokens from ``parse_blocks``. Done once: tokens
    whose inline text has its parts already are returned as they are."""
    if any(token.type == "inline" and token.children for token in tokens):
        return tokens
    state = StateCore("", parser, {})
    state.tokens = tokens
    for name, rule in _core_rules(parser):
        if name not in BLOCK_RULES:
            rule(state)
    return state.tokens


def _core_rules(parser: MarkdownIt) -> list[tuple[str, Callable[[StateCore], None]]]:
    ruler = parser.core.ruler
    return [(rule.name, rule.fn) for rule in ruler.__rules__ if rule.enabled]


def split_blocks(source: str, parser: MarkdownIt | None = None) -> list[tuple[int, str]]:
    """The top-level blocks of ``source`` (paragraph, heading, fence, list, table, …):
    where each starts in ``source`` and its text, in order."""
    tokens = (parser or make_parser()).parse(source)
    return [(offset, text) for offset, text, _ in split_parsed(source, tokens)]


def split_parsed(source: str, tokens: list[Token]) -> list[tuple[int, str, list[Token]]]:
    """``split_blocks`` of ``source`` as parsed into ``tokens``, with each block's own
    tokens: the parse of the block's text alone but for the line numbers (``map``), which
    Rich does not read. The parser knows no reference definitions, the one thing that
    could join two blocks (``make_parser``)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    starts = [
        (index, token.map[0])
        for index, token in enumerate(tokens)
        if token.level == 0 and token.map is not None and token.nesting != -1
    ]
    blocks = []
    for number, (index, start) in enumerate(starts):
        following = starts[number + 1] if number + 1 < len(starts) else (len(tokens), len(lines))
        text = "".join(lines[start : following[1]]).strip("\n")
        if text.strip():
            blocks.append((offsets[start], text, tokens[index : following[0]]))
    return blocks


def _as_written(url: str) -> str:
    return url


def _whole_table_rows(state: StateCore) -> None:
    """A table row with more cells than the header (often a ``|`` inside a code span)
    loses the extra cells in markdown-it: they are put back into its last cell."""
    if not any(token.type == "table_open" for token in state.tokens):
        return
    lines = state.src.split("\n")
    row: list[Token] | None = None  # the cells of the row being read
    for token in state.tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token)
        elif token.type == "tr_close" and row and row[0].map is not None:
            cells = _cells(lines[row[0].map[0]])
            if len(cells) > len(row):
                row[-1].content = " | ".join(cells[len(row) - 1 :])
            row = None


def _cells(line: str) -> list[str]:
    cells = escapedSplit(line.lstrip(" \t>").strip())  # a quote's ">" comes before a row
    if cells and not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    return [cell.strip() for cell in cells]


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
