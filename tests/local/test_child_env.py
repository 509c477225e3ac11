"""Child processes get only the environment they need (issue 13, item 9): the local
llama.cpp server never sees an API key. Checked on the real child's
``/proc/PID/environ``; a stand-in takes the place of the Python that would run the
server, so no model has to load."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tui.child import child_environment
from tui.local.model import ModelFile
from tui.local.server import LocalServer

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(),
                                reason="needs /proc")


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


def test_the_local_server_process_gets_no_api_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLINE_API_KEY", "sk-cline-secret")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    monkeypatch.setenv("MY_PROFILE_KEY", "sk-profile-secret")
    monkeypatch.setenv("HF_TOKEN", "hf-secret")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    stand_in = tmp_path / "python"
    ready = tmp_path / "started"
    # Replaces itself with a long sleep once it has said it started: same pid, same env.
    stand_in.write_text(f"#!/bin/sh\ntouch {ready}\nexec sleep 600\n")
    stand_in.chmod(0o755)
    server = LocalServer(tmp_path / "server.log", python=str(stand_in))
    server.spawn(ModelFile(tmp_path / "model.gguf", "m", None, 128))
    try:
        assert server.pid is not None
        while not ready.exists():  # wait for the state, not for a time
            assert server.process is not None and server.process.poll() is None
            time.sleep(0.01)
        seen = environ_of(server.pid)
    finally:
        server.stop()
    assert not [name for name in seen if "KEY" in name or "TOKEN" in name], seen
    assert "sk-" not in "".join(seen.values())
    assert seen["PATH"] == os.environ["PATH"]
    assert seen["LC_ALL"] == "C.UTF-8"
    assert seen["PYTHONUNBUFFERED"] == "1"


def test_the_allow_list_keeps_what_a_server_needs_and_drops_the_rest() -> None:
    given = {"PATH": "/bin", "HOME": "/h", "LANG": "C", "LC_CTYPE": "C", "TMPDIR": "/t",
             "CUDA_VISIBLE_DEVICES": "0", "OMP_NUM_THREADS": "2", "CLINE_API_KEY": "k",
             "OPENAI_API_KEY": "k", "OPENROUTER_API_KEY": "k", "CLINE_TUI_HOME": "/x",
             "GGML_API_KEY": "k", "AWS_SECRET_ACCESS_KEY": "k", "SSH_AUTH_SOCK": "/s"}
    assert child_environment(given) == {
        "PATH": "/bin", "HOME": "/h", "LANG": "C", "LC_CTYPE": "C", "TMPDIR": "/t",
        "CUDA_VISIBLE_DEVICES": "0", "OMP_NUM_THREADS": "2"}
