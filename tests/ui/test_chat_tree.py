"""The chat screen's message cursor and tree actions (Pilot against the loopback server):
what the screen shows, what the saved file holds, and, for edits and regenerations,
that the request the server got holds exactly the branch shown."""

from __future__ import annotations

from pathlib import Path

from textual import events

from tests.support.chat_tree_support import (
    MODEL,
    branch_of,
    many_exchanges,
    marked,
    saved_file,
    select,
    two_exchanges,
    with_alternatives,
)
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import (
    build_app,
    catalog_loaded,
    chat,
    collect_notes,
    saved,
    screen_text,
    settled,
    wait_for,
)
from tui.model.conversation import Message
from tui.ui.modals.model_picker import ModelPicker
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.message_views import UserMessage
from tui.ui.widgets.reply_view import ReplyView


def sent_messages(server: LoopbackServer) -> list[tuple[str, str]]:
    """(role, content) of each message in the last chat request the server got."""
    body = server.chat_requests()[-1].json()
    return [(m["role"], m["content"]) for m in body["messages"]]


def footer_text(screen: ChatScreen) -> str:
    return screen_text(screen.app).splitlines()[-1]


async def test_alt_up_and_down_move_a_marked_cursor_and_esc_leaves_it(
    server: LoopbackServer,
) -> None:
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        screen.prompt.load_text("half typed")
        await pilot.press("alt+up")
        await settled(pilot, lambda: marked(screen) == ["Rome."])
        await pilot.press("alt+up", "alt+up")
        await settled(pilot, lambda: marked(screen) == ["Paris."])
        assert screen.prompt.text == "half typed" and screen.prompt.has_focus
        await pilot.press("alt+down")
        await settled(pilot, lambda: marked(screen) == ["And of Italy?"])
        assert "Edit" in footer_text(screen) and "Delete" in footer_text(screen)
        await pilot.press("escape")
        await settled(pilot, lambda: marked(screen) == [])
        assert "Edit" not in footer_text(screen)
        assert screen.prompt.text == "half typed"
        # Past the last message the cursor goes back to the prompt; typing leaves it too.
        await select(pilot, screen, "Rome.")
        await pilot.press("alt+down")
        await settled(pilot, lambda: marked(screen) == [])
        await select(pilot, screen, "Rome.")
        await pilot.press("x")
        await settled(pilot, lambda: marked(screen) == [])
        assert screen.prompt.text == "xhalf typed"  # load_text left the cursor at the start


async def test_alt_up_right_after_typing_keeps_the_cursor(server: LoopbackServer) -> None:
    """Keys typed just before Alt+Up, not yet handled by the prompt when Alt+Up
    arrives, do not count as typing after it (which would leave the cursor)."""
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        for key in ("m", "y", "alt+up"):  # posted at once, as a fast typist's keys arrive
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settled(pilot, lambda: screen.prompt.text == "my")
        await settled(pilot, lambda: marked(screen) == ["Rome."])


