"""Choices the app makes for the user (the last model picked per profile), kept in
``settings.toml`` beside config.toml. The user's hand-written config.toml is never
rewritten."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from tui.store import make_private_dir, write_atomic


class Settings:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        self.problem: str | None = None
        try:
            self.data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            self.problem = f"{path}: {error}; using defaults"

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
        value = self.data.get("temperature")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if 0 <= value <= 2 else None

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
        write_atomic(self.path, tomli_w.dumps(self.data).encode("utf-8"))
