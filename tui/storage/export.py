"""A saved conversation as Markdown, JSON or TOML, for ``cline-tui show`` and the export
key of the conversations screen.

Attachments: JSON and TOML hold their entries as the conversation file does (a text
file's content inline, images and PDFs named by digest); Markdown lists each prompt's
attachments, a line each (name, size, type), a text file's content fenced. An export to a
file copies the images and PDFs beside it, into ``<name>.files/`` (the same layout as
``conversations/<id>.files/``)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from tui.files import make_private_dir, write_atomic
from tui.format import format_cost, format_when, reply_notes, total_cost
from tui.model.attachment import fence_for, human_size
from tui.model.conversation import Conversation, Message
from tui.model.text import strip_controls
from tui.model.tree import leaves
from tui.storage.compare_export import compare_markdown
from tui.storage.saved_files import files_folder, write_files
from tui.storage.store import conversation_to_toml, files_of

FORMATS = ("markdown", "json", "toml")
SUFFIXES = {"markdown": ".md", "json": ".json", "toml": ".toml"}

# json.dumps escapes C0 controls but not DEL, C1 or bidi controls: escape those too, so
# the export is exact and still safe to print to a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def export(conversation: Conversation, fmt: str, layout: str = "stacked") -> str:
    """``layout`` is how a comparison's replies are laid out in Markdown: ``stacked``
    (one after another, in column order) or ``side-by-side`` (a table per prompt)."""
    if fmt == "markdown":
        return to_markdown(conversation, layout)
    if fmt == "json":
        return to_json(conversation)
    if fmt == "toml":
        return tomli_w.dumps(conversation_to_toml(conversation))
    raise ValueError(f"unknown format '{fmt}' (one of: {', '.join(FORMATS)})")


def export_to_file(conversation: Conversation, fmt: str, folder: Path, name: str) -> Path:
    """Write the conversation in ``fmt`` to ``folder/<name><suffix>`` (the folder made
    private if new), its images and PDFs to ``folder/<name>.files/``, and return the
    path. Raises ``OSError``."""
    make_private_dir(folder)
    path = folder / f"{name}{SUFFIXES[fmt]}"
    source = files_of(conversation)
    write_files(conversation, files_folder(path), [source] if source else [])
    write_atomic(path, export(conversation, fmt).encode("utf-8"))
    return path


def to_json(conversation: Conversation) -> str:
    """The same fields as the TOML file, datetimes as ISO 8601 strings."""
    text = json.dumps(conversation_to_toml(conversation), indent=2, ensure_ascii=False,
                      default=_json_default)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def other_branches(conversation: Conversation) -> int:
    """How many branches the conversation has besides the one shown (the Markdown export
    holds only that one)."""
    ends = leaves(conversation)
    return len(ends) - (1 if any(m.id == conversation.current for m in ends) else 0)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def to_markdown(conversation: Conversation, layout: str = "stacked") -> str:
    """A readable transcript of the branch shown (the top says how many others there
    are). Control characters are removed (it is for reading)."""
    c = conversation
    lines = [f"# {_one_line(c.title) or 'Untitled conversation'}", ""]
    facts = [
        f"- id: `{c.id}`",
        f"- created: {_when(c.created)}, updated: {_when(c.updated)}",
    ]
    if c.kind == "compare":
        facts.append(f"- compare: {', '.join(f'`{m}`' for m in c.models)}")
    elif c.model:
        facts.append(f"- model: `{c.model}`")
    if c.temperature is not None:
        facts.append(f"- temperature: {c.temperature:g}")
    cost = total_cost(c)
    if cost is not None:
        facts.append(f"- total cost: {format_cost(cost)}")
    others = other_branches(c)
    if others:
        facts.append(f"- branch: the one shown; {others} other branch"
                     f"{'es are' if others != 1 else ' is'} not in this export "
                     "(the JSON export holds every branch)")
    lines += [*(strip_controls(f) for f in facts), ""]
    if c.system:
        lines += ["## System", "", strip_controls(c.system), ""]
    if c.kind == "compare":
        lines += compare_markdown(c, layout)
    else:
        for message in c.messages:
            lines += _message_markdown(message, c)
    return "\n".join(lines).rstrip() + "\n"


def _message_markdown(m: Message, c: Conversation) -> list[str]:
    if m.role == "user":
        heading = "You"
    elif m.role == "assistant":
        heading = f"Assistant ({m.model or c.model or 'unknown model'})"
        if c.kind == "compare" and m.column is not None:
            heading += f", column {m.column + 1}"
    elif m.role == "tool":
        heading = f"Tool result: {m.tool_name} ({m.tool_call_id or '?'})" if m.tool_name else (
            f"Tool result ({m.tool_call_id or '?'})")
        if m.tool_error:
            heading += ", error"
    else:
        heading = "System"
    out = [f"## {_one_line(heading)}", ""]
    if m.reasoning:
        out += ["<details><summary>Reasoning</summary>", "",
                strip_controls(m.reasoning), "", "</details>", ""]
    if m.content:
        out += [strip_controls(m.content), ""]
    out += _attachments_markdown(m)
    if m.refusal:
        out += [f"> Refused: {_one_line(m.refusal)}", ""]
    for call in m.tool_calls:
        out += [f"Tool call `{_one_line(call.name)}`:", "", "```json",
                strip_controls(call.arguments), "```", ""]
    notes = reply_notes(m)
    if notes:
        out += [f"*{notes}*", ""]
    return out


def _attachments_markdown(m: Message) -> list[str]:
    out: list[str] = []
    for attachment in m.attachments:
        kind = _one_line(attachment.type) or "unknown type"
        out.append(f"- Attached: {_one_line(attachment.name) or '(no name)'} "
                   f"({human_size(attachment.size)}, {kind})")
        if attachment.text is not None:
            text = strip_controls(attachment.text)
            fence = fence_for(text)
            out += ["", fence, text.removesuffix("\n"), fence, ""]
    return [*out, ""] if out and out[-1] else out


def _when(moment: datetime) -> str:
    return f"{format_when(moment)} UTC"


def _one_line(text: str) -> str:
    return " ".join(strip_controls(text).split())
