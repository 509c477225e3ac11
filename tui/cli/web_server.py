"""The web side of ``cline-tui serve``: one page (xterm.js, from textual-serve's static
files) and one websocket per browser tab, each driving an app process of its own
(``ServedApp``). Nothing but the screen's bytes goes to the browser.

Who may connect: with a token, only a request that carries it (the page as ``?token=``,
the websocket in its path, both compared in constant time). Served on loopback, the
``Host`` header must name a loopback address (a page elsewhere cannot reach the server
through DNS rebinding); a websocket whose ``Origin`` is another site is refused (another
page the browser has open cannot drive the app).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import html
import ipaddress
import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.download_manager import DownloadManager

from tui.cli.served_app import ServedApp

# Read by the app (tui/ui/app_prefs.py): "unreachable" when the tab cannot get a copy.
SERVED_CLIPBOARD = "CLINE_TUI_SERVED_CLIPBOARD"
STATIC = Path(textual_serve.__file__).parent / "static"


@functools.cache
def _page() -> string.Template:
    return string.Template(Path(__file__).with_name("serve_page.html").read_text("utf-8"))


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 in brackets or not) is this machine
    only."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without its port."""
    return urlsplit(f"//{host_header}").hostname or ""


def clipboard_reachable(request: web.Request) -> bool:
    """Whether the page behind this websocket may write the clipboard: browsers allow it
    only on a secure page, HTTPS or this machine (its ``Origin`` says which it is)."""
    origin = urlsplit(request.headers.get("Origin") or f"http://{request.host}")
    return origin.scheme == "https" or is_loopback(origin.hostname or "")


def _size(value: str | None, default: int) -> int:
    try:
        return max(1, min(int(value or default), 1000))
    except ValueError:
        return default


@dataclass
class Session:
    number: int
    app: ServedApp
    socket: web.WebSocketResponse


class WebServer:
    """The aiohttp application; ``close_all`` ends every app process it started."""

    def __init__(
        self, argv: list[str], *, token: str | None, loopback: bool,
        say: Callable[[str], None],
    ) -> None:
        self.argv = argv
        self.token = token
        self.loopback = loopback
        self.say = say
        self.sessions: dict[int, Session] = {}
        self.opened = 0
        self.downloads = DownloadManager()
        self.closing = False

    def application(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/", self.page),
            web.get("/ws", self.websocket),
            web.get("/ws/{token}", self.websocket),
            web.static("/static", STATIC),
        ])
        return app

    # --- who may connect --------------------------------------------------------------

    def refusal(self, request: web.Request, token: str | None, websocket: bool) -> str | None:
        """Why ``request`` is refused, or None."""
        if self.loopback and not is_loopback(_host_name(request.host)):
            return "this server answers only on a loopback address"
        if websocket:
            origin = request.headers.get("Origin")
            if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
                return "a page from another site cannot connect"
        if self.token is not None and not hmac.compare_digest(
            (token or "").encode(), self.token.encode()
        ):
            return "wrong or missing access token: open the URL cline-tui serve printed"
        return None

    # --- the page ---------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        token = request.query.get("token")
        refused = self.refusal(request, token, websocket=False)
        if refused:
            raise web.HTTPForbidden(text=f"cline-tui serve: {refused}\n")
        scheme = "wss" if request.secure else "ws"
        path = f"/ws/{quote(token, safe='')}" if self.token is not None and token else "/ws"
        body = _page().substitute(
            static_url="/static",
            websocket_url=html.escape(f"{scheme}://{request.host}{path}"),
            font_size=_size(request.query.get("fontsize"), 16),
        )
        return web.Response(
            text=body, content_type="text/html",
            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                     "Referrer-Policy": "no-referrer"},
        )

    # --- one tab: a websocket and its app process ---------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        refused = self.refusal(request, request.match_info.get("token"), websocket=True)
        if refused or self.closing:
            raise web.HTTPForbidden(text=f"cline-tui serve: {refused or 'stopping'}\n")
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)

        async def close() -> None:
            await socket.close()

        app = ServedApp(
            self.argv, write_bytes=socket.send_bytes, write_str=socket.send_str,
            close=close, download_manager=self.downloads,
            environment={SERVED_CLIPBOARD: "reachable" if clipboard_reachable(request)
                         else "unreachable"},
        )
        self.opened += 1
        session = Session(self.opened, app, socket)
        self.sessions[session.number] = session
        try:
            await app.start(_size(request.query.get("width"), 80),
                            _size(request.query.get("height"), 24))
            self.say(f"connection {session.number} opened from {request.remote}: "
                     f"app process {app.pid}")
            await self._relay(socket, app)
        finally:
            await app.stop()
            self.sessions.pop(session.number, None)
            self.say(f"connection {session.number} closed: app process {app.pid} "
                     f"ended ({_exit_text(app.exit_code)})")
        return socket

    async def _relay(self, socket: web.WebSocketResponse, app: ServedApp) -> None:
        """The browser's keys, mouse and size to the app, until the tab goes away."""
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app.set_terminal_size(_size(str(data.get("width")), 80),
                                            _size(str(data.get("height")), 24))
            elif kind == "ping":
                await socket.send_json(["pong", data])
            elif kind == "blur":
                await app.blur()
            elif kind == "focus":
                await app.focus()

    async def close_all(self) -> None:
        """End every app process (each saves what it was streaming), then every tab."""
        self.closing = True
        sessions = list(self.sessions.values())
        await asyncio.gather(*(s.app.stop() for s in sessions), return_exceptions=True)
        await asyncio.gather(*(s.socket.close() for s in sessions), return_exceptions=True)


def _exit_text(code: int | None) -> str:
    if code is None:
        return "not started"
    if code < 0:
        return f"killed by signal {-code}"
    return f"exit code {code}"
