"""The palette's "Compare models": a chooser of 2 to 4 different models from the catalog
(each id once, the chat's model marked), filtered like the model picker."""

from __future__ import annotations

from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.support.loopback import LoopbackServer
from tests.support.ui_support import build_app, screen_text, settled
from tui.api.catalog import ModelInfo
from tui.ui.app import ChatApp
from tui.ui.modals.model_chooser import ModelChooser
from tui.ui.screens.chat import ChatScreen
from tui.ui.screens.compare import CompareScreen

CURRENT = "anthropic/claude-sonnet-4.6"
CATALOG = [
    ModelInfo(id=CURRENT, name="Claude Sonnet 4.6", context_length=200000),
    ModelInfo(id="openai/gpt-4.1", name="GPT-4.1"),
    ModelInfo(id=CURRENT, name="Claude Sonnet 4.6 (again)"),  # listed twice by the server
    ModelInfo(id="qwen/qwen3-8b", name="Qwen3 8B"),
    ModelInfo(id="meta/llama-4", name="Llama 4"),
    ModelInfo(id="google/gemma-3", name="Gemma 3"),
]


async def open_chooser(pilot: Pilot[None]) -> ModelChooser:
    app = pilot.app
    assert isinstance(app, ChatApp)
    await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
    app.models = list(CATALOG)
    app.screen.conversation.model = CURRENT  # type: ignore[attr-defined]
    await pilot.press("ctrl+p")
    await settled(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*"compare models")
    await settled(pilot, lambda: "Choose 2 to 4 models" in screen_text(app))
    await pilot.press("enter")
    await settled(pilot, lambda: isinstance(app.screen, ModelChooser))
    chooser = app.screen
    assert isinstance(chooser, ModelChooser)
    return chooser


def rows(chooser: ModelChooser) -> list[str]:
    options = chooser.query_one("#models", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_palette_opens_a_chooser_and_compares_the_models_marked(
    server: LoopbackServer,
) -> None:
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(110, 30)) as pilot:
        chooser = await open_chooser(pilot)
        shown = rows(chooser)
        assert len(shown) == 5  # the model listed twice is there once
        assert shown[0].startswith(f"[x] {CURRENT}")  # the chat's model, marked
        assert all(row.startswith("[ ] ") for row in shown[1:])
        await pilot.press(*"gpt", "enter")  # marks the one match; the filter empties
        await settled(pilot, lambda: chooser.chosen == [CURRENT, "openai/gpt-4.1"])
        assert chooser.query_one("#filter").value == ""  # type: ignore[attr-defined]
        assert "1 anthropic/claude-sonnet-4.6  2 openai/gpt-4.1" in screen_text(app)
        await pilot.press("down", "down", "space")  # the list: Space marks qwen
        await settled(pilot, lambda: len(chooser.chosen) == 3)
        assert chooser.chosen[2] == "qwen/qwen3-8b"
        await pilot.press("space")  # and unmarks it
        await settled(pilot, lambda: len(chooser.chosen) == 2)
        await pilot.press("ctrl+s")
        await settled(pilot, lambda: isinstance(app.screen, CompareScreen))
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert compare.conversation.models == [CURRENT, "openai/gpt-4.1"]
        assert compare.back_to is not None and compare.back_to.model == CURRENT


async def test_fewer_than_two_or_more_than_four_are_refused(server: LoopbackServer) -> None:
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(110, 30)) as pilot:
        chooser = await open_chooser(pilot)
        await pilot.press("ctrl+s")  # one model only: nothing to compare
        await settled(pilot, lambda: "Mark at least 2 different models" in screen_text(app))
        assert isinstance(app.screen, ModelChooser)
        for _ in range(4):  # gpt, the next, the next, and a fifth
            await pilot.press("down", "space")
        await settled(pilot, lambda: "At most 4 models" in screen_text(app))
        assert len(chooser.chosen) == 4 and len(set(chooser.chosen)) == 4
        await pilot.press("escape")  # cancels: back to the chat, no comparison
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_a_model_the_catalog_lacks_can_be_typed(server: LoopbackServer) -> None:
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(110, 30)) as pilot:
        chooser = await open_chooser(pilot)
        await pilot.press(*"qwen 8b")  # past the first word, Space types a space
        await settled(pilot, lambda: len(rows(chooser)) == 1)
        assert chooser.query_one("#filter").value == "qwen 8b"  # type: ignore[attr-defined]
        assert chooser.chosen == [CURRENT]
        await pilot.press("ctrl+u")  # the filter emptied
        await settled(pilot, lambda: len(rows(chooser)) == 5)
        await pilot.press(*"local/my-model", "enter")
        await settled(pilot, lambda: chooser.chosen == [CURRENT, "local/my-model"])
        assert rows(chooser)[-1].startswith("[x] local/my-model")
        await pilot.press("enter", "ctrl+s")  # Enter on the empty filter toggles the first
        await settled(pilot, lambda: isinstance(app.screen, ModelChooser)
                      and chooser.chosen == ["local/my-model"])
        await pilot.press("enter")
        await settled(pilot, lambda: len(chooser.chosen) == 2)
        await pilot.click("#compare")  # the button does what Ctrl+S does
        await settled(pilot, lambda: isinstance(app.screen, CompareScreen))
        assert app.screen.conversation.models == ["local/my-model", CURRENT]  # type: ignore[attr-defined]


async def test_space_typed_fast_goes_into_the_filter_between_words(
    server: LoopbackServer,
) -> None:
    """tmux sends ``qwen 8`` in one write: the keys reach the app before the filter has
    taken the first ones, and the space must still be typed, not mark a model."""
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(110, 30)) as pilot:
        chooser = await open_chooser(pilot)
        for character in "qwen 8b":
            key = "space" if character == " " else character
            app.post_message(events.Key(key, character))  # all queued before any is taken
        await settled(pilot, lambda: chooser.query_one("#filter").value == "qwen 8b")  # type: ignore[attr-defined]
        assert chooser.chosen == [CURRENT]
        assert len(rows(chooser)) == 1
