"""``kiosk devices`` (what is plugged in, how each configured device is doing) and
``kiosk printer-emulator`` (the ESC/POS test printer, for technicians and the demo)."""

from __future__ import annotations

import argparse
import json
import select
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from common.layered_config import ConfigError
from drivers.base import DeviceState, DeviceStatus
from drivers.emulator import (
    EmulatedReceipt,
    PaperState,
    PrinterEmulator,
    PtyPrinter,
    ReplyMode,
    TcpPrinterServer,
)
from drivers.printer.profile import PROFILES
from drivers.probe import DeviceSpec, HardwareReport, detect_hardware, probe_status
from kiosk.config import add_config_dir_option, load_kiosk_config
from kiosk.config.devices import device_specs
from kiosk.config.hardware import hardware_problems


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    devices = subparsers.add_parser(
        "devices",
        help="list detected hardware and the live status of each configured device",
        description="Detected PC/SC readers, serial ports, cameras and USB printers, then the "
        "live status of every configured device. Exit 0 when all configured devices are "
        "online, 1 when any is not, 2 when the configuration is invalid.",
    )
    add_config_dir_option(devices)
    devices.add_argument(
        "--json", action="store_true", help="machine-readable output (times in ISO 8601, UTC)"
    )
    devices.add_argument(
        "--timeout", type=float, default=3.0, metavar="S", help="seconds per device (default 3)"
    )
    devices.set_defaults(handler=run_devices)

    emulator = subparsers.add_parser(
        "printer-emulator",
        help="run the ESC/POS printer emulator on TCP or a pty",
        description="A receipt printer that writes each receipt as a PNG. While it runs, type "
        "'paper full|near-end|out', 'cover open|closed', 'reply normal|silent|garbage', "
        "'list' or 'quit' on stdin.",
    )
    emulator.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    emulator.add_argument(
        "--port", type=int, default=9100, help="TCP port (default %(default)s; 0: any free one)"
    )
    emulator.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal instead")
    emulator.add_argument(
        "--out",
        type=Path,
        default=Path("receipts"),
        help="folder for the receipt PNGs (default %(default)s)",
    )
    emulator.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="80mm",
        help="paper width: 58mm is 384 dots, 80mm 576 (default %(default)s)",
    )
    emulator.add_argument(
        "--paper",
        choices=[p.value for p in PaperState],
        default="full",
        help="paper at start, as the status queries report it (default %(default)s)",
    )
    emulator.add_argument(
        "--cover",
        choices=["open", "closed"],
        default="closed",
        help="cover at start; open refuses to print (default %(default)s)",
    )
    emulator.add_argument(
        "--reply",
        choices=[r.value for r in ReplyMode],
        default="normal",
        help="how status queries are answered: normal, silent (no reply) or garbage "
        "(default %(default)s)",
    )
    emulator.add_argument(
        "--run-out-after-lines",
        type=int,
        metavar="N",
        help="paper runs out after N printed lines, like a roll ending mid-receipt",
    )
    emulator.add_argument(
        "--run-out-after-bytes",
        type=int,
        metavar="N",
        help="paper runs out after N bytes received",
    )
    emulator.set_defaults(handler=run_emulator)


# -- kiosk devices -------------------------------------------------------------------------------


def run_devices(args: argparse.Namespace) -> int:
    try:
        config = load_kiosk_config(args.config_dir)
    except ConfigError as err:
        sys.stderr.write(f"kiosk devices: invalid configuration: {err}\n")
        return 2
    report = detect_hardware(timeout=args.timeout)
    specs = device_specs(config)
    statuses = [(spec, probe_status(spec, args.timeout)) for spec in specs]
    problems = hardware_problems(config)
    if args.json:
        document = _as_json(report, statuses) | {"problems": problems}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(_as_text(report, statuses))
    for problem in problems:  # a production kiosk with simulators is not ready, however "online"
        sys.stderr.write(f"kiosk devices: {problem}\n")
    online = all(status.state is DeviceState.ONLINE for _, status in statuses)
    return 0 if online and not problems else 1


def _as_json(
    report: HardwareReport, statuses: list[tuple[DeviceSpec, DeviceStatus]]
) -> dict[str, Any]:
    return {
        "detected": [device.as_dict() for device in report.devices],
        "notes": report.notes,
        "configured": [
            {"role": spec.role, "driver": spec.driver, **status.as_dict(), "since": _iso(status)}
            for spec, status in statuses
        ],
    }


