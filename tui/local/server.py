"""Running llama-cpp-python's OpenAI-compatible server for the ``local`` profile.

``LocalServer`` starts ``python -m llama_cpp.server`` (through ``llama_launch``) on
127.0.0.1, says when the model has loaded, and stops it. The server never outlives the
app: it runs in a session of its own (so Ctrl+C in the terminal reaches only the app,
which then stops it), it is stopped on exit by the caller and by ``atexit``, and on
Linux the kernel kills it when the app dies even by SIGKILL (``PR_SET_PDEATHSIG``). Its
output goes to a log file in the cache dir; when it fails, the log says why and that
becomes a one-line message.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

import httpx

from tui.child import child_environment, die_with_parent, log_tail, signal_group
from tui.config import Config
from tui.files import make_private_dir
from tui.local.model import (
    INSTALL_HINT,
    LocalModelError,
    ModelFile,
    Progress,
    prepare_model,
    with_local_model,
)

HOST = "127.0.0.1"
# llama_cpp.server with plain CPU buffers (tui/local/llama_launch.py): how it is started.
SERVER_MODULE = "tui.local.llama_launch"
LOAD_TIMEOUT = 300.0  # seconds; a large model on a slow disk takes a while


class LocalServer:
    def __init__(
        self,
        log_file: Path,
        *,
        port: int = 0,
        python: str = sys.executable,
        threads: int | None = None,
    ) -> None:
        """``port`` 0 picks a free one now, so ``base_url`` is known before the start."""
        self.log_file = log_file
        self.fixed_port = port != 0
        self.port = port or free_port()
        self.python = python
        self.threads = threads or os.cpu_count() or 1
        self.process: subprocess.Popen[bytes] | None = None
        self.model: ModelFile | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self, model: ModelFile) -> list[str]:
        command = [
            self.python, "-m", SERVER_MODULE,
            "--model", str(model.path), "--model_alias", model.name,
            "--host", HOST, "--port", str(self.port),
            "--n_ctx", str(model.context), "--n_threads", str(self.threads),
            # Requests wait their turn: by default a request arriving while a reply
            # streams ends that reply at once, with a [DONE] that looks like its end
            # (a second compare column, or the count of a prompt's tokens).
            "--interrupt_requests", "False",
        ]
        if model.chat_format:
            command += ["--chat_format", model.chat_format]
        return command

    def spawn(self, model: ModelFile) -> None:
        """Start the server process (it then loads the model; see ``ready``).

        Call this on the thread that will live as long as the app (the main thread):
        the kernel's parent-death signal fires when the *thread* that forked exits."""
        if self.process is not None:
            raise RuntimeError("the local server was already started")
        if self.fixed_port and port_in_use(self.port):
            raise LocalModelError(
                f"port {self.port} on {HOST} is already in use: stop what listens there, "
                "or set local_port = 0 in config.toml to use any free port"
            )
        self.model = model
        make_private_dir(self.log_file.parent)
        self._log = self.log_file.open("wb")
        env = dict(child_environment(), PYTHONUNBUFFERED="1")
        try:
            self.process = subprocess.Popen(
                self.command(model),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=die_with_parent(),
            )
        except OSError as error:
            self._close_log()
            raise LocalModelError(
                f"could not run {self.python}: {error.strerror or error}"
            ) from None
        atexit.register(self.stop)

    def ready(self) -> bool:
        """Whether the model has loaded and the server answers. Raises
        ``LocalModelError`` when the server has stopped. Blocks for at most ~1 s."""
        if self.process is None:
            raise RuntimeError("the local server was not started")
        code = self.process.poll()
        if code is not None:
            raise self._exit_error(code)
        try:
            with httpx.Client(trust_env=False, timeout=1.0) as http:
                return http.get(f"{self.base_url}/models").status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, progress: Progress, timeout: float = LOAD_TIMEOUT) -> float:
        """Block until the model has loaded; returns the seconds it took."""
        started = time.monotonic()
        told = started
        while not self.ready():
            now = time.monotonic()
            if now - started > timeout:
                self.stop()
                raise LocalModelError(self._timeout_message(timeout), server_failed=True)
            if now - told >= 5:
                told = now
                progress(f"still loading the local model ({now - started:.0f} s)")
            time.sleep(0.2)
        return time.monotonic() - started

    async def wait_ready_async(
        self, progress: Callable[[float], None], timeout: float = LOAD_TIMEOUT
    ) -> float:
        """``wait_ready`` for an event loop: ``progress(seconds)`` about once a second."""
        started = time.monotonic()
        while not await asyncio.to_thread(self.ready):
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                self.stop()
                raise LocalModelError(self._timeout_message(timeout), server_failed=True)
            progress(elapsed)
            await asyncio.sleep(0.5)
        return time.monotonic() - started

    def stop(self) -> None:
        """Stop the server and everything it started. Safe to call more than once."""
        process = self.process
        if process is not None and process.poll() is None:
            signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if process is not None:
            # The server leads its own process group: anything left in it goes too.
            signal_group(process.pid, signal.SIGKILL)
        self._close_log()
        atexit.unregister(self.stop)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def _timeout_message(self, timeout: float) -> str:
        return (
            f"the local model did not load within {timeout:.0f} s; "
            f"see {self.log_file} (a smaller model may help)"
        )

    def _exit_error(self, code: int) -> LocalModelError:
        self._close_log()
        log = log_tail(self.log_file)
        model = self.model.path if self.model else "the model"
        if "No module named" in log:
            return LocalModelError(
                f"{self.python} cannot run llama-cpp-python's server: {INSTALL_HINT}"
            )
        if "address already in use" in log.lower() or f"[Errno {errno.EADDRINUSE}]" in log:
            return LocalModelError(
                f"port {self.port} on {HOST} was taken by another program: start again, "
                "or set local_port in config.toml to a free port"
            )
        if "failed to load model" in log.lower():
            return LocalModelError(
                f"llama.cpp could not load {model}: it is damaged or not a model llama.cpp "
                "supports; choose another with --local-model PATH or local_model in config.toml"
            )
        last = next((line for line in reversed(log.splitlines()) if line.strip()), "")
        how = f"exit code {code}" if code >= 0 else f"killed by signal {-code}"
        return LocalModelError(
            f"the local model server stopped ({how}): {last[:200] or 'no output'} "
            f"(log: {self.log_file})",
            server_failed=True,
        )


