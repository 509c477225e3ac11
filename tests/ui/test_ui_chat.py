"""Chat flows with Textual's Pilot against the loopback server: what the user sees on
screen and what ends up in the saved file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import (
    build_app,
    catalog_loaded,
    chat,
    collect_notes,
    fixed_conversation,
    saved,
    screen_text,
    send,
    settled,
    wait_for,
)
from tui.ui.app import ChatApp
from tui.ui.modals.model_picker import ModelPicker
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView

USAGE = {"prompt_tokens": 42, "completion_tokens": 7, "cost": 0.0021,
         "prompt_tokens_details": {"cached_tokens": 40}}


async def shows(app: ChatApp, *texts: str) -> str:
    """The screen's text, once every one of ``texts`` is on it."""
    await wait_for(lambda: all(text in screen_text(app) for text in texts))
    return screen_text(app)


async def test_send_streams_reply_and_saves_it(
    server: LoopbackServer, isolated_home: Path
) -> None:
    chunks = text_chunks("Hello", " **world**", model="anthropic/claude-sonnet-4.6",
                         reasoning=("Let me ", "think."), usage=USAGE)
    server.enqueue(Reply.sse(sse_body(*chunks), piece_size=9))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "Say hello")
        await app.workers.wait_for_complete()
        view = app.query_one(ReplyView)
        assert view.body.source == "Hello **world**"
        assert view.reasoning_block.collapsed  # folded once the answer started
        text = await shows(app, "Say hello", "Hello world", "Reasoning")
        assert "42" in text and "$0.0021" in text  # the usage sidebar
        assert app.query_one(PromptArea).text == ""
    [path] = saved(isolated_home)
    data = tomllib.loads(path.read_text())
    user, reply = data["messages"]
    assert user == {"id": user["id"], "role": "user", "content": "Say hello",
                    "created": user["created"]}
    assert reply["parent"] == user["id"] and data["current"] == reply["id"]
    assert reply["content"] == "Hello **world**"
    assert reply["reasoning"] == "Let me think."
    assert reply["finish_reason"] == "stop"
    assert reply["usage"]["prompt_tokens"] == 42 and reply["usage"]["cached_tokens"] == 40
    assert reply["usage"]["cost"] == 0.0021 and "ttft_ms" in reply["usage"]
    sent = server.chat_requests()[0]
    assert sent.json()["messages"] == [{"role": "user", "content": "Say hello"}]
    assert sent.headers["authorization"].startswith("Bearer ")


async def test_reasoning_is_open_while_thinking(server: LoopbackServer) -> None:
    body = sse_body(*text_chunks("answer", reasoning=("step one. ",)))
    events = [e + b"\n\n" for e in body.split(b"\n\n") if e]
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")], pieces=events,
                         stall_after=1, stall=60))  # thinking until the test is done
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "think")
        await wait_for(lambda: bool(app.query(ReplyView))
                       and app.query_one(ReplyView).message.reasoning == "step one. ")
        view = app.query_one(ReplyView)
        assert not view.reasoning_block.collapsed
        await shows(app, "step one.")
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        assert view.reasoning_block.collapsed  # folded once the reply is over
        await pilot.press("ctrl+t")  # reopen with a key
        assert not view.reasoning_block.collapsed


async def test_reasoning_folds_when_the_answer_starts(server: LoopbackServer) -> None:
    from tui.api.reply import Delta
    from tui.model.conversation import Message

    app = build_app(server)
    async with app.run_test(size=(120, 40)):
        view = await chat(app).transcript.add_reply(Message(role="assistant"))
        await view.add_delta(Delta("reasoning", "step one. "))
        assert not view.reasoning_block.collapsed  # live while the model thinks
        await view.add_delta(Delta("content", "answer"))
        assert view.reasoning_block.collapsed
        view.finish()


