"""Layered, typed configuration: model defaults < TOML files < environment, one pydantic model.

The kiosk and the centre both read their settings through this module, so it imports nothing
but the standard library and pydantic (plus ``tomli_w`` to write drop-ins). It is generic over
any pydantic model; the model is the single source of truth for names, types, defaults and
validation, and this module only gathers layers and turns pydantic's errors into one-line
messages a technician can act on (file, line, dotted key, "did you mean").

Model rules: every model and sub-model uses ``extra="forbid"`` (unknown keys are errors), field
names are lower case (environment names are upper-cased versions of them), sections are
sub-models. A model that wants versioned files declares ``schema_version: int = N``; each layer
may then carry ``schema_version`` and older layers pass through ``migrations[v]`` (v → v+1).
"""

from __future__ import annotations

import copy
import difflib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import tomllib
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

import tomli_w
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, to_jsonable_python

M = TypeVar("M", bound=BaseModel)
Migration = Callable[[dict[str, Any]], dict[str, Any]]
KeyPath = tuple[str, ...]

VERSION_KEY = "schema_version"
_MAX_SHOWN_INPUT = 60
_LOCK_TIMEOUT_S = 10.0
# How close (difflib ratio) a prefixed variable without "__" must be to a top-level key to be
# taken as a misspelling of it rather than another tool's variable sharing the prefix.
_ENV_TYPO_CUTOFF = 0.8


