"""Configuration (config.toml): sensible defaults with no file, config.toml read when present, odd
or broken files turned into warnings that say where, never an exception and never a
file written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.config import (
    CLINE_BASE_URL,
    DEFAULT_MODEL,
    ConfigError,
    Paths,
    load_config,
)


def write_config(home: Path, text: str, mode: int = 0o644) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_defaults_with_no_config_file(isolated_home: Path) -> None:
    config = load_config()
    assert config.paths.config_file == isolated_home / "config.toml"
    assert config.paths.conversations == isolated_home / "conversations"
    assert config.profile.name == "cline"
    assert config.profile.base_url == CLINE_BASE_URL
    assert config.profile.api_key_env == "CLINE_API_KEY"
    assert config.model == DEFAULT_MODEL
    assert (config.temperature, config.system, config.theme) == (None, None, None)
    assert config.api_key is None
    assert config.warnings == ()


def test_cline_api_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINE_API_KEY", "sk-from-env")
    assert load_config().api_key == "sk-from-env"


def test_cline_base_url_overrides_the_default_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINE_BASE_URL", "http://127.0.0.1:8123/api/v1/")
    config = load_config()
    assert config.profile.name == "cline"
    assert config.profile.base_url == "http://127.0.0.1:8123/api/v1"
    assert config.profiles["openrouter"].base_url == "https://openrouter.ai/api/v1"


def test_cline_base_url_wins_over_the_config_file(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(isolated_home, """\
[profiles.cline]
base_url = "https://staging.example.com/api/v1"
headers = { X-Team = "blue" }
""")
    monkeypatch.setenv("CLINE_BASE_URL", "http://127.0.0.1:8123/api/v1")
    config = load_config()
    assert config.profile.base_url == "http://127.0.0.1:8123/api/v1"
    assert config.profile.headers == {"X-Team": "blue"}  # the rest of the table still applies


def test_a_config_file_with_profiles_model_and_temperature_is_read(isolated_home: Path) -> None:
    write_config(isolated_home, """\
model = "qwen3:8b"
profile = "local"
temperature = 0.3
system = "Answer in French."
theme = "nord"
timeout = 30

[profiles.local]
base_url = "http://127.0.0.1:8080/v1/"
models = ["qwen3:8b", "llama3"]
headers = { X-Test = "1" }

[keys]
"ctrl+j" = "submit"
""")
    config = load_config()
    assert config.warnings == ()
    assert config.profile.name == "local"
    assert config.profile.base_url == "http://127.0.0.1:8080/v1"
    assert config.profile.models == ("qwen3:8b", "llama3")
    assert config.profile.headers == {"X-Test": "1"}
    assert config.model == "qwen3:8b"
    assert config.temperature == 0.3
    assert config.system == "Answer in French."
    assert config.theme == "nord"
    assert config.timeout == 30.0
    assert config.keys == {"ctrl+j": "submit"}
    assert "cline" in config.profiles  # the built-in profiles are still there


def test_a_profile_without_a_model_uses_its_first_listed_model(isolated_home: Path) -> None:
    write_config(isolated_home, """\
profile = "local"
temperature = 1

[profiles.local]
base_url = "http://127.0.0.1:8080/v1"
models = ["first", "second"]
""")
    config = load_config()
    assert config.model == "first"
    assert config.temperature == 1.0


def test_unknown_keys_are_reported_by_name(isolated_home: Path) -> None:
    path = write_config(isolated_home, """\
model = "m"
colour = "red"

[profiles.local]
base_url = "http://127.0.0.1:8080/v1"
base_uri = "typo"

[display]
wrap = true
""")
    config = load_config()
    text = "\n".join(config.warnings)
    assert "'colour'" in text
    assert "'display'" in text
    assert "'base_uri'" in text and "profiles.local" in text
    assert str(path) in text
    assert "'model'" not in text
    assert config.model == "m"  # the known settings still apply
    assert config.profiles["local"].base_url == "http://127.0.0.1:8080/v1"


def test_settings_of_the_wrong_type_are_reported_and_ignored(isolated_home: Path) -> None:
    write_config(isolated_home, """\
model = 42
temperature = "hot"
profile = "nowhere"