def _iso(status: DeviceStatus) -> str:
    """``since`` as the ISO 8601 UTC time the rest of the project prints, not epoch seconds."""
    return datetime.fromtimestamp(status.since, UTC).isoformat(timespec="milliseconds")


def _as_text(report: HardwareReport, statuses: list[tuple[DeviceSpec, DeviceStatus]]) -> str:
    lines = ["Detected hardware:"]
    for device in report.devices:
        ids = f" [{device.vid:04x}:{device.pid:04x}]" if device.vid and device.pid else ""
        lines.append(f"  {device.kind:<12} {device.path}{ids}  {device.description}")
    if not report.devices:
        lines.append("  (nothing found)")
    lines.extend(f"  note: {note}" for note in report.notes)
    lines.append("Configured devices:")
    for spec, status in statuses:
        line = (
            f"  {spec.role:<12} {spec.driver:<14} {status.state.value:<8} "
            f"supply={status.supply.value} cover={status.cover.value}"
        )
        if status.last_error:
            line += f"  ({status.last_error})"
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- kiosk printer-emulator ----------------------------------------------------------------------


def run_emulator(args: argparse.Namespace) -> int:
    emulator = PrinterEmulator(
        PROFILES[args.profile].width_dots,
        args.out,
        paper=PaperState(args.paper),
        cover_open=args.cover == "open",
        reply=ReplyMode(args.reply),
        on_receipt=_announce,
    )
    if args.run_out_after_lines or args.run_out_after_bytes:
        emulator.run_out_after(lines=args.run_out_after_lines, bytes_=args.run_out_after_bytes)
    server: TcpPrinterServer | PtyPrinter
    if args.pty:
        server = PtyPrinter(emulator).start()
        _say(f"printer emulator ({args.profile}) on pty {server.slave_path}")
    else:
        try:
            server = TcpPrinterServer(emulator, args.host, args.port).start()
        except OSError as err:
            sys.stderr.write(f"kiosk printer-emulator: cannot listen on {args.port}: {err}\n")
            return 1
        _say(f"printer emulator ({args.profile}) on tcp://{server.host}:{server.port}")
    _say(f"receipts go to {args.out.resolve()}")
    try:
        _control_loop(emulator)
    finally:
        server.stop()
        emulator.finish()
    return 0


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _announce(receipt: EmulatedReceipt) -> None:
    state = "complete" if receipt.complete else "INCOMPLETE"
    _say(f"receipt {receipt.number}: {len(receipt.lines)} lines, {state} ({receipt.ended_by}) "
         f"-> {receipt.png_path}")  # fmt: skip


def _control_loop(emulator: PrinterEmulator) -> None:
    """Commands from stdin until 'quit', end of input plus a signal, SIGINT or SIGTERM."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    stdin_open = True
    try:
        while not stop.is_set():
            if not stdin_open:
                stop.wait(0.5)
                continue
            ready, _, _ = select.select([sys.stdin], [], [], 0.5)
            if not ready:
                continue
            line = sys.stdin.readline()
            if not line:
                stdin_open = False
                continue
            if not _command(emulator, line.split()):
                return
    except KeyboardInterrupt:
        return
    finally:
        signal.signal(signal.SIGTERM, previous)


def _command(emulator: PrinterEmulator, words: list[str]) -> bool:
    """Apply one control command; False means quit."""
    try:
        match words:
            case ["quit" | "exit"]:
                return False
            case ["paper", state]:
                emulator.set_paper(PaperState(state))
            case ["cover", ("open" | "closed") as state]:
                emulator.set_cover(state == "open")
            case ["reply", mode]:
                emulator.set_reply_mode(ReplyMode(mode))
            case ["list"]:
                for receipt in emulator.receipts:
                    _announce(receipt)
            case []:
                return True
            case _:
                _say("commands: paper full|near-end|out, cover open|closed, "
                     "reply normal|silent|garbage, list, quit")  # fmt: skip
                return True
    except ValueError as err:
        _say(f"not understood: {err}")
        return True
    _say(f"paper={emulator.paper.value} cover={'open' if emulator.cover_open else 'closed'}")
    return True