class ConfigError(Exception):
    """A configuration problem, located as precisely as the layers allow.

    ``str()`` is one line: ``<where>: <problem>``, where ``<where>`` is ``FILE line N``,
    ``FILE``, ``environment variable NAME`` or ``built-in defaults``; a problem with a key
    someone asked for (not in any layer) is just ``<problem>``. When validation finds several
    problems the first is this error and the rest are in ``others``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        key: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key
        self.source = source
        self.others: tuple[ConfigError, ...] = ()

    @property
    def where(self) -> str:
        if self.path is not None:
            return f"{self.path} line {self.line}" if self.line is not None else str(self.path)
        return self.source or ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.others:
            more = len(self.others)
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        return text


@dataclass
class _Layer:
    """One source of settings after parsing and migration, kept for locating errors."""

    data: dict[str, Any]
    path: Path | None = None
    text: str = ""
    env_names: dict[KeyPath, str] = field(default_factory=dict)

    def locate(self, key_path: KeyPath) -> tuple[int | None, str | None]:
        """Line in this file, or the environment variable, that set ``key_path``."""
        if self.path is not None:
            return _find_line(self.text, key_path), None
        for length in range(len(key_path), -1, -1):
            names = [n for p, n in self.env_names.items() if p[:length] == key_path[:length]]
            if names:
                return None, f"environment variable {names[-1]}"
        return None, "environment"


# --- public API ---------------------------------------------------------------------------


def layer_files(main: Path, dropin_dir: Path, *, also: Iterable[Path] = ()) -> list[Path]:
    """The file layers in order: ``main``, then ``dropin_dir/*.toml`` sorted by name.

    Hidden files (editor swap files, our own temporary files) are skipped. ``also`` adds
    drop-ins that may not exist yet (a file about to be written) at their sorted place.
    """
    dropins = {p for p in dropin_dir.glob("*.toml") if not p.name.startswith(".")}
    dropins.update(also)
    return [main, *sorted(dropins, key=lambda p: p.name)]


def load_layered(
    model: type[M],
    *,
    files: Sequence[Path],
    env_prefix: str,
    env: Mapping[str, str] | None = None,
    migrations: Mapping[int, Migration] | None = None,
    pending: Mapping[Path, str] | None = None,
) -> M:
    """Build and validate ``model`` from its defaults, then ``files`` in order, then ``env``.

    Later layers win; tables merge key by key, other values (lists too) are replaced whole.
    Missing files are skipped. ``env`` defaults to ``os.environ``: ``PREFIX_SECTION__KEY=value``
    sets ``section.key`` (double underscore = one level down; the prefix's trailing ``_`` is
    optional), the value read as a TOML value when the field accepts that (``90``, ``true``,
    ``"x"``), else as plain text. So that other tools can share the prefix, a name without
    ``__`` is a setting only if it names (or nearly names: a typo) a top-level key, and names
    continuing the prefix with ``_`` (``PREFIX__X``) are left alone. ``pending`` supplies the
    text of files not yet written (their path must still be in ``files``).
    Raises ``ConfigError``.
    """
    current = _current_version(model)
    steps = migrations or {}
    pending = pending or {}
    layers: list[_Layer] = []
    for path in files:
        layer = _read_file(path, pending.get(path))
        if layer is not None:
            _migrate(layer, current, steps)
            layers.append(layer)
    environ = os.environ if env is None else env
    env_layer = _env_layer(model, env_prefix, environ)
    _migrate(env_layer, current, steps)
    layers.append(env_layer)

    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _deep_merge(merged, layer.data)
    if current is not None:
        merged[VERSION_KEY] = current
    try:
        return model.model_validate(merged)
    except ValidationError as err:
        problems = [_explain(model, merged, layers, detail) for detail in err.errors()]
        first = problems[0]
        first.others = tuple(problems[1:])
        raise first from None


def parse_text_value(model: type[BaseModel], key: str, text: str) -> Any:
    """Read ``text`` (from the environment or a command line) as the value for ``key``.

    It is read as a TOML value when it parses and the field accepts what it parses to;
    otherwise the raw text is used, so ``58mm``, ``id`` or ``0042`` stay text and ``9100``,
    ``true`` or ``0x0416`` become numbers and booleans where the field wants them.
    """
    return _coerce_text(model, _split_dotted(key), text)


def dump_config(config: BaseModel) -> dict[str, Any]:
    """The config as plain JSON types (paths as strings, unset values as ``None``)."""
    return config.model_dump(mode="json")


def get_dotted(config: BaseModel, key: str) -> Any:
    """The plain value at dotted ``key`` (a section gives a dict); unknown keys raise."""
    path = _split_dotted(key)
    node: Any = dump_config(config)
    for part in path:
        if not isinstance(node, dict) or part not in node:
            hint = _hint(type(config), path)
            raise ConfigError(f"unknown key '{key}'{hint}", key=key)
        node = node[part]
    return node


def config_hash(config: BaseModel) -> str:
    """sha256 (hex) of the canonical JSON of the effective config: the heartbeat sends it.

    Canonical means sorted keys and no whitespace, so neither the order of keys in files nor
    the layer a value came from changes the hash; only the effective values do.
    """
    canonical = json.dumps(
        dump_config(config), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_toml_atomic(path: Path, data: Mapping[str, Any], *, header: str = "") -> None:
    """Write ``data`` as TOML to ``path`` atomically (temp file + rename), mode 0644.

    ``None`` values are left out (TOML has no null; an absent key means "use the lower
    layer"). ``header`` becomes ``#`` comment lines at the top.
    """
    _write_text_atomic(path, _comment(header) + tomli_w.dumps(_toml_ready(data)))


def edit_dropin(
    model: type[M],
    *,
    files: Sequence[Path],
    dropin: Path,
    changes: Mapping[str, Any],
    env_prefix: str,
    env: Mapping[str, str] | None = None,
    migrations: Mapping[int, Migration] | None = None,
    header: str = "",
) -> M:
    """Set (or, with ``None``, remove) dotted keys in one drop-in file, only if valid.

    The whole resulting config (every layer, the environment too) is validated before anything
    is written; on any problem ``ConfigError`` is raised and the file is untouched. The file is
    rewritten atomically, stamped with the current ``schema_version``. Other files are never
    edited. ``dropin`` must be one of ``files`` (that fixes its place in the layer order).
    Returns the new effective config.
    """
    if dropin not in files:
        raise ValueError(f"{dropin} is not one of the layer files")
    current = _current_version(model)
    paths = {key: _check_settable(model, key, current) for key in changes}
    dropin.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    with _directory_lock(dropin.parent):
        existing = _read_file(dropin, None) or _Layer(data={}, path=dropin)
        _migrate(existing, current, migrations or {})
        data = existing.data
        for key, value in changes.items():
            try:
                if value is None:
                    _delete_path(data, paths[key])
                else:
                    _set_path(data, paths[key], to_jsonable_python(value))
            except ValueError as err:
                raise ConfigError(str(err), path=dropin, key=key) from None
        stamped = data if current is None else {VERSION_KEY: current, **data}
        text = _comment(header) + tomli_w.dumps(_toml_ready(stamped))
        config = load_layered(
            model,
            files=files,
            env_prefix=env_prefix,
            env=env,
            migrations=migrations,
            pending={dropin: text},
        )
        _write_text_atomic(dropin, text)
    return config


def env_name(key: str, env_prefix: str) -> str:
    """The environment variable that sets dotted ``key`` (and beats every file)."""
    return _env_prefix(env_prefix) + "__".join(_split_dotted(key)).upper()


# --- reading layers -----------------------------------------------------------------------

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)$")


def _read_file(path: Path, pending_text: str | None) -> _Layer | None:
    if pending_text is not None:
        text = pending_text
    else:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise ConfigError(f"cannot read the file: {err.strerror}", path=path) from err
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            bad_line = raw[: err.start].count(b"\n") + 1
            raise ConfigError("not UTF-8 text", path=path, line=bad_line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        line: int | None = None
        if match := _TOML_AT.search(message):
            line = int(match[1])
            message = f"{message[: match.start()]} (column {match[2]})"
        elif match := _TOML_AT_END.search(message):
            line = text.count("\n") + 1
            message = f"{message[: match.start()]} (at the end of the file)"
        raise ConfigError(f"invalid TOML: {message}", path=path, line=line) from None
    return _Layer(data=data, path=path, text=text)


def _env_layer(model: type[BaseModel], prefix: str, env: Mapping[str, str]) -> _Layer:
    layer = _Layer(data={})
    prefix = _env_prefix(prefix)
    top_level = list(model.model_fields)
    for name in sorted(env):
        rest = name.removeprefix(prefix)
        if rest == name or not rest or rest.startswith("_"):
            continue
        key_path = tuple(part.lower() for part in rest.split("__"))
        if len(key_path) == 1 and not difflib.get_close_matches(
            key_path[0], top_level, n=1, cutoff=_ENV_TYPO_CUTOFF
        ):
            continue
        source = f"environment variable {name}"
        if "" in key_path:
            raise ConfigError("empty key name between underscores", source=source)
        try:
            _set_path(layer.data, key_path, _coerce_text(model, key_path, env[name]))
        except ValueError as err:
            raise ConfigError(str(err), source=source, key=".".join(key_path)) from None
        layer.env_names[key_path] = name
    return layer


def _coerce_text(model: type[BaseModel], key_path: KeyPath, text: str) -> Any:
    try:
        document = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        return text
    if set(document) != {"v"}:
        return text
    parsed = document["v"]
    target = _field_at(model, key_path)
    if target is None or target.annotation is None:
        return parsed
    adapter: TypeAdapter[Any] = TypeAdapter(target.annotation)
    for candidate in (parsed, text):
        try:
            adapter.validate_python(candidate)
        except ValidationError:
            continue
        return candidate
    return parsed


# --- versions -----------------------------------------------------------------------------


def _current_version(model: type[BaseModel]) -> int | None:
    version_field = model.model_fields.get(VERSION_KEY)
    if version_field is None:
        return None
    default = version_field.get_default(call_default_factory=True)
    if not isinstance(default, int) or isinstance(default, bool) or default < 1:
        raise TypeError(f"{model.__name__}.{VERSION_KEY} needs a positive int default")
    return default


def _migrate(layer: _Layer, current: int | None, migrations: Mapping[int, Migration]) -> None:
    """Bring one layer to the current schema version, in place."""
    if current is None or VERSION_KEY not in layer.data:
        return
    version = layer.data.pop(VERSION_KEY)
    line, source = layer.locate((VERSION_KEY,))

    def fail(message: str) -> ConfigError:
        return ConfigError(message, path=layer.path, line=line, key=VERSION_KEY, source=source)

    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(f"schema_version must be a whole number from 1, got {version!r}")
    if version > current:
        raise fail(
            f"schema_version {version} is newer than this software understands (up to "
            f"{current}): upgrade the software or remove this layer"
        )
    while version < current:
        step = migrations.get(version)
        if step is None:
            raise fail(f"schema_version {version} is too old: no migration to {version + 1}")
        try:
            migrated = step(copy.deepcopy(layer.data))
        except (KeyError, TypeError, ValueError) as err:
            raise fail(f"cannot migrate from schema_version {version}: {err}") from err
        if not isinstance(migrated, dict):
            raise TypeError(f"migration from schema_version {version} must return a dict")
        layer.data = migrated
        version += 1


# --- explaining validation errors ---------------------------------------------------------


def _explain(
    model: type[BaseModel], merged: dict[str, Any], layers: list[_Layer], detail: ErrorDetails
) -> ConfigError:
    loc = detail["loc"]
    key_path = _existing_prefix(merged, loc)
    if detail["type"] == "missing":
        key_path = tuple(part for part in loc if isinstance(part, str))
    key = ".".join(key_path)
    message = detail["msg"].removeprefix("Value error, ")
    if detail["type"] == "extra_forbidden":
        message = f"unknown key '{key}'{_hint(model, key_path)}"
    elif _model_at(model, key_path) is not None:
        message = f"in [{key}]: {message}" if key else message
    elif detail["type"] == "missing":
        message = f"'{key}' is required"
    else:
        message = f"bad value for '{key}': {message} (got {_shown(detail['input'])})"

    culprit = next((layer for layer in reversed(layers) if _touches(layer.data, key_path)), None)
    if culprit is None:
        return ConfigError(message, key=key or None, source="built-in defaults")
    line, source = culprit.locate(key_path)
    return ConfigError(message, path=culprit.path, line=line, key=key or None, source=source)


def _existing_prefix(data: Any, loc: Sequence[int | str]) -> KeyPath:
    """The longest leading part of a pydantic error location that names keys in the data."""
    path: list[str] = []
    for part in loc:
        if not (isinstance(data, dict) and isinstance(part, str) and part in data):
            break
        path.append(part)
        data = data[part]
    return tuple(path)


def _touches(data: dict[str, Any], key_path: KeyPath) -> bool:
    """Whether this layer sets ``key_path`` (the empty path: whether it sets anything)."""
    if not key_path:
        return bool(data)
    node: Any = data
    for part in key_path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _hint(model: type[BaseModel], key_path: KeyPath) -> str:
    """A "did you mean" at the first part that is wrong, so a misspelt section
    (``printr.profile``) is corrected as well as a misspelt key."""
    if not key_path:
        return ""
    depth = 0
    parent = model
    while depth < len(key_path) - 1 and key_path[depth] in parent.model_fields:
        inner = _submodel(parent.model_fields[key_path[depth]].annotation)
        if inner is None:
            return ""
        parent, depth = inner, depth + 1
    names = list(parent.model_fields)
    prefix = "".join(f"{part}." for part in key_path[:depth])
    rest = "".join(f".{part}" for part in key_path[depth + 1 :])
    match = difflib.get_close_matches(key_path[depth], names, n=1, cutoff=0.6)
    if match:
        return f" (did you mean '{prefix}{match[0]}{rest}'?)"
    where = f"[{prefix[:-1]}]" if prefix else "the top level"
    return f" (known keys in {where}: {', '.join(names)})"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN_INPUT else text[: _MAX_SHOWN_INPUT - 3] + "..."


# --- walking the model --------------------------------------------------------------------


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _submodel(arg)
            if found is not None:
                return found
    return None


def _model_at(model: type[BaseModel], key_path: KeyPath) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in key_path:
        if current is None or part not in current.model_fields:
            return None
        current = _submodel(current.model_fields[part].annotation)
    return current


def _field_at(model: type[BaseModel], key_path: KeyPath) -> FieldInfo | None:
    parent = _model_at(model, key_path[:-1]) if key_path else None
    return None if parent is None else parent.model_fields.get(key_path[-1])


def _check_settable(model: type[BaseModel], key: str, current: int | None) -> KeyPath:
    key_path = _split_dotted(key)
    if current is not None and key_path == (VERSION_KEY,):
        raise ConfigError("schema_version is managed by the software", key=key)
    target = _field_at(model, key_path)
    if target is None:
        raise ConfigError(f"unknown key '{key}'{_hint(model, key_path)}", key=key)
    section = _submodel(target.annotation)
    if section is not None:
        example = next(iter(section.model_fields), "…")
        raise ConfigError(f"'{key}' is a section: set one of its keys, e.g. '{key}.{example}'")
    return key_path


# --- small dict and text helpers ----------------------------------------------------------


def _env_prefix(prefix: str) -> str:
    return prefix if prefix.endswith("_") else prefix + "_"


def _split_dotted(key: str) -> KeyPath:
    return tuple(part.strip() for part in key.split("."))


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def _set_path(data: dict[str, Any], key_path: KeyPath, value: Any) -> None:
    node = data
    for depth, part in enumerate(key_path[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            above = ".".join(key_path[: depth + 1])
            raise ValueError(f"'{above}' holds a value, so it cannot also hold keys")
        node = child
    node[key_path[-1]] = value


def _delete_path(data: dict[str, Any], key_path: KeyPath) -> None:
    """Remove a key and any tables it leaves empty."""
    parent = data
    for part in key_path[:-1]:
        child = parent.get(part)
        if not isinstance(child, dict):
            return
        parent = child
    parent.pop(key_path[-1], None)
    if not parent and len(key_path) > 1:
        _delete_path(data, key_path[:-1])


def _toml_ready(data: Mapping[str, Any]) -> dict[str, Any]:
    plain = to_jsonable_python(data)
    return {
        key: _toml_ready(value) if isinstance(value, dict) else value
        for key, value in plain.items()
        if value is not None
    }


def _comment(header: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())


@contextmanager
def _directory_lock(directory: Path, timeout_s: float = _LOCK_TIMEOUT_S) -> Iterator[None]:
    """Serialise read-modify-write edits of drop-ins in ``directory`` (flock on the dir itself).

    Two tools editing the same drop-in at once would otherwise lose one change. Locking the
    directory leaves no lock file behind in /etc.
    """
    handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigError(
                        f"another change to {directory} has been running for {timeout_s:.0f} s",
                        path=directory,
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def _write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), 0o644)
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- finding line numbers -----------------------------------------------------------------

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_LINE = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")


def _key_parts(dotted: str) -> KeyPath:
    return tuple(part.strip("\"'") for part in re.findall(_KEY_PART, dotted))


def _find_line(text: str, key_path: KeyPath) -> int | None:
    """The line that sets ``key_path`` (or its nearest enclosing table) in TOML ``text``.

    tomllib reports no positions, so this scans ``[table]`` headers and ``key = value`` lines;
    that covers how people write config files. Falls back to the first line setting something
    inside ``key_path`` (for an error about a whole table written with dotted keys).
    """
    best: tuple[int, int] | None = None  # (depth, line)
    inside: int | None = None
    table: KeyPath = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER_LINE.match(line):
            table = _key_parts(header[1])
            found = table
        elif assignment := _KEY_LINE.match(line):
            found = table + _key_parts(assignment[1])
        else:
            continue
        depth = len(found)
        if found == key_path[:depth] and (best is None or depth > best[0]):
            best = (depth, number)
        elif inside is None and found[: len(key_path)] == key_path:
            inside = number
    return best[1] if best is not None else inside
