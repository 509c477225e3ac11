"""Attachments in saved conversations: the TOML entries (hostile names, wrong types),
images and PDFs kept in ``<id>.files/`` (owner-only, written before the file that names
them, read back checked), moved to the trash and back, taken by an export, kept by a
killed turn, and text attachments found by search."""

from __future__ import annotations

import hashlib
import stat
import tomllib
from pathlib import Path

import pytest

from tui.model.attachment import Attachment, AttachmentError
from tui.model.conversation import Conversation, Message
from tui.storage.attachments import attachment_from_bytes
from tui.storage.export import export_to_file, to_json, to_markdown
from tui.storage.history_index import HistoryIndex
from tui.storage.journal import ReplyJournal, recover_orphans
from tui.storage.store import ConversationStore
from tui.storage.toml_file import conversation_to_toml, parse_text
from tui.storage.toml_text import dumps

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + b"0123456789" * 50 + b"\n%%EOF\n"
HOSTILE = "a\nb\x1b[31m[bold red]x[/]\u202e.txt"
ID = "20260101-000000-a77ac4"


def conversation_with(*attachments: Attachment, cid: str = ID) -> Conversation:
    conversation = Conversation(id=cid, model="m")
    conversation.add(Message(role="user", content="look", attachments=list(attachments)))
    return conversation


def text_file(name: str = HOSTILE, text: str = "needle in a haystack\n") -> Attachment:
    attachment = attachment_from_bytes(name, text.encode())
    attachment.path = "/tmp/" + name
    return attachment


def test_entries_round_trip_with_hostile_names() -> None:
    image = attachment_from_bytes(HOSTILE + ".png", PNG)
    original = conversation_with(text_file(), image)
    text = dumps(conversation_to_toml(original)).decode()
    assert "[[messages.attachments]]" in text
    raw = tomllib.loads(text)["messages"][0]["attachments"]
    assert raw[0] == {"name": HOSTILE, "path": "/tmp/" + HOSTILE, "type": "text/plain",
                      "size": 21, "sha256": hashlib.sha256(b"needle in a haystack\n").hexdigest(),
                      "text": "needle in a haystack\n"}
    assert "path" not in raw[1] and "text" not in raw[1]  # piped bytes; the image is a file
    back = parse_text(text, Path(f"{ID}.toml"))
    assert back.problems == []
    assert back.messages[0].attachments == original.messages[0].attachments
    assert dumps(conversation_to_toml(back)).decode() == text


def test_wrong_types_are_reported_and_written_back_unchanged() -> None:
    text = f"""format = 2
id = "{ID}"
created = 2026-01-01T00:00:00Z
updated = 2026-01-01T00:00:00Z
model = "m"

[[messages]]
id = "00000001"
role = "user"
content = "hi"
created = 2026-01-01T00:00:00Z

[[messages.attachments]]
name = 7
type = "application/zip"
size = "big"
sha256 = "../../../etc/passwd"
colour = "blue"
"""
    conversation = parse_text(text, Path(f"{ID}.toml"))
    problems = "\n".join(conversation.problems)
    for key in ("name = 7", "type = 'application/zip'", "size = 'big'", "sha256 = '../"):
        assert f"message 1: attachment 1: {key}" in problems
    [attachment] = conversation.messages[0].attachments
    assert attachment.sha256 == "" and attachment.type == ""  # names no file on disk
    again = tomllib.loads(dumps(conversation_to_toml(conversation)).decode())
    assert again["messages"][0]["attachments"] == [{
        "name": 7, "type": "application/zip", "size": "big",
        "sha256": "../../../etc/passwd", "colour": "blue"}]
    not_a_list = text.replace("[[messages.attachments]]", "attachments = 3\n[x]")
    assert "attachments = 3 is not a list of tables" in "\n".join(
        parse_text(not_a_list, Path(f"{ID}.toml")).problems)


def test_images_and_pdfs_are_saved_beside_the_conversation_owner_only(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    image, pdf = attachment_from_bytes("p.png", PNG), attachment_from_bytes("d.pdf", PDF)
    conversation = conversation_with(image, pdf, text_file("notes.txt"))
    store.save(conversation)
    folder = store.folder / f"{ID}.files"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [image.stored_name, pdf.stored_name])  # the text is inline, not a file
    saved = folder / image.stored_name
    assert saved.read_bytes() == PNG and stat.S_IMODE(saved.stat().st_mode) == 0o600
    before = saved.stat().st_ino
    conversation.add(Message(role="assistant", content="ok"))
    store.save(conversation)
    assert saved.stat().st_ino == before  # already there: not written again

    loaded = ConversationStore(store.folder).load(ID)
    read = store.reader(loaded)
    first = loaded.messages[0].attachments
    assert first[0].data is None
    assert read(first[0]) == PNG and read(first[1]) == PDF


