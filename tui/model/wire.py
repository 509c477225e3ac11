"""The messages a request carries: a conversation's turns, made valid for a strict server.

OpenAI rejects a tool call nobody answered; strict chat templates (llama.cpp's Jinja
templates for Mistral, Gemma and others) reject two user or two assistant messages in a
row. One failed turn must not break every later one, so the history is sent by these
rules:

- One system message, first: the conversation's system prompt, joined with any system
  messages a file holds (in order).
- A prompt whose reply has nothing in it (it failed or was cancelled before any output),
  or that got no reply at all, is left out together with that reply: Ctrl+R resends it
  as a retry. The last prompt, the one being asked now, is always sent.
- A reply with partial text (cut off, cancelled, interrupted) is sent as the assistant
  turn it is; a reply holding only a refusal is sent with the refusal as its text.
- Two replies to one prompt are joined into one assistant message (texts separated by a
  blank line), unless the first made tool calls: its answers then sit between the two.
- Every tool call is answered right after its message: by the tool message that answers
  it (the result the tool gave, or "Denied by the user."), else by a "not run" result
  (a call from a compare column, an old file, a turn stopped before it ran). Tool messages
  that answer no call are left out. A call with no name, or whose arguments are not JSON
  (a stream cut off in the middle of them), is not sent: llama.cpp parses the arguments.
- Replies before the first prompt are left out (templates want a user turn first), and
  so is every turn whose prompt is marked ``left_out`` (to fit the context window:
  ``tui/model/estimate.py`` picks them), except the prompt being asked now.
- A prompt's attachments (``tui/model/attachment.py``): text files are added to its text,
  each named and fenced; images and PDFs become content parts after the text, when the
  model takes them (``Inputs``). One it does not take is replaced by a note saying so (a
  conversation that moved to another model): what is new is checked before sending
  (``refusal``), so only older prompts are ever sent that way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.model.attachment import (
    PDF_TYPE,
    Attachment,
    AttachmentError,
    data_url,
    left_out_note,
    text_block,
)
from tui.model.conversation import Conversation, Message, ToolCall

NOT_RUN = "Not run: the call was not carried out."


def is_sent(reply: Message) -> bool:
    """Whether an assistant reply goes back to the model in later requests: it has text,
    a refusal or a tool call that can be sent. A reply that is not sent takes its prompt
    out with it."""
    return bool(reply.content or reply.refusal or any(_sendable(c) for c in reply.tool_calls))


@dataclass(frozen=True)
class Inputs:
    """What the model takes besides text, and where an attachment's bytes come from when
    they are not in memory (the copy saved beside the conversation)."""

    images: bool = False
    files: bool = False  # PDFs
    read: Callable[[Attachment], bytes] | None = None

    def takes(self, attachment: Attachment) -> bool:
        kind = attachment.kind
        return kind == "text" or (kind == "image" and self.images) or (
            kind == "pdf" and self.files)


TEXT_ONLY = Inputs()


def refusal(attachments: list[Attachment], inputs: Inputs, model: str) -> str | None:
    """Why ``attachments`` cannot be sent to ``model`` (which takes ``inputs``), or None."""
    for attachment in attachments:
        if not inputs.takes(attachment):
            what = "images" if attachment.kind == "image" else "PDF files"
            return f"{attachment.name}: {model or 'this model'} does not take {what}"
    return None


def wire_messages(
    conversation: Conversation, column: int | None = None, inputs: Inputs = TEXT_ONLY
) -> list[dict[str, Any]]:
    """The history to send for ``conversation``; with ``column``, only that column's
    replies of a compare (replies with no column belong to every column). An image or
    PDF whose bytes cannot be read raises ``AttachmentError``."""
    systems = [conversation.system or ""]
    turns: list[list[Message]] = []
    for message in conversation.messages:
        if message.role == "system":
            systems.append(message.content)
        elif message.role == "user":
            turns.append([message])
        elif column is not None and message.role == "assistant" and message.column not in (
            None, column
        ):
            continue
        elif turns:
            turns[-1].append(message)
    wire: list[dict[str, Any]] = []
    system = "\n\n".join(text for text in systems if text)
    if system:
        wire.append({"role": "system", "content": system})
    ids = _CallIds()
    for index, turn in enumerate(turns):
        replies = [m for m in turn[1:] if m.role == "assistant" and is_sent(m)]
        last = index == len(turns) - 1
        if (replies and not turn[0].left_out) or last:
            wire.append({"role": "user", "content": user_content(turn[0], inputs)})
            wire.extend(_replies(turn[1:], ids))
    return wire


def user_content(message: Message, inputs: Inputs = TEXT_ONLY) -> str | list[dict[str, Any]]:
    """A prompt as sent: its text with any text files after it; a list of content parts
    when it carries an image or PDF the model takes."""
    texts = [message.content] if message.content else []
    parts: list[dict[str, Any]] = []
    for attachment in message.attachments:
        if attachment.kind == "text":
            texts.append(text_block(attachment))
        elif not inputs.takes(attachment):
            kind = "images" if attachment.kind == "image" else "PDF files"
            texts.append(left_out_note(attachment, f"this model does not take {kind}"))
        else:
            parts.append(_binary_part(attachment, inputs))
    text = "\n\n".join(texts)
    if not parts:
        return text
    return ([{"type": "text", "text": text}] if text else []) + parts


def _binary_part(attachment: Attachment, inputs: Inputs) -> dict[str, Any]:
    data = attachment.data
    if data is None:
        if inputs.read is None:
            raise AttachmentError(f"{attachment.name}: its saved copy cannot be read")
        data = inputs.read(attachment)
    url = data_url(attachment.type, data)
    if attachment.type == PDF_TYPE:
        return {"type": "file", "file": {"filename": attachment.name, "file_data": url}}
    return {"type": "image_url", "image_url": {"url": url}}


def _replies(messages: list[Message], ids: _CallIds) -> list[dict[str, Any]]:
    """One prompt's replies and tool results, in the order a strict server accepts."""
    answers: dict[str, Message] = {}
    for message in messages:
        if message.role == "tool" and message.tool_call_id:
            answers.setdefault(message.tool_call_id, message)
    wire: list[dict[str, Any]] = []
    for message in messages:
        if message.role != "assistant" or not is_sent(message):
            continue
        calls = [call for call in message.tool_calls if _sendable(call)]
        reply = _reply_wire(message, calls, ids)
        previous = wire[-1] if wire else None
        if previous is not None and previous["role"] == "assistant":
            # Two replies in a row (no tool call between): one assistant message.
            joined = "\n\n".join(part for part in (previous["content"], reply["content"]) if part)
            reply["content"] = joined or None
            details = previous.get("reasoning_details", []) + reply.get("reasoning_details", [])
            if details:
                reply["reasoning_details"] = details
            wire.pop()
        wire.append(reply)
        for call, sent_id in zip(calls, ids.last, strict=True):
            answer = answers.pop(call.id, None) if sent_id == call.id else None
            content = answer.content if answer is not None else NOT_RUN
            wire.append({"role": "tool", "tool_call_id": sent_id, "content": content})
    return wire


