"""Themes: TOML files turned into ``textual.theme.Theme``, validated, with the app's own
colour variables (``$user-bubble`` and friends).

Bundled themes ship inside the package (``tui/themes`` in a wheel) or, in a checkout,
sit in the repository's top-level ``themes/``. User themes live in
``<config dir>/themes/``. A file that cannot be used is reported with its path and the
reason; the others still load. Nothing from a theme file is ever rendered as markup or
used to build a path: a theme's name is only a key in the app's theme table.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

import tui
from tui.model.text import one_line

DEFAULT_DARK = "cline-dark"
BUNDLED = ("cline-dark", "cline-light", "high-contrast", "amber-crt", "sepia")

# The app's own colours: each a theme variable, used as ``$name`` in the app's CSS. The
# defaults refer to Textual's variables, so Textual's own themes still look right.
APP_VARIABLES: dict[str, str] = {
    "user-bubble": "$boost",  # background of the user's prompts
    "user-border": "$accent",  # the bar left of a prompt
    "assistant-bubble": "transparent",  # background of a reply
    "assistant-border": "$primary",  # the bar left of a reply
    "reasoning": "$text-muted",  # the model's reasoning text
    "tool-call": "$text-secondary",  # tool calls in a reply
    "usage-accent": "$accent",  # headings of the usage sidebar
    "column-focus": "$accent 30%",  # the active compare column's header and tab
}

MAX_FILE_BYTES = 64 * 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}\Z")
_VARIABLE = re.compile(r"^[a-z][a-z0-9-]{0,47}\Z")
_REF = re.compile(r"\$([a-z][a-z0-9-]*)")
_PERCENT = re.compile(r"^\d{1,3}(\.\d+)?%$")
_TEXT_STYLES = {"bold", "italic", "reverse", "underline", "strike", "dim", "none", "not"}
_COLOURS = ("primary", "secondary", "accent", "foreground", "background", "surface",
            "panel", "boost", "warning", "error", "success")
_KEYS = {"name", "dark", "variables", *_COLOURS}


class ThemeError(Exception):
    """Why a theme file cannot be used."""


@dataclass
class LoadedThemes:
    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "PATH: reason", one per bad file


def bundled_theme_dir() -> Path | None:
    """``tui/themes`` when installed from a wheel; the checkout's ``themes/`` otherwise."""
    package = Path(tui.__file__).resolve().parent
    for candidate in (package / "themes", package.parent / "themes"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return None


def load_themes(user_dir: Path | None) -> LoadedThemes:
    """Bundled themes, then the user's (a user theme may replace a bundled one)."""
    loaded = LoadedThemes()
    for folder in (bundled_theme_dir(), user_dir):
        if folder is None or not folder.is_dir():
            continue
        try:
            files = sorted(p for p in folder.glob("*.toml") if p.is_file())
        except OSError as error:
            loaded.problems.append(one_line(f"{folder}: cannot be read ({error})"))
            continue
        for path in files:
            try:
                theme = load_theme_file(path)
            except ThemeError as error:
                loaded.problems.append(one_line(f"{path}: {error}", 400))
                continue
            loaded.themes[theme.name] = theme
    return loaded


def load_theme_file(path: Path) -> Theme:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ThemeError(f"larger than {MAX_FILE_BYTES // 1024} KiB")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeError(f"cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(str(error)) from None
    return parse_theme(data, default_name=path.stem)


def parse_theme(data: dict[str, Any], default_name: str = "") -> Theme:
    """A validated Theme from a TOML table. Raises ThemeError naming every problem."""
    problems = [f"unknown key '{one_line(str(k), 40)}'" for k in data if k not in _KEYS]
    name = data.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append("'name' must be 1-48 of a-z, 0-9, '-' or '_', starting with a "
                        "letter or digit")
        name = "invalid"
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        problems.append("'dark' must be true or false")
        dark = True
    colours: dict[str, str] = {}
    for key in _COLOURS:
        if key in data:
            value = data[key]
            if isinstance(value, str) and _is_colour(value):
                colours[key] = value
            else:
                problems.append(f"'{key}' is not a colour")
    if "primary" not in colours and "primary" not in data:
        problems.append("'primary' is required")
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, dict):
        problems.append("'variables' must be a table")
        raw_variables = {}
    if problems:
        raise ThemeError("; ".join(problems))
    theme = Theme(name=name, dark=dark, primary=colours.pop("primary"))
    for key, value in colours.items():
        setattr(theme, key, value)
    try:
        generated = theme.to_color_system().generate()
    except (ColorParseError, ValueError) as error:
        raise ThemeError(f"colours do not combine ({error})") from None
    theme.variables = _check_variables(raw_variables, generated, problems)
    if problems:
        raise ThemeError("; ".join(problems))
    return theme


def _check_variables(
    raw: dict[str, Any], generated: dict[str, str], problems: list[str]
) -> dict[str, str]:
    variables: dict[str, str] = {}
    for key, value in raw.items():
        shown = one_line(str(key), 40)
        if not isinstance(key, str) or not _VARIABLE.match(key):
            problems.append(f"variable '{shown}' is not a valid name")
        elif not isinstance(value, str) or len(value) > 64:
            problems.append(f"variable '{shown}' must be short text")
        elif key.endswith("text-style"):
            if not set(value.split()) <= _TEXT_STYLES:
                problems.append(f"variable '{shown}' is not a text style")
            else:
                variables[key] = value
        elif not _is_value(value, generated):
            problems.append(f"variable '{shown}' is not a colour or a $reference to one")
        else:
            variables[key] = value
    return variables


def _is_colour(text: str) -> bool:
    if len(text) > 64 or "$" in text:
        return False
    try:
        Color.parse(text)
    except (ColorParseError, ValueError):
        return False
    return True


def _is_value(text: str, generated: dict[str, str]) -> bool:
    """A colour, ``auto``, or a reference to one of Textual's variables, each with an
    optional ``NN%`` alpha."""
    for ref in _REF.findall(text):
        if ref not in generated:
            return False
    words = resolve_value(text, generated).split()
    if not words or len(words) > 2 or (len(words) == 2 and not _PERCENT.match(words[1])):
        return False
    return words[0] == "auto" or _is_colour(words[0])


def resolve_value(text: str, variables: dict[str, str]) -> str:
    """``$name`` references replaced by their values, to a small depth."""
    for _ in range(4):
        if "$" not in text:
            break
        text = _REF.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
    return text


def resolve_variables(variables: dict[str, str]) -> dict[str, str]:
    """Every ``$name`` inside a variable's value replaced, so CSS sees plain colours
    (Textual does not follow references between theme variables)."""
    return {k: resolve_value(v, variables) if "$" in v else v for k, v in variables.items()}


def unknown_theme_message(name: str, user_dir: Path | None) -> str | None:
    """Why ``--theme NAME`` cannot be used (with the names that can), or None."""
    from textual.theme import BUILTIN_THEMES

    names = set(load_themes(user_dir).themes) | set(BUILTIN_THEMES)
    if name in names:
        return None
    return f"unknown theme '{one_line(name, 60)}' (known: {', '.join(sorted(names))})"
