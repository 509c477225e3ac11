"""The app's CSS parsed once per theme, and the parsed rules kept on disk between runs.

Textual parses every CSS source again whenever its variables are set, and a theme sets
them: at start-up the app's CSS was parsed with Textual's default theme, then again for
the theme chosen, and each widget's ``DEFAULT_CSS`` once more whenever a new widget class
appeared (its cache holds 64 sources and is cleared with the variables). Here the rules
are kept per theme (its variables) for as long as the app runs, so a source is parsed
once per theme whatever happens to the stylesheet, and the rules the first screen needed
are pickled to ``css-rules.pickle`` in the app's cache folder: the next start reads them
(~1 ms) instead of parsing them (~10 ms a pass, before the first frame).

The file is a cache of the app's own CSS, never user data: owner-only (0600, its folder
0700, like every file under the app's home), keyed by a hash of the app's CSS files and of
the Textual installed (where it is and its ``css`` modules' sizes and times: reading
``textual.__version__`` would import ``importlib.metadata``, ~10 ms), ignored when it does
not match or cannot be read, and written again after the next start.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import CSSLocation, Stylesheet

from tui.files import make_private_dir, read_regular, write_atomic

CACHE_FILE = "css-rules.pickle"
FORMAT = 1
THEMES_KEPT = 8  # themes whose rules stay in memory (the picker previews as you move)

# (the theme's variables, css, where it was read from, is default CSS, tie breaker, scope)
RulesKey = tuple[str, str, CSSLocation, bool, int, str]


def variables_key(variables: dict[str, str]) -> str:
    """A fingerprint of a theme's CSS variables, the same in every process."""
    text = repr(sorted(variables.items()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def textual_build() -> str:
    """Which Textual is installed, without importing ``importlib.metadata``: its folder
    and the size and time of each module of ``textual.css`` (the classes pickled)."""
    folder = Path(textual.__file__).parent
    with os.scandir(folder / "css") as entries:
        stats = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns)
                       for e in entries if e.name.endswith(".py"))
    return f"{sys.version}|{folder}|{stats}"


def sources_key(css_paths: Iterable[PurePath]) -> str:
    """The cache file's key: the app's CSS files and the Textual installed."""
    digest = hashlib.blake2b(f"{FORMAT}|{textual_build()}".encode(), digest_size=16)
    for path in css_paths:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()


class KeptRules:
    """Parsed rules by theme and source, shared by the app's stylesheets (Textual makes
    a new one each time it parses everything again)."""

    def __init__(self, path: Path | None = None, key: str = "",
                 rules: dict[RulesKey, list[RuleSet]] | None = None) -> None:
        self.path = path
        self.key = key
        self.rules: dict[RulesKey, list[RuleSet]] = rules or {}
        self.themes: list[str] = list(dict.fromkeys(k[0] for k in self.rules))
        self.parsed = 0  # sources parsed here (not read from the file)

    @classmethod
    def load(cls, cache_dir: Path, css_paths: Sequence[PurePath]) -> KeptRules:
        """The rules kept in ``cache_dir`` for these CSS files and this Textual; none
        when the file is missing, stale or unreadable (it is written again later)."""
        path = cache_dir / CACHE_FILE
        key = sources_key(css_paths)
        return cls(path, key, _read(path, key))

    def get(self, key: RulesKey) -> list[RuleSet] | None:
        return self.rules.get(key)

    def put(self, key: RulesKey, rules: list[RuleSet]) -> None:
        theme = key[0]
        if theme not in self.themes:
            self.themes.append(theme)
            for old in self.themes[:-THEMES_KEPT]:
                self.rules = {k: v for k, v in self.rules.items() if k[0] != old}
            del self.themes[:-THEMES_KEPT]
        self.rules[key] = rules
        self.parsed += 1

    def snapshot(self, theme: str) -> dict[RulesKey, list[RuleSet]]:
        """The rules of one theme, free of errors, to write (taken on the app's thread)."""
        return {k: v for k, v in self.rules.items()
                if k[0] == theme and not any(rule.errors for rule in v)}

    def save(self, rules: dict[RulesKey, list[RuleSet]]) -> None:
        """Write ``rules`` (a ``snapshot``) to the cache file, atomically and owner-only;
        a file that cannot be written is only a slower next start."""
        if self.path is None:
            return
        try:
            data = pickle.dumps({"format": FORMAT, "key": self.key, "rules": rules},
                                protocol=pickle.HIGHEST_PROTOCOL)
            make_private_dir(self.path.parent)
            write_atomic(self.path, data)
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return


def _read(path: Path, key: str) -> dict[RulesKey, list[RuleSet]]:
    try:
        found = read_regular(path)  # a FIFO put there is refused, not waited on
        if found is None:
            return {}
        data: Any = pickle.loads(found[0])
    except Exception:  # unreadable, or a corrupt or foreign file: unpickling can raise anything
        return {}
    if not (isinstance(data, dict) and data.get("format") == FORMAT
            and data.get("key") == key and isinstance(data.get("rules"), dict)):
        return {}
    rules: dict[RulesKey, list[RuleSet]] = {}
    for entry, value in data["rules"].items():
        if (isinstance(entry, tuple) and len(entry) == 6 and isinstance(value, list)
                and all(isinstance(rule, RuleSet) for rule in value)):
            rules[entry] = value
    return rules


class ThemedStylesheet(Stylesheet):
    """Textual's stylesheet, its rules kept per theme in a ``KeptRules``."""

    def __init__(self, *, variables: dict[str, str] | None = None,
                 kept: KeptRules | None = None) -> None:
        super().__init__(variables=variables)
        self.kept = kept if kept is not None else KeptRules()
        self._theme_key: str | None = None

    @property
    def theme_key(self) -> str:
        if self._theme_key is None:
            self._theme_key = variables_key(self._variables)
        return self._theme_key

    def set_variables(self, variables: dict[str, str]) -> None:
        super().set_variables(variables)
        self._theme_key = None

    def _parse_rules(self, css: str, read_from: CSSLocation, is_default_rules: bool = False,
                     tie_breaker: int = 0, scope: str = "") -> list[RuleSet]:
        key: RulesKey = (self.theme_key, css, read_from, is_default_rules, tie_breaker, scope)
        rules = self.kept.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            self.kept.put(key, rules)
        return rules

    def copy(self) -> ThemedStylesheet:
        stylesheet = ThemedStylesheet(variables=self._variables.copy(), kept=self.kept)
        stylesheet.source = self.source.copy()
        return stylesheet

    def reparse(self) -> None:
        """Textual's ``reparse`` (8.2.8), with a stylesheet of this class (sharing the
        kept rules) in place of a plain one: the sources parsed for this theme before
        are not parsed again."""
        stylesheet = ThemedStylesheet(variables=self._variables, kept=self.kept)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            stylesheet.add_source(css, read_from=read_from, is_default_css=is_defaults,
                                  tie_breaker=tie_breaker, scope=scope)
        try:
            stylesheet.parse()
        except Exception:
            self._invalid_css.update(stylesheet._invalid_css)
            raise
        self._rules = stylesheet.rules
        self._rules_map = None
        self.source = stylesheet.source
        self._require_parse = False
