"""``cline-tui serve``'s options, parsed without loading the web server (building the
parser for any command imports this)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

TOKEN_VARIABLE = "CLINE_TUI_SERVE_TOKEN"


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    token: str | None = None  # None: not given; "": generate one
    app_args: tuple[str, ...] = ()  # options every app process starts with


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """The ``serve`` sub-command's own options."""
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any)")
    serve.add_argument("--open", dest="open_browser", action="store_true",
                       help="open the page in the default browser")
    serve.add_argument(
        "--token", nargs="?", const="", default=None, metavar="TOKEN",
        help=f"access token every connection must carry (required off loopback); "
        f"bare --token makes one up; also ${TOKEN_VARIABLE}",
    )


def serve_options(args: argparse.Namespace) -> ServeOptions:
    """``serve``'s options, with the app options to hand on to every app process.
    Raises ValueError (a plain message) for a bad ``--compare``."""
    app_args: list[str] = []
    if getattr(args, "compare", None):
        from tui.model.compare import parse_models

        app_args += ["--compare", ",".join(parse_models(args.compare))]
    for option, name in (("--profile", "profile"), ("--base-url", "base_url"),
                         ("--model", "model"), ("--system", "system"),
                         ("--temperature", "temperature"), ("--local-model", "local_model"),
                         ("--theme", "theme")):
        value = getattr(args, name, None)
        if value is not None:
            app_args += [option, str(value)]
    if getattr(args, "no_stream", False):
        app_args.append("--no-stream")
    return ServeOptions(args.host, args.port, args.open_browser, args.token, tuple(app_args))
