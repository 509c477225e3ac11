"""The local profile's set-up and its failures: each a clear one-line message, no
process left behind. (The real server with the bundled model: test_local_server.py.)"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.local_support import gguf_bytes, needs_llama, server_pids
from tests.support.paths import PROJECT
from tui.chat.launch import LaunchPlan
from tui.cli.output import local_exit
from tui.config import ConfigError, load_config
from tui.local import model as local_model
from tui.local.gguf import GGUFError, read_metadata
from tui.local.model import LocalModelError, ModelFile, chat_format_for, inspect_model
from tui.local.server import LocalServer, port_in_use


def cli(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINE_")}
    env["CLINE_TUI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], env=env, cwd=PROJECT, capture_output=True,
        text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL,
    )


def tiny_model(tmp_path: Path, **metadata: str | int) -> ModelFile:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(gguf_bytes(metadata))
    return inspect_model(path, "tiny")


# --- the model file -----------------------------------------------------------------------


def test_a_garbage_gguf_file_is_refused_before_any_server_starts(tmp_path: Path) -> None:
    garbage = tmp_path / "model.gguf"
    garbage.write_bytes(os.urandom(4096))
    run = cli(tmp_path / "home", "ask", "--local-model", str(garbage), "Hello")

    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "is not a GGUF model file" in lines[0]
    assert "--local-model PATH" in lines[0]
    assert run.stdout == ""
    assert server_pids(str(garbage)) == []


def test_a_missing_model_file_says_so(tmp_path: Path) -> None:
    run = cli(tmp_path / "home", "ask", "--local-model", str(tmp_path / "nope.gguf"), "Hi")

    assert run.returncode == 2
    assert "local model file not found" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_cut_short_gguf_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "short.gguf"
    path.write_bytes(gguf_bytes({"general.architecture": "llama"})[:30])
    with pytest.raises(GGUFError, match="cut short"):
        read_metadata(path)
    with pytest.raises(LocalModelError, match=r"cut short.*--local-model"):
        inspect_model(path, "short")


def test_metadata_gives_the_chat_format_and_context(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, **{"general.architecture": "gemma3",
                                    "gemma3.context_length": 32768})
    assert model.chat_format == "gemma"
    assert model.context == local_model.MAX_CONTEXT

    templated = tiny_model(tmp_path, **{"general.architecture": "gemma3",
                                        "tokenizer.chat_template": "{{ messages }}"})
    assert templated.chat_format is None  # the file's own template is used
    assert templated.context == 2048
    assert chat_format_for("llama", has_template=False) is None


def test_the_bundled_model_is_unpacked_once_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip(local_model.BUNDLED_PACKAGE)
    calls: list[Path] = []
    real = __import__(local_model.BUNDLED_PACKAGE).assemble

    def assemble(path: Path, overwrite: bool = False) -> Path:
        calls.append(Path(path))
        return real(path, overwrite=overwrite)  # type: ignore[no-any-return]

    monkeypatch.setattr(__import__(local_model.BUNDLED_PACKAGE), "assemble", assemble)
    said: list[str] = []
    first = local_model.bundled_model_file(tmp_path / "cache", said.append)
    second = local_model.bundled_model_file(tmp_path / "cache", said.append)

    assert first == second == tmp_path / "cache" / "models" / "gemma-3-270m-q4_k_m.gguf"
    assert len(calls) == 1 and len(said) == 1 and "first run only" in said[0]
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no partial file left
    assert inspect_model(first, "gemma").chat_format == "gemma"


# --- the extra ----------------------------------------------------------------------------


def test_missing_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_model, "SERVER_MODULES", ("llama_cpp_not_here",))
    message = local_model.missing_extra()
    assert message is not None
    assert "pip install 'cline-tui[local]'" in message
    assert not local_model.local_available(load_config())


def test_a_python_without_llama_cpp_gives_the_install_command(tmp_path: Path) -> None:
    # A Python that cannot see site-packages: llama_cpp cannot be imported there.
    python = tmp_path / "python-without-extra"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    server = LocalServer(tmp_path / "server.log", python=str(python))
    server.spawn(tiny_model(tmp_path, **{"general.architecture": "llama"}))
    try:
        with pytest.raises(LocalModelError) as failure:
            server.wait_ready(lambda _: None, timeout=30)
    finally:
        server.stop()
    message = str(failure.value)
    assert "pip install 'cline-tui[local]'" in message
    assert "\n" not in message
    assert local_exit(failure.value) == 2


# --- the port -----------------------------------------------------------------------------


def test_a_port_in_use_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_in_use(port)
        server = LocalServer(tmp_path / "server.log", port=port)
        with pytest.raises(LocalModelError) as failure:
            server.spawn(tiny_model(tmp_path, **{"general.architecture": "llama"}))
    assert server.process is None
    assert f"port {port} on 127.0.0.1 is already in use" in str(failure.value)
    assert "local_port = 0" in str(failure.value)


@needs_llama
@pytest.mark.slow
def test_a_port_in_use_from_config_ends_ask_with_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (home / "config.toml").write_text(f"local_port = {port}\n")
        run = cli(home, "ask", "--profile", "local", "Hello")
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith(
        f"cline-tui: port {port} on 127.0.0.1 is already in use"
    )


@needs_llama
@pytest.mark.slow
def test_a_file_llama_cpp_cannot_load_is_reported(tmp_path: Path) -> None:
    # A well-formed header (so the quick check passes) with no tensors in it.
    model = tiny_model(tmp_path, **{"general.architecture": "nonsense"})
    server = LocalServer(tmp_path / "server.log")
    server.spawn(model)
    try:
        with pytest.raises(LocalModelError) as failure:
            server.wait_ready(lambda _: None, timeout=60)
    finally:
        server.stop()
    assert "llama.cpp could not load" in str(failure.value)
    assert "--local-model PATH" in str(failure.value)
    assert server_pids(str(model.path)) == []


# --- choosing the local profile -----------------------------------------------------------


def test_local_settings_in_config_toml_are_known(isolated_home: Path) -> None:
    isolated_home.mkdir()
    (isolated_home / "config.toml").write_text(
        'local_model = "~/models/qwen3-0.6b.gguf"\nlocal_port = 8123\nlocal_context = 1024\n'
        'profile = "local"\n'
    )
    config = load_config()
    assert config.warnings == ()
    assert config.profile.name == "local" and config.profile.starts_server
    assert config.local_model == "~/models/qwen3-0.6b.gguf"
    assert (config.local_port, config.local_context) == (8123, 1024)
    assert local_model.with_local_model(config).model == "qwen3-0.6b"


def test_local_model_option_implies_the_local_profile() -> None:
    config = load_config().with_overrides(local_model="/m/tiny.gguf")
    assert config.profile.name == "local"
    assert config.local_model == "/m/tiny.gguf"
    with pytest.raises(ConfigError, match="only with the local profile"):
        load_config().with_overrides(profile="openai", local_model="/m/tiny.gguf")


def test_a_user_local_profile_with_its_own_url_is_not_started(isolated_home: Path) -> None:
    isolated_home.mkdir()
    (isolated_home / "config.toml").write_text(
        '[profiles.local]\nbase_url = "http://127.0.0.1:8080/v1"\n'
    )
    assert not load_config().profiles["local"].starts_server


def _args(**given: str) -> LaunchPlan:
    return LaunchPlan(**given)


def test_no_key_starts_the_app_on_the_local_model_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.ui import local_start

    monkeypatch.setattr(local_start, "local_available", lambda config: True)
    config, launch = local_start.local_launch(_args(), load_config())

    assert launch is not None
    assert config.profile.name == "local"
    assert config.model == "gemma-3-270m"
    assert config.profile.base_url == f"http://127.0.0.1:{launch.server.port}/v1"
    assert "No CLINE_API_KEY set" in launch.reason
    assert launch.server.process is None  # started by the app, once it is up


def test_with_a_key_or_a_chosen_profile_the_default_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.ui import local_start

    monkeypatch.setattr(local_start, "local_available", lambda config: True)
    monkeypatch.setenv("CLINE_API_KEY", "sk-test")
    config, launch = local_start.local_launch(_args(), load_config())
    assert (config.profile.name, launch) == ("cline", None)

    monkeypatch.delenv("CLINE_API_KEY")
    chosen = load_config().with_overrides(profile="ollama")
    config, launch = local_start.local_launch(_args(profile="ollama"), chosen)
    assert (config.profile.name, launch) == ("ollama", None)

    monkeypatch.setattr(local_start, "local_available", lambda config: False)
    config, launch = local_start.local_launch(_args(), load_config())
    assert (config.profile.name, launch) == ("cline", None)


def test_ask_without_a_key_points_at_the_local_profile(isolated_home: Path) -> None:
    run = cli(isolated_home, "ask", "Hello", timeout=30)
    assert run.returncode == 2
    assert "export CLINE_API_KEY=" in run.stderr
    if local_model.local_available(load_config()):
        assert "--profile local" in run.stderr
