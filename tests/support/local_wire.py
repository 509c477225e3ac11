"""The local model's server as the loopback server plays it: the reply llama-cpp-python
really streams (tests/data/local/), its bare model list and its tokenizer count, and a
config of the ``local`` profile pointed at it (the app's own client and transport)."""

from __future__ import annotations

from dataclasses import replace

from tests.support.loopback import LoopbackServer, Recorded, Reply
from tests.support.paths import DATA
from tui.config import Config, load_config

MODEL = "gemma-3-270m"
CONTEXT = 256  # the --n_ctx the capture's server had, and the tests give the app
PROMPT = "Name three colours."
# The captured stream: 12 content chunks, no usage; the same request unstreamed said
# completion_tokens 12 (prompt_tokens 13, of which the message's own text is 5).
STREAM = (DATA / "local" / "llama-cpp-python-stream.sse").read_bytes()
CHUNKS = 12
# The prompt as llama-cpp-python's "gemma" chat format builds it, and what the server's
# /extras/tokenize/count answered for it: 13, the unstreamed reply's prompt_tokens.
GEMMA_PROMPT = f"<start_of_turn>user\n{PROMPT}<end_of_turn>\n<start_of_turn>model\n"
PROMPT_COUNT = 13
# llama-cpp-python's /v1/models: an id, and neither context nor price.
MODELS = {"object": "list", "data": [
    {"id": MODEL, "object": "model", "owned_by": "me", "permissions": []},
]}


def stream_pieces() -> list[bytes]:
    """The capture as the server wrote it: one event at a time."""
    events = STREAM.split(b"\n\n")
    return [event + b"\n\n" for event in events if event]


def local_reply(delay: float = 0.01) -> Reply:
    """The captured reply, its events ``delay`` s apart (a reply that streams)."""
    return Reply(headers=[("Content-Type", "text/event-stream; charset=utf-8")],
                 pieces=stream_pieces(), delay=delay)


def play_local_server(server: LoopbackServer, count: int | None = PROMPT_COUNT) -> None:
    """Answer the model list and (unless ``count`` is None: an older server) the
    tokenizer count as llama-cpp-python does; chat replies are enqueued by the test."""

    def answer(request: Recorded) -> Reply:
        if request.method == "GET" and request.path == "/v1/models":
            return Reply.json(MODELS)
        if request.path == "/extras/tokenize/count" and count is not None:
            return Reply.json({"count": count})
        return Reply.json({"detail": "Not Found"}, status=404)

    server.default = answer


def local_config(server: LoopbackServer, context: int = CONTEXT,
                 chat_format: str | None = "gemma") -> Config:
    """The ``local`` profile as the app runs it once its server is up, on ``server``
    (serving the bundled model, with the chat format the app gives it)."""
    config = load_config().with_overrides(profile="local")
    config = replace(config, model=MODEL, local_context=context,
                     local_chat_format=chat_format)
    return replace(config, profile=replace(config.profile, base_url=server.url + "/v1"))
