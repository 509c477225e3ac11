"""Choices the app makes for the user (the last model picked per profile), kept in
``settings.toml`` beside config.toml. The user's hand-written config.toml is never
rewritten."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tui.files import make_private_dir, write_atomic
from tui.model.temperature import TEMPERATURE_WORDS, check_temperature
from tui.storage.toml_text import dumps


class Settings:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        # A file that does not parse: defaults are used and the file is never rewritten.
        self.problem: str | None = None
        # Values of the wrong type or out of range: each one is ignored (and kept).
        self.warnings: list[str] = []
        try:
            self.data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            self.problem = f"{path}: {error}; using defaults"
        self._check()

    def _check(self) -> None:
        def wrong(key: str, expected: str) -> None:
            shown = repr(self.data[key])
            shown = shown if len(shown) <= 60 else shown[:59] + "…"
            self.warnings.append(f"{self.path.name}: '{key}' = {shown} is not {expected} "
                                 "(ignored)")

        temperature = self.data.get("temperature")
        if temperature is not None and _temperature(temperature) is None:
            wrong("temperature", TEMPERATURE_WORDS)
        for key in ("streaming", "reasoning_unfolded"):
            if key in self.data and not isinstance(self.data[key], bool):
                wrong(key, "true or false")
        if "theme" in self.data and not isinstance(self.data["theme"], str):
            wrong("theme", "text")
        for key in ("models", "presets"):
            table = self.data.get(key)
            if table is not None and not (isinstance(table, dict) and all(
                    isinstance(v, str) for v in table.values())):
                wrong(key, "a table of texts")

    def model_for(self, profile: str) -> str | None:
        models = self.data.get("models")
        value = models.get(profile) if isinstance(models, dict) else None
        return value if isinstance(value, str) and value else None

    def remember_model(self, profile: str, model: str) -> None:
        models = self.data.get("models")
        if not isinstance(models, dict):
            models = self.data["models"] = {}
        models[profile] = model
        self.save()

    # --- the settings screen's choices (issue 6) ---------------------------------------

    @property
    def theme(self) -> str | None:
        value = self.data.get("theme")
        return value if isinstance(value, str) and value else None

    def remember_theme(self, name: str) -> None:
        if self.theme != name:
            self.data["theme"] = name
            self.save()

    @property
    def temperature(self) -> float | None:
        return _temperature(self.data.get("temperature"))

    @property
    def streaming(self) -> bool:
        return self.data.get("streaming") is not False

    @property
    def reasoning_unfolded(self) -> bool:
        return self.data.get("reasoning_unfolded") is True

    @property
    def presets(self) -> dict[str, str]:
        """Named system prompts."""
        table = self.data.get("presets")
        if not isinstance(table, dict):
            return {}
        return {str(k): v for k, v in table.items() if isinstance(v, str)}

    def update(self, **choices: object) -> None:
        """Set several choices and save once; a None value removes the choice."""
        for key, value in choices.items():
            if value is None:
                self.data.pop(key, None)
            else:
                self.data[key] = value
        self.save()

    def save(self) -> None:
        """Write the file; a settings file that does not parse is left alone."""
        if self.problem is not None:
            return
        make_private_dir(self.path.parent)
        write_atomic(self.path, dumps(self.data))  # storable text: a save never fails on it


def _temperature(value: Any) -> float | None:
    """A temperature the API accepts, else None."""
    checked = check_temperature(value)
    return checked if isinstance(checked, float) else None
