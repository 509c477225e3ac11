"""``cline-tui models``: the catalog of the active profile, from the cache when fresh."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import asdict

from tui.api.catalog import Catalog, ModelInfo
from tui.api.errors import FailureError
from tui.chat.turn import make_client
from tui.cli.output import ExitCode, failure_exit, say
from tui.config import Config
from tui.format import format_context, format_price
from tui.model.text import one_line, strip_controls

CACHE_FRESH_SECONDS = 24 * 3600


def run_models(args: argparse.Namespace, config: Config) -> int:
    return asyncio.run(_models(args, config))


async def _models(args: argparse.Namespace, config: Config) -> int:
    async with make_client(config) as client:
        catalog = Catalog(client, config.paths.cache_dir)
        cached = catalog.cached()
        fresh = cached is not None and time.time() - cached[1] < CACHE_FRESH_SECONDS
        if cached is not None and fresh and not args.refresh:
            models = cached[0]
        else:
            try:
                models = await catalog.fetch()
            except FailureError as error:
                if cached is None:
                    say(one_line(error.failure.message))
                    return failure_exit(error.failure)
                age = (time.time() - cached[1]) / 3600
                say(f"{one_line(error.failure.message)} "
                    f"Showing the cached list from {age:.0f} h ago.")
                models = cached[0]
    current = current_model(args, config)
    if args.json:
        print(json.dumps([{**asdict(m), "current": m.id == current} for m in models],
                         indent=2, ensure_ascii=False))
    else:
        print(format_table(models, current))
    if current and all(m.id != current for m in models):
        say(f"the current model, {one_line(current, 100)}, is not in this catalog")
    return ExitCode.OK


def current_model(args: argparse.Namespace, config: Config) -> str | None:
    """The model a new chat would use: ``-m``, else the one last picked in the app
    (settings.toml), else config.toml's."""
    if getattr(args, "model", None):
        return config.model
    from tui.storage.settings import Settings

    remembered = Settings(config.paths.config_dir / "settings.toml").model_for(
        config.profile.name)
    return remembered or config.model


def format_table(models: list[ModelInfo], current: str | None = None) -> str:
    """The catalog as columns; ``*`` before the current model (as ``git branch`` marks
    the current branch)."""
    header = ("MODEL", "CONTEXT", "INPUT", "OUTPUT", "SUPPORTS")
    rows = [header]
    marks = [" "] + ["*" if m.id == current else " " for m in models]
    for m in models:
        flags = (("reasoning", m.reasoning), ("tools", m.tools))
        supports = ",".join(name for name, on in flags if on)
        rows.append(
            (
                strip_controls(m.id).replace("\n", " "),
                format_context(m.context_length),
                format_price(m.prompt_price),
                format_price(m.completion_price),
                supports or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for mark, row in zip(marks, rows, strict=True):
        numbers = [c.rjust(w) for c, w in zip(row[1:4], widths[1:4], strict=True)]
        cells = [mark + " " + row[0].ljust(widths[0]), *numbers]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines)
