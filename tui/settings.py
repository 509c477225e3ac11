"""Choices the app makes for the user (the last model picked per profile), kept in
``settings.toml`` beside config.toml. The user's hand-written config.toml is never
rewritten."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from tui.store import write_atomic


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

    def save(self) -> None:
        """Write the file; a settings file that does not parse is left alone."""
        if self.problem is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(self.path, tomli_w.dumps(self.data).encode("utf-8"))
