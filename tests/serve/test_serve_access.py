"""Who may use ``cline-tui serve``: off loopback it refuses to start without a token; with
one, the page and the websocket refuse a wrong or missing token; on loopback, a page from
another site (Origin) or another name (Host, as DNS rebinding sends) is refused. Real
subprocesses and real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import http.client
import os
import re
from pathlib import Path

from tests.support.cli_support import cli
from tests.support.serve_support import Served

TOKEN = "access-test-token-0c9d8e7f6a5b4c3d"


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Status and body of ``GET path`` on 127.0.0.1:port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def upgrade(origin: str | None = None, host: str | None = None) -> dict[str, str]:
    """The headers of a browser's websocket handshake."""
    headers = {
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
    }
    if origin is not None:
        headers["Origin"] = origin
    if host is not None:
        headers["Host"] = host
    return headers


def test_off_loopback_it_will_not_start_without_a_token(isolated_home: Path) -> None:
    done = cli(isolated_home, "serve", "--host", "0.0.0.0", "--port", "0", timeout=30)
    assert done.code == 2
    assert "needs an access token" in done.stderr and "--token" in done.stderr
    assert "cline-tui serve: open" not in done.stdout


def test_a_short_token_is_refused(isolated_home: Path) -> None:
    done = cli(isolated_home, "serve", "--port", "0", timeout=30,
               env_extra={"CLINE_TUI_SERVE_TOKEN": "short"})
    assert done.code == 2
    assert "too short" in done.stderr


def test_a_wrong_or_missing_token_is_refused_on_the_page_and_the_websocket(
    isolated_home: Path,
) -> None:
    serve = Served(isolated_home, env_extra={"CLINE_TUI_SERVE_TOKEN": TOKEN})
    try:
        assert serve.url.endswith(f"/?token={TOKEN}")
        port = serve.port
        assert get(port, "/")[0] == 403
        status, body = get(port, "/?token=wrong-token-wrong-token")
        assert status == 403 and "wrong or missing access token" in body
        status, page = get(port, f"/?token={TOKEN}")
        assert status == 200 and f"/ws/{TOKEN}" in page
        here = f"http://127.0.0.1:{port}"
        assert get(port, "/ws", upgrade(here))[0] == 403
        assert get(port, "/ws/wrong-token-wrong-token", upgrade(here))[0] == 403
        assert get(port, f"/ws/{TOKEN}", upgrade(here))[0] == 101  # the right one is let in
        serve.wait_for(r"connection 1 closed: app process \d+ ended")  # ours hung up
        assert get(port, "/static/js/textual.js")[0] == 200  # the public script needs none
    finally:
        serve.close()


def test_on_loopback_another_site_or_host_name_is_refused(isolated_home: Path) -> None:
    serve = Served(isolated_home)
    try:
        port = serve.port
        assert get(port, "/")[0] == 200
        assert get(port, "/", {"Host": f"rebound.example:{port}"})[0] == 403
        assert get(port, "/ws", upgrade("http://evil.example"))[0] == 403
        assert get(port, "/ws", upgrade(f"http://rebound.example:{port}",
                                        f"rebound.example:{port}"))[0] == 403
        assert serve.app_pids() == []  # none of them started an app
    finally:
        serve.close()


def test_a_generated_token_is_printed_once_and_guards_an_open_address(
    isolated_home: Path,
) -> None:
    serve = Served(isolated_home, "--host", "0.0.0.0", "--token")
    try:
        token = re.search(r"\?token=(\S+)$", serve.url)
        assert token and len(token.group(1)) >= 16
        assert sum(token.group(1) in line for line in serve.lines) == 1
        port = serve.port
        assert get(port, "/")[0] == 403
        assert get(port, f"/?token={token.group(1)}")[0] == 200
    finally:
        serve.close()


def test_the_page_never_holds_the_key(isolated_home: Path) -> None:
    key = "sk-never-in-the-page-1a2b3c4d5e6f"
    serve = Served(isolated_home, key=key)
    try:
        status, page = get(serve.port, "/")
        assert status == 200 and key not in page
        assert key not in get(serve.port, "/static/js/textual.js")[1]
    finally:
        serve.close()


def test_a_bad_compare_is_refused_before_serving(isolated_home: Path) -> None:
    done = cli(isolated_home, "serve", "--port", "0", "--compare", "only/one", timeout=30)
    assert done.code == 2
    assert "--compare takes 2 to 4 models" in done.stderr
