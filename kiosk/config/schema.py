"""The kiosk's configuration schema: every setting, its type, default and meaning, in one place.

Defaults describe a kiosk with simulated devices talking to a centre on loopback, so a fresh
checkout runs without any file; a real unit gets its settings from provisioning's drop-ins.
Choices are ``Literal`` types and numbers carry their real limits, so a wrong value is refused
at start-up with a message naming the file and line instead of failing later at the device.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, model_validator

from central.contract.services import PUBLIC_TRACKING_PATH
from common.layered_config import Migration

SCHEMA_VERSION = 1
DEFAULT_STATE_DIR = Path("/var/lib/anjungan")
# Files that live under kiosk.state_dir unless their own key is set: (section, key, relative).
STATE_PATHS: tuple[tuple[str, str, str], ...] = (
    ("identity", "key_file", "identity/kiosk.key"),
    ("outbox", "path", "outbox.sqlite3"),
    ("heartbeat", "status_file", "status.json"),
    ("speech", "cache_dir", "speech"),
)


def _absolute(path: Path) -> Path:
    if not path.is_absolute():
        raise ValueError("must be an absolute path (the service does not run from your directory)")
    return path


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host name")
    return url


def tracking_template(template: str) -> str:
    """A tracking URL template: an http(s) URL with a host and exactly one ``{code}`` field,
    which a receipt's QR fills with the code it carries."""
    _http_url(template.replace("{code}", "CODE"))
    if template.count("{code}") != 1 or template.replace("{code}", "").count("{") > 0:
        raise ValueError("needs exactly one {code} and no other {field}")
    return template


AbsolutePath = Annotated[Path, AfterValidator(_absolute)]
Port = Annotated[int, Field(ge=1, le=65535)]
UsbId = Annotated[int, Field(ge=0, le=0xFFFF)]
Baudrate = Annotated[int, Field(ge=300, le=4_000_000)]
Seconds = Annotated[float, Field(gt=0, le=86_400)]
Text = Annotated[str, Field(min_length=1)]
# true or false only: pydantic's lax bool would read "yes", "on" or "1" typed into
# `kiosk config set` as true, and one of these settings turns the PIN off.
Flag = Annotated[bool, Strict()]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Section):
    id: Text | None = Field(
        default=None, description="This kiosk's id at the centre; set by enrollment."
    )
    office_id: Text | None = Field(
        default=None, description="Village office this kiosk serves; set by enrollment."
    )
    language: Literal["id", "en"] = Field(default="id", description="Language shown when idle.")
    state_dir: AbsolutePath = Field(
        default=DEFAULT_STATE_DIR,
        description="Directory for the kiosk's own state (key, outbox, status file).",
    )
    idle_timeout_s: int = Field(
        default=90, ge=10, le=3600, description="Seconds without a touch before a session is ended."
    )
    warning_countdown_s: int = Field(
        default=15,
        ge=0,
        le=600,
        description="Seconds of on-screen countdown before idle logout (0: none).",
    )
    supervised: Flag = Field(
        default=False,
        description="Staffed kiosk: allows card tap without PIN (never on unattended units).",
    )
    mode: Literal["production", "demo"] = Field(
        default="production",
        description="'demo' allows simulated devices and says DEMO in every heartbeat.",
    )

    @model_validator(mode="after")
    def _countdown_fits(self) -> Self:
        if self.warning_countdown_s >= self.idle_timeout_s:
            raise ValueError(
                f"warning_countdown_s ({self.warning_countdown_s}) must be shorter than "
                f"idle_timeout_s ({self.idle_timeout_s})"
            )
        return self


class CentralSection(_Section):
    url: Annotated[str, AfterValidator(_http_url)] = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the central API (without /v1); set by enrollment.",
    )
    connect_timeout_s: Seconds = Field(
        default=3.05, description="Seconds to wait for a TCP connection."
    )
    read_timeout_s: Seconds = Field(
        default=10.0, description="Seconds to wait for the centre's answer."
    )
    retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries of an idempotent request before using the outbox.",
    )
    tracking_url: Annotated[str, AfterValidator(tracking_template)] | None = Field(
        default=None,
        description="Public tracking page that receipt QR codes open, with one {code} "
        "(https://desa.example.id/lacak/{code}); set by enrollment; unset: <url>/lacak/{code}.",
    )

    def receipt_tracking_url(self) -> str:
        """What receipt QR codes open: ``tracking_url``, else the centre's own page at ``url``
        (a kiosk enrolled with an older centre, or one set up by hand)."""
        return self.tracking_url or self.url.rstrip("/") + PUBLIC_TRACKING_PATH


