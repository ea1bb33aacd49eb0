"""`kiosk-provision configure`: name this kiosk's devices in ``kiosk.d/10-provision.toml``, from
what the probe found and what the technician answers (or gives as flags).

Each device is one *choice* written as ``DRIVER[:WHERE]`` (``pcsc:ACS ACR39U*``,
``usb:0416:5011``, ``network:192.168.1.50:9100``, ``opencv:/dev/video0``, ``none``): the same
text as a flag, as an answer at the prompt, and in the summary printed at the end. The probe
proposes one for each device it found; a flag overrides it; what is still missing is asked for
on a terminal, or refused with the flag to give (``--yes``, or no terminal).

The drop-in is owned by this command: a run writes every key it owns, set or removed, so a
second run with other answers leaves nothing of the first behind. The main config file and the
other drop-ins are never edited; the result is validated as a whole before it is written
(``common.layered_config.edit_dropin``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.layered_config import edit_dropin
from drivers.probe import DetectedDevice
from kiosk.config import ENV_PREFIX, KioskConfig, kiosk_layer_files
from kiosk.config.schema import MIGRATIONS

PROVISION_DROPIN = "10-provision.toml"
DEVICES = ("card_reader", "printer", "camera", "code_scanner")
# Every key this command writes (set, or removed when the choice does not use it).
OWNED_KEYS = (
    "kiosk.mode",
    "kiosk.state_dir",
    "card_reader.driver",
    "card_reader.reader_pattern",
    "card_reader.serial_port",
    "printer.driver",
    "printer.profile",
    "printer.host",
    "printer.port",
    "printer.usb_vendor_id",
    "printer.usb_product_id",
    "printer.serial_port",
    "printer.file_path",
    "camera.driver",
    "camera.device",
    "code_scanner.driver",
    "code_scanner.path",
    "screen.orientation",
)
STAGING_STATE_DIR = Path("var/lib/anjungan")
LABELS = {
    "card_reader": "card reader",
    "printer": "receipt printer",
    "camera": "document camera",
    "code_scanner": "barcode scanner",
}
EXPECTED = {
    "card_reader": "pcsc[:READER NAME PATTERN], serial:PORT or keyboard-wedge",
    "printer": "usb:VID:PID, network:HOST[:PORT], serial:PORT or file:PATH",
    "camera": "opencv[:DEVICE] or none",
    "code_scanner": "serial:PATH or none",
}
SIMULATED = "simulated"


class ConfigureFailed(Exception):
    """A choice cannot be read, a device has no choice, or the result is not a valid
    configuration; the message says which and what to give."""


@dataclass
class Answers:
    """The technician's choices (flags); None: not given."""

    card_reader: str | None = None
    printer: str | None = None
    camera: str | None = None
    code_scanner: str | None = None
    paper: str | None = None
    orientation: str | None = None
    demo: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # what was decided, for the summary


def _split(choice: str) -> tuple[str, str]:
    driver, _, where = choice.strip().partition(":")
    return driver.strip(), where.strip()


