"""Properties of the loader that should hold for any input, checked with hypothesis."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.layered_config import (
    ConfigError,
    config_hash,
    dump_config,
    load_layered,
    parse_text_value,
)
from tests.config.test_layered_config import App

pytestmark = pytest.mark.in_process

# The machine is shared with other test runs: no deadlines, no "too slow" health checks.
_settings = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_text = st.text(
    st.characters(max_codepoint=0x30FF, exclude_categories=("Cs", "Cc")), max_size=12
)
_VALUES: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    ("net", "host"): _text,
    ("net", "port"): st.integers(1, 65535),
    ("net", "tags"): st.lists(_text, max_size=3),
    ("look", "theme"): st.sampled_from(["light", "dark"]),
    ("look", "label"): _text,
    ("look", "scale"): st.floats(-1e6, 1e6, allow_nan=False),
    ("look", "enabled"): st.booleans(),
    ("look", "code"): st.integers(-(2**31), 2**31),
}


@st.composite
def layers(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """One layer: any subset of App's keys with valid values."""
    keys = draw(st.lists(st.sampled_from(sorted(_VALUES)), unique=True))
    layer: dict[str, dict[str, Any]] = {}
    for section, key in keys:
        layer.setdefault(section, {})[key] = draw(_VALUES[section, key])
    return layer


def _files(tmp_path: Path, contents: list[dict[str, Any]], tag: str) -> list[Path]:
    paths = []
    for index, data in enumerate(contents):
        path = tmp_path / f"{tag}-{index:02d}.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths


@_settings
@given(stack=st.lists(layers(), max_size=4))
def test_each_key_comes_from_the_last_layer_that_sets_it(
    tmp_path_factory: Any, stack: list[dict[str, Any]]
) -> None:
    files = _files(tmp_path_factory.mktemp("stack"), stack, "layer")
    effective = dump_config(load_layered(App, files=files, env_prefix="APP_", env={}))
    defaults = dump_config(App())
    for section, key in _VALUES:
        setters = [layer[section][key] for layer in stack if key in layer.get(section, {})]
        expected = setters[-1] if setters else defaults[section][key]
        assert effective[section][key] == expected


@_settings
@given(layer=layers(), data=st.data())
def test_hash_ignores_key_order_and_how_values_are_split_into_files(
    tmp_path_factory: Any, layer: dict[str, dict[str, Any]], data: st.DataObject
) -> None:
    shuffled = {
        section: dict(data.draw(st.permutations(list(layer[section].items()))))
        for section in data.draw(st.permutations(list(layer)))
    }
    split = [{section: {key: value}} for section in layer for key, value in layer[section].items()]
    directory = tmp_path_factory.mktemp("hash")
    hashes = {
        config_hash(load_layered(App, files=files, env_prefix="APP_", env={}))
        for files in (
            _files(directory, [layer], "one"),
            _files(directory, [shuffled], "shuffled"),
            _files(directory, split, "split"),
        )
    }
    assert len(hashes) == 1


@_settings
@given(layer=layers(), data=st.data())
def test_a_bad_value_is_reported_on_the_line_that_sets_it(
    tmp_path_factory: Any, layer: dict[str, dict[str, Any]], data: st.DataObject
) -> None:
    section, key = data.draw(st.sampled_from([("net", "port"), ("look", "enabled")]))
    layer.setdefault(section, {})[key] = data.draw(st.sampled_from([[1], {"x": 1}, "not-it"]))
    [path] = _files(tmp_path_factory.mktemp("line"), [layer], "bad")
    try:
        load_layered(App, files=[path], env_prefix="APP_", env={})
    except ConfigError as err:
        assert err.key is not None
        assert err.key.startswith(f"{section}.{key}")
        assert err.line is not None
        line = path.read_text().splitlines()[err.line - 1]
        assert line.startswith(f"{key} =") or line == f"[{section}.{key}]"
    else:
        raise AssertionError("a bad value was accepted")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(port=st.integers(1, 65535), text=_text)
def test_env_text_becomes_the_field_type(port: int, text: str) -> None:
    assert parse_text_value(App, "net.port", str(port)) == port
    try:
        as_toml = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        as_toml = {}
    if not isinstance(as_toml.get("v"), str):
        assert parse_text_value(App, "look.label", text) == text
