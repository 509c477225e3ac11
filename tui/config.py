"""The configuration: where files live, config.toml, profiles and the API key. (Not the
settings: those are settings.toml, written by the settings screen; tui/storage/settings.py.)

Reading the configuration never writes anything and never fails: a broken or odd file
becomes a list of plain warnings and the defaults are used.
"""

from __future__ import annotations

import math
import os
import stat
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.budget_config import Budget, parse_budget
from tui.model.temperature import check_temperature
from tui.tool_config import (
    ToolServerConfig,
    ToolSettings,
    parse_tool_servers,
    parse_tool_settings,
)

CLINE_BASE_URL = "https://api.cline.bot/api/v1"
DEFAULT_MODEL = "anthropic/claude-sonnet-4.6"
PROJECT_URL = "https://github.com/cline/cline-tui"


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str
    api_key_env: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    models: tuple[str, ...] = ()
    catalog: str = "openai"  # "cline": GET /ai/cline/models; "openai": GET /models
    api_key: str | None = field(default=None, repr=False)  # only from a 0600 config file
    starts_server: bool = False  # the app runs this endpoint itself (the local model)

    def key(self, environ: dict[str, str] | os._Environ[str] | None = None) -> str | None:
        env = os.environ if environ is None else environ
        if self.api_key_env and env.get(self.api_key_env):
            return env[self.api_key_env]
        return self.api_key

    @property
    def is_cline(self) -> bool:
        return self.catalog == "cline"

    def key_help(self) -> str:
        """How to give this profile a key, in one sentence."""
        if not self.api_key_env:
            return f"Profile '{self.name}' has no api_key_env set in config.toml."
        where = " (get one at https://app.cline.bot)" if self.is_cline else ""
        return f"Set it with: export {self.api_key_env}=your-key{where}"


BUILTIN_PROFILES: dict[str, Profile] = {
    "cline": Profile("cline", CLINE_BASE_URL, "CLINE_API_KEY", catalog="cline"),
    "openrouter": Profile("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "openai": Profile("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "ollama": Profile("ollama", "http://127.0.0.1:11434/v1"),
    # The port is chosen when the server starts (tui/local/server.py).
    "local": Profile("local", "http://127.0.0.1/v1", starts_server=True),
}

_TOP_KEYS = {"model", "profile", "theme", "temperature", "system", "profiles", "keys", "timeout"}
_TOP_KEYS |= {"local_model", "local_port", "local_context", "mcp", "tools", "budget"}
_PROFILE_KEYS = {"base_url", "api_key_env", "api_key", "headers", "models", "catalog"}


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def conversations(self) -> Path:
        return self.data_dir / "conversations"

    @property
    def themes(self) -> Path:
        return self.config_dir / "themes"

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        home = env.get("CLINE_TUI_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(root, root, root / "cache")
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir("cline-tui")),
            Path(platformdirs.user_data_dir("cline-tui")),
            Path(platformdirs.user_cache_dir("cline-tui")),
        )


@dataclass(frozen=True)
class Config:
    paths: Paths
    profile: Profile
    model: str
    profiles: dict[str, Profile]
    theme: str | None = None
    temperature: float | None = None
    system: str | None = None
    timeout: float = 120.0
    keys: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    local_model: str | None = None  # a GGUF file for the local profile (None: bundled)
    local_port: int | None = None  # None or 0: any free port
    local_context: int | None = None  # tokens; None: the model's window, at most 8192
    # Not a setting: the --chat_format the local server was started with (served_config).
    local_chat_format: str | None = None
    mcp: tuple[ToolServerConfig, ...] = ()  # [mcp.NAME] tool servers, in the file's order
    tools: ToolSettings = field(default_factory=ToolSettings)
    budget: Budget = field(default_factory=Budget)  # [budget] spending limits

    @property
    def api_key(self) -> str | None:
        return self.profile.key()

    def with_overrides(
        self,
        *,
        profile: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        system: str | None = None,
        temperature: float | None = None,
        local_model: str | None = None,
    ) -> Config:
        """The config with command-line options applied. Raises ConfigError."""
        if local_model is not None:
            if profile not in (None, "local"):
                raise ConfigError("--local-model works only with the local profile")
            profile = "local"
        chosen = self.profile
        new_model = self.model
        if profile is not None:
            if profile not in self.profiles:
                names = ", ".join(sorted(self.profiles))
                raise ConfigError(f"unknown profile '{profile}' (known: {names})")
            chosen = self.profiles[profile]
            if profile != self.profile.name and model is None:
                new_model = default_model(chosen)
        if base_url is not None:
            check_url(base_url)
            chosen = replace(chosen, base_url=base_url.rstrip("/"))
        return replace(
            self,
            profile=chosen,
            model=model or new_model,
            system=system if system is not None else self.system,
            temperature=temperature if temperature is not None else self.temperature,
            local_model=local_model or self.local_model,
        )


