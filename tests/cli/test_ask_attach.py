"""``ask -a FILE`` and piped stdin as an attachment, checked on the server side: the exact
content parts sent for a text file, an image (the data URL decodes to the file) and a
PDF; a model that does not take them gets no request; ``--continue`` sends a saved image
again from beside the conversation; ``show`` lists attachments, inert."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.support.cli_support import cli
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tui.api.catalog import Catalog
from tui.api.client import ChatClient
from tui.config import Paths, load_config

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"stream of a small pdf\n" * 20 + b"%%EOF\n"
VISION = "vision/model"
TEXT_ONLY = "text/model"
HOSTILE = "evil\x1b[2J[bold red]x\nline\u202e.txt"


def catalog(home: Path, server: LoopbackServer, models: list[dict[str, Any]]) -> None:
    """A cached catalog of the default profile (as ``cline-tui models`` leaves it)."""
    cache = home / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    config = load_config(Paths(home, home, cache), environ={"CLINE_BASE_URL": server.url})
    Catalog(ChatClient(config.profile), cache).cache_file.write_text(
        json.dumps({"fetched": 0, "models": models}))


def models(home: Path, server: LoopbackServer, vision: int = 1) -> None:
    listed = [{"id": TEXT_ONLY}, {"id": "pdf/model", "files": True}]
    listed += [{"id": VISION if n == 0 else f"vision/model-{n}", "images": True}
               for n in range(vision)]
    catalog(home, server, listed)


def reply(server: LoopbackServer, text: str = "It is a test.") -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks(text))))


def last_prompt(server: LoopbackServer, request: int = -1) -> Any:
    return server.chat_requests()[request].json()["messages"][-1]["content"]


def test_a_text_file_is_sent_fenced_after_the_question(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n```py\nx = 1\n```\n")
    reply(server)
    run = cli(isolated_home, "ask", "-m", TEXT_ONLY, "-a", str(notes), "explain", server=server)
    assert run.code == 0, run.stderr
    assert last_prompt(server) == (
        f"explain\n\n{notes}:\n````\n# Notes\n```py\nx = 1\n```\n````")


def test_an_image_is_a_data_url_the_server_decodes_to_the_file(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    models(isolated_home, server)
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    reply(server)
    run = cli(isolated_home, "ask", "-m", VISION, "-a", str(picture), "what is this",
              server=server)
    assert run.code == 0, run.stderr
    text, image = last_prompt(server)
    assert text == {"type": "text", "text": "what is this"}
    assert image["type"] == "image_url"
    head, _, data = image["image_url"]["url"].partition(",")
    assert head == "data:image/png;base64"
    assert base64.b64decode(data, validate=True) == PNG


def test_a_pdf_is_a_file_part(isolated_home: Path, server: LoopbackServer,
                              tmp_path: Path) -> None:
    models(isolated_home, server)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    reply(server)
    run = cli(isolated_home, "ask", "-m", "pdf/model", "-a", str(paper), "summarise",
              server=server)
    assert run.code == 0, run.stderr
    assert last_prompt(server) == [
        {"type": "text", "text": "summarise"},
        {"type": "file", "file": {
            "filename": "paper.pdf",
            "file_data": "data:application/pdf;base64," + base64.b64encode(PDF).decode()}},
    ]


def test_a_model_that_takes_no_images_gets_no_request(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    models(isolated_home, server, vision=7)
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    run = cli(isolated_home, "ask", "-m", TEXT_ONLY, "-a", str(picture), "what", server=server)
    assert run.code == 2
    assert (f"not sent: cat.png: {TEXT_ONLY} does not take images; models that do: "
            "vision/model, vision/model-1, vision/model-2, vision/model-3, vision/model-4… "
            "(pass -m MODEL)") in run.stderr
    assert server.chat_requests() == []
    assert not (isolated_home / "conversations").exists()  # nothing saved either


def test_a_model_the_catalog_does_not_list_is_refused(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    """No cached catalog: it is fetched, and the model is not in it."""
    server.enqueue(Reply.json({"data": [
        {"id": "seer/one", "architecture": {"input_modalities": ["text", "image"]}},
        {"id": "plain/one"}]}, path="/ai/cline/models"))
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    run = cli(isolated_home, "ask", "-m", "mystery/model", "-a", str(picture), "what",
              server=server)
    assert run.code == 2
    assert ("cat.png: mystery/model is not in the model catalog of profile 'cline', so it "
            "is not known to take images; models that do: seer/one (pass -m MODEL)"
            ) in run.stderr
    assert server.chat_requests() == []


def test_piped_stdin_is_attached_and_the_argument_is_the_question(
    isolated_home: Path, server: LoopbackServer
) -> None:
    models(isolated_home, server)
    reply(server)
    run = cli(isolated_home, "ask", "-m", VISION, "what is this", stdin=PNG, server=server)
    assert run.code == 0, run.stderr
    text, image = last_prompt(server)
    assert text["text"] == "what is this"
    assert base64.b64decode(image["image_url"]["url"].partition(",")[2]) == PNG
    reply(server)
    run = cli(isolated_home, "ask", "-m", TEXT_ONLY, "review this", stdin="+ a line\n",
              server=server)
    assert run.code == 0, run.stderr
    assert last_prompt(server) == "review this\n\nstdin:\n```\n+ a line\n```"
    reply(server)
    run = cli(isolated_home, "ask", "-m", TEXT_ONLY, stdin="stdin alone is the prompt\n",
              server=server)
    assert last_prompt(server) == "stdin alone is the prompt\n"


def test_two_files_are_sent_in_order_and_a_bad_one_sends_nothing(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("first\n")
    (tmp_path / "b.txt").write_text("second\n")
    reply(server)
    run = cli(isolated_home, "ask", "-m", TEXT_ONLY, "-a", str(tmp_path / "a.txt"), "-a",
              str(tmp_path / "b.txt"), "compare", server=server)
    assert run.code == 0, run.stderr
    assert last_prompt(server) == (f"compare\n\n{tmp_path}/a.txt:\n```\nfirst\n```\n\n"
                                   f"{tmp_path}/b.txt:\n```\nsecond\n```")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02")
    for bad, said in (("missing.txt", "missing.txt: no such file"),
                      ("bin.dat", "bin.dat is a binary file, not text, an image or a PDF")):
        run = cli(isolated_home, "ask", "-a", str(tmp_path / "a.txt"), "-a",
                  str(tmp_path / bad), "compare", server=server)
        assert run.code == 2
        assert f"not sent: {said}" in run.stderr.replace(str(tmp_path) + "/", "")
    assert len(server.chat_requests()) == 1


def test_continue_sends_a_saved_image_again_from_beside_the_conversation(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    models(isolated_home, server)
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    reply(server, "A cat.")
    first = cli(isolated_home, "ask", "-m", VISION, "-a", str(picture), "what", server=server)
    assert first.code == 0, first.stderr
    picture.unlink()  # what is sent again is the saved copy
    conversation_id = first.saved_id()
    reply(server, "Grey.")
    run = cli(isolated_home, "ask", "--continue", conversation_id, "what colour?",
              server=server)
    assert run.code == 0, run.stderr
    sent = server.chat_requests()[1].json()["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert base64.b64decode(sent[0]["content"][1]["image_url"]["url"].partition(",")[2]) == PNG
    assert sent[2]["content"] == "what colour?"

    files = isolated_home / "conversations" / f"{conversation_id}.files"
    [saved] = files.iterdir()
    saved.unlink()
    run = cli(isolated_home, "ask", "--continue", conversation_id, "and?", server=server)
    assert run.code == 2
    assert f"not sent: cat.png: its saved copy is missing ({saved})" in run.stderr
    assert len(server.chat_requests()) == 2


def test_show_lists_attachments_inert(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    hostile = tmp_path / HOSTILE
    body = "body \x1b]0;title\x07 [red]text[/red]\n"
    hostile.write_text(body)
    reply(server)
    run = cli(isolated_home, "ask", "-m", TEXT_ONLY, "-a", str(hostile), "look", server=server)
    assert run.code == 0, run.stderr
    conversation_id = run.saved_id()
    shown = cli(isolated_home, "show", conversation_id)
    assert shown.code == 0
    assert f"- Attached: evil[2J[bold red]x line.txt ({len(body)} B, text/plain)" in shown.stdout
    assert "```\nbody ]0;title [red]text[/red]\n```" in shown.stdout
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    as_json = json.loads(cli(isolated_home, "show", conversation_id, "--format", "json").stdout)
    [entry] = as_json["messages"][0]["attachments"]
    assert entry["name"] == HOSTILE and entry["type"] == "text/plain" and entry["size"] == len(body)
