"""What the command line says on stderr, and the exit codes it ends with (SPEC §2).

Every command ends with one of these codes; a failed request's code follows from its
kind (``tui.api.errors.Failure``).
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import TYPE_CHECKING

from tui.model.text import one_line

if TYPE_CHECKING:  # not imported at run time: ``main`` starts before any request module
    from tui.api.errors import Failure, FailureKind
    from tui.local.model import LocalModelError


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the turn did not finish: the stream ended in error, or it was cancelled
    USAGE = 2  # the request could not be made: fix the command, the setup or the config
    API = 3  # the API refused the request (4xx)
    NETWORK = 4  # network or server (a reply cut off by the connection included)
    NOT_SAVED = 5  # the conversation could not be written (stderr says why)
    CRASHED = 70  # EX_SOFTWARE (sysexits.h): an internal error


FAILURE_EXIT: dict[FailureKind, ExitCode] = {
    "auth": ExitCode.API,
    "credits": ExitCode.API,
    "rate_limit": ExitCode.API,
    "refused": ExitCode.API,
    "server": ExitCode.NETWORK,
    "network": ExitCode.NETWORK,
    "timeout": ExitCode.NETWORK,
    "stream": ExitCode.FAILED,
    "cut_off": ExitCode.NETWORK,
    "redirect": ExitCode.NETWORK,
    "request": ExitCode.USAGE,
}


def failure_exit(failure: Failure) -> ExitCode:
    """The exit code of a request that failed this way."""
    return FAILURE_EXIT[failure.kind]


def local_exit(error: LocalModelError) -> ExitCode:
    """The exit code when the local model could not be served."""
    return ExitCode.NETWORK if error.server_failed else ExitCode.USAGE


def say(message: str, *, fold: bool = True) -> None:
    """One message on stderr, after ``cline-tui: ``. Folded (the default): control-free,
    on one line, at most 2000 characters; ``fold=False`` prints it as written."""
    text = one_line(message, 2000) if fold else message
    print(f"cline-tui: {text}", file=sys.stderr, flush=True)
