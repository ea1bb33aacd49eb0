"""Tell systemd how the kiosk is doing (``sd_notify``), with the standard library only.

A ``Type=notify`` unit waits for ``READY=1`` before it counts as started, and a unit with
``WatchdogSec=`` kills and restarts the service when ``WATCHDOG=1`` stops arriving: that is how
a hung kiosk comes back by itself. The protocol is one datagram to the unix socket named by
``$NOTIFY_SOCKET`` (a leading ``@`` names Linux's abstract namespace). Outside systemd the
variable is unset and every call does nothing, so the runtime calls these unconditionally.

Nothing here raises: a lost notification must never take the kiosk down with it (if the
watchdog pings stop reaching systemd, systemd restarts the service, which is the right outcome).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

logger = logging.getLogger(__name__)

NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"
# systemd reads at most this much of one notification; a longer STATUS is cut, not refused.
_MAX_STATUS_CHARS = 1024
_USEC_PER_S = 1_000_000
_SEND_TIMEOUT_S = 1.0


def _address(name: str) -> str | bytes:
    """``@name`` is Linux's abstract namespace: a leading NUL byte instead of a path."""
    if name.startswith("@"):
        return b"\0" + name[1:].encode()
    return name


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (lines of ``KEY=value``) to systemd; True when a datagram was sent.

    False, without raising, when not under systemd or when the socket refuses.
    """
    target = (os.environ if env is None else env).get(NOTIFY_SOCKET, "")
    if not target:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(_SEND_TIMEOUT_S)
            sock.connect(_address(target))
            sock.sendall(state.encode("utf-8", "replace"))
    except OSError as err:
        logger.warning("cannot notify systemd (%s): %s", type(err).__name__, err.strerror)
        return False
    return True


def ready(env: Mapping[str, str] | None = None) -> bool:
    """The service has started: systemd starts the units ordered after it."""
    return notify("READY=1", env)


def stopping(env: Mapping[str, str] | None = None) -> bool:
    """The service is shutting down on purpose (not a crash to report)."""
    return notify("STOPPING=1", env)


def watchdog(env: Mapping[str, str] | None = None) -> bool:
    """Still alive: send at least every half of :func:`watchdog_interval`."""
    return notify("WATCHDOG=1", env)


def status(text: str, env: Mapping[str, str] | None = None) -> bool:
    """One line shown by ``systemctl status`` (newlines would start a new field: flattened).

    Never put personal data here: anyone on the machine can read it.
    """
    line = " ".join(text.split())[:_MAX_STATUS_CHARS]
    return notify(f"STATUS={line}", env)


def watchdog_interval(
    env: Mapping[str, str] | None = None, *, pid: int | None = None, inherited: bool = False
) -> float | None:
    """Seconds within which systemd expects ``WATCHDOG=1``, or None when no watchdog applies.

    Like ``sd_watchdog_enabled``: ``$WATCHDOG_USEC`` set to a positive number, and
    ``$WATCHDOG_PID``, when set, naming this process, so a child that merely inherited the
    variables does not take the watchdog for its own. The touchscreen app is such a child on
    purpose (cage is the unit's main process; the unit says ``NotifyAccess=all``) and passes
    ``inherited=True``.
    """
    values = os.environ if env is None else env
    try:
        usec = int(values.get(WATCHDOG_USEC, ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = values.get(WATCHDOG_PID, "")
    if owner and not inherited:
        try:
            if int(owner) != (os.getpid() if pid is None else pid):
                return None
        except ValueError:
            return None
    return usec / _USEC_PER_S
