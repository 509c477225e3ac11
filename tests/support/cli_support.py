"""Running ``python -m tui ARGS`` as a user would, with its own home, and reading what it
saved."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.loopback import LoopbackServer

FAKE_KEY = "sk-cline-FAKE-7c1d2e3f4a5b6c7d8e9f"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    elapsed: float

    def saved_id(self) -> str:
        found = re.findall(r"saved conversation (\S+)", self.stderr)
        assert len(found) == 1, self.stderr
        return found[0]


def cli(
    home: Path,
    *args: str,
    server: LoopbackServer | None = None,
    key: str | None = FAKE_KEY,
    stdin: str | bytes = "",
    env_extra: dict[str, str] | None = None,
    timeout: float = 20,
    new_session: bool = False,
) -> Run:
    """Run ``python -m tui ARGS`` with its own home; the default "cline" profile talks to
    ``server`` when one is given. ``new_session``: with no controlling terminal (nothing
    can be asked on /dev/tty)."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env["CLINE_TUI_HOME"] = str(home)
    env.pop("CLINE_BASE_URL", None)
    env.pop("CLINE_API_KEY", None)
    if server is not None:
        env["CLINE_BASE_URL"] = server.url
    if key is not None:
        env["CLINE_API_KEY"] = key
    env.update(env_extra or {})
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        env=env,
        timeout=timeout,
        start_new_session=new_session,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8"),
        done.stderr.decode("utf-8"),
        time.monotonic() - started,
    )


def saved(home: Path, conversation_id: str) -> dict[str, Any]:
    path = home / "conversations" / f"{conversation_id}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))