def _reply_wire(message: Message, calls: list[ToolCall], ids: _CallIds) -> dict[str, Any]:
    wire: dict[str, Any] = {"role": "assistant", "content": message.content or message.refusal}
    ids.last = []
    if calls:
        wire["tool_calls"] = [
            {
                "id": ids.take(call.id),
                "type": call.type or "function",
                "function": {"name": call.name, "arguments": call.arguments.strip() or "{}"},
            }
            for call in calls
        ]
        if not wire["content"]:
            wire["content"] = None
    if message.reasoning_details:
        wire["reasoning_details"] = message.reasoning_details
    return wire


def _sendable(call: ToolCall) -> bool:
    if not call.name:
        return False
    if not call.arguments.strip():
        return True  # no arguments: sent as {}
    try:
        json.loads(call.arguments)
    except (ValueError, RecursionError):
        return False
    return True


class _CallIds:
    """Tool call ids as sent: each unique in the request. A call stored with no id, or
    with one an earlier call already used, gets a made-up one (its answer is then
    "not run": nothing can name it)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.last: list[str] = []  # the ids given to the latest message's calls
        self._count = 0

    def take(self, stored: str) -> str:
        sent = stored
        while not sent or sent in self.used:
            self._count += 1
            sent = f"call_unnamed_{self._count}"
        self.used.add(sent)
        self.last.append(sent)
        return sent
