"""Attachments: a 1 MB text file and a 5 MB image, from Enter to the request on the wire.

Run from the project root::

    .venv/bin/python -m benchmarks.attachments [--repeat N]

Made once per invocation in a temp folder: a ~1 MB UTF-8 text file of code-like lines
(a few non-ASCII characters in its comments) and a ~5 MB PNG of seeded random pixels
(valid, written with zlib and struct; random pixels do not compress). Each run is a fresh
process holding a loopback server (``tests/support/loopback.py``) that notes, on
``time.perf_counter``, when a request's head and its body's last byte arrived. In it:

* the baseline, with no UI: ``read_attachment`` of both files, ``build_request`` (the
  prompt with its attachments: the text fenced, the image as a data URL), the JSON
  encoding of the body as ``ChatStream`` does it, ``ConversationStore.save`` (the app
  writes the prompt and its image to disk before sending), and an httpx POST of that body
  to the server, until the server has read its last byte;
* the app, headless at 120x40, with both files attached through the chat's own path
  (``attach``, read in a thread; not timed) on a model whose catalog entry takes images.
  A prompt is typed and Enter sent as a terminal's key would arrive. Timed: Enter to the
  server holding the whole body (split at the arrival of the request's head), and Enter
  to a frame showing a key typed as soon as the prompt had cleared (the UI answering
  again). The longest event-loop stall from Enter to the wire is reported too.

Every run checks the body the server received: the prompt, the whole text fenced, and
the image's data URL byte for byte; and the reply in the conversation. Goal: Enter → wire
within 2x of what the app must do in that time with no UI (build + encode + save + send).
Written to ``results/attachments.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import json
import random
import statistics
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import httpx
from textual import events

from benchmarks.instruments import (
    StallMonitor,
    after_start_up,
    arguments,
    in_fresh_process,
    save,
    start_like_the_app,
)
from benchmarks.typing_latency import FrameProbe as TypingProbe
from tests.support.loopback import LoopbackServer, Recorded, Reply, sse_body, text_chunks
from tui.api.catalog import ModelInfo
from tui.api.client import ChatClient
from tui.chat.turn import build_request, inputs_for
from tui.config import Paths, Profile, load_config
from tui.model.conversation import Conversation, Message
from tui.storage.attachments import read_attachment
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore
from tui.ui.app import make_app
from tui.ui.widgets.prompt import PromptArea

MODEL = "bench/vision"
INFO = ModelInfo(id=MODEL, name="Bench Vision", context_length=2_000_000,
                 prompt_price=0.000002, completion_price=0.000008, images=True, files=True)
PROMPT = "Review this file against the screenshot."
ANSWER = "Both read: the code matches the picture."
TEXT_BYTES = 1_000_000
IMAGE_BYTES = 5_000_000
IMAGE_WIDTH = 1024
SEED = 18
GOAL_RATIO = 2.0


def code_text(size: int = TEXT_BYTES) -> str:
    """Code-like lines, UTF-8, just under ``size`` bytes."""
    lines: list[str] = []
    total, n = 0, 0
    while True:
        line = [
            f"def handler_{n}(request, retries={n % 5}):  # café n°{n} → retry",
            f"    value = compute(request.body[{n % 97}:], scale={n % 13}.5)",
            f"    if value > {n % 1000}:\n        return {{'ok': True, 'n': {n}}}",
            "    return None\n",
        ][n % 4] + "\n"
        size_of = len(line.encode())
        if total + size_of > size:
            return "".join(lines)
        lines.append(line)
        total += size_of
        n += 1


def random_png(size: int = IMAGE_BYTES, width: int = IMAGE_WIDTH, seed: int = SEED) -> bytes:
    """A valid 8-bit RGB PNG of about ``size`` bytes: random pixels, filter 0."""
    row = 1 + 3 * width
    height = max(1, size // row)
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(3 * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 1)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def make_files(folder: Path) -> tuple[Path, Path]:
    text, image = folder / "handlers.py", folder / "screenshot.png"
    text.write_text(code_text(), encoding="utf-8")
    image.write_bytes(random_png())
    return text, image


class ArrivalServer(LoopbackServer):
    """The loopback server, noting when each chat request's head and body's last byte
    were read (``time.perf_counter``: one clock for every thread of the process)."""

    head_at = 0.0
    body_at = 0.0

    def head_read(self) -> None:
        self.head_at = time.perf_counter()

    async def _read_request(self, reader: asyncio.StreamReader) -> Recorded | None:
        request = await super()._read_request(reader)
        self.body_at = time.perf_counter()
        return request


def reply() -> Reply:
    return Reply.sse(sse_body(*text_chunks(ANSWER, model=MODEL, usage={"prompt_tokens": 1,
                                                                          "completion_tokens": 1})))


def check_body(body: bytes, text: str, image: bytes) -> None:
    """The request as a model would read it: the prompt, the text fenced whole, the
    image's data URL byte for byte. Raises when anything is missing."""
    messages = json.loads(body)["messages"]
    content = messages[-1]["content"]
    assert isinstance(content, list), "the prompt went as plain text: no image part"
    texts = [p["text"] for p in content if p["type"] == "text"]
    urls = [p["image_url"]["url"] for p in content if p["type"] == "image_url"]
    assert len(texts) == 1 and texts[0].startswith(PROMPT), "the prompt is missing"
    assert f"\n```\n{text}```" in texts[0], "the text file is not in the body whole"
    assert urls == [f"data:image/png;base64,{base64.b64encode(image).decode()}"], \
        "the image's data URL is not the file's bytes"


