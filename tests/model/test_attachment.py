"""Attachments: telling the kinds apart, limits, and what a prompt with files sends."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from tui.model.attachment import (
    LIMITS,
    Attachment,
    AttachmentError,
    fence_for,
    sniff,
    text_block,
)
from tui.model.conversation import Conversation, Message
from tui.model.estimate import IMAGE_TOKENS, next_prompt
from tui.model.wire import Inputs, refusal, wire_messages
from tui.storage.attachments import attachment_from_bytes, read_attachment

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
PDF = b"%PDF-1.7\n" + b"1 0 obj\n" * 5


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (PDF, "application/pdf"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),  # a sound file is not an image
        (b"plain text", None),
    ],
)
def test_kinds_are_told_by_their_first_bytes(head: bytes, expected: str | None) -> None:
    assert sniff(head[:16]) == expected


def test_a_file_is_read_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    (tmp_path / "picture.txt").write_bytes(PNG)
    (tmp_path / "notes.png").write_text("just text\n")
    image = read_attachment("picture.txt", cwd=tmp_path)
    text = read_attachment("notes.png", cwd=tmp_path)
    assert (image.kind, image.type, image.data, image.text) == ("image", "image/png", PNG, None)
    assert (text.kind, text.text, text.data) == ("text", "just text\n", None)
    assert text.size == 10 and len(text.sha256) == 64


def test_a_symlink_is_resolved_to_the_real_path(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("# hi\n")
    (tmp_path / "link.md").symlink_to(real)
    attachment = read_attachment(tmp_path / "link.md")
    assert (attachment.name, attachment.path) == ("real.md", str(real))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00"), "binary file"),
        (lambda p: p.write_bytes("café".encode("latin-1")), "not UTF-8 text"),
        (lambda p: p.write_bytes(b"a" * (LIMITS["text"] + 1)), "largest text file"),
    ],
)
def test_what_cannot_be_attached_is_refused_plainly(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "thing"
    make(path)
    with pytest.raises(AttachmentError, match=message):
        read_attachment(path)


def test_an_image_over_its_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.write(PNG)
        handle.truncate(LIMITS["image"] + 1)  # sparse: nothing to read past the head
    with pytest.raises(AttachmentError, match=r"huge.png is 20.0 MB: the largest image .* 20.0 MB"):
        read_attachment(path)


def test_a_fence_is_longer_than_any_run_of_backticks_inside() -> None:
    assert fence_for("no ticks") == "```"
    assert fence_for("a ```` b ` c") == "`````"
    assert fence_for("`" * 7 + " a ``` b ``") == "`" * 8  # the longest run first
    assert fence_for("a\n```\nb ``````") == "`" * 7  # the longest run last
    assert fence_for("``") == "```"
    block = text_block(Attachment("x.md", "/w/x.md", "text/plain", 9, "0", text="```\nhi"))
    assert block == "/w/x.md:\n````\n```\nhi\n````"


def _conversation(*attachments: Attachment, prompt: str = "look") -> Conversation:
    conversation = Conversation(model="m")
    conversation.add(Message("user", prompt, attachments=list(attachments)))
    return conversation


def test_text_files_go_into_the_prompt_text() -> None:
    note = attachment_from_bytes("stdin", b"diff --git a b\n")
    [message] = wire_messages(_conversation(note, prompt="review this"))
    assert message == {"role": "user", "content": "review this\n\nstdin:\n```\ndiff --git a b\n```"}


def test_images_and_pdfs_are_content_parts_for_a_model_that_takes_them() -> None:
    image, pdf = attachment_from_bytes("p.png", PNG), attachment_from_bytes("d.pdf", PDF)
    [message] = wire_messages(_conversation(image, pdf), inputs=Inputs(images=True, files=True))
    text, image_part, file_part = message["content"]
    assert text == {"type": "text", "text": "look"}
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG
    assert file_part["type"] == "file" and file_part["file"]["filename"] == "d.pdf"
    assert base64.b64decode(file_part["file"]["file_data"].split(",", 1)[1]) == PDF


def test_a_model_that_takes_no_images_gets_a_note_and_no_bytes() -> None:
    image = attachment_from_bytes("p.png", PNG)
    [message] = wire_messages(_conversation(image))
    assert message["content"] == "look\n\n[image p.png left out: this model does not take images]"
    assert refusal([image], Inputs(), "tiny") == "p.png: tiny does not take images"
    assert refusal([image], Inputs(images=True), "big") is None


def test_saved_images_are_read_through_the_inputs_reader() -> None:
    saved = attachment_from_bytes("p.png", PNG)
    saved.data = None  # as loaded from a file: the bytes are beside the conversation
    with pytest.raises(AttachmentError, match="saved copy"):
        wire_messages(_conversation(saved), inputs=Inputs(images=True))
    read = {saved.sha256: PNG}
    [message] = wire_messages(
        _conversation(saved), inputs=Inputs(images=True, read=lambda a: read[a.sha256]))
    assert message["content"][1]["image_url"]["url"].endswith(
        base64.b64encode(PNG).decode())


def test_the_estimate_counts_attachments() -> None:
    conversation = Conversation(model="m")
    plain = next_prompt(conversation, "hi").tokens
    text = attachment_from_bytes("a.txt", b"x" * 400)
    image = attachment_from_bytes("p.png", PNG)
    assert next_prompt(conversation, "hi", [text]).tokens > plain + 100
    assert next_prompt(conversation, "hi", [image]).tokens == plain + IMAGE_TOKENS