async def test_a_reply_without_reasoning_mounts_no_fold(server: LoopbackServer) -> None:
    """The fold is mounted, before the answer, only once reasoning arrives: a reply with
    none has no hidden fold to style and lay out."""
    from textual.widgets import Collapsible

    from tui.api.reply import Delta
    from tui.model.conversation import Message

    app = build_app(server)
    async with app.run_test(size=(120, 40)):
        view = await chat(app).transcript.add_reply(Message(role="assistant"))
        await view.add_delta(Delta("content", "just the answer"))
        view.message = Message(role="assistant", content="just the answer")  # as streamed
        view.finish()
        assert not view.query(Collapsible)
        thinking = await chat(app).transcript.add_reply(Message(role="assistant"))
        await thinking.add_delta(Delta("reasoning", "step one. "))
        assert [type(w).__name__ for w in thinking.children][1:3] == ["ReasoningBlock",
                                                                      "MarkdownView"]
        assert thinking.reasoning_block.is_mounted
        await thinking.add_delta(Delta("content", "answer"))
        thinking.message = Message(role="assistant", content="answer", reasoning="step one. ")
        thinking.finish()
        assert await shows(app, "Reasoning", "answer")  # folded once the answer started


async def test_reasoning_that_never_streamed_is_shown_when_the_reply_ends(
        server: LoopbackServer) -> None:
    """Reasoning the stream held back until it was cancelled (a tag never closed) joins
    the reply at its end: the fold is mounted then, with it."""
    from tui.model.conversation import Message

    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await chat(app).transcript.add_reply(Message(role="assistant"))
        view.message = Message(role="assistant", content="cut", reasoning="held back")
        view.finish()
        await pilot.press("ctrl+t")  # open the fold
        await wait_for(lambda: view.reasoning_block.is_mounted)
        assert view.reasoning_block.parent is view and view.reasoning_block.display
        assert await shows(app, "held back")


async def test_escape_cancels_and_keeps_partial(
    server: LoopbackServer, isolated_home: Path
) -> None:
    chunks = text_chunks(*[f"word{i} " for i in range(300)])
    # The stream stalls a third of the way through: Esc always lands mid-stream.
    server.enqueue(Reply.sse(sse_body(*chunks), piece_size=300, stall_after=50, stall=60))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "long story")
        await wait_for(lambda: bool(app.query(ReplyView))
                       and "word5 " in app.query_one(ReplyView).message.content)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        view = app.query_one(ReplyView)
        assert view.message.finish_reason == "cancelled"
        partial = view.message.content
        assert partial.startswith("word0 word1") and "word299" not in partial
        await shows(app, "Cancelled")
    data = tomllib.loads(saved(isolated_home)[0].read_text())
    assert data["messages"][1]["finish_reason"] == "cancelled"
    assert data["messages"][1]["content"] == partial


async def test_error_then_retry(server: LoopbackServer, isolated_home: Path) -> None:
    server.enqueue(
        Reply.json({"error": {"message": "model overloaded [@click=app.quit]x[/]"}},
                   status=400),
        Reply.sse(sse_body(*text_chunks("Recovered."))),
    )
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "try me")
        await app.workers.wait_for_complete()
        await shows(app, "model overloaded [@click=app.quit]x[/]")  # literal, in the reply
        assert chat(app).conversation.messages[-1].finish_reason == "error"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        messages = chat(app).conversation.messages
        assert [m.role for m in messages] == ["user", "assistant"]
        assert messages[-1].content == "Recovered."
        assert len(app.query(ReplyView)) == 1
    assert len(server.chat_requests()) == 2
    assert server.chat_requests()[1].json()["messages"] == [{"role": "user", "content": "try me"}]
    data = tomllib.loads(saved(isolated_home)[0].read_text())
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert data["messages"][1]["content"] == "Recovered."