def _config(home: Path, server: LoopbackServer) -> Any:
    paths = Paths(home, home, home / "cache")
    base = load_config(paths, environ={})
    profile = Profile("bench", server.url)
    return dataclasses.replace(base, profile=profile, model=MODEL,
                               profiles={**base.profiles, "bench": profile})


async def baseline(server: ArrivalServer, home: Path, files: tuple[Path, Path],
                   text: str, image: bytes) -> dict[str, float]:
    """The same work with no UI, step by step."""
    config = _config(home, server)
    store = ConversationStore(config.paths.conversations)
    async with httpx.AsyncClient(timeout=30) as http:
        await http.get(server.url + "/warm")  # the connection open, as the app's is
        t0 = time.perf_counter()
        attachments = [read_attachment(path) for path in files]
        t1 = time.perf_counter()
        conversation = Conversation(model=MODEL, profile="bench", title="Bench")
        conversation.id = store.new_id()
        conversation.add(Message(role="user", content=PROMPT, attachments=attachments))
        request = build_request(conversation, inputs=inputs_for(INFO, store.reader(conversation)))
        t2 = time.perf_counter()
        payload = json.dumps(request.body(), ensure_ascii=False, allow_nan=False).encode()
        t3 = time.perf_counter()
        store.save(conversation)
        t4 = time.perf_counter()
        server.enqueue(reply())
        response = await http.post(server.url + "/chat/completions", content=payload,
                                   headers={"Content-Type": "application/json"})
        response.raise_for_status()
        arrived = server.body_at
    check_body(server.chat_requests()[-1].body, text, image)
    return {"read": t1 - t0, "build": t2 - t1, "encode": t3 - t2, "save": t4 - t3,
            "send": arrived - t4, "body_mb": len(payload) / 1e6}


class FrameProbe(TypingProbe):
    """``typing_latency``'s probe, with a key sent without waiting for its frame."""

    def key(self, key: str, character: str | None) -> None:
        event = events.Key(key, character)
        event.set_sender(self.app)
        self.app._driver.send_message(event)


async def with_ui(server: ArrivalServer, home: Path, files: tuple[Path, Path],
                  text: str, image: bytes) -> dict[str, float]:
    config = _config(home, server)
    store = ConversationStore(config.paths.conversations)
    server.enqueue(reply())
    start_like_the_app()
    app = make_app(config, store=store, client=ChatClient(config.profile),
                   settings=Settings(home / "settings.toml"), fetch_catalog=False)
    app.services.models = [INFO]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await after_start_up()
        screen: Any = app.screen
        screen.attach([str(path) for path in files])
        while len(screen.chips.attachments) < 2:
            await asyncio.sleep(0.01)
        prompt = screen.query_one(PromptArea)
        prompt.text = PROMPT
        await pilot.pause()
        await pilot.pause()
        probe = FrameProbe(app, prompt)
        stalls = StallMonitor()
        stalls.start()
        requests = len(server.chat_requests())
        start = time.perf_counter()
        probe.key("enter", "\r")
        while prompt.text:  # the prompt cleared: the app took the Enter
            await asyncio.sleep(0.001)
        probe.awaited = "x"
        probe.key("x", "x")
        await asyncio.wait_for(probe.shown.wait(), 60)
        typed = time.perf_counter() - start
        while len(server.chat_requests()) == requests:
            await asyncio.sleep(0.005)
        worst = stalls.worst
        await stalls.stop()
        head, body = server.head_at - start, server.body_at - start
        while any(w.group == "reply" and w.is_running for w in app.workers):
            await asyncio.sleep(0.01)
        await pilot.pause()
        answered = screen.conversation.messages[-1].content == ANSWER
    check_body(server.chat_requests()[-1].body, text, image)
    assert answered, "the reply is not in the conversation"
    return {"enter_to_head": head, "enter_to_wire": body, "enter_to_key_shown": typed,
            "longest_stall": worst}


