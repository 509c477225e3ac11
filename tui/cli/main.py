"""The command line (README, "Command line"). Nothing here imports Textual: only the full-screen
commands do, and only when they run, so ``ask`` and ``models`` start fast."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui import __version__
from tui.cli.output import ExitCode, say
from tui.model.temperature import read_temperature

if TYPE_CHECKING:
    from tui.config import Paths


def _temperature(value: str) -> float:
    number = read_temperature(value)
    if isinstance(number, str):
        raise argparse.ArgumentTypeError(number)
    return number


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    # Common options work before or after the command. Sub-commands default to
    # SUPPRESS so they do not clobber a value given before the command name.
    default = None if top else argparse.SUPPRESS
    parser.add_argument("-m", "--model", default=default, help="model id to use")
    parser.add_argument("--profile", default=default, help="named endpoint profile")
    parser.add_argument("--base-url", default=default, help="OpenAI-compatible base URL")
    parser.add_argument("-s", "--system", default=default, help="system prompt")
    parser.add_argument(
        "-t", "--temperature", type=_temperature, default=default, help="0 to 2"
    )
    parser.add_argument(
        "--local-model", default=default, metavar="PATH",
        help="GGUF model file for the local profile (implies --profile local)",
    )
    parser.add_argument(
        "--no-stream",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="wait for the whole reply instead of streaming it",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cline-tui",
        description="Chat with the Cline API or any OpenAI-compatible endpoint.",
    )
    parser.add_argument("--version", action="version", version=f"cline-tui {__version__}")
    _add_common(parser, top=True)
    parser.add_argument(
        "--resume", metavar="ID", nargs="?", const="",
        help="reopen a saved conversation (an id or its unique start; none: the last one)",
    )
    parser.add_argument(
        "-c", "--continue-last", action="store_true",
        help="reopen the conversation updated last",
    )
    parser.add_argument("--compare", metavar="A,B", help="compare models side by side")
    parser.add_argument("--theme", metavar="NAME", help="colour theme for this run")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", help="one turn, no TUI: the reply streams to stdout")
    _add_common(ask, top=False)
    ask.add_argument("prompt", nargs="*",
                     help="the prompt (default: all of stdin; with a prompt, piped stdin is "
                     "attached)")
    ask.add_argument(
        "-a", "--attach", action="append", default=[], metavar="FILE",
        help="attach a file: text, an image (PNG, JPEG, WebP, GIF) or a PDF (repeatable)",
    )
    ask.add_argument(
        "--continue", dest="continue_id", metavar="ID",
        help="add a turn to ID (or the one conversation whose id starts so)",
    )
    ask.add_argument(
        "--from", dest="from_id", metavar="MSG",
        help="with --continue: go on from message MSG (an id or its unique start; "
        "show ID --tree lists them), as a new branch",
    )
    ask.add_argument(
        "-c", "--continue-last", action="store_true", default=argparse.SUPPRESS,
        help="add a turn to the conversation updated last",
    )
    ask.add_argument("--no-save", action="store_true", help="do not save the conversation")
    ask.add_argument("--reasoning", action="store_true", help="print reasoning to stderr")
    ask.add_argument(
        "--json", action="store_true", help="print the final message with usage as JSON"
    )
    ask.add_argument(
        "--tools", action="store_true",
        help="offer the model the tools of every enabled [mcp.NAME] server",
    )
    ask.add_argument(
        "--tool", dest="tool_names", action="append", default=[], metavar="NAME",
        help="offer only these tools: a server, a tool, or SERVER.TOOL (repeatable)",
    )
    ask.add_argument(
        "--allow", action="append", default=[], metavar="NAME",
        help="run this tool (or every tool of this server) without asking (repeatable)",
    )
    ask.add_argument("--yes", action="store_true", help="run every tool call without asking")
    ask.add_argument("--over-budget", action="store_true",
                     help="send even if a [budget] limit would be passed")

    models = commands.add_parser("models", help="list the active profile's model catalog")
    _add_common(models, top=False)
    models.add_argument("--json", action="store_true", help="print the catalog as JSON")
    models.add_argument("--refresh", action="store_true", help="fetch, do not use the cache")

    history = commands.add_parser(
        "history", help="saved conversations, newest first; with QUERY, full-text search"
    )
    history.add_argument("query", nargs="*", help="words every match must contain")
    history.add_argument("--json", action="store_true", help="print the list as JSON")
    history.add_argument("--limit", type=int, metavar="N", help="at most N conversations")
    history.add_argument(
        "--reasoning", action="store_true", help="search the models' reasoning too"
    )
    show = commands.add_parser("show", help="print one saved conversation")
    show.add_argument("id", metavar="ID", help="conversation id (or its unique start)")
    show.add_argument(
        "--format", choices=("markdown", "json", "toml"), default=None,
        help="output format (default: markdown): the branch shown in Markdown, every "
        "branch in JSON and TOML",
    )
    show.add_argument(
        "--tree", action="store_true",
        help="draw every branch, one line per message, instead of the branch shown",
    )
    show.add_argument(
        "--layout", choices=("stacked", "side-by-side"), default="stacked",
        help="a comparison's replies in Markdown: one after another, or in a table",
    )
    serve = commands.add_parser("serve", help="the same app in a browser tab")
    _add_common(serve, top=False)
    serve.add_argument("--theme", default=argparse.SUPPRESS, metavar="NAME",
                       help="colour theme for this run")
    serve.add_argument("--compare", default=argparse.SUPPRESS, metavar="A,B",
                       help="every tab opens a comparison of these models")
    _add_serve_options(serve)
    return parser


def _add_serve_options(serve: argparse.ArgumentParser) -> None:
    # Defined beside the command; imported only when the parser is built.
    from tui.cli.serve_args import add_serve_options

    add_serve_options(serve)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from tui.cli.quiet_pipe import silence_stdout
    from tui.config import Paths

    problem = unusable_folder(Paths.from_env())
    if problem:
        say(problem, fold=False)
        return ExitCode.USAGE
    try:
        return _run(args)
    except BrokenPipeError:
        # stdout's reader went away (``cline-tui history | head -1``): Unix convention is
        # to stop quietly. What was asked was done as far as the reader wanted it.
        silence_stdout()
        return ExitCode.OK


def unusable_folder(paths: Paths) -> str | None:
    """Why the app's folders cannot be used (a file where a folder should be, or no
    permission to create or write it), or None."""
    from tui.model.text import one_line

    home = os.environ.get("CLINE_TUI_HOME")
    where = f" (CLINE_TUI_HOME={one_line(home, 200)})" if home else ""
    for folder in dict.fromkeys((paths.config_dir, paths.data_dir, paths.cache_dir)):
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            return f"{one_line(str(existing), 300)} is not a folder{where}"
        if not os.access(existing, os.W_OK | os.X_OK):
            return f"no permission to write in {one_line(str(existing), 300)}{where}"
    return None


def _run(args: argparse.Namespace) -> int:
    from tui.config import ConfigError, load_config

    config = load_config()
    for warning in config.warnings:
        say(warning, fold=False)
    try:
        config = config.with_overrides(
            profile=getattr(args, "profile", None),
            base_url=getattr(args, "base_url", None),
            model=getattr(args, "model", None),
            system=getattr(args, "system", None),
            temperature=getattr(args, "temperature", None),
            local_model=getattr(args, "local_model", None),
        )
    except ConfigError as error:
        say(str(error), fold=False)
        return ExitCode.USAGE
    if args.command in ("ask", "history", "show"):
        from tui.storage.journal import recover_into_store

        for note in recover_into_store(config.paths.conversations):
            say(note, fold=False)
    if args.command == "ask":
        from tui.cli.ask import run_ask
        from tui.cli.launch import ask_options

        if args.continue_id is not None or args.continue_last:
            from tui.cli.history import pick_id

            args.continue_id = pick_id(config, args.continue_id, args.continue_last)
            if args.continue_id is None:
                return ExitCode.USAGE

        return run_ask(ask_options(args), config)
    if args.command in ("history", "show"):
        from tui.cli.history import run_history, run_show

        return run_history(args, config) if args.command == "history" else run_show(args, config)
    if args.command == "models":
        from tui.cli.models import run_models

        if config.profile.starts_server:
            from tui.cli.served import run_served

            return run_served(config, lambda served: run_models(args, served))
        return run_models(args, config)
    if args.command == "serve":
        from tui.cli.serve import run_serve
        from tui.cli.serve_args import serve_options

        try:
            options = serve_options(args)
        except ValueError as error:  # a bad --compare
            say(str(error), fold=False)
            return ExitCode.USAGE
        return run_serve(options)
    from tui.cli.chat import run_app
    from tui.cli.launch import launch_plan

    if args.resume is not None or args.continue_last:
        from tui.cli.history import pick_id

        args.resume = pick_id(config, args.resume, args.continue_last)
        if args.resume is None:
            return ExitCode.USAGE

    try:
        plan = launch_plan(args)
    except ValueError as error:  # a bad --compare
        say(str(error), fold=False)
        return ExitCode.USAGE
    return run_app(plan, config)
