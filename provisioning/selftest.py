"""`kiosk-provision selftest`: is this kiosk ready to serve? One pass/fail row per thing it
needs — each configured device, its identity, the centre, and the clock.

Every check reports, none raises: a technician sees the whole table even when the first row
fails. The devices are asked through the drivers' own status probe (drivers/probe.py), the
same answer the kiosk sends in its heartbeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests

from central.contract.signing import MAX_CLOCK_SKEW_S
from drivers.base import DeviceState
from drivers.probe import probe_status
from kiosk.config import KioskConfig
from kiosk.config.devices import device_specs
from kiosk.identity import IdentityError, KioskKey

HEALTH_PATH = "/healthz"
# The centre refuses signed requests whose timestamp is further off than this (the contract's
# default skew window); a kiosk clock outside it cannot send anything.
CLOCK_SKEW_LIMIT_S = float(MAX_CLOCK_SKEW_S)
# The Date header counts whole seconds: on average the centre's clock is half a second on.
DATE_HEADER_ROUNDING_S = 0.5
DEVICE_TIMEOUT_S = 3.0
SERVING_STATES = (DeviceState.ONLINE, DeviceState.BUSY)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str
    skipped: bool = False  # left out by a flag, or no such device: shown as SKIP, not a failure


def device_checks(config: KioskConfig, timeout: float = DEVICE_TIMEOUT_S) -> list[Check]:
    checks = []
    for spec in device_specs(config):
        status = probe_status(spec, timeout)
        detail = f"{spec.driver}: {status.state}"
        if status.last_error:
            detail += f" ({status.last_error})"
        checks.append(Check(spec.role, status.state in SERVING_STATES, detail))
    return checks


def identity_check(config: KioskConfig) -> Check:
    if config.kiosk.id is None:
        return Check("identity", False, "not enrolled: run `kiosk-provision enroll`")
    try:
        KioskKey.load(config.identity.key_file)
    except IdentityError as err:
        return Check("identity", False, f"{err}; enrol again with `kiosk-provision enroll --rekey`")
    return Check("identity", True, f"kiosk {config.kiosk.id}, key {config.identity.key_file}")


def centre_checks(config: KioskConfig, clock: Callable[[], float] = time.time) -> list[Check]:
    """The centre answers /healthz as an Anjungan centre; its Date header gives the offset."""
    url = config.central.url.rstrip("/")
    timeout = (config.central.connect_timeout_s, config.central.read_timeout_s)
    sent = clock()
    try:
        reply = requests.get(url + HEALTH_PATH, timeout=timeout)
    except requests.RequestException as err:
        reason = f"cannot reach {url} ({type(err).__name__}): check the network and central.url"
        return [Check("centre", False, reason), Check("clock", False, "not checked: no centre")]
    received = clock()
    try:
        answer = reply.json()
    except ValueError:
        answer = None
    if reply.status_code != 200 or answer != {"status": "ok"}:
        reason = f"{url} is not an Anjungan centre (HTTP {reply.status_code} to {HEALTH_PATH})"
        return [Check("centre", False, reason), Check("clock", False, "not checked: no centre")]
    return [Check("centre", True, f"{url} answers"), _clock_check(reply, (sent + received) / 2)]


def _clock_check(reply: requests.Response, local: float) -> Check:
    header = reply.headers.get("Date")
    try:
        theirs = parsedate_to_datetime(header).timestamp() if header else None
    except (TypeError, ValueError):
        theirs = None
    if theirs is None:
        return Check("clock", False, "the centre sent no usable Date header")
    offset = local - (theirs + DATE_HEADER_ROUNDING_S)
    detail = f"{offset:+.0f} s from the centre (limit ±{CLOCK_SKEW_LIMIT_S:.0f} s)"
    if abs(offset) > CLOCK_SKEW_LIMIT_S:
        detail += ": set the date and time (timedatectl set-ntp true)"
        return Check("clock", False, detail)
    return Check("clock", True, detail)


def selftest(config: KioskConfig) -> list[Check]:
    return [*device_checks(config), identity_check(config), *centre_checks(config)]


def as_table(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    return "\n".join(
        f"{_verdict(check)}  {check.name:<{width}}  {check.detail}" for check in checks
    )


def _verdict(check: Check) -> str:
    if check.skipped:
        return "SKIP"
    return "PASS" if check.passed else "FAIL"
