"""The first version on a fresh kiosk, run from the wheel itself:

    sudo PYTHONPATH=anjungan-0.1.0-py3-none-any.whl python3 -m provisioning.first_install \\
        anjungan-0.1.0-py3-none-any.whl

makes ``/opt/anjungan/versions/<version>`` (a virtualenv with the wheel and its device
extras), points ``/opt/anjungan/current`` at it, and says what to run next
(``kiosk-provision setup``). Every later version comes through ``kiosk-provision update``.

Why from the wheel: before this runs there is no Anjungan on the PC, only Debian's python3 and
python3-venv, and a pure-Python wheel is a zip Python can import from. So this module and
what it uses (``provisioning.update``) import the standard library only. With the packages
(apt-get) and ``kiosk-provision setup`` after it, a fresh Debian is serving in three commands.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from provisioning.update import (
    CURRENT,
    DEFAULT_EXTRAS,
    PIP_TIMEOUT_S,
    Layout,
    UpdateFailed,
    wheel_version,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def first_install(root: Path, wheel: Path, extras: Sequence[str]) -> str:
    """The wheel's version in its own virtualenv under ``root``, made current; returns the
    version. Refuses when a version is current already (that is ``update``'s job)."""
    if not wheel.is_file():
        raise UpdateFailed(f"{wheel}: no such file")
    version = wheel_version(wheel)
    layout = Layout.under(root)
    if layout.version_of(CURRENT) is not None:
        raise UpdateFailed(
            f"{layout.link(CURRENT)} exists already: use `kiosk-provision update --from {wheel}`"
        )
    target = layout.versions / version
    layout.versions.mkdir(parents=True, exist_ok=True)
    requirement = f"{wheel.resolve()}[{','.join(extras)}]" if extras else str(wheel.resolve())
    _run([sys.executable, "-m", "venv", str(target)], f"making the virtualenv {target}")
    _run(
        [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement],
        f"installing {wheel.name} into it (a few minutes: packages are downloaded or read from "
        "pip's cache)",
    )
    layout.switch(CURRENT, version)
    return version


def _run(argv: Sequence[str], what: str) -> None:
    print(f"- {what}", flush=True)
    try:
        subprocess.run(argv, check=True, timeout=PIP_TIMEOUT_S)  # noqa: S603 - fixed programs
    except (OSError, subprocess.SubprocessError) as err:
        raise UpdateFailed(f"{what} failed: {err}") from err


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m provisioning.first_install",
        description="Put the first Anjungan version on a fresh kiosk PC from its wheel "
        "(run with PYTHONPATH=WHEEL): a virtualenv under /opt/anjungan/versions, "
        "/opt/anjungan/current pointing at it. Later versions: kiosk-provision update.",
    )
    parser.add_argument("wheel", type=Path, metavar="WHEEL", help="anjungan-VERSION-…whl")
    parser.add_argument(
        "--root", type=Path, default=Path("/"), help="install under DIR (a staging root)"
    )
    parser.add_argument(
        "--extras",
        default=",".join(DEFAULT_EXTRAS),
        help="the wheel's extras to install, comma-separated (default %(default)s; '' none)",
    )
    args = parser.parse_args(argv)
    extras = [extra for extra in args.extras.split(",") if extra]
    try:
        version = first_install(args.root, args.wheel, extras)
    except UpdateFailed as failed:
        print(f"first install: {failed}", file=sys.stderr)
        return EXIT_FAILED
    current = Layout.under(args.root).link(CURRENT)
    print(f"anjungan {version} is in place: {current}")
    print(f"next: sudo {current}/bin/kiosk-provision setup --central URL")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