def server_for(config: Config, python: str = sys.executable) -> LocalServer:
    """A server (not started yet) for the local profile of ``config``."""
    if config.local_port is not None and not 0 <= config.local_port <= 65535:
        raise LocalModelError(
            f"local_port = {config.local_port} in config.toml is not a port (0 to 65535; "
            "0 picks any free one)"
        )
    return LocalServer(
        config.paths.cache_dir / "local-server.log", port=config.local_port or 0, python=python
    )


def served_config(config: Config, server: LocalServer) -> Config:
    """``config`` with the local profile pointing at ``server`` (and, once it has been
    started, the context size and chat format it was given)."""
    config = with_local_model(config)
    if server.model is not None:
        config = replace(config, local_context=server.model.context,
                         local_chat_format=server.model.chat_format)
    return replace(config, profile=replace(config.profile, base_url=server.base_url))


@contextlib.contextmanager
def serving(config: Config, progress: Progress) -> Iterator[Config]:
    """Start the local model, wait until it has loaded, yield the config that talks to
    it, and stop it afterwards whatever happens. Raises ``LocalModelError``."""
    server = server_for(config)
    try:
        model = prepare_model(config, progress)
        progress(f"starting the local model {model.name} (llama.cpp, {server.base_url})")
        server.spawn(model)
        seconds = server.wait_ready(progress)
        progress(f"local model {model.name} ready in {seconds:.1f} s")
        yield served_config(config, server)
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
        return False