async def test_the_selected_message_is_scrolled_into_view(server: LoopbackServer) -> None:
    app = build_app(server, conversation=many_exchanges(15))
    async with app.run_test(size=(80, 24)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await select(pilot, screen, "Number 3?")
        [view] = [v for v in screen.transcript.message_views() if v.marked]
        await settled(pilot, lambda: screen.transcript.can_view_entire(view))
        assert "Number 3?" in screen_text(app) and "It is 14." not in screen_text(app)


async def test_the_mark_is_drawn_on_a_message_that_was_off_screen(
    server: LoopbackServer,
) -> None:
    """The mark set on a view drawn before but off screen now (only its cached lines are
    dropped, no repaint) is drawn once the cursor's scroll brings it in, and the view
    it left, off screen too, is drawn with its own edge again."""
    app = build_app(server, conversation=many_exchanges(15))
    async with app.run_test(size=(80, 24)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)

        def rows_of(text: str) -> list[str]:
            return [line for line in screen_text(app).splitlines() if text in line]

        await select(pilot, screen, "Number 3?")
        await settled(pilot, lambda: "┃" in "".join(rows_of("Number 3?")))
        assert rows_of("It is 3.") != []  # drawn, unmarked
        await pilot.press("ctrl+end")  # both scroll out of view
        await settled(pilot, lambda: rows_of("Number 3?") == rows_of("It is 3.") == [])
        await pilot.press("alt+down")
        await settled(pilot, lambda: marked(screen) == ["It is 3."])
        await settled(pilot, lambda: rows_of("It is 3.") != [])
        assert "┃" in rows_of("It is 3.")[0]  # the heavy edge: the mark
        await pilot.press("alt+up")
        await settled(pilot, lambda: rows_of("Number 3?") != [])
        assert "┃" in rows_of("Number 3?")[0]
        assert "┃" not in rows_of("It is 3.")[0]
        assert sum("┃" in line for line in screen_text(app).splitlines()) == 1


async def test_a_click_selects_a_message(server: LoopbackServer) -> None:
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        [view] = [v for v in screen.query(UserMessage) if v.message.content == "And of Italy?"]
        await pilot.click(view)
        await settled(pilot, lambda: marked(screen) == ["And of Italy?"])


async def test_editing_a_prompt_sends_a_new_branch_and_keeps_the_old_one(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Berlin.", model=MODEL))))
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        screen.prompt.load_text("my draft")
        await select(pilot, screen, "And of Italy?")
        await pilot.press("enter")
        await settled(pilot, lambda: screen.prompt.text == "And of Italy?")
        assert "my draft" in screen.prompt.sent  # one Up away, never lost
        screen.prompt.load_text("And of Germany?")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Berlin." in screen_text(app))
        text = screen_text(app)
        assert "Rome." not in text and "And of Italy?" not in text
        assert "‹ 2/2 ›" in text  # the new prompt is the second of two
    assert sent_messages(server) == [("user", "Capital of France?"), ("assistant", "Paris."),
                                     ("user", "And of Germany?")]
    data = saved_file(isolated_home)
    assert branch_of(data) == ["Capital of France?", "Paris.", "And of Germany?", "Berlin."]
    contents = [m["content"] for m in data["messages"]]
    assert "And of Italy?" in contents and "Rome." in contents  # the old branch stays
    italy, germany = (m for m in data["messages"] if m["content"].startswith("And of"))
    assert italy["parent"] == germany["parent"] == "0000b001"


async def test_esc_cancels_an_edit_and_gives_the_draft_back(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        screen.prompt.load_text("my draft")
        await select(pilot, screen, "Capital of France?")
        await pilot.press("enter")
        await settled(pilot, lambda: screen.prompt.text == "Capital of France?")
        await pilot.press("escape")
        await settled(pilot, lambda: screen.prompt.text == "my draft")
        assert marked(screen) == []
    assert server.chat_requests() == [] and saved(isolated_home) == []


async def test_ctrl_r_on_a_selected_reply_streams_an_alternative(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Paris, on the Seine.", model=MODEL))))
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await select(pilot, screen, "Paris.")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Paris, on the Seine." in screen_text(app)
                      and "‹ 2/2 ›" in screen_text(app))
        assert "And of Italy?" not in screen_text(app)
    assert sent_messages(server) == [("user", "Capital of France?")]
    data = saved_file(isolated_home)
    assert branch_of(data) == ["Capital of France?", "Paris, on the Seine."]
    assert len(data["messages"]) == 5  # the old reply and its branch stay


async def test_ctrl_r_on_a_selected_prompt_answers_it_again(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("France: Paris.", model=MODEL))))
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await select(pilot, screen, "Capital of France?")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "France: Paris." in screen_text(app))
    assert sent_messages(server) == [("user", "Capital of France?")]
    assert branch_of(saved_file(isolated_home)) == ["Capital of France?", "France: Paris."]


