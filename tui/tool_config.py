"""``[mcp.NAME]`` tool servers and the ``[tools]`` table of config.toml, read into typed
entries. As everywhere in the configuration, a bad value is a warning and the default is
used: the app still starts. Nothing here starts a server (``tui/tools/servers.py`` does).

    [tools]
    timeout = 60          # seconds one call may take (a server may set its own)
    rounds = 10           # model requests with tool results in one turn, at most
    result_limit = 20000  # characters of one result sent to the model

    [mcp.time]            # a server started as a process, spoken to over stdio
    command = "uvx"
    args = ["mcp-server-time"]
    env = { TZ = "Europe/Paris" }
    allow = ["get_current_time"]   # run without asking

    [mcp.docs]            # a server reached over streamable HTTP
    url = "http://127.0.0.1:8000/mcp"
    headers = { Authorization = "Bearer ..." }
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DEFAULT_TIMEOUT = 60.0
DEFAULT_ROUNDS = 10
DEFAULT_RESULT_LIMIT = 20_000

_SERVER_KEYS = frozenset({"command", "args", "env", "cwd", "url", "headers", "enabled", "allow",
                          "timeout"})
_TOOLS_KEYS = frozenset({"timeout", "rounds", "result_limit"})


@dataclass(frozen=True)
class ToolSettings:
    """The ``[tools]`` table."""

    timeout: float = DEFAULT_TIMEOUT
    rounds: int = DEFAULT_ROUNDS
    result_limit: int = DEFAULT_RESULT_LIMIT


@dataclass(frozen=True)
class ToolServerConfig:
    """One ``[mcp.NAME]`` table: a command (stdio) or a URL (streamable HTTP)."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # may hold a token
    enabled: bool = True
    allow: tuple[str, ...] = ()  # tool names that run without asking
    timeout: float = DEFAULT_TIMEOUT  # seconds per call

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"


def parse_tool_settings(table: Any, warnings: list[str]) -> ToolSettings:
    """The ``[tools]`` table (absent: the defaults)."""
    if table is None:
        return ToolSettings()
    if not isinstance(table, dict):
        warnings.append("config.toml: [tools] must be a table (ignored)")
        return ToolSettings()
    for key in table:
        if key not in _TOOLS_KEYS:
            warnings.append(f"config.toml: unknown setting '{key}' in [tools] (ignored)")
    timeout = _number(table, "timeout", "[tools]", warnings, whole=False)
    rounds = _number(table, "rounds", "[tools]", warnings, whole=True)
    limit = _number(table, "result_limit", "[tools]", warnings, whole=True)
    return ToolSettings(
        timeout=DEFAULT_TIMEOUT if timeout is None else float(timeout),
        rounds=DEFAULT_ROUNDS if rounds is None else int(rounds),
        result_limit=DEFAULT_RESULT_LIMIT if limit is None else int(limit),
    )


def parse_tool_servers(
    table: Any, settings: ToolSettings, warnings: list[str]
) -> tuple[ToolServerConfig, ...]:
    """Every usable ``[mcp.NAME]`` table, in the file's order."""
    if table is None:
        return ()
    if not isinstance(table, dict):
        warnings.append("config.toml: 'mcp' must be a table of [mcp.NAME] tables (ignored)")
        return ()
    servers = []
    for name, entry in table.items():
        parsed = _parse_server(str(name), entry, settings, warnings)
        if parsed is not None:
            servers.append(parsed)
    return tuple(servers)


def _parse_server(
    name: str, table: Any, settings: ToolSettings, warnings: list[str]
) -> ToolServerConfig | None:
    where = f"[mcp.{name}]"
    if not isinstance(table, dict):
        warnings.append(f"config.toml: {where} must be a table (ignored)")
        return None
    for key in table:
        if key not in _SERVER_KEYS:
            warnings.append(f"config.toml: unknown setting '{key}' in {where} (ignored)")
    command, url = table.get("command"), table.get("url")
    if command is not None and (not isinstance(command, str) or not command.strip()):
        warnings.append(f"config.toml: {where} command must be text (server ignored)")
        return None
    if url is not None:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            warnings.append(f"config.toml: {where} url must be an http(s) URL (server ignored)")
            return None
    if (command is None) == (url is None):
        warnings.append(f"config.toml: {where} needs either a command (a program run over "
                        "stdio) or a url (streamable HTTP) (server ignored)")
        return None
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        warnings.append(f"config.toml: {where} enabled must be true or false (taken as true)")
        enabled = True
    cwd = table.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        warnings.append(f"config.toml: {where} cwd must be text (ignored)")
        cwd = None
    timeout = _number(table, "timeout", where, warnings, whole=False)
    return ToolServerConfig(
        name=name,
        command=command,
        args=tuple(_texts(table, "args", where, warnings)),
        env=_text_table(table, "env", where, warnings),
        cwd=cwd,
        url=url,
        headers=_text_table(table, "headers", where, warnings),
        enabled=enabled,
        allow=tuple(_texts(table, "allow", where, warnings)),
        timeout=settings.timeout if timeout is None else float(timeout),
    )


def _texts(table: dict[str, Any], key: str, where: str, warnings: list[str]) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    warnings.append(f"config.toml: {where} {key} must be a list of texts (ignored)")
    return []


def _text_table(table: dict[str, Any], key: str, where: str,
                warnings: list[str]) -> dict[str, str]:
    value = table.get(key, {})
    if isinstance(value, dict) and all(isinstance(item, str) for item in value.values()):
        return {str(k): v for k, v in value.items()}
    warnings.append(f"config.toml: {where} {key} must be a table of texts (ignored)")
    return {}


def _number(table: dict[str, Any], key: str, where: str, warnings: list[str],
            *, whole: bool) -> float | None:
    """A positive number (a whole one with ``whole``), or None and a warning."""
    if key not in table:
        return None
    value = table[key]
    kind_ok = isinstance(value, int) if whole else isinstance(value, int | float)
    if (kind_ok and not isinstance(value, bool) and math.isfinite(value) and value > 0):
        return float(value)
    kind = "a whole number" if whole else "a number"
    warnings.append(f"config.toml: {where} {key} = {value!r} is not {kind} above 0 (ignored)")
    return None