class ConfigError(Exception):
    """A setting that cannot be used: the message says which and why."""


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"'{url}' is not an http(s) URL")


def default_model(profile: Profile) -> str:
    if profile.models:
        return profile.models[0]
    return DEFAULT_MODEL if profile.is_cline else ""


def load_config(
    paths: Paths | None = None, environ: dict[str, str] | os._Environ[str] | None = None
) -> Config:
    env = os.environ if environ is None else environ
    paths = paths or Paths.from_env(env)
    warnings: list[str] = []
    data = _read_file(paths.config_file, warnings)
    owner_only = _owner_only(paths.config_file)

    for key in data:
        if key not in _TOP_KEYS:
            warnings.append(f"{paths.config_file}: unknown setting '{key}' (ignored)")

    profiles = dict(BUILTIN_PROFILES)
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        warnings.append(f"{paths.config_file}: 'profiles' must be a table (ignored)")
        raw_profiles = {}
    for name, table in raw_profiles.items():
        parsed = _parse_profile(name, table, profiles.get(name), owner_only, warnings)
        if parsed is not None:
            profiles[name] = parsed
    # The environment wins over the file, as everywhere else.
    cline_url = env.get("CLINE_BASE_URL")
    if cline_url:
        profiles["cline"] = replace(profiles["cline"], base_url=cline_url.rstrip("/"))

    profile_name = _get(data, "profile", str, warnings) or "cline"
    if profile_name not in profiles:
        warnings.append(f"unknown profile '{profile_name}' in config.toml; using 'cline'")
        profile_name = "cline"
    profile = profiles[profile_name]

    model = _get(data, "model", str, warnings)
    theme = _get(data, "theme", str, warnings)
    system = _get(data, "system", str, warnings)
    temperature = _temperature(data, warnings)
    timeout = _in_range(data, "timeout", 0.0, math.inf, warnings, low_open=True)
    keys = _get(data, "keys", dict, warnings) or {}
    # Read before the Config is built: its warnings tuple is taken then.
    local_model = _get(data, "local_model", str, warnings)
    local_port = _in_range(data, "local_port", 0, 65535, warnings)
    local_context = _in_range(data, "local_context", 1, math.inf, warnings)
    tools = parse_tool_settings(data.get("tools"), warnings)
    mcp = parse_tool_servers(data.get("mcp"), tools, warnings)
    budget = parse_budget(data.get("budget"), warnings)
    return Config(
        paths=paths,
        profile=profile,
        model=model or default_model(profile),
        profiles=profiles,
        theme=theme,
        temperature=temperature,
        system=system,
        timeout=timeout if timeout is not None else 120.0,
        keys=_flat_keys(keys),
        warnings=tuple(warnings),
        local_model=local_model,
        local_port=local_port,
        local_context=local_context,
        mcp=mcp,
        tools=tools,
        budget=budget,
    )


