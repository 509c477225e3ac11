"""Themes: the bundled files load, read well (WCAG contrast), ship inside the wheel; user
themes load beside them and a broken one is reported without stopping the rest; the
picker previews live; the choice is remembered; --theme picks one for a run."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from tests.support.paths import PROJECT
from tests.support.ui_support import build_app, collect_notes
from tui.cli.main import main
from tui.storage.settings import Settings
from tui.ui.modals.theme_picker import ThemePicker
from tui.ui.themes import (
    APP_VARIABLES,
    BUNDLED,
    ThemeError,
    bundled_theme_dir,
    load_themes,
    parse_theme,
    resolve_variables,
)

TEXT_VARIABLES = ("foreground", "text", "text-muted", "reasoning", "tool-call", "usage-accent")


def css_variables(theme: Theme) -> dict[str, str]:
    """What the app's CSS sees for ``theme`` (as ``App.get_css_variables`` builds it)."""
    generated = theme.to_color_system().generate()
    return resolve_variables({**APP_VARIABLES, **generated, **theme.variables})


def effective_colour(value: str, background: Color) -> Color:
    """A CSS colour value as it appears drawn over ``background``."""
    words = value.split()
    alpha = float(words[1].rstrip("%")) / 100 if len(words) > 1 else 1.0
    colour = (background.get_contrast_text(1.0) if words[0] == "auto"
              else Color.parse(words[0]))
    return background + colour.multiply_alpha(alpha)