async def one_run(folder: Path) -> dict[str, Any]:
    files = (folder / "handlers.py", folder / "screenshot.png")
    text = files[0].read_text(encoding="utf-8")
    image = files[1].read_bytes()
    server = ArrivalServer()
    server.start()
    server.default = Reply.json({})
    try:
        with tempfile.TemporaryDirectory(prefix="cline-tui-bench-attach-") as tmp:
            base = await baseline(server, Path(tmp) / "base", files, text, image)
            ui = await with_ui(server, Path(tmp) / "ui", files, text, image)
    finally:
        server.stop()
    return {"baseline": base, "ui": ui}


def measure(repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-attach-files-") as tmp:
        text, image = make_files(Path(tmp))
        sizes = {"text_bytes": text.stat().st_size, "image_bytes": image.stat().st_size}
        runs = [in_fresh_process("attachments", "--folder", tmp) for _ in range(repeat)]
    medians = {f"{part}.{key}": statistics.median(run[part][key] for run in runs)
               for part in ("baseline", "ui") for key in runs[0][part]}
    b = {key: [run["baseline"][key] for run in runs] for key in runs[0]["baseline"]}
    floors = {
        "no_ui_total": statistics.median(
            sum(b[k][i] for k in ("read", "build", "encode", "save", "send"))
            for i in range(repeat)),
        "no_ui_send_path": statistics.median(
            sum(b[k][i] for k in ("build", "encode", "save", "send")) for i in range(repeat)),
    }
    return {"repeat": repeat, **sizes, "medians": {**medians, **floors}, "runs": runs}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    m = result["medians"]
    path_label = "no UI: build + encode + save + send"
    goal = m["no_ui_send_path"] * GOAL_RATIO
    return [
        {"figure": "attach 1 MB text + 5 MB PNG: Enter → wire", "median": m["ui.enter_to_wire"],
         "baseline": m["no_ui_send_path"], "baseline_label": path_label,
         "goal": f"≤ {GOAL_RATIO:g}× baseline ({goal * 1000:.0f} ms)",
         "met": m["ui.enter_to_wire"] <= goal},
        {"figure": "attach: Enter → request head at server", "median": m["ui.enter_to_head"],
         "baseline": m["baseline.build"] + m["baseline.encode"] + m["baseline.save"],
         "baseline_label": "no UI: build + encode + save", "goal": None, "met": None},
        {"figure": "attach: Enter → next key on screen", "median": m["ui.enter_to_key_shown"],
         "baseline": None, "baseline_label": "", "goal": None, "met": None},
        {"figure": "attach: longest stall, Enter → wire", "median": m["ui.longest_stall"],
         "baseline": None, "baseline_label": "", "goal": None, "met": None},
        {"figure": "attach, no UI: read both files → wire", "median": m["no_ui_total"],
         "baseline": None, "baseline_label": "read + build + encode + save + send",
         "goal": None, "met": None},
    ]


STEPS = ("read", "build", "encode", "save", "send")


def main(argv: list[str] | None = None) -> int:
    parser = arguments("attachments", __doc__, repeat=5)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_run:
        Path(args.one_run).write_text(json.dumps(asyncio.run(one_run(Path(args.folder)))))
        return 0
    result = measure(max(1, args.repeat))
    result["rows"] = rows(result)
    path = save("attachments", result)
    m = result["medians"]
    print(f"  files: text {result['text_bytes']:,} B, image {result['image_bytes']:,} B; "
          f"body {m['baseline.body_mb']:.2f} MB; medians of {result['repeat']} runs")
    print("  no UI: " + ", ".join(f"{s} {m['baseline.' + s] * 1000:.0f} ms" for s in STEPS))
    for row in result["rows"]:
        base = f"  ({row['baseline_label']}"
        base += f": {row['baseline'] * 1000:.0f} ms)" if row["baseline"] is not None else ")"
        goal = f"  goal {row['goal']}: {'met' if row['met'] else 'MISSED'}" if row["goal"] else ""
        print(f"  {row['figure']:<46}{row['median'] * 1000:>7.0f} ms{base}{goal}")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
