"""What the health agent needs from the kiosk's configuration, through a digest.

Loading the configuration properly (pydantic, every layer validated) costs more CPU than the
agent's whole budget for a ping. The configuration changes rarely, so the agent keeps the few
values it needs in ``<agent dir>/settings.json`` together with a fingerprint of every layer
(each file's name, size, time and inode, and the ``ANJUNGAN_*`` environment). While the
fingerprint matches, a ping reads that file; when anything changed, the configuration is loaded
the proper way once (``kiosk.config``, the one source of the rules) and the digest rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

# The same names as kiosk.config's (which cannot be imported here: it imports pydantic);
# tests/agent/test_settings.py holds them equal.
DEFAULT_CONFIG_DIR = Path("/etc/anjungan")
CONFIG_DIR_ENV = "ANJUNGAN_CONFIG_DIR"
ENV_PREFIX = "ANJUNGAN_"
MAIN_FILE = "kiosk.toml"
DROPIN_DIR = "kiosk.d"

DIGEST_FILE = "settings.json"
DIGEST_VERSION = 1


class SettingsError(Exception):
    """The configuration is invalid; the message names the file and key."""


class AgentSettings(NamedTuple):
    kiosk_id: str | None
    central_url: str
    timeout_s: float
    key_file: Path
    status_file: Path
    period_s: float
    state_dir: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            key: str(value) if isinstance(value, Path) else value
            for key, value in self._asdict().items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AgentSettings:
        return cls(
            kiosk_id=data["kiosk_id"],
            central_url=str(data["central_url"]),
            timeout_s=float(data["timeout_s"]),
            key_file=Path(data["key_file"]),
            status_file=Path(data["status_file"]),
            period_s=float(data["period_s"]),
            state_dir=Path(data["state_dir"]),
        )


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    return Path(environ.get(CONFIG_DIR_ENV) or DEFAULT_CONFIG_DIR)


def fingerprint(root: Path, env: Mapping[str, str]) -> str:
    """Changes whenever a layer may have: a file added, removed, renamed or rewritten in the
    configuration folder or its drop-in folder, or an ``ANJUNGAN_*`` variable."""
    seen: list[tuple[str, int, int, int]] = []
    for folder in (root, root / DROPIN_DIR):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                stat = entry.stat()
            except OSError:
                continue
            seen.append((entry.path, stat.st_mtime_ns, stat.st_size, stat.st_ino))
    variables = sorted((k, v) for k, v in env.items() if k.startswith(ENV_PREFIX))
    text = json.dumps([str(root.resolve()), sorted(seen), variables])
    return hashlib.sha256(text.encode()).hexdigest()


def _load_properly(root: Path, env: Mapping[str, str]) -> AgentSettings:
    """The slow, exact way: every layer validated by the schema."""
    from common.layered_config import ConfigError
    from kiosk.config import load_kiosk_config

    try:
        config = load_kiosk_config(root, env)
    except ConfigError as err:
        raise SettingsError(str(err)) from err
    return AgentSettings(
        kiosk_id=config.kiosk.id,
        central_url=config.central.url,
        timeout_s=config.central.connect_timeout_s + config.central.read_timeout_s,
        key_file=config.identity.key_file,
        status_file=config.heartbeat.status_file,
        period_s=config.heartbeat.period_s,
        state_dir=config.kiosk.state_dir,
    )


def load_settings(
    root: Path, agent_dir: Path, env: Mapping[str, str] | None = None
) -> AgentSettings:
    """The digest when it still matches the configuration, else the configuration loaded
    properly (and the digest rewritten when ``agent_dir`` is writable)."""
    environ = os.environ if env is None else env
    mark = fingerprint(root, environ)
    digest = agent_dir / DIGEST_FILE
    try:
        stored = json.loads(digest.read_text(encoding="utf-8"))
        if stored.get("version") == DIGEST_VERSION and stored.get("fingerprint") == mark:
            return AgentSettings.from_dict(stored["settings"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # no digest yet, or one this version cannot read: load properly
    settings = _load_properly(root, environ)
    record = {"version": DIGEST_VERSION, "fingerprint": mark, "settings": settings.as_dict()}
    with contextlib.suppress(OSError):  # a read-only agent folder costs speed, not correctness
        _write_atomically(digest, json.dumps(record))
    return settings


def _write_atomically(path: Path, text: str) -> None:
    import tempfile  # only when the configuration changed

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