def contrast_ratio(foreground: Color, background: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""

    def luminance(colour: Color) -> float:
        def linear(v: int) -> float:
            c = v / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = colour.rgb
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def worst_contrast(name: str) -> tuple[float, str]:
    theme = load_themes(None).themes[name]
    variables = css_variables(theme)
    worst = (21.0, "")
    for ground in ("background", "surface", "user-bubble"):
        base = Color.parse(variables["background"])
        back = effective_colour(variables[ground], base)
        for text in TEXT_VARIABLES:
            ratio = contrast_ratio(effective_colour(variables[text], back), back)
            worst = min(worst, (ratio, f"{text} on {ground}"))
    return worst


def test_every_bundled_theme_loads_from_the_checkout() -> None:
    loaded = load_themes(None)
    assert loaded.problems == []
    assert set(BUNDLED) <= set(loaded.themes)
    assert bundled_theme_dir() == PROJECT / "themes"
    assert {t.dark for t in loaded.themes.values()} == {True, False}


@pytest.mark.parametrize("name", BUNDLED)
def test_text_contrast_is_at_least_aa(name: str) -> None:
    ratio, where = worst_contrast(name)
    assert ratio >= 4.5, f"{name}: {where} is {ratio:.2f}:1"


def test_high_contrast_theme_is_aaa() -> None:
    ratio, where = worst_contrast("high-contrast")
    assert ratio >= 7.0, where


def test_contrast_formula() -> None:
    assert contrast_ratio(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio(Color(118, 118, 118), Color(255, 255, 255)) == pytest.approx(
        4.54, abs=0.01)


@pytest.mark.parametrize("data, reason", [
    ({"name": "x", "primary": "red; } Screen { display: none"}, "'primary' is not a colour"),
    ({"name": "../../etc/passwd", "primary": "#000000"}, "'name' must be"),
    ({"name": "[@click=app.quit]", "primary": "#000000"}, "'name' must be"),
    ({"name": "x"}, "'primary' is required"),
    ({"name": "x", "primary": "#000", "variables": {"user-bubble": "$nope"}}, "user-bubble"),
    ({"name": "x", "primary": "#000", "variables": {"reasoning": "#fff 10% 20%"}}, "reasoning"),
    ({"name": "x", "primary": "#000", "dark": "yes"}, "'dark'"),
    ({"name": "x", "primary": "#000", "colour": "#fff"}, "unknown key 'colour'"),
])
def test_theme_values_are_validated(data: dict[str, Any], reason: str) -> None:
    with pytest.raises(ThemeError, match=reason.replace("[", r"\[").replace("$", r"\$")):
        parse_theme(data)


def test_references_and_alpha_are_allowed() -> None:
    theme = parse_theme({"name": "mine", "primary": "#336699",
                         "variables": {"user-bubble": "$primary 20%", "reasoning": "auto 70%",
                                       "block-cursor-text-style": "bold reverse"}})
    variables = css_variables(theme)
    assert variables["user-bubble"] == "#336699 20%"
    assert "$" not in "".join(variables.values())


async def test_user_themes_load_and_a_broken_one_is_reported(isolated_home: Path) -> None:
    themes = isolated_home / "themes"
    themes.mkdir(parents=True)
    (themes / "ocean.toml").write_text('name = "ocean"\nprimary = "#2277aa"\n'
                                       'background = "#001122"\n')
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "#2277aa\n')
    (themes / "evil.toml").write_text('name = "evil"\nprimary = "[b]red[/b]\\u001b[31m"\n')
    app = build_app(None)
    notes = collect_notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "ocean" in app.available_themes
        assert "broken" not in app.available_themes and "evil" not in app.available_themes
        assert set(BUNDLED) <= set(app.available_themes)
        broken = [n for n in notes if "broken.toml" in n]
        assert broken and "line 2" in broken[0]
        evil = [n for n in notes if "evil.toml" in n]
        assert evil and "'primary' is not a colour" in evil[0] and "\x1b" not in evil[0]
        app.theme = "ocean"
        await pilot.pause()
    # Textual's own table is never touched.
    assert "ocean" not in BUILTIN_THEMES and "cline-dark" not in BUILTIN_THEMES


async def test_every_available_theme_applies() -> None:
    """Textual's themes too: the app's variables have defaults for them."""
    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        for name in sorted(app.available_themes):
            app.theme = name
            await pilot.pause()
            assert app.theme_variables["user-bubble"]
            assert "$" not in app.theme_variables["column-focus"]


async def test_picker_previews_live_and_escape_restores(isolated_home: Path) -> None:
    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "cline-dark"
        await pilot.press("f8")
        assert isinstance(app.screen, ThemePicker)
        await pilot.press(*"sepia")
        await pilot.pause()
        assert app.theme == "sepia"  # previewed while the picker is open
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == "cline-dark"
    assert Settings(isolated_home / "settings.toml").theme is None  # a preview is not saved


async def test_chosen_theme_is_remembered_across_restarts(isolated_home: Path) -> None:
    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f8", *"amber", "enter")
        await pilot.pause()
        assert app.theme == "amber-crt"
    assert Settings(isolated_home / "settings.toml").theme == "amber-crt"
    again = build_app(None)
    async with again.run_test(size=(100, 30)):
        assert again.theme == "amber-crt"


async def test_theme_from_the_command_line_is_not_saved(isolated_home: Path) -> None:
    from tui.config import load_config
    from tui.ui.app import make_app

    app = make_app(load_config(), theme="high-contrast", fetch_catalog=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "high-contrast"
    assert not (isolated_home / "settings.toml").exists()


def test_unknown_theme_on_the_command_line_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--theme", "no-such-theme"]) == 2
    err = capsys.readouterr().err
    assert "unknown theme 'no-such-theme'" in err and "cline-light" in err


def test_wheel_ships_the_themes(tmp_path: Path) -> None:
    """A wheel holds tui/themes/*.toml and the app's .tcss files; once installed, the
    theme loader finds the themes and the app its CSS."""
    pytest.importorskip("hatchling")  # listed in the test extra; builds offline
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(PROJECT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = out.glob("cline_tui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for name in BUNDLED:
        assert f"tui/themes/{name}.toml" in names
    tcss = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "tui").rglob("*.tcss")}
    assert tcss and tcss <= names
    script = ("from tui.ui.themes import bundled_theme_dir, load_themes; "
              "print(bundled_theme_dir()); l = load_themes(None); "
              "print(sorted(l.themes), l.problems); "
              "from pathlib import Path; import tui.ui.app as a; css = a.ChatApp.CSS_PATH; "
              "print(bool(css) and all((Path(a.__file__).parent / p).is_file() for p in css))")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True, timeout=120, cwd=tmp_path)
    where, loaded, css_found = result.stdout.splitlines()
    assert Path(where) == tmp_path / "site" / "tui" / "themes"
    assert loaded == f"{sorted(BUNDLED)} []"
    assert css_found == "True"