async def test_ctrl_r_regenerates_a_good_last_reply_beside_it(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Roma.", model=MODEL))))
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Roma." in screen_text(app))
    assert sent_messages(server) == [("user", "Capital of France?"), ("assistant", "Paris."),
                                     ("user", "And of Italy?")]
    data = saved_file(isolated_home)
    assert branch_of(data)[-1] == "Roma."
    assert "Rome." in [m["content"] for m in data["messages"]]


async def test_regenerate_with_a_model_picked_on_the_spot(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Rome (GPT).", model="openai/gpt-4.1"))))
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await select(pilot, screen, "Rome.")
        await pilot.press("alt+r")
        await settled(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press(*"gpt")
        await pilot.press("enter")
        await wait_for(lambda: len(server.chat_requests()) == 1)
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Rome (GPT)." in screen_text(app))
    request = server.chat_requests()[-1].json()
    assert request["model"] == "openai/gpt-4.1"
    assert sent_messages(server) == [("user", "Capital of France?"), ("assistant", "Paris."),
                                     ("user", "And of Italy?")]
    assert branch_of(saved_file(isolated_home))[-1] == "Rome (GPT)."


async def test_left_and_right_switch_between_alternatives(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    app = build_app(server, conversation=with_alternatives())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        assert "‹ 2/2 ›" in screen_text(app) and "Rome, since 1871." in screen_text(app)
        await select(pilot, screen, "Rome, since 1871.")
        await pilot.press("left")
        await settled(pilot, lambda: "Rome." in screen_text(app)
                      and "since 1871" not in screen_text(app))
        assert "‹ 1/2 ›" in screen_text(app) and marked(screen) == ["Rome."]
        assert branch_of(saved_file(isolated_home))[-1] == "Rome."
        # The first prompt's alternative: its whole branch is shown.
        await select(pilot, screen, "Capital of France?")
        await pilot.press("right")
        await settled(pilot, lambda: "Madrid." in screen_text(app))
        assert "Paris." not in screen_text(app)
        assert branch_of(saved_file(isolated_home)) == ["Capital of Spain?", "Madrid."]
        await pilot.press("right")  # no later alternative: nothing changes
        await settled(pilot, lambda: marked(screen) == ["Capital of Spain?"])


async def test_fork_opens_a_new_conversation_with_the_path_to_the_message(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    original = two_exchanges()
    app = build_app(server, conversation=original)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await select(pilot, screen, "Paris.")
        await pilot.press("alt+n")
        await settled(pilot, lambda: screen.conversation.id != original.id)
        await settled(pilot, lambda: "And of Italy?" not in screen_text(app))
        assert "Paris." in screen_text(app) and "(fork)" in screen_text(app)
    [path] = saved(isolated_home)
    assert path.stem != original.id
    data = saved_file(isolated_home)
    assert branch_of(data) == ["Capital of France?", "Paris."]
    assert len(original.nodes) == 4  # the original is untouched


async def test_delete_takes_out_the_branch_and_ctrl_z_puts_it_back(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    app = build_app(server, conversation=two_exchanges())
    notes = collect_notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        screen.prompt.load_text("draft")
        await select(pilot, screen, "And of Italy?")
        await pilot.press("delete")
        await settled(pilot, lambda: "Rome." not in screen_text(app))
        assert "Deleted 2 messages · Ctrl+Z undoes" in notes
        assert screen.prompt.text == "draft"  # Delete did not reach the prompt
        assert branch_of(saved_file(isolated_home)) == ["Capital of France?", "Paris."]
        assert len(saved_file(isolated_home)["messages"]) == 2
        await pilot.press("ctrl+z")
        await settled(pilot, lambda: "Rome." in screen_text(app))
        assert branch_of(saved_file(isolated_home))[-1] == "Rome."
        assert len(saved_file(isolated_home)["messages"]) == 4
        await pilot.press("ctrl+z")  # nothing left to undo: the prompt's own undo
        assert len(saved_file(isolated_home)["messages"]) == 4


async def test_f3_copies_the_selected_message(server: LoopbackServer) -> None:
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await select(pilot, screen, "Capital of France?")
        await pilot.press("f3")
        await settled(pilot, lambda: app.clipboard == "Capital of France?")
        await pilot.press("escape", "f3")
        await settled(pilot, lambda: app.clipboard == "Rome.")


async def test_a_tree_change_while_a_reply_streams_is_refused(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    chunks = text_chunks(*[f"word{i} " for i in range(300)])
    server.enqueue(Reply.sse(sse_body(*chunks), piece_size=300, stall_after=20, stall=60))
    app = build_app(server, conversation=two_exchanges())
    notes = collect_notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await pilot.press("ctrl+r")
        await wait_for(lambda: screen.streaming and "word1 " in app.query(ReplyView)
                       .last().message.content)
        await select(pilot, screen, "Paris.")
        await pilot.press("delete")
        await wait_for(lambda: any("still streaming" in n for n in notes))
        assert len(screen.conversation.nodes) == 4
        await pilot.press("escape", "escape")  # leave the cursor, then cancel the reply
        await app.workers.wait_for_complete()
    assert len(saved_file(isolated_home)["messages"]) == 5


async def test_help_and_the_palette_list_the_keys_for_a_selected_message(
    server: LoopbackServer,
) -> None:
    from tui.ui.screens.help import HelpScreen

    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Edit selected prompt", "Fork from selected message", "Regenerate reply",
                "Delete selected message", "Next alternative"} <= titles
        await pilot.press("f1")  # nothing selected: the keys are listed all the same
        await settled(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        rows = {row.binding_id: row for row in app.screen.rows}
        for binding_id in ("chat.msg_up", "chat.msg_edit", "chat.msg_prev",
                           "chat.msg_next", "chat.regen_with", "chat.msg_fork",
                           "chat.msg_delete", "chat.msg_undo"):
            assert binding_id in rows
        assert rows["chat.msg_fork"].key == "alt+n"
        await pilot.press("escape")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert "Edit" not in footer_text(chat(app))  # still off once F1 has read them


async def test_a_palette_command_for_a_selected_message_says_to_select_one(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    app = build_app(server, conversation=two_exchanges())
    notes = collect_notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        await screen.run_tree_action("delete_message", ())
        await wait_for(lambda: any("Select a message first" in n for n in notes))
        assert len(screen.conversation.nodes) == 4
        await select(pilot, screen, "Rome.")
        await screen.run_tree_action("delete_message", ())
        await settled(pilot, lambda: "Rome." not in screen_text(app))
    assert len(saved_file(isolated_home)["messages"]) == 3


async def test_f9_lists_every_branch_and_enter_shows_the_one_picked(
    server: LoopbackServer, isolated_home: Path,
) -> None:
    from textual.widgets import OptionList

    from tui.ui.modals.branches import BranchesView

    app = build_app(server, conversation=with_alternatives())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        screen = chat(app)
        assert screen.check_action("branches", ())  # the footer offers it: three branches
        await pilot.press("f9")
        await settled(pilot, lambda: isinstance(app.screen, BranchesView))
        view = app.screen
        text = screen_text(app)
        assert "7 messages, 3 branches" in text
        for line in ("* you        0000a001  Capital of France?",
                     "  assistant  0000b002  Rome.  1/2",
                     "* assistant  0000b004  Rome, since 1871.  2/2",
                     "  you        0000a003  Capital of Spain?  2/2"):
            assert line in text, text
        options = view.query_one(OptionList)
        assert options.get_option_at_index(options.highlighted or 0).id == "0000b004"
        # Down to the other first prompt's reply, Enter: its branch is shown, the cursor on it.
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        while options.get_option_at_index(options.highlighted or 0).id != "0000b003":
            await pilot.press("down" if ids.index("0000b003") > (options.highlighted or 0)
                              else "up")
        await pilot.press("enter")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen)
                      and "Madrid." in screen_text(app))
        assert "Paris." not in screen_text(app) and marked(screen) == ["Madrid."]
        assert branch_of(saved_file(isolated_home)) == ["Capital of Spain?", "Madrid."]
        await pilot.press("f9", "escape")  # Esc closes and changes nothing
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert branch_of(saved_file(isolated_home)) == ["Capital of Spain?", "Madrid."]


async def test_f9_with_one_branch_says_so(server: LoopbackServer) -> None:
    app = build_app(server, conversation=two_exchanges())
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        assert not chat(app).check_action("branches", ())  # not in the footer
        notes = collect_notes(app)
        chat(app).action_branches()  # as the palette does
        await settled(pilot, lambda: any("one branch" in n for n in notes))
        assert isinstance(app.screen, ChatScreen)


async def test_messages_brought_in_by_scrolling_up_show_their_alternatives(
    server: LoopbackServer,
) -> None:
    """A long conversation opens at its last messages; the earlier ones mounted as you
    scroll up carry their "1/2" markers too."""
    from tui.model.tree import add_after
    from tui.ui.widgets.transcript import PAGE, EarlierMessages

    conversation = many_exchanges(40)  # 80 messages: the first page leaves 40 hidden
    first_reply = conversation.nodes[1]
    alternative = Message(role="assistant", content="It is zero.", id="ffffb000")
    add_after(conversation, conversation.nodes[0], alternative, show=False)
    app = build_app(server, conversation=conversation)
    async with app.run_test(size=(100, 30)) as pilot:
        await catalog_loaded(pilot)
        transcript = chat(app).transcript
        await wait_for(lambda: len(transcript.message_views()) == PAGE)
        assert transcript.view_of(first_reply.id) is None  # not mounted yet
        transcript.query_one(EarlierMessages).focus()
        await pilot.press("enter")
        await wait_for(lambda: transcript.view_of(first_reply.id) is not None)
        view = transcript.view_of(first_reply.id)
        assert view is not None and view.alternatives == (1, 2)
