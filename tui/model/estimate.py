"""How many tokens the next request's prompt will be, before it is sent.

Exact counts need the model's tokenizer, which a client of many models does not have.
The estimate leans on what the server last counted: the last reply on the branch has the
real ``prompt_tokens`` of its request and the ``completion_tokens`` of its answer, so the
next prompt is those two plus an estimate of everything added since (the new prompt, a
tool result). Only text that was never counted is guessed, at one token for every four
characters (about right for English prose and code in the common tokenizers; fewer
characters a token for other scripts) plus a few tokens for each message's framing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.model.attachment import Attachment, text_block
from tui.model.conversation import Conversation, Message

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4  # tokens of role and framing around each message
# An image: what OpenAI's high detail costs for a 1024x1024 picture (85 + 4 tiles of 170);
# other providers are close for images of that size.
IMAGE_TOKENS = 765
PDF_BYTES_PER_TOKEN = 40  # a rough guess: a page of text is some 2 KB of PDF, 50 tokens


def text_tokens(text: str) -> int:
    """A guess at the tokens of ``text``: one every four characters, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def message_tokens(message: Message) -> int:
    parts = [message.content, message.refusal]
    parts += [call.name + call.arguments for call in message.tool_calls]
    return MESSAGE_OVERHEAD + sum(text_tokens(p) for p in parts if p) + sum(
        attachment_tokens(a) for a in message.attachments)


def attachment_tokens(attachment: Attachment) -> int:
    """A guess at the prompt tokens an attachment adds."""
    if attachment.kind == "text":
        return text_tokens(text_block(attachment))
    if attachment.kind == "image":
        return IMAGE_TOKENS
    return -(-attachment.size // PDF_BYTES_PER_TOKEN)


@dataclass(frozen=True)
class PromptEstimate:
    """The next request's prompt tokens: ``counted`` by the server for the last request
    and its reply, ``guessed`` for what came after."""

    counted: int
    guessed: int

    @property
    def tokens(self) -> int:
        return self.counted + self.guessed

    @property
    def exact_base(self) -> bool:
        """Whether most of it stands on a server's count (not a guess from scratch)."""
        return self.counted > 0


def next_prompt(
    conversation: Conversation, draft: str = "", attachments: Sequence[Attachment] = ()
) -> PromptEstimate:
    """The prompt tokens of the request that sending ``draft`` with ``attachments`` (or
    going on from the branch shown, with neither) would make."""
    branch = [m for m in conversation.messages if m.role != "system"]
    counted, since = 0, branch
    for index in range(len(branch) - 1, -1, -1):
        message = branch[index]
        usage = message.usage
        if message.role == "assistant" and usage is not None and usage.prompt_tokens:
            answer = usage.completion_tokens
            if answer is None:
                answer = message_tokens(message)
            counted, since = usage.prompt_tokens + answer, branch[index + 1:]
            break
    guessed = sum(message_tokens(m) for m in since)
    if not counted and conversation.system:
        guessed += MESSAGE_OVERHEAD + text_tokens(conversation.system)
    if draft or attachments:
        guessed += MESSAGE_OVERHEAD + text_tokens(draft)
        guessed += sum(attachment_tokens(a) for a in attachments)
    return PromptEstimate(counted, guessed)


def prompt_cost(tokens: int, price_per_token: float | None) -> float | None:
    """What ``tokens`` of prompt cost at the catalog's price; None when it has none."""
    return None if price_per_token is None else tokens * price_per_token


# Leaving turns out aims below this share of the context window: the answer needs room
# too, and the estimate is a guess.
FIT_SHARE = 0.9


@dataclass(frozen=True)
class Fit:
    """How the next request stands against the model's context window: its estimated
    ``tokens``, and the oldest turns (their prompts) that leaving out brings it under
    ``FIT_SHARE`` of the window, with the tokens that saves."""

    tokens: int
    window: int
    leave_out: list[Message]
    saved: int

    @property
    def over(self) -> bool:
        return self.tokens > self.window

    @property
    def fits_after(self) -> bool:
        """Whether leaving ``leave_out`` out brings the request inside the window."""
        return self.tokens - self.saved <= self.window


def fit_window(conversation: Conversation, window: int, draft: str = "",
               attachments: Sequence[Attachment] = ()) -> Fit:
    """The next request (sending ``draft`` with ``attachments``) against ``window``
    tokens. Turns already left out are not counted again; every earlier turn may be left
    out (oldest first), never the prompt being sent."""
    tokens = next_prompt(conversation, draft, attachments).tokens
    target = int(window * FIT_SHARE)
    turns: list[list[Message]] = []
    for message in conversation.messages:
        if message.role == "user":
            turns.append([message])
        elif turns and message.role != "system":
            turns[-1].append(message)
    if not draft and not attachments and turns:
        turns.pop()  # going on from the branch shown: its last prompt is the one asked
    chosen: list[Message] = []
    saved = 0
    for turn in turns:
        if tokens - saved <= target:
            break
        if turn[0].left_out:
            continue
        chosen.append(turn[0])
        saved += sum(message_tokens(m) for m in turn)
    return Fit(tokens, window, chosen if tokens > window else [], saved if tokens > window else 0)