class IdentitySection(_Section):
    key_file: AbsolutePath = Field(
        default=DEFAULT_STATE_DIR / "identity/kiosk.key",
        description="The kiosk's Ed25519 private key (default: <state_dir>/identity/kiosk.key).",
    )


class HeartbeatSection(_Section):
    period_s: Seconds = Field(
        default=60.0, description="Seconds between health pings to the centre."
    )
    grace_s: float = Field(
        default=30.0, ge=0, le=3600, description="Extra seconds the centre waits before 'offline'."
    )
    status_file: AbsolutePath = Field(
        default=DEFAULT_STATE_DIR / "status.json",
        description="`kiosk run` writes its status here (default: <state_dir>/status.json).",
    )


# Driver names are the keys of the drivers' registries (drivers.cards.CARD_READERS,
# drivers.printer.PRINTERS, drivers.camera.CAMERAS, drivers.scanner.CODE_SCANNERS,
# drivers.documents.DOCUMENT_PRINTERS). They are
# spelled here so the schema stays importable without the drivers' libraries and mypy sees the
# choices; tests/config/test_driver_names.py fails when a registry and its Literal differ.
CardReaderDriver = Literal["pcsc", "keyboard-wedge", "serial", "simulated"]
PrinterDriver = Literal["usb", "serial", "network", "file", "simulated"]
# Optional devices also take "none" (not fitted: no driver is built). Kept flat Literals: the
# reference docs, hardware checks and "did you mean" read the choices with typing.get_args.
CameraDriver = Literal["opencv", "simulated", "none"]
CodeScannerDriver = Literal["serial", "simulated", "none"]
DocumentPrinterDriver = Literal["ipp", "simulated", "none"]


class CardReaderSection(_Section):
    driver: CardReaderDriver = Field(default="simulated", description="Card reader driver.")
    reader_pattern: str = Field(
        default="",
        description="Case-insensitive glob on PC/SC reader names, e.g. `*ACR122*` (empty: first).",
    )
    serial_port: Text | None = Field(
        default=None, description="Serial device of a serial reader (prefer /dev/serial/by-id/...)."
    )
    baudrate: Baudrate = Field(default=9600, description="Serial reader speed in baud.")
    wedge_max_key_gap_ms: int = Field(
        default=50,
        ge=1,
        le=1000,
        description="Longest gap between a wedge reader's keystrokes, in ms.",
    )

    @model_validator(mode="after")
    def _driver_needs(self) -> Self:
        if self.driver == "serial" and self.serial_port is None:
            raise ValueError("driver 'serial' needs card_reader.serial_port")
        return self


class PrinterSection(_Section):
    driver: PrinterDriver = Field(default="simulated", description="Receipt printer connection.")
    profile: Literal["58mm", "80mm"] = Field(
        default="80mm", description="Paper width (58mm: 384 dots)."
    )
    host: Text = Field(default="127.0.0.1", description="Network printer host (driver 'network').")
    port: Port = Field(default=9100, description="Network printer TCP port (driver 'network').")
    usb_vendor_id: UsbId | None = Field(default=None, description="USB vendor id (driver 'usb').")
    usb_product_id: UsbId | None = Field(default=None, description="USB product id (driver 'usb').")
    serial_port: Text | None = Field(default=None, description="Serial device (driver 'serial').")
    baudrate: Baudrate = Field(default=19200, description="Serial printer speed in baud.")
    file_path: Path | None = Field(
        default=None, description="File or device node the bytes are written to (driver 'file')."
    )
    status_poll_s: Seconds = Field(
        default=5.0, description="Seconds between paper/cover status polls."
    )
    timeout_s: Seconds = Field(default=5.0, description="Seconds to wait on any printer I/O.")
    screen_fallback: bool = Field(
        default=True,
        description="Printer fault: show the receipt's code on screen (false: out of service).",
    )

    @model_validator(mode="after")
    def _driver_needs(self) -> Self:
        needs: dict[str, tuple[str, ...]] = {
            "usb": ("usb_vendor_id", "usb_product_id"),
            "serial": ("serial_port",),
            "file": ("file_path",),
        }
        missing = [name for name in needs.get(self.driver, ()) if getattr(self, name) is None]
        if missing:
            keys = " and ".join(f"printer.{name}" for name in missing)
            raise ValueError(f"driver '{self.driver}' needs {keys}")
        return self


