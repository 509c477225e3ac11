"""The app's themes, keymap, help, settings screen and their commands, kept apart from
``ChatApp`` (which inherits them) so app.py stays about composition and services."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.ui.keymap import binding_classes, bindings_by_id, check_keymap
from tui.ui.services import AppScreen, Services, binding_commands
from tui.ui.speed.css_rules import KeptRules, ThemedStylesheet
from tui.ui.themes import APP_VARIABLES, DEFAULT_DARK, load_themes, resolve_variables

if TYPE_CHECKING:
    from textual.widget import Widget

    from tui.ui.screens.settings import SettingsValues

# The help, theme and settings screens are imported when first opened, not at start-up.


def action_keys(app: App[Any], screen: Screen[Any]) -> dict[str, str]:
    """Action name → the keys that run it on ``screen`` (``f2, ^o``), as the footer shows
    them, hidden bindings (F8, F12) included."""
    keys: dict[str, list[str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        action = binding.action.removeprefix("app.").removeprefix("screen.")
        shown = app.get_key_display(binding)
        if shown not in keys.setdefault(action, []):
            keys[action].append(shown)
    return {action: ", ".join(shown) for action, shown in keys.items()}


def with_key(command: SystemCommand, keys: dict[str, str]) -> SystemCommand:
    """The command with its key before its help (``^n · Start a new conversation``), when
    it runs an action that has a key and its help does not name it already."""
    name = getattr(command.callback, "__name__", "")
    key = keys.get(name.removeprefix("action_")) if name.startswith("action_") else None
    if not key or command.help.startswith(key):
        return command
    return command._replace(help=f"{key} · {command.help}")


# Set by ``cline-tui serve`` (tui/cli/web_server.py) for an app whose browser page is
# plain HTTP on another machine: browsers give such a page no clipboard, so OSC 52 is lost.
SERVED_CLIPBOARD = "CLINE_TUI_SERVED_CLIPBOARD"
CLIPBOARD_UNREACHABLE = (
    "This browser page cannot reach the clipboard (plain HTTP, not this machine): select "
    "the text with Shift+drag and copy it from the browser's menu, or serve over HTTPS."
)


class PreferencesApp(App[None]):
    BINDINGS = [
        Binding("f1", "show_help", "Help", id="app.help", tooltip="Every key of this screen"),
        Binding("f8", "pick_theme", "Theme", show=False, id="app.theme"),
        Binding("f12", "open_settings", "Settings", show=False, id="app.settings"),
    ]

    services: Services
    _theme_ready = False
    # The screens this class opens, while open (the app asks "is it showing?" by identity).
    _theme_picker: Screen[Any] | None = None
    _help_screen: Screen[Any] | None = None
    _settings_screen: Screen[Any] | None = None

    def copy_to_clipboard(self, text: str) -> None:
        """Copy with OSC 52; in a browser tab that cannot receive it, say so."""
        super().copy_to_clipboard(text)
        if os.environ.get(SERVED_CLIPBOARD) == "unreachable":
            self.notify(CLIPBOARD_UNREACHABLE, severity="warning", timeout=8, markup=False)

    def setup_preferences(self, theme: str | None) -> None:
        """Register the themes and pick the first one: ``theme`` (``--theme``), the one
        last chosen in the app, config.toml's, the default."""
        services = self.services
        loaded = load_themes(services.config.paths.themes)
        self.preference_problems = list(loaded.problems)
        for item in loaded.themes.values():
            self.register_theme(item)  # this app's table only; Textual's stays as it is
        chosen = theme or services.settings.theme or services.config.theme or DEFAULT_DARK
        if chosen not in self.available_themes:
            self.preference_problems.append(f"unknown theme '{chosen}'; using {DEFAULT_DARK}")
            chosen = DEFAULT_DARK
        self.theme = chosen
        # Parsed with this theme's variables from the start (Textual's stylesheet has
        # its default theme's until the first refresh), once per theme, and read from
        # the cache file when the app's CSS and Textual are those of the last run.
        kept = KeptRules.load(services.config.paths.cache_dir, self.css_path)
        self.stylesheet = ThemedStylesheet(variables=self.get_css_variables(), kept=kept)
        services.streaming = services.streaming and services.settings.streaming
        # Importing every screen to check [keys] costs start-up time: only when there are keys.
        known = bindings_by_id([type(self), *binding_classes()]) if services.config.keys else {}
        self.user_keymap, warnings = check_keymap(services.config.keys, known)
        self.preference_problems += warnings

    def on_mount(self) -> None:
        for problem in self.preference_problems:
            self.services.say(problem, title="Themes and keys", severity="warning", timeout=10)
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self._theme_ready = True

    def add_default_css(self, widgets: Iterable[Widget]) -> None:
        """Parse now the default CSS of widgets not mounted yet. Textual parses a class's
        CSS when one is first mounted, and then lays out the whole stylesheet again: ~7 ms
        between Enter and the request leaving, for the first reply of every session."""
        stylesheet = self.stylesheet
        for widget in widgets:
            for read_from, css, tie_breaker, scope in widget._get_default_css():
                stylesheet.add_source(css, read_from=read_from, is_default_css=True,
                                      tie_breaker=tie_breaker, scope=scope)
        stylesheet.rules_map  # noqa: B018  # parsed here, not at the first mount

    async def keep_css_rules(self) -> None:
        """Write the rules parsed for the theme showing to the cache file (in a thread),
        when any had to be parsed: the next start reads them."""
        stylesheet = self.stylesheet
        if isinstance(stylesheet, ThemedStylesheet) and stylesheet.kept.parsed:
            stylesheet.kept.parsed = 0
            rules = stylesheet.kept.snapshot(stylesheet.theme_key)
            await asyncio.to_thread(stylesheet.kept.save, rules)

    def _showing(self, screen: Screen[Any] | None) -> bool:
        """Whether ``screen`` (one this class opened) is the screen on top."""
        return screen is not None and self.screen is screen

    # --- themes -----------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLES)

    def get_css_variables(self) -> dict[str, str]:
        variables = resolve_variables(super().get_css_variables())
        self.theme_variables = variables
        return variables

    def watch_theme(self, name: str) -> None:
        # A theme highlighted in the picker is only a preview until Enter.
        if not self._theme_ready:
            return
        if not self._showing(self._theme_picker):
            self._remember_theme(name)

    def _remember_theme(self, name: str) -> None:
        try:
            self.services.settings.remember_theme(name)
        except OSError as error:
            self.services.say(f"Could not save settings: {error}", severity="warning")

    def action_pick_theme(self) -> None:
        from tui.ui.modals.theme_picker import ThemePicker

        if not self._showing(self._theme_picker):
            self._theme_picker = ThemePicker(self.available_themes, self.theme)
            self.push_screen(self._theme_picker, self._theme_chosen)

    def _theme_chosen(self, name: str | None) -> None:
        self._theme_picker = None
        if name:
            self.theme = name
            self._remember_theme(name)

    # --- help -------------------------------------------------------------------------

    def action_show_help(self) -> None:
        from tui.ui.screens.help import HelpScreen, help_rows

        screen = self.screen
        if self._showing(self._help_screen):
            screen.dismiss(None)
            return
        title = screen.__class__.__name__.removesuffix("Screen") or "App"
        self._help_screen = HelpScreen(title, help_rows(self, screen))
        self.push_screen(self._help_screen, self._help_closed)

    def _help_closed(self, result: object) -> None:
        self._help_screen = None

    # --- settings ---------------------------------------------------------------------

    def action_open_settings(self) -> None:
        from tui.ui.screens.settings import SettingsScreen, SettingsValues

        if self._showing(self._settings_screen):
            return
        values = SettingsValues(
            model=self.services.config.model,
            temperature=self.services.config.temperature,
            streaming=self.services.streaming,
            reasoning_unfolded=self.services.settings.reasoning_unfolded,
            presets=self.services.settings.presets,
        )
        screen = SettingsScreen(values, self.services.config.profile.name, self.theme)
        self._settings_screen = screen
        self.push_screen(screen, self._settings_saved)

    def _settings_saved(self, result: SettingsValues | None) -> None:
        self._settings_screen = None
        if result is None:
            return
        services = self.services
        choices: dict[str, Any] = {
            "streaming": result.streaming,
            "reasoning_unfolded": result.reasoning_unfolded,
            "presets": result.presets or None,
        }
        if result.temperature != services.config.temperature:
            choices["temperature"] = result.temperature
        try:
            services.settings.update(**choices)
            if result.model and result.model != services.config.model:
                services.settings.remember_model(services.config.profile.name, result.model)
        except OSError as error:
            services.say(f"Could not save settings: {error}", severity="warning")
        services.config = replace(services.config, model=result.model or services.config.model,
                                  temperature=result.temperature)
        services.streaming = result.streaming
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.settings_changed(services.config)
        services.say("Settings saved.")

    # --- command palette --------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        keys = action_keys(self, screen)
        for command in super().get_system_commands(screen):
            # "Theme": ours previews, Textual's only switches. "Keys": Textual's panel of
            # keys, beside ours ("Help: keys", F1) that also gives the ids to remap.
            if command.title not in ("Theme", "Keys"):
                yield with_key(command, keys)
        for command in self.preference_commands(screen):
            yield with_key(command, keys)

    def preference_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Theme", "Pick a theme (previewed as you move)",
                            self.action_pick_theme)
        yield SystemCommand("Settings", "Default model, temperature, streaming, reasoning, "
                            "system-prompt presets", self.action_open_settings)
        yield SystemCommand("Help: keys", "Every key of this screen and its binding id",
                            self.action_show_help)
        if isinstance(screen, AppScreen):
            yield from screen.palette_commands()
        else:
            yield from binding_commands(screen)
