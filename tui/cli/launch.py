"""The parsed command line turned into typed start-up choices: the ``argparse.Namespace``
goes no further than ``tui.cli``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui.chat.launch import LaunchPlan

if TYPE_CHECKING:
    from tui.cli.ask import AskOptions  # not imported on the full-screen app's way in


def launch_plan(args: argparse.Namespace) -> LaunchPlan:
    """The full-screen app's start. Raises ValueError (a plain message) for a bad
    ``--compare``."""
    compare: tuple[str, ...] = ()
    if args.compare:
        from tui.model.compare import parse_models

        compare = tuple(parse_models(args.compare))
    return LaunchPlan(
        profile=getattr(args, "profile", None),
        base_url=getattr(args, "base_url", None),
        model=getattr(args, "model", None),
        temperature=getattr(args, "temperature", None),
        resume=getattr(args, "resume", None),
        compare=compare,
        theme=getattr(args, "theme", None),
        streaming=not args.no_stream,
    )


def ask_options(args: argparse.Namespace) -> AskOptions:
    """``cline-tui ask``'s options."""
    from tui.cli.ask import AskOptions

    return AskOptions(
        prompt=list(args.prompt),
        attach=tuple(args.attach),
        continue_id=args.continue_id,
        from_id=args.from_id,
        save=not args.no_save,
        streaming=not args.no_stream,
        json=args.json,
        reasoning=args.reasoning,
        model_given=bool(getattr(args, "model", None)),
        system_given=getattr(args, "system", None) is not None,
        temperature_given=getattr(args, "temperature", None) is not None,
        tools=args.tools,
        tool_names=tuple(args.tool_names),
        allow=tuple(args.allow),
        yes=args.yes,
        over_budget=args.over_budget,
    )