def test_the_files_are_written_before_the_file_that_names_them(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    store.folder.mkdir(parents=True)
    (store.folder / f"{ID}.files").write_text("a file where the folder goes")
    with pytest.raises(OSError):
        store.save(conversation_with(attachment_from_bytes("p.png", PNG)))
    assert not (store.folder / f"{ID}.toml").exists()


def test_a_missing_or_changed_copy_is_a_plain_error(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    image = attachment_from_bytes("holiday.png", PNG)
    store.save(conversation_with(image))
    loaded = store.load(ID)
    read = store.reader(loaded)
    [attachment] = loaded.messages[0].attachments
    saved = store.folder / f"{ID}.files" / image.stored_name
    saved.write_bytes(PNG + b"x")
    with pytest.raises(AttachmentError, match=r"holiday\.png: its saved copy was changed after "
                                               r"it was attached"):
        read(attachment)
    saved.unlink()
    with pytest.raises(AttachmentError, match=r"holiday.png: its saved copy is missing \("):
        read(attachment)


def test_the_files_go_to_the_trash_and_come_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    image = attachment_from_bytes("p.png", PNG)
    store.save(conversation_with(image))
    trashed = store.trash(ID)
    assert not (store.folder / f"{ID}.files").exists()
    assert (trashed.with_suffix(".files") / image.stored_name).read_bytes() == PNG
    store.restore(trashed)
    assert (store.folder / f"{ID}.files" / image.stored_name).read_bytes() == PNG
    assert not trashed.with_suffix(".files").exists()
    # Deleted twice: the second copy in the trash has its own folder.
    first = store.trash(ID)
    store.save(conversation_with(attachment_from_bytes("q.png", PNG + b"2")))
    second = store.trash(ID)
    assert second.name == f"{ID}.2.toml"
    assert [p.name for p in second.with_suffix(".files").iterdir()] == [
        hashlib.sha256(PNG + b"2").hexdigest() + ".png"]
    store.restore(first)
    loaded = store.load(ID)
    assert store.reader(loaded)(loaded.messages[0].attachments[0]) == PNG


def test_export_takes_the_files_along(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    image = attachment_from_bytes("p.png", PNG)
    store.save(conversation_with(image, text_file()))
    loaded = store.load(ID)
    out = tmp_path / "exports"
    for fmt in ("markdown", "json", "toml"):
        path = export_to_file(loaded, fmt, out, ID)
        assert path.exists()
    copied = out / f"{ID}.files" / image.stored_name
    assert copied.read_bytes() == PNG and stat.S_IMODE(copied.stat().st_mode) == 0o600
    markdown = to_markdown(loaded)
    assert "- Attached: p.png (1.0 KB, image/png)" in markdown
    assert "\x1b" not in markdown and "\u202e" not in markdown
    assert "needle in a haystack" in markdown
    assert '"sha256": "' + image.sha256 in to_json(loaded)


def test_a_killed_turn_keeps_its_prompts_attachments(tmp_path: Path) -> None:
    """The prompt is saved before the request: a kill while the reply streams leaves it
    with its attachments, and the image still beside it."""
    store = ConversationStore(tmp_path / "conversations")
    image = attachment_from_bytes("p.png", PNG)
    conversation = conversation_with(image, text_file())
    store.save(conversation)  # what ask and the app do before sending
    reply = Message(role="assistant", model="m")
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "It is a"
    journal.write(reply)
    journal.release()  # what a SIGKILL leaves
    assert len(recover_orphans(store)) == 1
    loaded = store.load(ID)
    prompt = loaded.messages[0]
    assert [a.name for a in prompt.attachments] == ["p.png", HOSTILE]
    assert store.reader(loaded)(prompt.attachments[0]) == PNG
    assert loaded.messages[-1].finish_reason == "interrupted"


def test_search_finds_text_in_an_attachment(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    store.save(conversation_with(text_file("notes.txt", "the word zanzibarish is here\n")))
    index = HistoryIndex(store.folder, tmp_path / "cache")
    index.refresh()
    [found] = index.search("zanzibarish")
    assert found.id == ID


def test_a_copy_under_a_new_id_takes_the_files_it_names(tmp_path: Path) -> None:
    """Another writer changed an earlier message: ours is saved under a new id, and the
    images it names are copied beside it (they are no longer in memory)."""
    store = ConversationStore(tmp_path / "conversations")
    image = attachment_from_bytes("p.png", PNG)
    first = conversation_with(image)
    first.add(Message(role="assistant", content="a picture"))
    store.save(first)
    window = store.load(ID)
    path = store.path_for(ID)
    path.write_text(path.read_text().replace("a picture", "edited by hand"))
    window.add(Message(role="user", content="and then?"))
    saved = store.save(window)
    assert window.id != ID and saved.note is not None
    copied = store.folder / f"{window.id}.files" / image.stored_name
    assert copied.read_bytes() == PNG
    assert (store.folder / f"{ID}.files" / image.stored_name).read_bytes() == PNG  # kept
    assert store.reader(window)(window.messages[0].attachments[0]) == PNG