def _usb_id(text: str, what: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise ConfigureFailed(f"{what} {text!r} is not a hexadecimal USB id (e.g. 0416)") from None
    if not 0 <= value <= 0xFFFF:
        raise ConfigureFailed(f"{what} {text!r} is not a USB id (0000 to ffff)")
    return value


def card_reader_keys(choice: str) -> dict[str, Any]:
    driver, where = _split(choice)
    if driver == "pcsc":
        return {"card_reader.driver": "pcsc", "card_reader.reader_pattern": where}
    if driver == "serial" and where:
        return {"card_reader.driver": "serial", "card_reader.serial_port": where}
    if driver in ("keyboard-wedge", "simulated") and not where:
        return {"card_reader.driver": driver}
    raise ConfigureFailed(f"card reader {choice!r}: expected {EXPECTED['card_reader']}")


def printer_keys(choice: str) -> dict[str, Any]:
    driver, where = _split(choice)
    if driver == "usb":
        vid, _, pid = where.partition(":")
        return {
            "printer.driver": "usb",
            "printer.usb_vendor_id": _usb_id(vid, "vendor id"),
            "printer.usb_product_id": _usb_id(pid, "product id"),
        }
    if driver == "network" and where:
        host, _, port = where.partition(":")
        keys: dict[str, Any] = {"printer.driver": "network", "printer.host": host}
        if port:
            if not port.isdigit():
                raise ConfigureFailed(f"printer {choice!r}: the port must be a number")
            keys["printer.port"] = int(port)
        return keys
    if driver == "serial" and where:
        return {"printer.driver": "serial", "printer.serial_port": where}
    if driver == "file" and where:
        return {"printer.driver": "file", "printer.file_path": where}
    if driver == "simulated" and not where:
        return {"printer.driver": "simulated"}
    raise ConfigureFailed(f"printer {choice!r}: expected {EXPECTED['printer']}")


def camera_keys(choice: str) -> dict[str, Any]:
    driver, where = _split(choice)
    if driver == "opencv":
        return {"camera.driver": "opencv", **({"camera.device": where} if where else {})}
    if driver in ("none", "simulated") and not where:
        return {"camera.driver": driver}
    raise ConfigureFailed(f"camera {choice!r}: expected {EXPECTED['camera']}")


def code_scanner_keys(choice: str) -> dict[str, Any]:
    driver, where = _split(choice)
    if driver == "serial" and where:
        return {"code_scanner.driver": "serial", "code_scanner.path": where}
    if driver in ("none", "simulated") and not where:
        return {"code_scanner.driver": driver}
    raise ConfigureFailed(f"barcode scanner {choice!r}: expected {EXPECTED['code_scanner']}")


KEYS_OF: dict[str, Callable[[str], dict[str, Any]]] = {
    "card_reader": card_reader_keys,
    "printer": printer_keys,
    "camera": camera_keys,
    "code_scanner": code_scanner_keys,
}


def proposals(devices: list[DetectedDevice]) -> dict[str, str]:
    """What the probe suggests: the first reader, USB printer and camera found; no scanner
    (a serial port alone does not say what is behind it)."""
    proposed: dict[str, str] = {"camera": "none", "code_scanner": "none"}
    for device in devices:
        if device.kind == "pcsc-reader":
            proposed.setdefault("card_reader", f"pcsc:{device.path}")
        elif device.kind == "usb-printer" and device.vid is not None and device.pid is not None:
            proposed.setdefault("printer", f"usb:{device.vid:04x}:{device.pid:04x}")
        elif device.kind == "video" and proposed["camera"] == "none":
            proposed["camera"] = f"opencv:{device.path}"
    return proposed


def decide(
    answers: Answers,
    devices: list[DetectedDevice],
    ask: Callable[[str, str | None], str] | None,
) -> dict[str, Any]:
    """The keys to write: flags first, then the probe's proposal, then the technician's answer
    (``ask(question, proposal)``; None: no one to ask)."""
    proposed = {} if answers.demo else proposals(devices)
    keys: dict[str, Any] = dict.fromkeys(OWNED_KEYS)
    if answers.demo:
        keys["kiosk.mode"] = "demo"
    missing = []
    for device in DEVICES:
        given: str | None = getattr(answers, device)
        choice = given or (SIMULATED if answers.demo else proposed.get(device))
        if ask is not None and given is None and not answers.demo:
            choice = _asked(device, choice, ask)
        if choice is None:
            missing.append(device)
            continue
        keys.update(KEYS_OF[device](choice))
        if _split(choice)[0] == SIMULATED and not answers.demo:
            raise ConfigureFailed(
                f"{LABELS[device]} {choice!r}: simulated devices are for demonstrations; add "
                "--demo (the kiosk then says DEMO in every heartbeat)"
            )
        answers.choices[device] = choice
    if missing:
        flags = ", ".join(f"--{name.replace('_', '-')}" for name in missing)
        raise ConfigureFailed(
            f"nothing found or chosen for: {', '.join(missing)}; give {flags} "
            "(see `kiosk-provision probe` for what this PC has)"
        )
    if answers.paper is not None:
        keys["printer.profile"] = answers.paper
    if answers.orientation is not None:
        keys["screen.orientation"] = answers.orientation
    return keys


def _asked(device: str, proposal: str | None, ask: Callable[[str, str | None], str]) -> str | None:
    """Ask until the answer reads as a choice (the question then says what was wrong); an
    empty answer takes the proposal."""
    question = f"{LABELS[device]} ({EXPECTED[device]})"
    while True:
        reply = ask(question, proposal).strip()
        if not reply:
            return proposal
        try:
            KEYS_OF[device](reply)
        except ConfigureFailed as err:
            question = f"{err}. {LABELS[device]}"
            continue
        return reply


def configure(
    config_root: Path,
    answers: Answers,
    devices: list[DetectedDevice],
    *,
    ask: Callable[[str, str | None], str] | None = None,
    staging_root: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[Path, KioskConfig]:
    """Write the provisioning drop-in; (its path, the configuration it makes).

    ``staging_root``: a root that is not ``/`` (an image being built, a test): the kiosk's
    state goes under it too, so nothing is written outside the root.
    """
    keys = decide(answers, devices, ask)
    if staging_root is not None:
        keys["kiosk.state_dir"] = str(staging_root.resolve() / STAGING_STATE_DIR)
    dropin = config_root / "kiosk.d" / PROVISION_DROPIN
    config = edit_dropin(
        KioskConfig,
        files=kiosk_layer_files(config_root, also=(dropin,)),
        dropin=dropin,
        changes=keys,
        env_prefix=ENV_PREFIX,
        env=env,
        migrations=MIGRATIONS,
        header="Written by `kiosk-provision configure`; run it again rather than editing by "
        "hand (your own settings go in 90-local.toml, through `kiosk config set`).",
    )
    return dropin, config
