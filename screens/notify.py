"""A minimal systemd notify sender: READY=1 and WATCHDOG=1 over ``$NOTIFY_SOCKET``.

Kept tiny and stdlib-only on purpose; kiosk/sdnotify.py (the runtime's own sender, on another
branch) may replace it once merged.
"""

from __future__ import annotations

import os
import socket


def notify(message: str) -> bool:
    """Send ``message`` (e.g. "READY=1"); False when not run by systemd or the send failed."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.1)  # a datagram to a local socket: never a real wait
            sock.sendto(message.encode(), address)
    except OSError:
        return False
    return True


def watchdog_period_s() -> float | None:
    """Half of systemd's ``WATCHDOG_USEC``, the usual pace of keep-alives; None if unset."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    return int(usec) / 1_000_000 / 2
