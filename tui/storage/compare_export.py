"""A comparison as Markdown: turn by turn, the replies one after another in column
order, or side by side in a table (one column per model)."""

from __future__ import annotations

from tui.format import reply_notes
from tui.model.conversation import Conversation, Message
from tui.model.text import strip_controls

LAYOUTS = ("stacked", "side-by-side")


def turns(conversation: Conversation) -> list[tuple[Message, list[Message]]]:
    """Each prompt with the replies that answered it, in column order."""
    out: list[tuple[Message, list[Message]]] = []
    for message in conversation.messages:
        if message.role == "user":
            out.append((message, []))
        elif message.role == "assistant" and out:
            out[-1][1].append(message)
    return [(prompt, sorted(replies, key=lambda m: m.column or 0)) for prompt, replies in out]


def compare_markdown(conversation: Conversation, layout: str = "stacked") -> list[str]:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout '{layout}' (one of: {', '.join(LAYOUTS)})")
    lines: list[str] = []
    for number, (prompt, replies) in enumerate(turns(conversation), start=1):
        lines += [f"## Prompt {number}", "", strip_controls(prompt.content), ""]
        if layout == "side-by-side":
            lines += _table(conversation, replies)
        else:
            for reply in replies:
                lines += _stacked(conversation, reply)
    return lines


def _label(conversation: Conversation, reply: Message) -> str:
    column = (reply.column or 0) + 1
    model = reply.model or (conversation.models[column - 1]
                            if column - 1 < len(conversation.models) else "?")
    star = " ★ preferred" if reply.preferred else ""
    return " ".join(strip_controls(f"{column}. {model}{star}").split())


def _stacked(conversation: Conversation, reply: Message) -> list[str]:
    out = [f"### {_label(conversation, reply)}", ""]
    if reply.content:
        out += [strip_controls(reply.content), ""]
    notes = reply_notes(reply)
    if notes:
        out += [f"*{notes}*", ""]
    return out


def _cell(text: str) -> str:
    """Text fit for one Markdown table cell: pipes escaped, lines joined with <br>."""
    clean = strip_controls(text).replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(line.rstrip() for line in clean.splitlines()) or " "


def _table(conversation: Conversation, replies: list[Message]) -> list[str]:
    if not replies:
        return ["*(no replies)*", ""]
    header = "| " + " | ".join(_cell(_label(conversation, r)) for r in replies) + " |"
    rule = "|" + "---|" * len(replies)
    body = "| " + " | ".join(_cell(r.content or r.error or "") for r in replies) + " |"
    notes = "| " + " | ".join(_cell(reply_notes(r)) for r in replies) + " |"
    return [header, rule, body, notes, ""]
