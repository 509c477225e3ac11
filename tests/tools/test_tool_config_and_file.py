"""``[mcp.NAME]`` and ``[tools]`` in config.toml (bad values are warnings, the app still
starts), and tool messages in the saved file: they round-trip exactly and are sent back
as real tool messages."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tui.config import load_config
from tui.model.conversation import Conversation, Message, ToolCall
from tui.model.wire import NOT_RUN, wire_messages
from tui.storage.store import ConversationStore
from tui.tool_config import DEFAULT_RESULT_LIMIT, DEFAULT_ROUNDS, DEFAULT_TIMEOUT


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_no_servers_and_default_tool_settings_with_no_tables(isolated_home: Path) -> None:
    config = load_config()
    assert config.mcp == ()
    assert (config.tools.timeout, config.tools.rounds, config.tools.result_limit) == (
        DEFAULT_TIMEOUT, DEFAULT_ROUNDS, DEFAULT_RESULT_LIMIT)
    assert config.warnings == ()


def test_stdio_and_http_servers_are_read(isolated_home: Path) -> None:
    write_config(isolated_home, """
[tools]
timeout = 30
rounds = 4
result_limit = 5000

[mcp.time]
command = "uvx"
args = ["mcp-server-time", "--local-timezone", "Europe/Paris"]
env = { TZ = "Europe/Paris" }
cwd = "/tmp"
allow = ["get_current_time"]

[mcp.docs]
url = "https://example.com/mcp"
headers = { Authorization = "Bearer abc" }
enabled = false
timeout = 5
""")
    config = load_config()
    assert config.warnings == ()
    assert (config.tools.timeout, config.tools.rounds, config.tools.result_limit) == (
        30.0, 4, 5000)
    time, docs = config.mcp
    assert (time.name, time.command, time.transport) == ("time", "uvx", "stdio")
    assert time.args == ("mcp-server-time", "--local-timezone", "Europe/Paris")
    assert time.env == {"TZ": "Europe/Paris"} and time.cwd == "/tmp"
    assert time.allow == ("get_current_time",) and time.enabled
    assert time.timeout == 30.0  # from [tools]
    assert (docs.url, docs.transport, docs.enabled, docs.timeout) == (
        "https://example.com/mcp", "http", False, 5.0)
    assert docs.headers == {"Authorization": "Bearer abc"}
    assert "abc" not in repr(docs)  # headers may hold a token


def test_bad_values_are_warnings_and_the_rest_is_used(isolated_home: Path) -> None:
    write_config(isolated_home, """
[tools]
timeout = -1
rounds = 2.5
colour = "red"

[mcp.both]
command = "x"
url = "http://127.0.0.1:1/mcp"

[mcp.neither]
args = ["x"]

[mcp.badurl]
url = "ftp://example.com"

[mcp.odd]
command = "srv"
args = "not a list"
env = { N = 1 }
enabled = "yes"
timeout = 0
shell = true
""")
    config = load_config()
    assert [s.name for s in config.mcp] == ["odd"]
    odd = config.mcp[0]
    assert (odd.args, odd.env, odd.enabled, odd.timeout) == ((), {}, True, DEFAULT_TIMEOUT)
    assert config.tools.rounds == DEFAULT_ROUNDS
    text = "\n".join(config.warnings)
    for expected in (
        "[tools] timeout = -1 is not a number above 0",
        "[tools] rounds = 2.5 is not a whole number above 0",
        "unknown setting 'colour' in [tools]",
        "[mcp.both] needs either a command",
        "[mcp.neither] needs either a command",
        "[mcp.badurl] url must be an http(s) URL",
        "[mcp.odd] args must be a list of texts",
        "[mcp.odd] env must be a table of texts",
        "[mcp.odd] enabled must be true or false",
        "[mcp.odd] timeout = 0 is not a number above 0",
        "unknown setting 'shell' in [mcp.odd]",
    ):
        assert expected in text, text


def tool_turn() -> Conversation:
    conversation = Conversation(model="test/model")
    conversation.add(Message(role="user", content="What time is it in Tokyo and Paris?"))
    conversation.add(Message(
        role="assistant", model="test/model", finish_reason="tool_calls",
        reasoning_details=[{"type": "reasoning.encrypted", "data": "abc=="}],
        tool_calls=[ToolCall("call_a", "get_current_time", '{"timezone": "Asia/Tokyo"}'),
                    ToolCall("call_b", "get_current_time", '{"timezone": "Europe/Paris"}')]))
    conversation.add(Message(role="tool", content='{"datetime": "10:00"}',
                             tool_call_id="call_a", tool_name="get_current_time",
                             duration_ms=12))
    conversation.add(Message(role="tool", content="Denied by the user.",
                             tool_call_id="call_b", tool_name="get_current_time",
                             tool_error=True, duration_ms=0))
    conversation.add(Message(role="assistant", content="It is 10:00 in Tokyo.",
                             model="test/model", finish_reason="stop"))
    return conversation


def test_tool_messages_round_trip_exactly(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = tool_turn()
    path = store.save(conversation)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["format"] == 2
    answered, denied = raw["messages"][2], raw["messages"][3]
    assert answered["role"] == "tool" and answered["parent"] == raw["messages"][1]["id"]
    assert (answered["tool_call_id"], answered["tool_name"], answered["duration_ms"]) == (
        "call_a", "get_current_time", 12)
    assert "error" not in answered
    assert denied["error"] is True and denied["content"] == "Denied by the user."

    loaded = store.load(conversation.id)
    assert loaded.nodes == conversation.nodes
    assert loaded.problems == []
    store.save(loaded)
    again = store.load(conversation.id)
    assert again.nodes == conversation.nodes
    assert path.read_text(encoding="utf-8") == store.path_for(conversation.id).read_text(
        encoding="utf-8")


def test_saved_tool_messages_are_sent_back_as_they_are(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    saved = tool_turn()
    store.save(saved)
    conversation = store.load(saved.id)
    conversation.add(Message(role="user", content="And now?"))
    wire = wire_messages(conversation)
    assert [m["role"] for m in wire] == ["user", "assistant", "tool", "tool", "assistant",
                                         "user"]
    assert wire[1]["reasoning_details"] == [{"type": "reasoning.encrypted", "data": "abc=="}]
    assert [c["id"] for c in wire[1]["tool_calls"]] == ["call_a", "call_b"]
    assert wire[2] == {"role": "tool", "tool_call_id": "call_a",
                       "content": '{"datetime": "10:00"}'}
    assert wire[3] == {"role": "tool", "tool_call_id": "call_b",
                       "content": "Denied by the user."}
    assert NOT_RUN not in str(wire)
