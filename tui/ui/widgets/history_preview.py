"""What the preview pane of the conversations screen shows: the conversation's facts and
the start of each message, the searched words highlighted. Everything from the file is
literal text without control characters."""

from __future__ import annotations

import re

from textual.content import Content

from tui.format import format_cost, format_when, total_cost
from tui.model.conversation import Conversation, Message
from tui.storage.history_index import Entry, models_of
from tui.ui.render.inert import inert

MESSAGE_CHARS = 600
MESSAGES_SHOWN = 40
PROBLEMS_SHOWN = 5
MATCH_STYLE = "bold reverse"


def query_pattern(query: str) -> re.Pattern[str] | None:
    """The words of a filter or search, to highlight wherever they occur."""
    words = [re.escape(w) for w in re.findall(r"\w+", query)]
    return re.compile("|".join(words), re.IGNORECASE) if words else None


def preview_content(entry: Entry, conversation: Conversation | None, problem: str | None,
                    pattern: re.Pattern[str] | None) -> Content:
    if conversation is None:
        return Content("\n").join([
            inert(f"{entry.id}.toml", "bold"),
            inert("This file could not be read; it is left as it is."),
            Content(""),
            inert(problem or "unreadable", "$text-error"),
        ])
    c = conversation
    models = models_of(c)
    kind = f"compare: {', '.join(models)}" if c.kind == "compare" else ", ".join(models)
    lines: list[Content] = [
        _mark(inert(" ".join((c.title or "(untitled)").split()), "bold"), pattern),
        inert(f"{c.id}", "$text-muted"),
        inert(f"created {format_when(c.created)} · updated {format_when(c.updated)} UTC",
              "$text-muted"),
        inert(f"{kind or 'no model'} · {len(c.messages)} messages · "
              f"{format_cost(total_cost(c))}", "$text-muted"),
    ]
    if c.problems:
        # Hand-edited values of the wrong type: kept in the file, not used.
        lines += [Content(""), *(inert(p, "$text-warning") for p in c.problems[:PROBLEMS_SHOWN])]
        if len(c.problems) > PROBLEMS_SHOWN:
            lines.append(inert(f"… {len(c.problems) - PROBLEMS_SHOWN} more", "$text-warning"))
    if c.system:
        lines += [Content(""), inert("System", "bold $text-accent"),
                  _mark(inert(_clip(c.system)), pattern)]
    for message in c.messages[:MESSAGES_SHOWN]:
        lines += [Content(""), _heading(message, c), _body(message, pattern)]
    hidden = len(c.messages) - MESSAGES_SHOWN
    if hidden > 0:
        lines += [Content(""), inert(f"… {hidden} more messages (Enter opens it)",
                                     "$text-muted")]
    return Content("\n").join(lines)


def _heading(m: Message, c: Conversation) -> Content:
    if m.role == "user":
        return inert("You", "bold $text-accent")
    if m.role == "assistant":
        label = m.model or c.model or "assistant"
        if c.kind == "compare" and m.column is not None:
            label += f" (column {m.column + 1})"
        return inert(label, "bold $text-success")
    return inert(m.role.capitalize(), "bold $text-muted")


def _body(m: Message, pattern: re.Pattern[str] | None) -> Content:
    text = m.content or m.refusal or m.error or ""
    if not text and m.tool_calls:
        text = "tool call: " + ", ".join(t.name for t in m.tool_calls)
    if not text and m.reasoning:
        text = "(reasoning only) " + m.reasoning
    return _mark(inert(_clip(text or "(empty)")), pattern)


def _clip(text: str) -> str:
    text = text[: MESSAGE_CHARS * 4].strip()  # not a copy of a 10 MB message
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def _mark(content: Content, pattern: re.Pattern[str] | None) -> Content:
    if pattern is None:
        return content
    return content.highlight_regex(pattern, style=MATCH_STYLE)
