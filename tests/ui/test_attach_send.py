"""Files sent through the full-screen chat to the loopback server: what the server gets
(a text file named and fenced in the text, a PNG as a data URL part), what the
transcript shows, and the preview of a PNG in half blocks."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.support.attach_support import VISION, attach_app, png, quarters, workdir
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import catalog_loaded, screen_text, settled
from tui.model.attachment import Attachment
from tui.model.conversation import Conversation, Message
from tui.ui.render.png_preview import half_blocks, png_cells
from tui.ui.widgets.attachment_chips import AttachmentChips
from tui.ui.widgets.attachment_view import AttachmentList, PngPreview
from tui.ui.widgets.prompt import PromptArea


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = workdir(tmp_path / "work")
    monkeypatch.chdir(root)
    return root


async def test_a_text_file_and_a_png_reach_the_server_as_content_parts(
        server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server, model=VISION)
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        app.screen.attach(["notes.txt", "picture.png"])  # type: ignore[attr-defined]
        chips = app.screen.query_one(AttachmentChips)
        await settled(pilot, lambda: len(chips.attachments) == 2)
        server.enqueue(Reply.sse(sse_body(*text_chunks("A red square."))))
        prompt = app.screen.query_one(PromptArea)
        prompt.load_text("What is in these?")
        await pilot.press("enter")
        await settled(pilot, lambda: len(server.chat_requests()) == 1)
        await app.workers.wait_for_complete()
        sent = server.chat_requests()[0].json()["messages"][-1]
        picture = (cwd / "picture.png").read_bytes()
        assert sent == {"role": "user", "content": [
            {"type": "text", "text": f"What is in these?\n\n{cwd}/notes.txt:\n```\n"
                                     "remember the milk\n```"},
            {"type": "image_url", "image_url": {
                "url": "data:image/png;base64," + base64.b64encode(picture).decode()}},
        ]}
        assert chips.attachments == []
        await settled(pilot, lambda: "A red square." in screen_text(app))
        text = screen_text(app)
        assert "📎 notes.txt · 18 B · text/plain" in text
        assert f"📎 picture.png · {len(picture)} B · image/png" in text
        preview = app.screen.query_one(PngPreview)
        await settled(pilot, lambda: preview.size.height == 8)
        assert "▀" * 16 in screen_text(app)
        user = app.screen.conversation.messages[0]  # type: ignore[attr-defined]
        assert [a.name for a in user.attachments] == ["notes.txt", "picture.png"]


async def test_files_alone_are_sent_without_text(server: LoopbackServer, cwd: Path) -> None:
    app = attach_app(server, model=VISION)
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        app.screen.attach(["notes.txt"])  # type: ignore[attr-defined]
        await settled(pilot, lambda: app.screen.query_one(PromptArea).can_send_empty)
        server.enqueue(Reply.sse(sse_body(*text_chunks("Milk."))))
        await pilot.press("enter")
        await settled(pilot, lambda: len(server.chat_requests()) == 1)
        await app.workers.wait_for_complete()
        sent = server.chat_requests()[0].json()["messages"][-1]
        assert sent["content"] == f"{cwd}/notes.txt:\n```\nremember the milk\n```"
        assert not app.screen.query_one(PromptArea).can_send_empty


async def test_hostile_names_stay_inert_in_the_chips_and_the_transcript(
        server: LoopbackServer) -> None:
    name = "[bold red]x[/]\x1b[2J\x1b]0;pwned\x07\nnext line.txt"
    hostile = Attachment(name=name, path="/w/" + name, type="text/plain", size=3,
                         sha256="0" * 64, text="hi\n")
    conversation = Conversation(model=VISION)
    conversation.add(Message(role="user", content="look", attachments=[hostile]))
    app = attach_app(server, conversation=conversation)
    async with app.run_test(size=(120, 30)) as pilot:
        await catalog_loaded(pilot)
        app.screen.query_one(AttachmentChips).add(hostile)
        shown = "[bold red]x[/][2J]0;pwned next line.txt"
        await settled(pilot, lambda: screen_text(app).count(shown) == 2)
        line = app.screen.query_one(AttachmentList)
        assert line.attachments == [hostile]


def test_the_preview_reads_every_row_filter_and_keeps_the_aspect() -> None:
    cells = png_cells(png(16, 16, quarters))
    assert cells is not None
    assert len(cells) == 16 and len(cells[0]) == 16
    assert cells[0][0] == (255, 0, 0) and cells[0][15] == (0, 255, 0)
    assert cells[15][0] == (0, 0, 255) and cells[15][15] == (255, 255, 255)
    wide = png_cells(png(100, 10, quarters))  # 32 columns, the height scaled with it
    assert wide is not None and (len(wide[0]), len(wide)) == (32, 3)
    tall = png_cells(png(10, 100, quarters))  # 24 pixels high at most
    assert tall is not None and (len(tall[0]), len(tall)) == (2, 24)
    text = half_blocks(cells)
    assert text.plain == "\n".join(["▀" * 16] * 8)


def test_what_cannot_be_previewed_has_no_preview() -> None:
    assert png_cells(b"GIF89a not a png") is None
    assert png_cells(png(600, 600, quarters)) is None  # over MAX_PIXELS
    broken = png(4, 4, quarters)
    assert png_cells(broken[:40]) is None  # cut short


async def test_the_budget_check_counts_the_files(
        isolated_home: Path, server: LoopbackServer, cwd: Path) -> None:
    from tui.ui.modals.over_budget import OverBudget

    isolated_home.mkdir(parents=True, exist_ok=True)
    # An image is counted as 765 tokens: $0.00153 at this model's $2/M.
    (isolated_home / "config.toml").write_text("[budget]\nper_conversation = 0.001\n")
    app = attach_app(server, model=VISION)
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        app.screen.attach(["picture.png"])  # type: ignore[attr-defined]
        chips = app.screen.query_one(AttachmentChips)
        await settled(pilot, lambda: len(chips.attachments) == 1)
        app.screen.query_one(PromptArea).load_text("hi")
        await pilot.press("enter")
        await settled(pilot, lambda: isinstance(app.screen, OverBudget))
        await pilot.press("n")
        await settled(pilot, lambda: not isinstance(app.screen, OverBudget))
        assert [a.name for a in chips.attachments] == ["picture.png"]
        assert server.chat_requests() == []


async def test_a_prompt_that_takes_no_files_pastes_paths_as_text(cwd: Path) -> None:
    from textual.app import App, ComposeResult
    from textual.events import Paste

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield PromptArea()  # as the compare screen's is

    app = Bare()
    async with app.run_test() as pilot:
        prompt = app.query_one(PromptArea)
        prompt.focus()
        app.post_message(Paste(f"{cwd}/notes.txt"))
        await settled(pilot, lambda: prompt.text == f"{cwd}/notes.txt")
