"""A command run against the local model: the server started and stopped around it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from tui.cli.output import ExitCode, local_exit, say
from tui.config import Config
from tui.local.model import LocalModelError
from tui.local.server import serving


def run_served(config: Config, run: Callable[[Config], int]) -> int:
    """``run(config)`` against the local model, started and stopped around it, with
    progress on stderr; the exit code (SPEC §2) of ``run`` or of the failure."""
    progress = partial(say, fold=False)
    try:
        with serving(config, progress) as served:
            return run(served)
    except LocalModelError as error:
        progress(str(error))
        return local_exit(error)
    except KeyboardInterrupt:
        progress("interrupted while the local model was loading")
        return ExitCode.FAILED
