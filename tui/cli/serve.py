"""``cline-tui serve``: the full-screen app in a browser tab (README, "In a browser").

Each tab is its own app process with the server's config, key and files
(``tui.cli.served_app``); the page and its websocket are ``tui.cli.web_server``. Loopback
needs no token; any other address refuses to start without one. Ctrl+C (or SIGTERM, or
the server's terminal closing) ends every app process, each saving its turn in flight,
before the server exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import webbrowser
from urllib.parse import quote

from tui.cli.output import ExitCode, say
from tui.cli.serve_args import TOKEN_VARIABLE, ServeOptions

SHORTEST_TOKEN = 16


def run_serve(options: ServeOptions) -> int:
    """Serve until Ctrl+C; the exit code (2: it could not start)."""
    from tui.cli.web_server import is_loopback

    token = options.token
    if token is None:
        token = os.environ.get(TOKEN_VARIABLE) or None
    generated = token == ""
    if generated:
        token = secrets.token_urlsafe(24)
    loopback = is_loopback(options.host)
    if not loopback and token is None:
        say(f"serving on {options.host} (not this machine only) needs an access token: "
            f"pass --token (a new one is made up and printed), --token TOKEN, or set "
            f"{TOKEN_VARIABLE}; or serve on 127.0.0.1")
        return ExitCode.USAGE
    if token is not None and len(token) < SHORTEST_TOKEN:
        say(f"the access token is too short: use at least {SHORTEST_TOKEN} characters "
            "(bare --token makes one up)", fold=False)
        return ExitCode.USAGE
    if not 0 <= options.port <= 65535:
        say(f"--port {options.port}: not a port number (0 to 65535)", fold=False)
        return ExitCode.USAGE
    argv = [sys.executable, "-m", "tui", *options.app_args]
    try:
        return asyncio.run(_serve(options, argv, token, loopback, generated))
    except KeyboardInterrupt:  # before the server's own handler was in place
        return ExitCode.FAILED


def _out(line: str) -> None:
    print(line, flush=True)


def page_url(host: str, port: int, token: str | None) -> str:
    """The URL to open: a name for an address that listens everywhere, IPv6 in brackets,
    the token in the query."""
    shown = host
    if host in ("", "0.0.0.0", "::"):
        shown = socket.gethostname()
    elif ":" in host:
        shown = f"[{host.strip('[]')}]"
    query = f"?token={quote(token, safe='')}" if token else ""
    return f"http://{shown}:{port}/{query}"


async def _serve(options: ServeOptions, argv: list[str], token: str | None, loopback: bool,
                 generated: bool) -> int:
    from aiohttp import web

    from tui.cli.web_server import WebServer

    server = WebServer(argv, token=token, loopback=loopback, say=_out)
    runner = web.AppRunner(server.application(), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, options.host.strip("[]"), options.port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        say(f"cannot listen on {options.host} port {options.port}: "
            f"{error.strerror or error}", fold=False)
        return ExitCode.USAGE
    port = options.port or _bound_port(runner.addresses)
    url = page_url(options.host, port, token)
    _out(f"cline-tui serve: open {url}")
    if generated:
        _out("The access token was made up for this run; it is in the URL above, and "
             "not shown again.")
    _out("Press Ctrl+C to stop (every app process started here ends with it).")
    if options.open_browser:
        await asyncio.get_running_loop().run_in_executor(None, webbrowser.open, url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(number, stop.set)
    try:
        await stop.wait()
    finally:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(number)
        running = len(server.sessions)
        _out(f"stopping: ending {running} app process{'' if running == 1 else 'es'}")
        await server.close_all()
        await runner.cleanup()
    _out("stopped")
    return ExitCode.OK


def _bound_port(addresses: list[object]) -> int:
    """The port the system chose for ``--port 0``."""
    for address in addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return 0
