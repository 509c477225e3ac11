"""The shape of the program (a pure core and a thin UI): the non-UI core never imports
Textual, ``ask`` runs without it, every module imports on its own (no circle), the layers
in pyproject.toml's ``[tool.importlinter]`` hold, and importing the package touches no
files. Each check runs in a fresh interpreter so nothing this test session imported can
hide a stray import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import PROJECT


def _modules(package: Path) -> list[str]:
    """Every module under ``package``, found on disk so none is missed."""
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(PROJECT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


# Every module but __main__ (importing it runs the program).
EVERY = [name for name in _modules(PROJECT / "tui") if name != "tui.__main__"]

# Everything outside the UI must import without Textual.
CORE = [
    name for name in _modules(PROJECT / "tui")
    if not name.startswith("tui.ui") and name != "tui.__main__"  # __main__ runs the program
]


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose every place to write is an empty folder of this test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLINE_", "XDG_"))}
    for name in ("home", "user", "config", "data", "cache", "state"):
        (tmp_path / name).mkdir()
    env.update(
        CLINE_TUI_HOME=str(tmp_path / "home"),
        HOME=str(tmp_path / "user"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=PROJECT, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_the_core_never_imports_textual(clean_env: dict[str, str]) -> None:
    code = (
        f"import {', '.join(CORE)}, sys; "
        "print([m for m in sys.modules if m.split('.')[0] == 'textual'])"
    )
    result = run(["-c", code], clean_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_ask_help_runs_without_textual(clean_env: dict[str, str]) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['cline-tui', 'ask', '--help']\n"
        "import tui.cli.main\n"
        "try:\n"
        "    tui.cli.main.main()\n"
        "except SystemExit as done:\n"
        "    assert done.code in (0, None), done.code\n"
        "print('textual' in sys.modules)\n"
    )
    result = run(["-c", code], clean_env)
    assert result.returncode == 0, result.stderr
    assert "usage: cline-tui ask" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_python_m_tui_ask_help_exits_0_and_never_loads_textual(
    clean_env: dict[str, str],
) -> None:
    result = run(["-X", "importtime", "-m", "tui", "ask", "--help"], clean_env)
    assert result.returncode == 0, result.stderr
    assert "usage: cline-tui ask" in result.stdout
    assert "--continue" in result.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")]
    assert "tui.cli.main" in imported  # the timing really covered our code
    assert not [name for name in imported if name.split(".")[0] == "textual"]


def test_importing_the_package_creates_no_files(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    code = f"import tui, {', '.join(CORE)}"
    result = run(["-c", code], clean_env)
    assert result.returncode == 0, result.stderr
    for folder in ("home", "user", "config", "data", "cache", "state"):
        assert list((tmp_path / folder).iterdir()) == [], folder


# What the first frame of the full-screen app must not import (benchmarks/startup.py
# measures the time): each is loaded when first used, or after the first frame.
NOT_BEFORE_FIRST_FRAME = [
    "httpx", "markdown_it", "rich.markdown",  # the first reply: the warm-up, 0.3 s in
    "importlib.metadata",  # textual.__version__ (~10 ms)
    "sqlite3", "tui.storage.history_index", "tui.chat.budget",  # today's spend, 0.3 s in
    "mcp", "tui.chat.tool_loop", "tui.chat.tool_choice", "tui.tools.catalog",  # tools
    "tui.tools.calls", "tui.tools.servers", "tui.ui.tool_start",
    "tui.ui.screens.chat_tool_views",
    "tui.storage.attachments",  # a file attached or piped in
    "tui.ui.screens.compare", "tui.ui.screens.history", "tui.ui.screens.help",
    "tui.ui.screens.settings", "tui.local.server", "tui.storage.crash_log",
    # every dialog
    *[name for name in _modules(PROJECT / "tui" / "ui" / "modals") if name != "tui.ui.modals"],
]


def test_the_first_frame_loads_no_network_markdown_tools_index_or_dialog_code(
    clean_env: dict[str, str],
) -> None:
    """The app run headless to its first frame (the chat with its footer drawn), with
    what is timed to come after it (the warm-up, today's spend) held back: none of
    ``NOT_BEFORE_FIRST_FRAME`` is imported by then, while the chat screen and Textual's
    text area are (the check looks at the right process)."""
    code = (
        "import asyncio, importlib.util, sys\n"
        "import tui.ui.app as app_module\n"
        "import tui.ui.screens.chat_budget as chat_budget\n"
        "app_module.WARM_UP_AFTER = chat_budget.SPENT_TODAY_AFTER = 3600.0\n"
        "from tui.config import load_config\n"
        "from tui.ui.widgets.footer import Footer\n"
        f"late = {NOT_BEFORE_FIRST_FRAME!r}\n"
        "missing = [n for n in late if importlib.util.find_spec(n) is None]\n"
        "assert not missing, missing  # a name that cannot be imported proves nothing\n"
        "async def first_frame() -> list[str]:\n"
        "    app = app_module.make_app(load_config(), fetch_catalog=False)\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        for _ in range(3000):\n"
        "            footer = app.screen.query(Footer)\n"
        "            if footer and footer.first().query('FooterKey'):\n"
        "                break\n"
        "            await asyncio.sleep(0.01)\n"
        "        await pilot.pause()\n"
        "        assert 'tui.ui.screens.chat' in sys.modules\n"
        "        assert 'textual.widgets._text_area' in sys.modules\n"
        "        assert app.screen.query_one(Footer).query('FooterKey')\n"
        "        return [name for name in late if name in sys.modules]\n"
        "print(asyncio.run(first_frame()))\n"
    )
    result = run(["-c", code], clean_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_every_module_imports_first_on_its_own(clean_env: dict[str, str]) -> None:
    """Each module imported as the first of the package (every ``tui`` module forgotten
    before the next), so an import circle cannot hide behind a module loaded earlier."""
    code = (
        "import importlib, json, sys\n"
        f"names = {EVERY!r}\n"
        "failed = []\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m == 'tui' or m.startswith('tui.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        failed.append(f'{name}: {type(error).__name__}: {error}')\n"
        "print(json.dumps(failed))\n"
    )
    result = run(["-c", code], clean_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_layers_hold(clean_env: dict[str, str]) -> None:
    """``lint-imports`` (well under a second): no import climbs a layer or closes a circle,
    TYPE_CHECKING and function-level imports included."""
    pytest.importorskip("importlinter")
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], env=clean_env, cwd=PROJECT, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
