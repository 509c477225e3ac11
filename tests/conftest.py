from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.history_support import write_fixed
from tests.support.loopback import LoopbackServer
from tui.storage.store import ConversationStore

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address: Any) -> None:
    if isinstance(address, tuple):
        host = address[0]
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            if host == "localhost":
                return
        raise RuntimeError(f"test tried to reach {host}: tests must stay on loopback")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any test that reaches beyond 127.0.0.1 fails."""

    def connect(self: socket.socket, address: Any) -> Any:
        _check_address(address)
        return _real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        _check_address(address)
        return _real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own CLINE_TUI_HOME and no real keys or endpoints."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLINE_TUI_HOME", str(home))
    for name in ("CLINE_API_KEY", "CLINE_BASE_URL", "OPENAI_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return home


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "lenient_server: the `server` fixture accepts requests a strict server rejects "
        "(for tests that send bad requests on purpose; say why beside the mark)",
    )


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[LoopbackServer]:
    """The loopback server, strict unless the test is marked ``lenient_server``: a chat
    request OpenAI or a strict chat template would reject gets a 400, and fails the test
    even if the client's handling of that 400 hid it."""
    strict = request.node.get_closest_marker("lenient_server") is None
    srv = LoopbackServer(strict=strict).start()
    try:
        yield srv
    finally:
        srv.stop()
    if srv.violations:
        pytest.fail(f"the strict server rejected a request: {srv.violations[0]}")


@pytest.fixture
def store(isolated_home: Path) -> ConversationStore:
    """The conversation store in the test's home."""
    return ConversationStore(isolated_home / "conversations")


@pytest.fixture
def ids(isolated_home: Path) -> list[str]:
    """The fixed conversations of tests/support/history_support.py, saved in the test's
    home; their ids."""
    return write_fixed(isolated_home / "conversations")


@pytest.fixture
def snap_compare(snap_compare: Any) -> Any:
    """pytest-textual-snapshot's ``snap_compare``, taken once the chat has counted today's
    spend for its sidebar (a thread): the picture never depends on which came first."""

    def compare(app: Any, *args: Any, run_before: Any = None, **kwargs: Any) -> Any:
        async def before(pilot: Any) -> None:
            if run_before is not None:
                await run_before(pilot)
            counting = [w for w in pilot.app.workers if w.group == "spent-today"]
            if counting:
                await pilot.app.workers.wait_for_complete(counting)
                await pilot.pause()

        return snap_compare(app, *args, run_before=before, **kwargs)

    return compare
