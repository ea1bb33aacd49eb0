"""The runtime tests' fixture that starts `kiosk run` as the installed command."""

from tests.runtime.conftest import start_kiosk

__all__ = ["start_kiosk"]
