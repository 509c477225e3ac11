"""Keys, help and settings: [keys] remaps bindings by id, unknown ids are reported; F1
lists the screen's keys; the settings screen's choices go to settings.toml, apply at
once, survive a restart, and config.toml is never touched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Input, Switch

from tests.support.paths import PROJECT
from tests.support.ui_support import build_app, collect_notes, fixed_conversation, settled
from tui.storage.settings import Settings
from tui.ui.app import ChatApp
from tui.ui.keymap import binding_classes, bindings_by_id
from tui.ui.modals.chat_options import ChatOptions
from tui.ui.modals.model_picker import ModelPicker
from tui.ui.screens.chat import ChatScreen
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.settings import PresetEditor, SettingsScreen
from tui.ui.widgets.reply_view import ReplyView

CONFIG = """\
# my hand-written config: comments and order must survive
model = "openai/gpt-4.1"   # the usual
temperature = 0.7

[keys]
chat.model = "ctrl+f"      # model picker on Ctrl+F
chat.nonsense = "f11"
"""


def write_config(home: Path, text: str = CONFIG) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_binding_has_an_id_and_a_description() -> None:
    from textual.binding import Binding

    ours = [c for c in [ChatApp, *binding_classes()] if c.__module__.startswith("tui.")]
    for cls in ours:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), cls
            assert binding.id and binding.description, (cls.__name__, binding)
    known = bindings_by_id([ChatApp, *binding_classes()])
    for binding_id in ("chat.model", "compare.model", "history.delete", "app.help",
                       "app.theme", "app.settings", "picker.close", "themes.close"):
        assert binding_id in known


def test_the_readme_names_every_binding_id() -> None:
    """The README's table of binding ids (what [keys] can remap) lists each one, and no
    id that does not exist."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| Screen | Binding ids |"):]
    table = table[:table.index("\n\n")]
    listed = set(re.findall(r"`([a-z_]+\.[a-z_0-9.]+)`", table))
    for first in re.findall(r"`([a-z_.]+)_1` … `[a-z_.]+_4`", table):
        listed |= {f"{first}_{n}" for n in range(1, 5)}
    known = {i for i in bindings_by_id([ChatApp, *binding_classes()]) if "." in i}
    assert known - listed == set()
    assert listed - known == set()


async def test_keymap_remaps_a_binding(isolated_home: Path) -> None:
    write_config(isolated_home)
    app = build_app(None)
    notes = collect_notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert any("chat.nonsense" in n and "unknown binding id" in n for n in notes)
        await pilot.press("f2")  # the old key no longer opens the picker
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ModelPicker)


async def test_help_lists_the_active_keys(isolated_home: Path) -> None:
    write_config(isolated_home)
    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {row.binding_id: row for row in app.screen.rows}
        assert rows["chat.model"].key == "^f" and rows["chat.model"].where == "screen"
        assert rows["chat.new"].description == "New chat"
        assert rows["app.help"].where == "app"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_every_action_is_in_the_palette() -> None:
    from tui.ui.screens.compare import CompareScreen

    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Theme", "Settings", "Help: keys", "Choose model", "Conversations"} <= titles
        app.open_compare(["a/b", "c/d"])
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        titles = {c.title for c in app.get_system_commands(compare)}
        for binding in CompareScreen.BINDINGS:
            assert binding.description in titles  # type: ignore[union-attr]


async def test_settings_survive_a_restart_and_config_is_untouched(isolated_home: Path) -> None:
    config = write_config(isolated_home)
    before = config.read_bytes()
    app = build_app(None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#model", Input).value = "qwen/qwen3-8b"
        screen.query_one("#temperature", Input).value = "0.3"
        screen.query_one("#streaming", Switch).value = False
        screen.query_one("#reasoning", Switch).value = True
        await pilot.click("#preset-new")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, PresetEditor)
        editor.query_one("#preset-name", Input).value = "Terse"
        editor.query_one("#preset-text").load_text("Answer in one line.")  # type: ignore[attr-defined]
        await pilot.click("#save")
        await pilot.pause()
        assert app.screen is screen and screen.presets == {"Terse": "Answer in one line."}
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        # At once: the empty chat takes the model and temperature; streaming is off.
        assert app.screen.conversation.model == "qwen/qwen3-8b"
        assert app.screen.conversation.temperature == 0.3
        assert app.streaming is False
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["System prompt: Terse"].callback()
        assert app.screen.conversation.system == "Answer in one line."

    assert config.read_bytes() == before
    settings = Settings(isolated_home / "settings.toml")
    assert settings.temperature == 0.3 and settings.streaming is False
    assert settings.reasoning_unfolded and settings.presets == {"Terse": "Answer in one line."}
    assert settings.model_for("cline") == "qwen/qwen3-8b"

    again = build_app(None, conversation=fixed_conversation())
    async with again.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert again.streaming is False
        assert not again.query_one(ReplyView).reasoning_block.collapsed  # starts unfolded
    assert config.read_bytes() == before