[profiles.cline]
api_key_env = ["MY_KEY"]
""")
    config = load_config()
    text = "\n".join(config.warnings)
    assert "'model'" in text and "'temperature'" in text and "'nowhere'" in text
    assert "api_key_env" in text
    assert config.model == DEFAULT_MODEL
    assert config.temperature is None
    assert config.profile.name == "cline"
    assert config.profile.api_key_env == "CLINE_API_KEY"
    assert config.api_key is None


def test_a_broken_file_names_the_line_and_defaults_are_used(isolated_home: Path) -> None:
    path = write_config(isolated_home, 'model = "m"\nprofile = "local"\ntemperature = \n')
    config = load_config()
    assert len(config.warnings) == 1
    assert str(path) in config.warnings[0]
    assert "line 3" in config.warnings[0]
    assert config.model == DEFAULT_MODEL
    assert config.profile.name == "cline"


def test_a_config_file_that_is_not_utf8_is_reported(isolated_home: Path) -> None:
    isolated_home.mkdir()
    (isolated_home / "config.toml").write_bytes(b'model = "caf\xe9"\n')
    config = load_config()
    assert len(config.warnings) == 1
    assert "config.toml" in config.warnings[0]
    assert config.model == DEFAULT_MODEL


def test_a_config_path_that_is_a_folder_is_reported(isolated_home: Path) -> None:
    (isolated_home / "config.toml").mkdir(parents=True)
    config = load_config()
    assert len(config.warnings) == 1
    assert "config.toml" in config.warnings[0]


TOML_VALUE = st.recursive(
    st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
TOP = ["model", "profile", "theme", "temperature", "system", "keys", "timeout", "other"]
PROFILE = ["base_url", "api_key_env", "api_key", "headers", "models", "catalog", "other"]


@st.composite
def config_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Config files with the right names and any values at all."""
    data = dict(draw(st.dictionaries(st.sampled_from(TOP), TOML_VALUE, max_size=5)))
    profiles = {}
    for name in draw(st.lists(st.sampled_from(["cline", "local", "openai", "x"]),
                              max_size=3, unique=True)):
        table = draw(st.dictionaries(st.sampled_from(PROFILE), TOML_VALUE, max_size=5))
        if draw(st.booleans()):
            table["base_url"] = "http://127.0.0.1:9/v1"
        profiles[name] = table
    if profiles:
        data["profiles"] = profiles
    if "profile" not in data and profiles and draw(st.booleans()):
        data["profile"] = draw(st.sampled_from(sorted(profiles)))
    return data


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=config_documents(), mode=st.sampled_from([0o600, 0o644]))
def test_any_config_file_gives_a_usable_config(
    isolated_home: Path, data: dict[str, Any], mode: int
) -> None:
    write_config(isolated_home, tomli_w.dumps(data), mode)
    config = load_config()
    # Everything the program asks of a config works.
    assert config.profile.base_url.startswith(("http://", "https://"))
    assert isinstance(config.model, str)
    assert config.api_key is None or isinstance(config.api_key, str)
    assert isinstance(config.profile.key_help(), str)
    assert config.timeout > 0
    for warning in config.warnings:
        assert isinstance(warning, str)
    config.with_overrides(profile="cline", base_url="http://127.0.0.1:9", model="m")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=200))
def test_any_bytes_as_a_config_file_never_raise(isolated_home: Path, body: bytes) -> None:
    isolated_home.mkdir(exist_ok=True)
    (isolated_home / "config.toml").write_bytes(body)
    config = load_config()
    assert config.profile.base_url.startswith(("http://", "https://"))


# --- command-line overrides -------------------------------------------------------------


def test_an_unknown_profile_on_the_command_line_is_an_error() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config().with_overrides(profile="nope")
    assert "'nope'" in str(raised.value)
    assert "cline" in str(raised.value)  # and it says which profiles exist


@pytest.mark.parametrize("url", [
    "ftp://example.com/v1", "example.com/v1", "127.0.0.1:8080", "http://", "file:///etc",
    "",
])
def test_a_base_url_that_is_not_http_is_an_error(url: str) -> None:
    with pytest.raises(ConfigError, match="http"):
        load_config().with_overrides(base_url=url)


def test_command_line_options_override_the_file(isolated_home: Path) -> None:
    write_config(isolated_home, 'model = "m"\ntemperature = 0.2\nsystem = "file"\n')
    config = load_config().with_overrides(
        profile="openrouter", base_url="http://127.0.0.1:9/v1/", model="other",
        system="cli", temperature=0.9,
    )
    assert config.profile.name == "openrouter"
    assert config.profile.base_url == "http://127.0.0.1:9/v1"
    assert (config.model, config.system, config.temperature) == ("other", "cli", 0.9)


# --- the API key in a file --------------------------------------------------------------

KEY_IN_FILE = """\
[profiles.cline]
api_key = "sk-secret-in-file"
"""


# Readable or writable by the group alone counts too (0640: a bug once let it through).
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o620, 0o604, 0o602, 0o610])
def test_an_api_key_in_a_file_others_can_read_is_ignored(isolated_home: Path, mode: int) -> None:
    write_config(isolated_home, KEY_IN_FILE, mode=mode)
    config = load_config()
    assert config.api_key is None
    text = "\n".join(config.warnings)
    assert "api_key" in text and "chmod 600" in text
    assert "sk-secret-in-file" not in text
    assert "sk-secret-in-file" not in repr(config)