def _flat_keys(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``[keys]`` with dotted ids: ``chat.model = "f6"`` is a nested table in TOML."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat_keys(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def _read_file(path: Path, warnings: list[str]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        warnings.append(f"{path}: cannot be read ({error}); using defaults")
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # The message names the line and column, e.g. "(at line 3, column 7)".
        warnings.append(f"{path}: {error}; using defaults")
        return {}


def _owner_only(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def _get(data: dict[str, Any], key: str, kind: type, warnings: list[str]) -> Any:
    if key not in data:
        return None
    value = data[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        warnings.append(f"config.toml: '{key}' should be a {kind.__name__} (ignored)")
        return None
    return value


def _temperature(data: dict[str, Any], warnings: list[str]) -> float | None:
    value = _get(data, "temperature", float, warnings)
    if value is None:
        return None
    checked = check_temperature(value)
    if isinstance(checked, str):
        warnings.append(f"config.toml: 'temperature' = {checked} (ignored)")
        return None
    return checked


def _in_range(data: dict[str, Any], key: str, low: float, high: float, warnings: list[str],
              *, low_open: bool = False) -> Any:
    """``data[key]`` if it is a finite number from ``low`` to ``high`` (a whole number when
    ``low`` is an int); otherwise None and a warning. ``nan`` and ``inf`` are TOML floats:
    sent as is, NaN makes a request body that is not JSON."""
    kind = int if isinstance(low, int) else float
    value = _get(data, key, kind, warnings)
    if value is None:
        return None
    if not math.isfinite(value) or value < low or value > high or (low_open and value == low):
        bound = "above" if low_open else "from"
        limit = f"{bound} {low:g}" + ("" if math.isinf(high) else f" to {high:g}")
        warnings.append(f"config.toml: '{key}' = {value!r} is not a number {limit} (ignored)")
        return None
    return value


def _parse_profile(
    name: str, table: Any, base: Profile | None, owner_only: bool, warnings: list[str]
) -> Profile | None:
    if not isinstance(table, dict):
        warnings.append(f"config.toml: [profiles.{name}] must be a table (ignored)")
        return None
    for key in table:
        if key not in _PROFILE_KEYS:
            warnings.append(f"config.toml: unknown setting '{key}' in [profiles.{name}] (ignored)")
    base_url = table.get("base_url", base.base_url if base else None)
    if not isinstance(base_url, str):
        warnings.append(f"config.toml: [profiles.{name}] needs a base_url (profile ignored)")
        return None
    try:
        check_url(base_url)
    except ConfigError as error:
        warnings.append(f"config.toml: [profiles.{name}] {error} (profile ignored)")
        return None
    headers = table.get("headers", {})
    if not isinstance(headers, dict):
        warnings.append(f"config.toml: [profiles.{name}] headers must be a table (ignored)")
        headers = {}
    models = table.get("models", [])
    if not isinstance(models, list):
        warnings.append(f"config.toml: [profiles.{name}] models must be a list (ignored)")
        models = []
    api_key = table.get("api_key")
    if api_key is not None and not owner_only:
        warnings.append(
            f"config.toml: [profiles.{name}] api_key ignored: the file is readable by others "
            "(chmod 600 it, or use api_key_env)"
        )
        api_key = None
    api_key_env = table.get("api_key_env", base.api_key_env if base else None)
    if api_key_env is not None and not isinstance(api_key_env, str):
        warnings.append(f"config.toml: [profiles.{name}] api_key_env must be text (ignored)")
        api_key_env = base.api_key_env if base else None
    catalog = table.get("catalog", base.catalog if base else "openai")
    return Profile(
        name=name,
        base_url=base_url.rstrip("/"),
        api_key_env=api_key_env,
        headers={str(k): str(v) for k, v in headers.items()},
        models=tuple(str(m) for m in models),
        catalog=catalog if catalog in ("cline", "openai") else "openai",
        api_key=api_key if isinstance(api_key, str) else None,
        # A [profiles.local] with its own base_url is a server the user runs.
        starts_server=bool(base and base.starts_server and "base_url" not in table),
    )
