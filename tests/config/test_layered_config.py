"""The generic loader on small throwaway models: layers, env, errors, versions, writing."""

from __future__ import annotations

import fcntl
import os
import stat
import threading
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from common.layered_config import (
    ConfigError,
    config_hash,
    dump_config,
    edit_dropin,
    get_dotted,
    layer_files,
    load_layered,
    parse_text_value,
    write_toml_atomic,
)

pytestmark = pytest.mark.in_process


class Net(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = "localhost"
    port: int = Field(default=80, ge=1, le=65535)
    tags: list[str] = Field(default_factory=list)


class Look(BaseModel):
    model_config = ConfigDict(extra="forbid")
    theme: Literal["light", "dark"] = "light"
    label: str = "x"
    scale: float = 1.0
    enabled: bool = False
    code: int | None = None


class App(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    net: Net = Field(default_factory=Net)
    look: Look = Field(default_factory=Look)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _load(files: list[Path], env: dict[str, str] | None = None, **kwargs: Any) -> App:
    return load_layered(App, files=files, env_prefix="APP_", env=env or {}, **kwargs)


# --- layering ---------------------------------------------------------------------------


def test_defaults_when_no_file_exists(tmp_path: Path) -> None:
    config = _load([tmp_path / "missing.toml", tmp_path / "d" / "10-x.toml"])
    assert config == App()


def test_later_files_win_and_tables_merge_key_by_key(tmp_path: Path) -> None:
    main = _write(tmp_path / "app.toml", '[net]\nhost = "main"\nport = 81\n[look]\nlabel = "m"\n')
    first = _write(tmp_path / "app.d" / "10-a.toml", "[net]\nport = 82\n")
    second = _write(tmp_path / "app.d" / "20-b.toml", '[look]\nlabel = "b"\n')
    config = _load([main, first, second])
    assert config.net.host == "main"  # only main sets it
    assert config.net.port == 82  # 10-a beats main
    assert config.look.label == "b"  # 20-b beats main
    assert config.look.theme == "light"  # nobody sets it: the model default


def test_lists_are_replaced_not_appended(tmp_path: Path) -> None:
    main = _write(tmp_path / "a.toml", '[net]\ntags = ["a", "b"]\n')
    later = _write(tmp_path / "b.toml", '[net]\ntags = ["c"]\n')
    assert _load([main, later]).net.tags == ["c"]


def test_layer_files_orders_dropins_by_name_and_skips_hidden(tmp_path: Path) -> None:
    main = tmp_path / "app.toml"
    dropins = tmp_path / "app.d"
    for name in ("90-local.toml", "10-enroll.toml", "50-site.toml", ".50-x.toml.swp.toml"):
        _write(dropins / name, "")
    _write(dropins / "README", "")
    names = [p.name for p in layer_files(main, dropins)]
    assert names == ["app.toml", "10-enroll.toml", "50-site.toml", "90-local.toml"]
    extra = layer_files(main, dropins, also=[dropins / "60-new.toml"])
    assert [p.name for p in extra][3] == "60-new.toml"
    assert layer_files(main, tmp_path / "nowhere") == [main]


# --- environment ------------------------------------------------------------------------


def test_env_beats_every_file_and_is_typed_by_the_field(tmp_path: Path) -> None:
    main = _write(tmp_path / "a.toml", '[net]\nport = 81\n[look]\nlabel = "file"\n')
    env = {
        "APP_NET__PORT": "8080",
        "APP_LOOK__LABEL": "123",  # text field: stays text although it parses as a number
        "APP_LOOK__ENABLED": "true",
        "APP_LOOK__SCALE": "2.5",
        "APP_LOOK__CODE": "0x10",
        "APP_LOOK__THEME": "dark",  # not TOML: taken as text
        "APP_NET__TAGS": '["x", "y"]',
        "OTHER_NET__PORT": "1",  # another prefix: ignored
    }
    config = _load([main], env)
    assert config.net.port == 8080
    assert config.look.label == "123"
    assert config.look.enabled is True
    assert config.look.scale == 2.5
    assert config.look.code == 16
    assert config.look.theme == "dark"
    assert config.net.tags == ["x", "y"]


def test_env_quoted_toml_string_is_unquoted() -> None:
    config = _load([], {"APP_LOOK__LABEL": '"quoted"'})
    assert config.look.label == "quoted"


def test_env_prefix_trailing_underscore_is_optional() -> None:
    config = load_layered(App, files=[], env_prefix="APP", env={"APP_NET__PORT": "99"})
    assert config.net.port == 99


def test_other_tools_variables_sharing_the_prefix_are_left_alone() -> None:
    env = {"APP_CONFIG_DIR": "/x", "APP_SERVER_DATABASE_URL": "y", "APP__NET__PORT": "3"}
    assert _load([], env) == App()


def test_unknown_env_key_is_refused_with_a_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        _load([], {"APP_NET__PROT": "81"})
    err = caught.value
    assert err.path is None
    assert err.key == "net.prot"
    assert str(err) == (
        "environment variable APP_NET__PROT: unknown key 'net.prot' (did you mean 'net.port'?)"
    )


def test_misspelled_top_level_env_name_is_a_typo_not_a_stranger() -> None:
    with pytest.raises(ConfigError, match=r"APP_SCHEMA_VERSON.*did you mean 'schema_version'"):
        _load([], {"APP_SCHEMA_VERSON": "1"})


def test_env_setting_a_key_inside_a_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="APP_NET__PORT__X"):
        _load([], {"APP_NET__PORT": "1", "APP_NET__PORT__X": "2"})


def test_bad_env_value_names_the_variable_and_key() -> None:
    with pytest.raises(ConfigError) as caught:
        _load([], {"APP_NET__PORT": "99999"})
    assert caught.value.key == "net.port"
    assert str(caught.value).startswith("environment variable APP_NET__PORT: bad value")
    assert "less than or equal to 65535" in str(caught.value)


# --- errors in files --------------------------------------------------------------------


def test_unknown_key_in_file_names_file_line_and_suggestion(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "app.d" / "50-local.toml",
        '# local changes\n\n[look]\ntheme = "dark"\nlabl = "x"\n',
    )
    with pytest.raises(ConfigError) as caught:
        _load([path])
    err = caught.value
    assert (err.path, err.line, err.key) == (path, 5, "look.labl")
    assert str(err) == f"{path} line 5: unknown key 'look.labl' (did you mean 'look.label'?)"


def test_unknown_section_is_located_at_its_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", '[net]\nport = 1\n\n[lok]\ntheme = "dark"\n')
    with pytest.raises(ConfigError) as caught:
        _load([path])
    assert caught.value.line == 4
    assert "did you mean 'look'?" in str(caught.value)


def test_unknown_key_without_a_close_match_lists_the_known_keys(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", "[net]\nzzzzzz = 1\n")
    with pytest.raises(ConfigError, match=r"known keys in \[net\]: host, port, tags"):
        _load([path])


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", '[net]\nhost = "a"\nport = = 3\n')
    with pytest.raises(ConfigError) as caught:
        _load([path])
    assert (caught.value.path, caught.value.line) == (path, 3)
    assert str(caught.value).startswith(f"{path} line 3: invalid TOML: ")


def test_toml_error_at_end_of_file_names_the_last_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", "[net]\ntags = [1,\n")
    with pytest.raises(ConfigError) as caught:
        _load([path])
    assert caught.value.line == 3
    assert "end of the file" in str(caught.value)


def test_type_error_names_file_line_key_and_expectation(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", '[look]\ntheme = "dark"\n\n[net]\nhost = "h"\nport = "x"\n')
    with pytest.raises(ConfigError) as caught:
        _load([path])
    err = caught.value
    assert (err.path, err.line, err.key) == (path, 6, "net.port")
    assert "bad value for 'net.port'" in str(err)
    assert "valid integer" in str(err)
    assert "(got 'x')" in str(err)


def test_dotted_keys_and_inline_tables_are_located(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", 'look.theme = "dark"\nnet = { port = 0 }\n')
    with pytest.raises(ConfigError) as caught:
        _load([path])
    assert caught.value.line == 2
    assert caught.value.key == "net.port"


def test_error_blames_the_layer_that_set_the_value(tmp_path: Path) -> None:
    good = _write(tmp_path / "a.toml", "[net]\nport = 1\n")
    bad = _write(tmp_path / "b.toml", '\n[net]\nport = "no"\n')
    with pytest.raises(ConfigError) as caught:
        _load([good, bad])
    assert (caught.value.path, caught.value.line) == (bad, 3)


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", '[net]\nport = "x"\nhots = 1\n[look]\ntheme = "blue"\n')
    with pytest.raises(ConfigError) as caught:
        _load([path])
    err = caught.value
    lines = sorted(problem.line or 0 for problem in (err, *err.others))
    assert lines == [2, 3, 5]
    assert str(err).endswith("(and 2 more problems)")


def test_unreadable_and_undecodable_files_are_config_errors(tmp_path: Path) -> None:
    directory = tmp_path / "a.toml"
    directory.mkdir()
    with pytest.raises(ConfigError, match="cannot read the file"):
        _load([directory])
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"[net]\nhost = '\xff'\n")
    with pytest.raises(ConfigError) as caught:
        _load([binary])
    assert (caught.value.line, caught.value.message) == (2, "not UTF-8 text")


# --- schema versions --------------------------------------------------------------------


class AppV3(BaseModel):
    """Version 3 renamed ``net.address`` (v1) → ``net.hostname`` (v2) → ``net.host`` (v3)."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = 3
    net: Net = Field(default_factory=Net)


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    net = data.get("net", {})
    if "address" in net:
        net["hostname"] = net.pop("address")
    return data


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    net = data.get("net", {})
    if "hostname" in net:
        net["host"] = net.pop("hostname")
    return data


MIGRATIONS = {1: _v1_to_v2, 2: _v2_to_v3}


def test_old_files_pass_through_every_migration_step(tmp_path: Path) -> None:
    v1 = _write(tmp_path / "a.toml", 'schema_version = 1\n[net]\naddress = "old"\nport = 5\n')
    v2 = _write(tmp_path / "b.toml", 'schema_version = 2\n[net]\nhostname = "newer"\n')
    config = load_layered(AppV3, files=[v1], env_prefix="APP_", env={}, migrations=MIGRATIONS)
    assert (config.net.host, config.net.port, config.schema_version) == ("old", 5, 3)
    both = load_layered(AppV3, files=[v1, v2], env_prefix="APP_", env={}, migrations=MIGRATIONS)
    assert both.net.host == "newer"


def test_without_migration_the_old_name_is_an_unknown_key(tmp_path: Path) -> None:
    v1 = _write(tmp_path / "a.toml", 'schema_version = 3\n[net]\naddress = "old"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'net\.address'"):
        load_layered(AppV3, files=[v1], env_prefix="APP_", env={}, migrations=MIGRATIONS)


def test_future_schema_version_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", "\nschema_version = 4\n")
    with pytest.raises(ConfigError) as caught:
        load_layered(AppV3, files=[path], env_prefix="APP_", env={}, migrations=MIGRATIONS)
    assert (caught.value.path, caught.value.line, caught.value.key) == (path, 2, "schema_version")
    assert "newer than this software understands" in str(caught.value)


def test_missing_migration_step_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", "schema_version = 1\n")
    with pytest.raises(ConfigError, match="no migration to 2"):
        load_layered(AppV3, files=[path], env_prefix="APP_", env={}, migrations={2: _v2_to_v3})


@pytest.mark.parametrize("value", ["0", '"2"', "true", "1.5"])
def test_nonsense_schema_version_is_refused(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path / "a.toml", f"schema_version = {value}\n")
    with pytest.raises(ConfigError, match="whole number"):
        load_layered(AppV3, files=[path], env_prefix="APP_", env={}, migrations=MIGRATIONS)


def test_a_failing_migration_becomes_a_config_error(tmp_path: Path) -> None:
    def broken(data: dict[str, Any]) -> dict[str, Any]:
        return {"net": {"host": data["net"]["address"]}}

    path = _write(tmp_path / "a.toml", "schema_version = 2\n")
    with pytest.raises(ConfigError, match="cannot migrate from schema_version 2"):
        load_layered(AppV3, files=[path], env_prefix="APP_", env={}, migrations={2: broken})


# --- helpers ----------------------------------------------------------------------------


def test_dump_get_and_hash(tmp_path: Path) -> None:
    config = _load([_write(tmp_path / "a.toml", "[net]\nport = 8\n")])
    assert dump_config(config)["net"]["port"] == 8
    assert get_dotted(config, "net.port") == 8
    assert get_dotted(config, "look") == dump_config(config)["look"]
    assert get_dotted(config, "look.code") is None
    with pytest.raises(ConfigError, match=r"unknown key 'net\.prot' \(did you mean 'net\.port'"):
        get_dotted(config, "net.prot")
    with pytest.raises(ConfigError, match=r"unknown key 'net\.port\.x'"):
        get_dotted(config, "net.port.x")
    assert config_hash(config) != config_hash(App())
    assert len(config_hash(config)) == 64


def test_parse_text_value_follows_the_field_type() -> None:
    assert parse_text_value(App, "net.port", "81") == 81
    assert parse_text_value(App, "look.label", "81") == "81"
    assert parse_text_value(App, "look.label", "a\nb = 2") == "a\nb = 2"
    assert parse_text_value(App, "nowhere.x", "81") == 81


def test_write_toml_atomic_writes_0644_and_drops_none(tmp_path: Path) -> None:
    target = tmp_path / "new" / "10-x.toml"
    os.umask(0o077)
    try:
        write_toml_atomic(target, {"net": {"port": 3, "host": None}, "p": Path("/a")}, header="hi")
    finally:
        os.umask(0o022)
    assert target.read_text() == '# hi\np = "/a"\n\n[net]\nport = 3\n'
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["10-x.toml"]


def test_edit_dropin_validates_everything_before_writing(tmp_path: Path) -> None:
    main = _write(tmp_path / "a.toml", "[net]\nport = 1\n")
    dropin = tmp_path / "a.d" / "90-local.toml"
    files = layer_files(main, tmp_path / "a.d", also=[dropin])

    def edit(changes: dict[str, Any], env: dict[str, str] | None = None) -> App:
        return edit_dropin(
            App, files=files, dropin=dropin, changes=changes, env_prefix="APP_", env=env or {}
        )

    with pytest.raises(ConfigError, match=r"bad value for 'net\.port'"):
        edit({"net.port": 0})
    assert not dropin.exists()
    with pytest.raises(ConfigError, match="environment variable APP_LOOK__SCALE"):
        edit({"net.port": 2}, {"APP_LOOK__SCALE": "big"})
    assert not dropin.exists()
    assert edit({"net.port": 2, "look.label": "z"}).net.port == 2
    assert edit({"look.label": None}).look.label == "x"
    assert dropin.read_text() == "schema_version = 1\n\n[net]\nport = 2\n"
    before = dropin.read_bytes()
    for bad in ({"net.prot": 1}, {"net": 1}, {"schema_version": 2}, {"look.theme": "blue"}):
        with pytest.raises(ConfigError):
            edit(bad)
        assert dropin.read_bytes() == before
    assert main.read_text() == "[net]\nport = 1\n"


def test_edit_dropin_waits_for_another_edit_of_the_same_directory(tmp_path: Path) -> None:
    dropin = tmp_path / "app.d" / "90-local.toml"
    dropin.parent.mkdir()
    files = layer_files(tmp_path / "app.toml", dropin.parent, also=[dropin])
    results: list[App] = []

    def edit() -> None:
        results.append(
            edit_dropin(
                App, files=files, dropin=dropin, changes={"net.port": 7}, env_prefix="A", env={}
            )
        )

    holder = os.open(dropin.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        worker = threading.Thread(target=edit)
        worker.start()
        worker.join(timeout=0.3)
        assert worker.is_alive()
        assert not dropin.exists()
    finally:
        os.close(holder)
    worker.join(timeout=10)
    assert [config.net.port for config in results] == [7]
    assert "port = 7" in dropin.read_text()