async def test_model_switch_changes_next_request(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("one"))),
                   Reply.sse(sse_body(*text_chunks("two"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "first")
        await app.workers.wait_for_complete()
        await wait_for(lambda: len(app.models) == 4)
        await pilot.press("f2")
        assert isinstance(app.screen, ModelPicker)
        await pilot.press(*"gpt")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        await send(pilot, "second")
        await app.workers.wait_for_complete()
    first, second = server.chat_requests()
    assert first.json()["model"] == "anthropic/claude-sonnet-4.6"
    assert second.json()["model"] == "openai/gpt-4.1"
    assert app.settings.model_for("cline") == "openai/gpt-4.1"  # remembered


async def test_prompt_keys(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("ok"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        prompt = app.query_one(PromptArea)
        prompt.focus()
        await pilot.press(*"line1", "shift+enter", *"line2", "ctrl+j", *"line3")
        assert prompt.text == "line1\nline2\nline3"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert prompt.text == ""
        await pilot.press("up")
        assert prompt.text == "line1\nline2\nline3"
    assert server.chat_requests()[0].json()["messages"][0]["content"] == "line1\nline2\nline3"


async def test_reply_text_is_inert(server: LoopbackServer) -> None:
    hostile = "Click [@click=app.quit]x[/] then \x1b]52;c;aGVsbG8=\x07 and \x1b[2J done"
    server.enqueue(Reply.sse(sse_body(*text_chunks(hostile))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "be evil")
        await app.workers.wait_for_complete()
        text = await shows(app, "[@click=app.quit]x[/]",
                           "]52;c;aGVsbG8=")  # the payload is visible as text, not executed
        assert "\x1b" not in text and "\x07" not in text
        assert app.is_running
        # The saved reply keeps the model's exact text: it is the user's data.
        assert chat(app).conversation.messages[-1].content == hostile


async def test_no_key_first_run(isolated_home: Path) -> None:
    app = build_app(None, key=False)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await shows(app, "CLINE_API_KEY")
        await send(pilot, "hello?")
        await pilot.pause()
        assert app.query_one(PromptArea).text == "hello?"  # nothing lost
        assert not app.query(ReplyView)
        assert any("CLINE_API_KEY" in n for n in notes)
    assert saved(isolated_home) == []


async def test_resume_shows_saved_conversation_folded(server: LoopbackServer) -> None:
    app = build_app(server, conversation=fixed_conversation())
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(ReplyView)
        assert view.reasoning_block.collapsed
        text = await shows(app, "What is 17 × 23?", "391")
        assert "17×20 = 340" not in text
        await pilot.press("ctrl+t")
        await shows(app, "17×20 = 340")


async def test_refusal_tool_calls_and_cut_off_are_shown(server: LoopbackServer) -> None:
    from tests.support.streams import read

    server.enqueue(Reply.sse(read("19-openai-refusal.sse"), piece_size=50),
                   Reply.sse(read("03-openai-tool-call-split-args.sse"), piece_size=50),
                   Reply.sse(read("09-openai-finish-length.sse"), piece_size=50))
    app = build_app(server)
    async with app.run_test(size=(120, 50)) as pilot:
        for prompt in ("refuse", "use a tool", "long story"):
            await send(pilot, prompt)
            await app.workers.wait_for_complete()
        await shows(app, "I'm sorry, I can't help with that.",
                    'read_file({"path":"src/main.rs","max_lines":200})',
                    "Cut off: the model reached its maximum output length.")


async def test_edit_system_prompt_and_temperature(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("ok"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        from textual.widgets import Input, TextArea

        app.screen.query_one("#system", TextArea).load_text("Answer in French.")
        app.screen.query_one("#temperature", Input).value = "0.2"
        await pilot.click("#save")
        await shows(app, "temperature 0.2")
        await send(pilot, "hello")
        await app.workers.wait_for_complete()
    body = server.chat_requests()[0].json()
    assert body["temperature"] == 0.2
    assert body["messages"][0] == {"role": "system", "content": "Answer in French."}


async def test_bad_temperature_is_refused_in_the_dialog(server: LoopbackServer) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        from textual.widgets import Input

        app.screen.query_one("#temperature", Input).value = "hot"
        await pilot.click("#save")
        await shows(app, "from 0 to 2")  # the dialog stays open and says why


async def test_copy_reply_and_code_block(server: LoopbackServer) -> None:
    reply = "Use this:\n\n```python\nprint('hi')\n```\n"
    server.enqueue(Reply.sse(sse_body(*text_chunks(reply))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "code please")
        await app.workers.wait_for_complete()
        await pilot.press("f3")
        assert app.clipboard == reply
        await pilot.press("f4")
        assert app.clipboard == "print('hi')\n"


async def test_new_chat_starts_empty_and_keeps_the_old_one_saved(
    server: LoopbackServer, isolated_home: Path
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("first answer"))),
                   Reply.sse(sse_body(*text_chunks("second answer"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "first chat")
        await app.workers.wait_for_complete()
        first_id = chat(app).conversation.id
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.query(ReplyView)
        await send(pilot, "second chat")
        await app.workers.wait_for_complete()
        assert chat(app).conversation.id != first_id
    assert server.chat_requests()[1].json()["messages"] == [
        {"role": "user", "content": "second chat"}]
    assert len(saved(isolated_home)) == 2


async def test_transcript_follows_the_stream_unless_scrolled_up(server: LoopbackServer) -> None:
    lines = [f"line {i}\n\n" for i in range(200)]
    server.enqueue(Reply.sse(sse_body(*text_chunks(*lines)), piece_size=400, delay=0.01))
    app = build_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "many lines")
        await app.workers.wait_for_complete()
        transcript = chat(app).transcript
        await wait_for(lambda: chat(app).transcript.replies()[-1].body.source.endswith(
            "line 199\n\n") and not transcript.replies()[-1].body.rendering)
        # Pinned to the end, once the last lines are laid out.
        await wait_for(lambda: transcript.scroll_y == transcript.max_scroll_y > 0)
        await shows(app, "line 199")


async def test_opens_with_a_cached_catalog_and_no_network(isolated_home: Path) -> None:
    """The cached catalog arrives before the screen is built; the picker still has it."""
    from tests.support.ui_support import CATALOG
    from tui.api.catalog import Catalog, parse_catalog

    app = build_app(None, conversation=fixed_conversation())
    Catalog(app.client, app.config.paths.cache_dir)._save(parse_catalog(CATALOG))
    async with app.run_test(size=(120, 40)) as pilot:
        await shows(app, "What is 17 × 23?  ·  anthropic/claude-sonnet-4.6",
                    "200K")  # the context window, from the cache
        await pilot.press("f2")
        assert len(app.models) == 4


async def test_a_long_conversation_opens_with_its_last_page_and_shows_more_on_demand(
    server: LoopbackServer,
) -> None:
    from tui.model.conversation import Conversation, Message
    from tui.ui.widgets.message_views import UserMessage
    from tui.ui.widgets.transcript import PAGE, EarlierMessages

    conversation = Conversation(model="anthropic/claude-sonnet-4.6")
    for i in range(50):
        conversation.add(Message(role="user", content=f"question {i}"))
        conversation.add(Message(role="assistant", content=f"answer {i}", finish_reason="stop"))
    app = build_app(server, conversation=conversation)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        transcript = chat(app).transcript

        def mounted() -> int:
            return len(transcript.query(UserMessage)) + len(transcript.query(ReplyView))

        # The last FIRST before the first frame (the newest at the bottom), then the page.
        assert transcript.query(ReplyView)[-1].message.content == "answer 49"
        await wait_for(lambda: mounted() == PAGE)
        await wait_for(lambda: "▲ 60 earlier messages" in str(
            transcript.query_one(EarlierMessages).render()))
        await wait_for(lambda: transcript.scroll_y == transcript.max_scroll_y > 0)  # at the end
        transcript.scroll_home(animate=False)
        await wait_for(lambda: len(transcript.query(UserMessage)) == 40)
        await wait_for(lambda: transcript.scroll_y > 0)  # the messages read before stay put
        marker = transcript.query_one(EarlierMessages)
        marker.focus()
        await pilot.press("enter")
        await wait_for(lambda: len(transcript.query(UserMessage)) == 50)
        assert not transcript.query(EarlierMessages)
        texts = [str(v.render()) for v in transcript.query(UserMessage)]
        assert texts[0] == "question 0" and texts[-1] == "question 49"


async def test_a_model_the_catalog_lacks_is_said_once_in_the_chat(
    isolated_home: Path, server: LoopbackServer
) -> None:
    from tui.ui.widgets.message_views import Notice

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text('model = "nowhere/[b]model"\n', encoding="utf-8")
    app = build_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await settled(pilot, lambda: bool(screen.query(Notice)))
        screen.catalog_changed()  # the catalog again (a refresh): not said twice
        await pilot.pause()
        notes = [str(n.render()) for n in screen.query(Notice)]
        assert len(notes) == 1
        assert "nowhere/[b]model is not in the model list of profile 'cline'" in notes[0]


async def test_a_model_in_the_catalog_is_not_remarked(server: LoopbackServer) -> None:
    from tui.ui.widgets.message_views import Notice

    app = build_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        await pilot.pause()
        assert not chat(app).query(Notice)