class CameraSection(_Section):
    driver: CameraDriver = Field(
        default="simulated", description="Document camera ('none': no camera fitted)."
    )
    device: Text = Field(default="0", description="Camera index or device path, e.g. /dev/video0.")
    width: int = Field(default=1920, ge=160, le=10_000, description="Capture width in pixels.")
    height: int = Field(default=1080, ge=120, le=10_000, description="Capture height in pixels.")
    fps: float = Field(
        default=15.0,
        gt=0,
        le=60,
        description="Frames per second read from the camera: the live preview's rate at most "
        "(the simulator is paced at it; set a 30 fps document camera to 30).",
    )
    sim_source: Path | None = Field(
        default=None,
        description="Image or folder of images the simulated camera shows.",
    )


class CodeScannerSection(_Section):
    driver: CodeScannerDriver = Field(
        default="none", description="Barcode/QR scanner driver ('none': no scanner fitted)."
    )
    vid: UsbId | None = Field(default=None, description="USB vendor id used to find the scanner.")
    pid: UsbId | None = Field(default=None, description="USB product id used to find the scanner.")
    serial_number: Text | None = Field(
        default=None, description="USB serial number, if several match."
    )
    path: Text | None = Field(
        default=None, description="Device path; used instead of vid/pid when set."
    )
    baudrate: Baudrate = Field(default=9600, description="Scanner speed in baud.")

    @model_validator(mode="after")
    def _driver_needs(self) -> Self:
        if self.driver == "serial" and self.path is None and None in (self.vid, self.pid):
            raise ValueError("driver 'serial' needs code_scanner.path or code_scanner.vid and .pid")
        return self


class DocumentPrinterSection(_Section):
    driver: DocumentPrinterDriver = Field(
        default="none",
        description="A4 printer for finished letters ('ipp': a CUPS queue; 'none': not fitted).",
    )
    uri: Text = Field(
        default="ipp://localhost:631/printers/anjungan-a4",
        description="IPP URI of the CUPS queue letters are printed to (driver 'ipp').",
    )
    status_uri: Text | None = Field(
        default=None,
        description="The printer's own IPP URI for live paper/door status between jobs.",
    )
    status_poll_s: Seconds = Field(
        default=30.0, description="Seconds between status polls of the A4 printer."
    )
    job_timeout_s: Seconds = Field(
        default=120.0, description="Seconds a letter may take to print before it is cancelled."
    )
    timeout_s: Seconds = Field(default=5.0, description="Seconds to wait on any IPP request.")

    @model_validator(mode="after")
    def _ipp_uris(self) -> Self:
        for name in ("uri", "status_uri"):
            value = getattr(self, name)
            if value is not None and urlsplit(value).scheme not in {"ipp", "ipps"}:
                raise ValueError(f"document_printer.{name} must be an ipp:// or ipps:// URI")
        return self


class ScreenSection(_Section):
    orientation: Literal["landscape", "portrait"] = Field(
        default="landscape", description="Touchscreen mounting: 1920x1080 or 1080x1920."
    )
    dpi: float = Field(
        default=102.0,
        ge=50,
        le=600,
        description="The panel's pixels per inch (21.5-inch full HD: 102); sizes touch targets.",
    )
    fullscreen: bool = Field(
        default=True, description="Full screen (false: a window, for demos and development)."
    )
    multisamples: Literal[0, 2, 4] = Field(
        default=0,
        description="Anti-aliasing samples per pixel (0: none). Each sample multiplies the "
        "drawing work: with 2 (Kivy's own default) every frame took three times as long in "
        "software rendering; text is smooth either way.",
    )


KeyCode = Annotated[int, Field(ge=0, le=0x7FFF_FFFF)]
KeyCodes = Annotated[list[KeyCode], Field(min_length=1, max_length=8)]


class SpeechSection(_Section):
    enabled: Flag = Field(
        default=False,
        description="Speak every screen's instruction from the start (residents still turn "
        "it off or on with the speaker button).",
    )
    cache_dir: AbsolutePath = Field(
        default=DEFAULT_STATE_DIR / "speech",
        description="Synthesised prompts, WAV named by a hash of voice and text, never personal "
        "data (default: <state_dir>/speech).",
    )
    rate_wpm: int = Field(
        default=150, ge=80, le=300, description="Speaking speed in words per minute."
    )


