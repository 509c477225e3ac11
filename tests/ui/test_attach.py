"""Attaching files in the full-screen chat: the Attach dialog (F7), ``@path`` completion,
a pasted path, chips (added, removed), refusals, an edit putting its files back."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from tests.support.attach_support import TEXT_ONLY, VISION, attach_app, workdir
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import catalog_loaded, collect_notes, screen_text, settled
from tui.model.attachment import Attachment
from tui.model.conversation import Conversation, Message
from tui.ui.modals.attach_file import AttachFile, FileTree
from tui.ui.widgets.attachment_chips import AttachmentChips, Chip
from tui.ui.widgets.path_list import PathCompletions
from tui.ui.widgets.prompt import PromptArea


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = workdir(tmp_path / "work")
    monkeypatch.chdir(root)
    return root


def chip_names(app: object) -> list[str]:
    chips = app.screen.query_one(AttachmentChips)  # type: ignore[attr-defined]
    return [a.name for a in chips.attachments]


def prompt_of(app: object) -> PromptArea:
    return app.screen.query_one(PromptArea)  # type: ignore[attr-defined, no-any-return]


async def test_f7_browses_from_the_working_directory_and_attaches(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        await pilot.press("f7")
        await settled(pilot, lambda: isinstance(app.screen, AttachFile))
        tree = app.screen.query_one(FileTree)
        await settled(pilot, lambda: len(tree.root.children) > 0)
        names = [str(node.label) for node in tree.root.children]
        assert "notes.txt" in names and "src" in names
        assert ".hidden" not in names and ".git" not in names
        tree.move_cursor(next(n for n in tree.root.children if str(n.label) == "notes.txt"))
        await pilot.press("enter")
        await settled(pilot, lambda: chip_names(app) == ["notes.txt"])
        await settled(pilot, lambda: "📎 notes.txt · 18 B · ≈ " in screen_text(app))
        # The path box: a path relative to the folder, Enter attaches it.
        await pilot.press("f7")
        await settled(pilot, lambda: isinstance(app.screen, AttachFile))
        app.screen.query_one("#attach-path").focus()
        await pilot.press(*"src/main.py", "enter")
        await settled(pilot, lambda: chip_names(app) == ["notes.txt", "main.py"])
        await pilot.press("f7")
        await settled(pilot, lambda: isinstance(app.screen, AttachFile))
        await pilot.press("escape")
        await settled(pilot, lambda: not isinstance(app.screen, AttachFile))
        assert chip_names(app) == ["notes.txt", "main.py"]


def completions(app: object) -> list[str]:
    shown = app.screen.query_one(PathCompletions)  # type: ignore[attr-defined]
    return [choice.path for choice in shown.choices]


async def test_at_completes_one_folder_at_a_time_and_a_file_becomes_a_chip(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt = prompt_of(app)
        prompt.insert("look at @")
        await settled(pilot, lambda: completions(app) != [])
        # Folders first; hidden entries and .git left out.
        assert completions(app) == ["src/", "blob.bin", "my notes.txt", "notes.txt",
                                    "picture.png"]
        prompt.insert("s")
        await settled(pilot, lambda: completions(app) == ["src/"])
        assert "📁 src/" in screen_text(app)
        await pilot.press("tab")  # a folder: deeper, the list shows what is in it
        await settled(pilot, lambda: completions(app) == ["src/main.py"])
        assert prompt.text == "look at @src/"
        await pilot.press("enter")  # a file: a chip, and the @token leaves the text
        await settled(pilot, lambda: chip_names(app) == ["main.py"])
        assert prompt.text == "look at "
        assert completions(app) == []
        # Down moves the highlight; Esc closes the list and keeps the text.
        prompt.insert("and @n")
        await settled(pilot, lambda: completions(app) == ["notes.txt"])
        prompt.insert("o")
        await settled(pilot, lambda: completions(app) == ["notes.txt"])
        await pilot.press("escape")
        await settled(pilot, lambda: completions(app) == [])
        assert prompt.text == "look at and @no"
        assert chip_names(app) == ["main.py"]
        # A path that leaves the folder, or a hidden one, completes to nothing.
        prompt.insert(" @../")
        await pilot.pause()
        assert completions(app) == []


async def test_up_and_down_choose_among_the_completions(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt_of(app).insert("@")
        await settled(pilot, lambda: len(completions(app)) == 5)
        await pilot.press("down", "down", "down", "up")  # src/, blob.bin, my notes, notes
        await pilot.press("tab")
        await settled(pilot, lambda: chip_names(app) == ["my notes.txt"])
        assert prompt_of(app).text == ""


async def test_chips_are_removed_by_a_click_or_delete(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt_of(app).insert("two files")
        app.screen.attach(["notes.txt", "src/main.py"])  # type: ignore[attr-defined]
        await settled(pilot, lambda: chip_names(app) == ["notes.txt", "main.py"])
        first = app.screen.query(Chip).first()
        await settled(pilot, lambda: first.region.height > 0)
        await pilot.click(first)
        await settled(pilot, lambda: chip_names(app) == ["main.py"])
        await pilot.press("shift+tab")  # from the prompt back to the chip
        await settled(pilot, lambda: isinstance(app.focused, Chip))
        await pilot.press("delete")
        await settled(pilot, lambda: chip_names(app) == [])
        assert app.focused is prompt_of(app)
        assert prompt_of(app).text == "two files"
        assert not app.screen.query_one(AttachmentChips).display


async def test_what_cannot_be_attached_is_said_plainly_and_the_text_stays(
        server: LoopbackServer, cwd: Path) -> None:
    (cwd / "big.txt").write_bytes(b"a" * 2_000_001)
    app = attach_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt_of(app).insert("keep me")
        for name in ("big.txt", "blob.bin", "src", "missing.txt"):
            app.screen.attach([name])  # type: ignore[attr-defined]
        await settled(pilot, lambda: len(notes) >= 4)
        said = "\n".join(notes)
        assert "big.txt is 2.0 MB: the largest text file that can be attached is 2.0 MB" in said
        assert "blob.bin is a binary file, not text, an image or a PDF" in said
        assert "src is a folder: attach the files in it one by one" in said
        assert "missing.txt: no such file" in said
        assert chip_names(app) == []
        assert prompt_of(app).text == "keep me"


async def test_a_pasted_path_becomes_a_chip_and_comes_back_as_text_when_removed(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt = prompt_of(app)
        prompt.insert("see ")  # the app hands a paste to the focused widget
        pasted = f"'{cwd}/my notes.txt' "  # a dragged file: quoted, a space after
        app.post_message(events.Paste(pasted))
        await settled(pilot, lambda: chip_names(app) == ["my notes.txt"])
        assert prompt.text == "see "
        assert any("Attached my notes.txt (a pasted path)" in n for n in notes)
        app.screen.query(Chip).first().action_remove()
        await settled(pilot, lambda: chip_names(app) == [])
        assert prompt.text == "see " + pasted
        # Backslash-escaped spaces and file:// URLs, two at once.
        prompt.load_text("")
        escaped = str(cwd / "my notes.txt").replace(" ", "\\ ")
        url = "file://" + str(cwd / "my notes.txt").replace(" ", "%20")
        app.post_message(events.Paste(f"{escaped} {cwd}/notes.txt"))
        app.post_message(events.Paste(url))
        await settled(pilot, lambda: len(chip_names(app)) == 2)
        assert sorted(chip_names(app)) == ["my notes.txt", "notes.txt"]
        assert any("my notes.txt is attached already" in n for n in notes)
        # Not files: pasted as text, as ever.
        for text in ("/no/such/file.txt", "notes.txt", f"{cwd}/src"):
            prompt.load_text("")
            app.post_message(events.Paste(text))
            await settled(pilot, lambda text=text: prompt.text == text)  # type: ignore[misc]
        assert len(chip_names(app)) == 2


async def test_a_model_that_takes_no_images_is_not_sent_one(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server, model=TEXT_ONLY)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt_of(app).insert("what is this?")
        app.screen.attach(["picture.png", "notes.txt"])  # type: ignore[attr-defined]
        await settled(pilot, lambda: len(chip_names(app)) == 2)
        await pilot.press("enter")
        await settled(pilot, lambda: any("does not take images" in n for n in notes))
        said = next(n for n in notes if "does not take images" in n)
        assert said == (f"picture.png: {TEXT_ONLY} does not take images. Models that do: "
                        f"google/gemini-2.5-flash, {VISION} (F2 picks one).")
        assert prompt_of(app).text == "what is this?"
        assert chip_names(app) == ["picture.png", "notes.txt"]
        assert server.chat_requests() == []
        assert not app.screen.conversation.messages  # type: ignore[attr-defined]


async def test_editing_a_prompt_puts_its_files_back_and_esc_restores_the_draft(
        server: LoopbackServer, cwd: Path) -> None:
    conversation = Conversation(model=VISION)
    attached = Attachment(name="plan.md", path="/work/plan.md", type="text/plain", size=5,
                          sha256="0" * 64, text="plan\n")
    conversation.add(Message(role="user", content="read this", attachments=[attached]))
    conversation.add(Message(role="assistant", content="Read it.", model=VISION,
                             finish_reason="stop"))
    app = attach_app(server, conversation=conversation)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        app.screen.attach(["notes.txt"])  # type: ignore[attr-defined]
        await settled(pilot, lambda: chip_names(app) == ["notes.txt"])
        await pilot.press("alt+up", "alt+up")
        await settled(pilot, lambda: app.screen.selected is not None  # type: ignore[attr-defined]
                      and app.screen.selected.role == "user")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settled(pilot, lambda: chip_names(app) == ["plan.md"])
        assert prompt_of(app).text == "read this"
        await pilot.press("escape")
        await settled(pilot, lambda: chip_names(app) == ["notes.txt"])
        # Edit again and send: the new branch's prompt carries the files shown.
        await pilot.press("alt+up", "alt+up", "enter")
        await settled(pilot, lambda: chip_names(app) == ["plan.md"])
        server.enqueue(Reply.sse(sse_body(*text_chunks("Again."))))
        await pilot.press("enter")
        await settled(pilot, lambda: len(server.chat_requests()) == 1)
        sent = server.chat_requests()[0].json()["messages"][-1]
        assert sent == {"role": "user", "content": "read this\n\n/work/plan.md:\n```\nplan\n```"}
        await app.workers.wait_for_complete()
        assert chip_names(app) == []


async def test_hostile_file_names_are_inert_in_the_list_and_the_browser(
        server: LoopbackServer, cwd: Path) -> None:
    (cwd / "zz[@click=app.quit]x\x1b[2J.txt").write_text("x")
    app = attach_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await catalog_loaded(pilot)
        prompt_of(app).insert("@zz")
        await settled(pilot, lambda: "📄 zz[@click=app.quit]x[2J.txt" in screen_text(app))
        await pilot.press("escape")
        await pilot.press("f7")
        await settled(pilot, lambda: isinstance(app.screen, AttachFile))
        await settled(pilot, lambda: "zz[@click=app.quit]x[2J.txt" in screen_text(app))