async def test_cancelled_settings_change_nothing(isolated_home: Path) -> None:
    app = build_app(None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        app.screen.query_one("#temperature", Input).value = "1.5"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
    assert not (isolated_home / "settings.toml").exists()


@pytest.mark.parametrize("size", [(80, 24), (60, 15)])
async def test_chat_options_fit_a_small_terminal(isolated_home: Path,
                                                 size: tuple[int, int]) -> None:
    """F5: the system prompt's box gives up height; the temperature, Cancel and Save stay
    whole on screen, and Ctrl+S saves from the system prompt."""
    app = build_app(None)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await settled(pilot, lambda: isinstance(app.screen, ChatOptions))
        screen = app.screen
        box = screen.query_one(".dialog-box").content_region
        for part in ("#save", "#cancel", "#temperature"):
            await settled(pilot, lambda part=part: box.contains_region(  # type: ignore[misc]
                screen.query_one(part).region))
        assert screen.query_one("#system").size.height >= 2
        await pilot.press(*"Be brief.")
        await pilot.press("ctrl+s")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.conversation.system == "Be brief."


@pytest.mark.parametrize("size", [(80, 24), (60, 15)])
async def test_settings_fit_a_small_terminal(isolated_home: Path, size: tuple[int, int]) -> None:
    """The fields scroll; the title, Cancel and Save stay whole inside the box, and a
    field Tab moves to is scrolled into sight."""
    app = build_app(None)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f12")
        await settled(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        box = screen.query_one(".dialog-box").content_region
        fields = screen.query_one("#settings-fields").region

        def inside(region: Region) -> bool:
            return box.contains_region(region) and screen.region.contains_region(region)

        await settled(pilot, lambda: inside(screen.query_one("#save").region))
        assert inside(screen.query_one("#cancel").region)
        assert inside(screen.query_one(".hint").region)
        for _ in range(8):  # down through the fields to the presets' Delete button
            await pilot.press("tab")
            if app.focused is not None and app.focused.id == "preset-delete":
                break
        assert app.focused is not None and app.focused.id == "preset-delete"
        await settled(pilot, lambda: fields.contains_region(app.focused.region))  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await settled(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_bad_temperature_is_refused(isolated_home: Path) -> None:
    app = build_app(None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#temperature", Input).value = "7"
        await pilot.click("#save")
        await pilot.pause()
        assert app.screen is screen
        assert "0 to 2" in str(screen.query_one("#error").render())


async def test_f12_shows_the_default_model_after_resuming_another_one(
    isolated_home: Path,
) -> None:
    # settings.toml remembers openai/gpt-5.3; the reopened chat is of anthropic's model.
    from tui.chat.launch import LaunchPlan
    from tui.cli.chat import opening
    from tui.config import load_config
    from tui.storage.store import ConversationStore
    from tui.ui.app import make_app

    settings = Settings(isolated_home / "settings.toml")
    settings.remember_model("cline", "openai/gpt-5.3")
    store = ConversationStore(isolated_home / "conversations")
    store.save(fixed_conversation())
    config, conversation = opening(LaunchPlan(resume="20261101-093000-abcdef"),
                                   load_config(), store, settings)
    assert conversation is not None and conversation.model == "anthropic/claude-sonnet-4.6"
    app = make_app(config, store=store, settings=settings, conversation=conversation,
                   fetch_catalog=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert app.screen.query_one("#model", Input).value == "openai/gpt-5.3"
        chats = [s for s in app.screen_stack if isinstance(s, ChatScreen)]
        assert chats[0].conversation.model == "anthropic/claude-sonnet-4.6"  # its own

