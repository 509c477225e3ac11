"""Every branch of a conversation, one line per message: ``cline-tui show ID --tree`` and
the chat's branches view (F9).

The branch shown reads straight down the left edge, each of its lines marked ``*``. Where
a message has alternatives, the ones off that branch come just before it, indented one
step, each with its own continuation: so a conversation indents only where it splits,
and a 1,000-message conversation with no alternatives does not indent at all. Every
message that has alternatives says which of them it is (``2/3``)."""

from __future__ import annotations

from dataclasses import dataclass

from tui.model.conversation import Conversation, Message
from tui.model.text import one_line
from tui.model.tree import leaves

WORDS = 60  # how much of a message's text a line shows
DEEPEST = 10  # indent steps drawn; deeper lines say their depth instead
ROLES = {"user": "you", "assistant": "assistant", "tool": "tool", "system": "system"}


@dataclass(frozen=True)
class OutlineRow:
    message: Message
    depth: int  # indent steps
    alternative: str  # "2/3" when the message has alternatives, else ""
    shown: bool  # on the branch shown

    @property
    def text(self) -> str:
        """The row as one control-free line (``*`` marks the branch shown)."""
        return _line(self.message, self.depth, self.alternative, self.shown)


def heading(conversation: Conversation) -> str:
    c = conversation
    branches = len(leaves(c))
    return (f"{c.id}  {one_line(c.title, 200) or '(untitled)'}: {len(c.nodes)} messages "
            f"in {branches} branch{'es' if branches != 1 else ''} (* the branch shown; "
            "indented: alternatives to the next line less indented)")


def outline(conversation: Conversation) -> list[str]:
    """The lines of the whole tree, with a heading line (control-free)."""
    return [heading(conversation), *(row.text for row in outline_rows(conversation))]


def outline_rows(conversation: Conversation) -> list[OutlineRow]:
    """Every message, in the order the outline draws them."""
    c = conversation
    shown = {m.id for m in c.messages}
    below: dict[str | None, list[Message]] = {}
    for message in c.nodes:
        below.setdefault(message.parent, []).append(message)
    rows: list[OutlineRow] = []
    # Depth first without recursion (a long conversation is a deep tree): (message, depth,
    # "k/n" when it has alternatives).
    stack: list[tuple[Message, int, str]] = []
    _push(stack, below.get(None, []), 0, shown)
    while stack:
        message, depth, alternative = stack.pop()
        rows.append(OutlineRow(message, depth, alternative, message.id in shown))
        _push(stack, below.get(message.id, []), depth, shown)
    return rows


def _push(stack: list[tuple[Message, int, str]], alternatives: list[Message], depth: int,
          shown: set[str]) -> None:
    """Queue ``alternatives`` so they are drawn before what follows them: the one the
    branch shown goes through (else the newest) last, at ``depth``; the others first, one
    step in."""
    if not alternatives:
        return
    if len(alternatives) == 1:
        stack.append((alternatives[0], depth, ""))
        return
    count = len(alternatives)
    main = next((m for m in alternatives if m.id in shown), alternatives[-1])
    stack.append((main, depth, f"{alternatives.index(main) + 1}/{count}"))
    for number in range(count, 0, -1):
        message = alternatives[number - 1]
        if message is not main:
            stack.append((message, depth + 1, f"{number}/{count}"))


def _line(message: Message, depth: int, alternative: str, shown: bool) -> str:
    indent = "  " * min(depth, DEEPEST) + (f"({depth}) " if depth > DEEPEST else "")
    role = ROLES.get(message.role, message.role)
    mark = "*" if shown else " "
    text = f"{mark} {indent}{role:<9}  {one_line(message.id, 40)}  {_words(message)}"
    return f"{text}  {alternative}" if alternative else text


def _words(message: Message) -> str:
    text = one_line(message.content or message.refusal, WORDS)
    if text:
        return text
    if message.error:
        return one_line(f"(failed: {message.error})", WORDS)
    if message.tool_calls:
        return one_line("(tool call " + ", ".join(c.name for c in message.tool_calls) + ")",
                        WORDS)
    return "(no text)"
