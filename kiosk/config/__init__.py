"""The kiosk's configuration: where its layers live and how to load them (docs/config.md).

Layers, later wins: the schema's defaults → ``<dir>/kiosk.toml`` → ``<dir>/kiosk.d/*.toml``
(by name; provisioning and ``kiosk config set`` write drop-ins here, never the main file) →
``ANJUNGAN_SECTION__KEY`` environment variables. ``<dir>`` is ``/etc/anjungan`` unless
``ANJUNGAN_CONFIG_DIR`` (or the CLI's ``--config-dir``) says otherwise.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from common.layered_config import layer_files, load_layered
from kiosk.config.schema import MIGRATIONS, SCHEMA_VERSION, KioskConfig

__all__ = [
    "CONFIG_DIR_ENV",
    "CONFIG_DIR_HELP",
    "DEFAULT_CONFIG_DIR",
    "DROPIN_DIR",
    "ENV_PREFIX",
    "LOCAL_DROPIN",
    "MAIN_FILE",
    "SCHEMA_VERSION",
    "KioskConfig",
    "add_config_dir_option",
    "config_dir",
    "kiosk_layer_files",
    "load_kiosk_config",
]

DEFAULT_CONFIG_DIR = Path("/etc/anjungan")
CONFIG_DIR_ENV = "ANJUNGAN_CONFIG_DIR"
ENV_PREFIX = "ANJUNGAN_"
MAIN_FILE = "kiosk.toml"
DROPIN_DIR = "kiosk.d"
LOCAL_DROPIN = "90-local.toml"  # what `kiosk config set` writes: after provisioning's drop-ins
CONFIG_DIR_HELP = f"configuration directory (default ${CONFIG_DIR_ENV}, else {DEFAULT_CONFIG_DIR})"


def add_config_dir_option(
    parser: argparse.ArgumentParser, *, extra_help: str = "", inherited: bool = False
) -> None:
    """``--config-dir DIR``, spelled and explained the same way by every kiosk command.

    ``inherited``: leave the attribute unset when not given, so an option repeated on a
    sub-command does not overwrite the value given before it.
    """
    parser.add_argument(
        "--config-dir",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS if inherited else None,
        help=CONFIG_DIR_HELP + (f"; {extra_help}" if extra_help else ""),
    )


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The configuration directory: ``$ANJUNGAN_CONFIG_DIR`` or ``/etc/anjungan``."""
    environ = os.environ if env is None else env
    return Path(environ.get(CONFIG_DIR_ENV) or DEFAULT_CONFIG_DIR)


def kiosk_layer_files(root: Path, *, also: tuple[Path, ...] = ()) -> list[Path]:
    """``root/kiosk.toml`` then ``root/kiosk.d/*.toml`` by name (plus ``also``, not yet written)."""
    return layer_files(root / MAIN_FILE, root / DROPIN_DIR, also=also)


def load_kiosk_config(
    root: Path | None = None, env: Mapping[str, str] | None = None
) -> KioskConfig:
    """Load and validate every layer; raises ``ConfigError`` naming the file, line and key.

    ``root`` defaults to ``config_dir(env)``; ``env`` defaults to ``os.environ``.
    """
    environ = os.environ if env is None else env
    return load_layered(
        KioskConfig,
        files=kiosk_layer_files(root or config_dir(environ)),
        env_prefix=ENV_PREFIX,
        env=environ,
        migrations=MIGRATIONS,
    )
