"""Child processes the app starts (the local model server, MCP tool servers): what they
may see of the environment, and how they are made to die with the app.

A child gets an allow-list of the app's environment, never a secret. On Linux the kernel
kills it when the app dies, even by SIGKILL (``PR_SET_PDEATHSIG``), either through
``die_with_parent`` as a ``preexec_fn`` or, where the caller cannot pass one (a library
that spawns the process itself), through ``death_wrapped``: a tiny Python step that arms
the signal and then ``exec``s the real command, which keeps it (same pid, same parent).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

_PR_SET_PDEATHSIG = 1

# What a child process may see of the app's environment: enough to find its libraries,
# the user's locale and temp dir, and the CPU/GPU tuning knobs. API keys (CLINE_API_KEY,
# OPENAI_API_KEY, a profile's api_key_env) and everything else stay in the app.
_CHILD_NAMES = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
})
_CHILD_PREFIXES = ("LC_", "CUDA_", "HIP_", "ROCR_", "GGML_", "OMP_", "OPENBLAS_", "MKL_")
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH")

# Run as ``python -I -S -c _EXEC_WITH_DEATH PARENT_PID COMMAND ARGS...``.
_EXEC_WITH_DEATH = """\
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    os._exit(1)
try:
    os.execvp(sys.argv[2], sys.argv[2:])
except OSError as error:
    sys.stderr.write(f"cannot run {sys.argv[2]}: {error.strerror or error}\\n")
    os._exit(127)
"""


def child_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a child process gets: an allow-list, never a secret."""
    env = os.environ if environ is None else environ
    return {
        name: value for name, value in env.items()
        if (name in _CHILD_NAMES or name.startswith(_CHILD_PREFIXES))
        and not any(word in name.upper() for word in _SECRET_WORDS)
    }


def die_with_parent() -> Callable[[], None] | None:
    """For ``preexec_fn``: ask the kernel to SIGKILL the child when its parent dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return set_death_signal


def death_wrapped(command: str, args: list[str]) -> tuple[str, list[str]]:
    """``command args`` as a command line whose process dies with this one (Linux; the
    command as given elsewhere). Spawn it from the thread that lives as long as the app:
    the parent-death signal fires when the *thread* that forked exits."""
    if not sys.platform.startswith("linux"):
        return command, list(args)
    return sys.executable, ["-I", "-S", "-c", _EXEC_WITH_DEATH, str(os.getpid()), command,
                            *args]


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``pid`` leads; gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def log_tail(path: Path, size: int = 16 * 1024) -> str:
    """The last ``size`` bytes of a log file as text ("" when it cannot be read)."""
    try:
        with path.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - size))
            return file.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
