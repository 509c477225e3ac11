"""One browser tab's app process for ``cline-tui serve``: textual-serve's ``AppService``
(Textual's web driver protocol over the process's stdin and stdout), started and stopped
the way this app starts its other children.

- Started without a shell, in a session of its own (Ctrl+C in the server's terminal reaches
  only the server, which then stops it), and on Linux killed by the kernel should the
  server die, even by SIGKILL (``tui.child.die_with_parent``).
- Stopped like a closed terminal: SIGHUP, so a reply in flight is saved marked
  "interrupted" (``tui.ui.app``'s stop signals); SIGKILL if it has not ended in time.
- It keeps the server's environment (the API key included: the app needs it); what
  reaches the browser is the screen only. The serve token is not passed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from tui.child import die_with_parent
from tui.cli.serve_args import TOKEN_VARIABLE

STOP_GRACE = 10.0  # seconds an app gets to save and exit after SIGHUP


class ServedApp(AppService):
    """The app process behind one websocket."""

    def __init__(
        self,
        argv: list[str],
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[None]],
        download_manager: DownloadManager,
        environment: dict[str, str] | None = None,
    ) -> None:
        """``environment``: variables added to the app's (the server's, without its
        token)."""
        super().__init__(
            " ".join(argv), write_bytes=write_bytes, write_str=write_str, close=close,
            download_manager=download_manager,
        )
        self.argv = argv
        self.extra_environment = dict(environment or {})
        self.exit_code: int | None = None
        self.ended_itself = False  # the app quit (Ctrl+Q): its driver said "exit"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.pop(TOKEN_VARIABLE, None)
        environment.pop("TEXTUAL", None)  # no devtools or debug logging from the user's shell
        environment.update(self.extra_environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the app's screen until it ends, however it ends (a failed start or a crash
        included): then the tab is told the session is over instead of staying blank."""
        await super().run()
        with contextlib.suppress(Exception):
            await self.remote_close()

    async def on_meta(self, data: bytes) -> None:
        if b'"exit"' in data:
            self.ended_itself = True
        await super().on_meta(data)

    async def stop(self) -> None:
        """End the app as a closed terminal would (SIGHUP), wait for it to save and exit,
        and kill it if it has not within ``STOP_GRACE`` seconds. Safe to call twice."""
        task, self._task = self._task, None
        process = self._process
        if process is None:
            return
        if process.returncode is None and not self.ended_itself:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGHUP)
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        self.exit_code = process.returncode
        if task is not None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            with contextlib.suppress(asyncio.CancelledError):
                await task
