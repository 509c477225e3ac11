"""The app's CSS parsed once per theme and kept between runs (tui/ui/speed/css_rules.py):
a second parse of the same sources for the same theme parses nothing, the rules the
first screen needed are written owner-only and read back by the next start, and a
corrupt or stale file is ignored and written again."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

from textual.css.model import RuleSet

from tests.support.ui_support import build_app, wait_for
from tui.ui.speed import css_rules
from tui.ui.speed.css_rules import CACHE_FILE, KeptRules, ThemedStylesheet

CSS_A = "Static { color: $accent; }\n#x { height: 3; }"
CSS_B = "Label { background: $primary 30%; }"


def described(rules: list[RuleSet]) -> list[tuple[str, object]]:
    """What the rules say: their selectors and declarations."""
    return [(repr(rule.selector_set), {k: repr(v) for k, v in rule.styles.get_rules().items()})
            for rule in rules]


def stylesheet(kept: KeptRules, accent: str = "red") -> ThemedStylesheet:
    sheet = ThemedStylesheet(variables={"accent": accent, "primary": "blue"}, kept=kept)
    sheet.add_source(CSS_A, read_from=("a.tcss", ""))
    sheet.add_source(CSS_B, read_from=("b.tcss", ""))
    return sheet


def test_sources_are_parsed_once_per_theme() -> None:
    kept = KeptRules()
    sheet = stylesheet(kept)
    sheet.parse()
    assert kept.parsed == 2
    red = [rule.css for rule in sheet.rules]
    sheet.set_variables({"accent": "red", "primary": "blue"})  # the same theme again
    sheet.reparse()
    assert kept.parsed == 2  # Textual's own stylesheet would have parsed both again
    assert [rule.css for rule in sheet.rules] == red
    sheet.set_variables({"accent": "green", "primary": "blue"})  # another theme
    sheet.reparse()
    assert kept.parsed == 4
    assert "#008000" in sheet.rules[0].css  # green
    sheet.set_variables({"accent": "red", "primary": "blue"})  # back: kept
    sheet.reparse()
    assert kept.parsed == 4
    assert [rule.css for rule in sheet.rules] == red
    assert sheet.copy().kept is kept


def test_only_a_few_themes_are_kept() -> None:
    kept = KeptRules()
    for n in range(css_rules.THEMES_KEPT + 3):
        stylesheet(kept, accent=f"#0000{n:02x}").parse()
    assert len({key[0] for key in kept.rules}) == css_rules.THEMES_KEPT
    assert len(kept.themes) == css_rules.THEMES_KEPT


def test_rules_written_are_read_back_for_the_same_sources(tmp_path: Path) -> None:
    css_file = tmp_path / "app.tcss"
    css_file.write_text(CSS_A)
    cache = tmp_path / "cache"
    kept = KeptRules.load(cache, [css_file])
    sheet = stylesheet(kept)
    sheet.parse()
    kept.save(kept.snapshot(sheet.theme_key))
    path = cache / CACHE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700

    again = KeptRules.load(cache, [css_file])
    second = stylesheet(again)
    second.parse()
    assert again.parsed == 0  # every rule came from the file
    assert described(second.rules) == described(sheet.rules)

    css_file.write_text(CSS_A + "\nLabel { width: 1; }")  # the app's CSS changed
    stale = KeptRules.load(cache, [css_file])
    assert stale.rules == {}


def test_a_corrupt_or_foreign_file_is_ignored(tmp_path: Path) -> None:
    css_file = tmp_path / "app.tcss"
    css_file.write_text(CSS_A)
    path = tmp_path / CACHE_FILE
    key = css_rules.sources_key([css_file])
    for data in (b"not a pickle at all", b"\x80\x05\x95", pickle.dumps(["a", "list"]),
                 pickle.dumps({"format": css_rules.FORMAT, "key": "another", "rules": {}}),
                 pickle.dumps({"format": css_rules.FORMAT, "key": key,
                               "rules": {("t", "css", ("", ""), False, 0, ""): ["no rule"]}})):
        path.write_bytes(data)
        kept = KeptRules.load(tmp_path, [css_file])
        assert kept.rules == {}
        sheet = stylesheet(kept)
        sheet.parse()  # parsed as if there were no file
        assert kept.parsed == 2


def test_a_fifo_in_its_place_is_not_waited_on(tmp_path: Path) -> None:
    css_file = tmp_path / "app.tcss"
    css_file.write_text(CSS_A)
    os.mkfifo(tmp_path / CACHE_FILE)  # opening it to read would wait for a writer
    assert KeptRules.load(tmp_path, [css_file]).rules == {}


async def test_the_app_keeps_its_rules_for_the_next_start(isolated_home: Path) -> None:
    app = build_app(None)
    path = app.config.paths.cache_dir / CACHE_FILE
    async with app.run_test() as pilot:
        await wait_for(path.exists)  # written once the first screen is up
        await pilot.pause()
        first = app.stylesheet
        assert isinstance(first, ThemedStylesheet)
        first_rules = described(first.rules)
        first_screen = app.export_screenshot()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, *path.parent.parents):
        if folder == isolated_home.parent:
            break
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder

    app = build_app(None)
    async with app.run_test() as pilot:
        await pilot.pause()
        sheet = app.stylesheet
        assert isinstance(sheet, ThemedStylesheet)
        # After the warm-up, which adds the CSS of a streaming reply's parts as well.
        await wait_for(lambda: described(sheet.rules) == first_rules)
        assert sheet.kept.parsed == 0  # all of it came from the file
        assert app.export_screenshot() == first_screen  # drawn the same, cell by cell

    path.write_bytes(b"\x00garbage")
    app = build_app(None)
    async with app.run_test() as pilot:
        await wait_for(lambda: path.read_bytes() != b"\x00garbage")  # written again
        await pilot.pause()
    assert pickle.loads(path.read_bytes())["rules"]