class KeysSection(_Section):
    """Four-key navigation: SDL key codes, so a USB keypad's keys can be mapped too."""

    up: KeyCodes = Field(default=[273], description="Key codes that move the focus up (arrow).")
    down: KeyCodes = Field(default=[274], description="Key codes that move the focus down.")
    select: KeyCodes = Field(
        default=[13, 271], description="Key codes that press the focused control (Enter)."
    )
    help: KeyCodes = Field(default=[282], description="Key codes that speak the help (F1).")


class TechnicianSection(_Section):
    pin_hash: Text | None = Field(
        default=None,
        description="scrypt hash of the technician PIN; set with `kiosk config technician-pin`.",
    )
    card_hashes: list[Text] = Field(
        default=[],
        max_length=32,
        description="scrypt hashes of technician card UIDs; add with "
        "`kiosk config technician-card`.",
    )


class OutboxSection(_Section):
    path: AbsolutePath = Field(
        default=DEFAULT_STATE_DIR / "outbox.sqlite3",
        description="SQLite file of unsent requests (default: <state_dir>/outbox.sqlite3).",
    )
    max_backoff_s: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Longest wait between retries of one request, seconds.",
    )


class KioskConfig(_Section):
    """Everything a kiosk reads at start-up; built by ``kiosk.config.load_kiosk_config``."""

    schema_version: int = Field(
        default=SCHEMA_VERSION,
        description="Layout version of config files; managed by the software.",
    )
    kiosk: KioskSection = Field(default=KioskSection(), description="This unit.")
    central: CentralSection = Field(default=CentralSection(), description="The central API.")
    identity: IdentitySection = Field(default=IdentitySection(), description="Signing identity.")
    heartbeat: HeartbeatSection = Field(default=HeartbeatSection(), description="Health pings.")
    card_reader: CardReaderSection = Field(
        default=CardReaderSection(), description="e-KTP card reader."
    )
    printer: PrinterSection = Field(
        default=PrinterSection(), description="Thermal receipt printer."
    )
    camera: CameraSection = Field(default=CameraSection(), description="Document camera.")
    code_scanner: CodeScannerSection = Field(
        default=CodeScannerSection(),
        description="Barcode/QR scanner: a receipt's QR read between residents shows its status.",
    )
    document_printer: DocumentPrinterSection = Field(
        default=DocumentPrinterSection(), description="A4 printer for finished letters."
    )
    outbox: OutboxSection = Field(default=OutboxSection(), description="Offline queue of requests.")
    screen: ScreenSection = Field(default=ScreenSection(), description="The touchscreen app.")
    speech: SpeechSection = Field(default=SpeechSection(), description="Spoken prompts.")
    keys: KeysSection = Field(default=KeysSection(), description="Four-key navigation.")
    technician: TechnicianSection = Field(
        default=TechnicianSection(), description="Maintenance mode's credentials."
    )

    @model_validator(mode="before")
    @classmethod
    def _paths_follow_state_dir(cls, data: Any) -> Any:
        """Unset state paths go under ``kiosk.state_dir``: moving the state moves them all."""
        if not isinstance(data, dict):
            return data
        kiosk = data.get("kiosk")
        state_dir = kiosk.get("state_dir") if isinstance(kiosk, dict) else None
        if isinstance(kiosk, KioskSection):
            state_dir = kiosk.state_dir
        if state_dir is None or not Path(state_dir).is_absolute():
            return data  # the default's paths, or an error the field check will name
        filled = dict(data)
        for section, key, relative in STATE_PATHS:
            table = filled.get(section)
            if table is None:
                filled[section] = {key: Path(state_dir) / relative}
            elif isinstance(table, dict) and table.get(key) is None:
                filled[section] = {**table, key: Path(state_dir) / relative}
        return filled


# Keys `kiosk-provision enroll` writes: the kiosk's identity at the centre and where to reach it.
# `kiosk config set` refuses them (a hand-set id or URL would not match the enrolled key).
ENROLLMENT_OWNED = frozenset({"kiosk.id", "kiosk.office_id", "central.url", "identity.key_file"})

# Version N -> N+1 upgrades of one layer's table, for files written by older releases.
MIGRATIONS: dict[int, Migration] = {}
