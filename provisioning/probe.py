"""`kiosk-provision probe`: what this PC has that a kiosk needs, before anything is configured.

The devices come from the drivers' own detection (drivers/probe.py), so what the technician
sees here is what `kiosk devices` and the kiosk itself will find. Displays, touch panels,
network and disk are read from /sys, /proc and /etc only: probing changes nothing and needs no
root.
"""

from __future__ import annotations

import ipaddress
import shutil
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drivers.probe import DetectedDevice, detect_hardware

SYS_DRM = Path("/sys/class/drm")
PROC_INPUT = Path("/proc/bus/input/devices")
PROC_ROUTE = Path("/proc/net/route")
RESOLV_CONF = Path("/etc/resolv.conf")
# linux/input.h: INPUT_PROP_DIRECT, "the device's coordinates are the screen's" (a touch panel).
INPUT_PROP_DIRECT = 1 << 1
MIB = 1024 * 1024
# Sysfs and /proc files are a few KiB; a larger one is not what we expect and is cut.
MAX_READ = 1024 * 1024


@dataclass(frozen=True)
class Display:
    connector: str
    connected: bool
    modes: list[str]


@dataclass(frozen=True)
class TouchDevice:
    name: str
    handlers: list[str]


@dataclass(frozen=True)
class Network:
    default_interface: str | None
    gateway: str | None
    nameservers: list[str]


@dataclass(frozen=True)
class Disk:
    path: str
    free_mb: int
    total_mb: int


@dataclass(frozen=True)
class ProbeReport:
    devices: list[DetectedDevice]
    displays: list[Display]
    touch: list[TouchDevice]
    network: Network
    disk: Disk | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _read(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(MAX_READ)
    except OSError:
        return ""


def displays(sys_drm: Path = SYS_DRM) -> list[Display]:
    """DRM connectors (``card0-HDMI-A-1`` …) with their state and the modes the screen offers."""
    found = []
    for connector in sorted(sys_drm.glob("card*-*")):
        status = _read(connector / "status").strip()
        if not status:
            continue
        modes = list(dict.fromkeys(_read(connector / "modes").split()))
        name = connector.name.split("-", 1)[1]
        found.append(Display(name, status == "connected", modes))
    return found


def touch_devices(proc_input: Path = PROC_INPUT) -> list[TouchDevice]:
    """Input devices that report screen coordinates (INPUT_PROP_DIRECT): touch panels."""
    found = []
    for block in _read(proc_input).split("\n\n"):
        name, handlers, props = "", [], 0
        for line in block.splitlines():
            if line.startswith("N: Name="):
                name = line.removeprefix("N: Name=").strip().strip('"')
            elif line.startswith("H: Handlers="):
                handlers = line.removeprefix("H: Handlers=").split()
            elif line.startswith("B: PROP="):
                try:
                    props = int(line.removeprefix("B: PROP=").split()[-1], 16)
                except (ValueError, IndexError):
                    props = 0
        if name and props & INPUT_PROP_DIRECT:
            found.append(TouchDevice(name, handlers))
    return found


def network(proc_route: Path = PROC_ROUTE, resolv_conf: Path = RESOLV_CONF) -> Network:
    """The default route's interface and gateway, and the DNS servers the resolver uses."""
    interface = gateway = None
    for line in _read(proc_route).splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 3 and fields[1] == "00000000":
            interface = fields[0]
            try:
                raw = struct.pack("<I", int(fields[2], 16))  # /proc writes it little-endian
                gateway = str(ipaddress.IPv4Address(raw))
            except (ValueError, struct.error):
                gateway = None
            break
    servers = [
        line.split()[1]
        for line in _read(resolv_conf).splitlines()
        if line.startswith("nameserver") and len(line.split()) >= 2
    ]
    return Network(interface, gateway, servers)


def disk(state_dir: Path) -> Disk | None:
    """Free space where the kiosk keeps its state (its nearest existing folder)."""
    where = state_dir
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        usage = shutil.disk_usage(where)
    except OSError:
        return None
    return Disk(str(state_dir), usage.free // MIB, usage.total // MIB)


def probe(state_dir: Path, timeout: float = 2.0) -> ProbeReport:
    hardware = detect_hardware(timeout)
    notes = list(hardware.notes)
    net = network()
    if net.default_interface is None:
        notes.append("network: no default route (the centre cannot be reached)")
    if not net.nameservers:
        notes.append(f"network: no nameserver in {RESOLV_CONF}")
    screens = displays()
    if not screens:
        notes.append(f"displays: none found in {SYS_DRM} (no DRM driver loaded?)")
    return ProbeReport(hardware.devices, screens, touch_devices(), net, disk(state_dir), notes)


def _usb_ids(device: DetectedDevice) -> str:
    if device.vid is None or device.pid is None:
        return ""
    serial = f" serial {device.serial_number}" if device.serial_number else ""
    return f"{device.vid:04x}:{device.pid:04x}{serial}"


def as_table(report: ProbeReport) -> str:
    """What a technician reads at the kiosk: one line per thing found, then the notes."""
    rows: list[tuple[str, str, str]] = [
        (d.kind, d.path, f"{d.description} {_usb_ids(d)}".strip()) for d in report.devices
    ]
    rows += [
        (
            "display",
            s.connector,
            ("connected " if s.connected else "disconnected ")
            + (", ".join(s.modes[:3]) or "no modes"),
        )
        for s in report.displays
    ]
    rows += [("touch", " ".join(t.handlers), t.name) for t in report.touch]
    net = report.network
    rows.append(
        (
            "network",
            net.default_interface or "-",
            f"gateway {net.gateway or 'none'}; DNS {', '.join(net.nameservers) or 'none'}",
        )
    )
    if report.disk is not None:
        rows.append(
            (
                "disk",
                report.disk.path,
                f"{report.disk.free_mb} MB free of {report.disk.total_mb} MB",
            )
        )
    width_kind = max(len(r[0]) for r in rows)
    width_path = max(len(r[1]) for r in rows)
    lines = [f"{k:<{width_kind}}  {p:<{width_path}}  {d}".rstrip() for k, p, d in rows]
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines)