def test_an_api_key_in_an_owner_only_file_is_used(isolated_home: Path) -> None:
    write_config(isolated_home, KEY_IN_FILE, mode=0o600)
    config = load_config()
    assert config.api_key == "sk-secret-in-file"
    assert config.warnings == ()
    assert "sk-secret-in-file" not in repr(config)


def test_the_environment_key_wins_over_a_key_in_the_file(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(isolated_home, KEY_IN_FILE, mode=0o600)
    monkeypatch.setenv("CLINE_API_KEY", "sk-from-env")
    assert load_config().api_key == "sk-from-env"


# --- nothing written ----------------------------------------------------------------------


def test_loading_the_config_writes_nothing(isolated_home: Path) -> None:
    load_config()
    assert not isolated_home.exists()
    isolated_home.mkdir()
    load_config()
    assert list(isolated_home.iterdir()) == []


def test_without_cline_tui_home_the_xdg_folders_are_used_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLINE_TUI_HOME")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    config = load_config()
    assert config.paths == Paths.from_env()
    assert config.paths.config_file == tmp_path / "xdg_config_home" / "cline-tui" / "config.toml"
    assert config.paths.conversations == (
        tmp_path / "xdg_data_home" / "cline-tui" / "conversations"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- values checked (issue 13, item 5) ----------------------------------------------------


@pytest.mark.parametrize("value", ["99", "nan", "inf", "-inf", "-0.5", "2.01", '"hot"', "true"])
def test_a_temperature_outside_0_to_2_is_reported_and_not_used(
    isolated_home: Path, value: str
) -> None:
    write_config(isolated_home, f"temperature = {value}\n")
    config = load_config()
    assert config.temperature is None
    assert [w for w in config.warnings if "'temperature'" in w], config.warnings


@pytest.mark.parametrize("value", ["0", "0.0", "2", "1.25"])
def test_a_temperature_from_0_to_2_is_used(isolated_home: Path, value: str) -> None:
    write_config(isolated_home, f"temperature = {value}\n")
    config = load_config()
    assert config.temperature == float(value)
    assert config.warnings == ()


@pytest.mark.parametrize(("key", "value"), [
    ("timeout", "nan"), ("timeout", "inf"), ("timeout", "0"), ("timeout", "-5"),
    ("local_port", "70000"), ("local_port", "-1"), ("local_context", "0"),
])
def test_numbers_that_cannot_work_are_reported_and_not_used(
    isolated_home: Path, key: str, value: str
) -> None:
    write_config(isolated_home, f"{key} = {value}\n")
    config = load_config()
    assert [w for w in config.warnings if f"'{key}'" in w], config.warnings
    assert config.timeout == 120.0
    assert config.local_port is None and config.local_context is None


@pytest.mark.parametrize("value", ["99", "nan", "inf", '"0.5"'])
def test_settings_toml_values_out_of_range_are_reported_and_not_used(
    isolated_home: Path, value: str
) -> None:
    from tui.storage.settings import Settings

    isolated_home.mkdir(parents=True, exist_ok=True)
    path = isolated_home / "settings.toml"
    path.write_text(f"temperature = {value}\nstreaming = \"no\"\ntheme = \"sepia\"\n")
    chosen = Settings(path)
    assert chosen.temperature is None
    assert chosen.problem is None
    assert [w for w in chosen.warnings if "'temperature'" in w], chosen.warnings
    assert [w for w in chosen.warnings if "'streaming'" in w], chosen.warnings
    assert len(chosen.warnings) == 2
    chosen.remember_theme("amber-crt")  # other choices still save, the odd values kept
    assert f"temperature = {value}" in path.read_text()


def test_a_wrong_local_model_setting_is_reported_too(isolated_home: Path) -> None:
    write_config(isolated_home, "local_model = 5\n")
    config = load_config()
    assert config.local_model is None
    assert [w for w in config.warnings if "'local_model'" in w], config.warnings


def test_a_settings_choice_with_a_lone_surrogate_still_saves(isolated_home: Path) -> None:
    from tui.storage.settings import Settings

    chosen = Settings(isolated_home / "settings.toml")
    chosen.update(presets={"pasted": "half an emoji \ud83d"})
    assert Settings(isolated_home / "settings.toml").presets == {
        "pasted": "half an emoji \ufffd"}


def test_budget_limits_are_read_and_bad_ones_are_warned_about(tmp_path: Path) -> None:
    from tui.config import Paths, load_config

    paths = Paths(tmp_path, tmp_path, tmp_path / "cache")
    (tmp_path / "config.toml").write_text(
        '[budget]\ndaily = 5\nper_conversation = -1\nmonthly = 3\n')
    config = load_config(paths, environ={})
    assert config.budget.daily == 5.0
    assert config.budget.per_conversation is None  # a negative limit is off, and said so
    text = " ".join(config.warnings)
    assert "budget.per_conversation" in text and "budget.monthly" in text
