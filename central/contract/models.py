"""The kiosk ⇄ centre wire models (``/v1``). One definition, used by both sides.

Every model forbids unknown fields so a typo on either side is an error, not silently ignored
data. Personal fields are named plainly here; logging them is forbidden elsewhere.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from common.card_uid import HEX_UID_PATTERN

API_VERSION = "v1"


class WireModel(BaseModel):
    # allow_inf_nan=False: Infinity, NaN and overflowing numbers (1e309) are refused (422) on
    # every model; stored, they became nulls that later failed to read back.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


W = TypeVar("W", bound=WireModel)


def read_answer(model: type[W], content: bytes | str) -> W:
    """The centre's answer as ``model``, ignoring fields this version does not know.

    What the centre accepts stays strict (``extra="forbid"``), but its answers are read
    tolerantly: during a rolling update the centre is upgraded first, and a newer centre may
    add a field to an answer; kiosks one version behind must keep working, not all fail to
    read it at once. Every field this version knows is still validated in full."""
    return model.model_validate_json(content, extra="ignore")


class LocalizedText(WireModel):
    """A user-facing text in Bahasa Indonesia (``id``, the default) and English (``en``)."""

    id: str
    en: str


class ErrorBody(WireModel):
    """The one error shape every non-2xx answer carries."""

    code: str = Field(description="Stable machine-readable error code, e.g. 'signature_invalid'.")
    message: LocalizedText
    details: dict[str, Any] | None = None


# ---------------------------------------------------------------- offices and enrollment


class OfficeKind(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"
    KELURAHAN = "kelurahan"
    PUSKESMAS = "puskesmas"


class Office(WireModel):
    id: str = Field(description="Kemendagri region code, e.g. '35.10.01.2001'.")
    name: str
    kind: OfficeKind
    parent_id: str | None = None


Base64Key = Annotated[str, StringConstraints(min_length=40, max_length=60)]
TokenText = Annotated[str, StringConstraints(min_length=8, max_length=128)]


class HardwareSummary(WireModel):
    """What the technician's unit is, reported once at enrollment."""

    hostname: str = Field(max_length=255)
    machine: str = Field(max_length=64, description="CPU architecture, e.g. 'x86_64'.")
    os: str = Field(max_length=255)
    cpu_count: int = Field(ge=1, le=1024)
    ram_mb: int = Field(ge=0, le=10_000_000)
    disk_mb: int = Field(ge=0, le=1_000_000_000)
    app_version: str = Field(max_length=64)
    peripherals: list[str] = Field(default_factory=list, max_length=32)


class EnrollmentRequest(WireModel):
    token: TokenText
    public_key: Base64Key = Field(
        description="The kiosk's Ed25519 public key, raw 32 bytes, base64."
    )
    hardware: HardwareSummary


class EnrollmentResponse(WireModel):
    kiosk_id: str
    office: Office
    heartbeat_period_s: int
    tracking_url: str | None = Field(
        default=None,
        description="Template of the centre's public tracking page for receipt QR codes, "
        "with one {code} field (https://desa.example.id/lacak/{code}).",
    )


class EnrollmentTokenCreate(WireModel):
    office_id: str
    ttl_s: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)


class EnrollmentTokenCreated(WireModel):
    token: str = Field(description="Shown once; only its hash is stored.")
    office_id: str
    expires_at: datetime


class RekeyTokenCreate(WireModel):
    ttl_s: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)


class RekeyTokenCreated(WireModel):
    """A one-time token with which an enrolled kiosk replaces its key (``kiosk-provision enroll
    --rekey``) and keeps its id, office and history; a revoked kiosk re-keyed is let in again."""

    token: str = Field(description="Shown once; only its hash is stored.")
    kiosk_id: str
    expires_at: datetime


# ---------------------------------------------------------------- residents and login

NIK_DIGITS = 16
PIN_DIGITS = 6  # the keypads submit by themselves at these lengths, as e-wallets do
Nik = Annotated[str, StringConstraints(pattern=rf"^[0-9]{{{NIK_DIGITS}}}$")]
Pin = Annotated[str, StringConstraints(pattern=rf"^[0-9]{{{PIN_DIGITS}}}$")]
CardUid = Annotated[str, StringConstraints(pattern=HEX_UID_PATTERN)]


class LoginRequest(WireModel):
    """Card UID (canonical hex; the kiosk converts wedge decimals) or NIK, then the PIN.
    The identifier that the method names is required."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {"method": {"const": "card"}, "card_uid": {"type": "string"}},
                    "required": ["card_uid"],
                },
                {
                    "properties": {"method": {"const": "nik"}, "nik": {"type": "string"}},
                    "required": ["nik"],
                },
            ]
        }
    )

    method: Literal["card", "nik"]
    card_uid: CardUid | None = None
    nik: Nik | None = None
    pin: Pin

    @model_validator(mode="after")
    def _identifier_given(self) -> LoginRequest:
        if getattr(self, "card_uid" if self.method == "card" else "nik") is None:
            raise ValueError(f"method '{self.method}' needs its identifier")
        return self


class ResidentSummary(WireModel):
    name: str
    nik_masked: str = Field(description="'3510********0001': enough to recognise, not to copy.")
    village_id: str | None


class LoginResponse(WireModel):
    session_token: str
    idle_timeout_s: int
    submission_grant: str = Field(
        description="Lets this kiosk's outbox deliver this resident's submissions after the "
        "session ends (sent as X-Resident-Grant); valid for submissions only, for days."
    )
    must_change_pin: bool
    resident: ResidentSummary


class PinChangeRequest(WireModel):
    current_pin: Pin
    new_pin: Pin


class PinChanged(WireModel):
    must_change_pin: bool


# ---------------------------------------------------------------- service catalog


class ServiceKind(enum.StrEnum):
    LETTER = "letter"
    QUEUE = "queue"
    BANSOS = "bansos"
    COMPLAINT = "complaint"
    INFO = "info"
    # Kiosk-local: "Ambil surat", offered by a kiosk whose A4 printer is ready; never in the
    # centre's catalog (kiosk.session.collect).
    COLLECT = "collect"


class FieldType(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    NIK = "nik"


class FormField(WireModel):
    name: str
    type: FieldType
    label: LocalizedText
    required: bool = True
    max_length: int | None = None
    pattern: str | None = Field(default=None, description="Regular expression the answer matches.")
    choices: list[str] | None = None
    suggestions: list[LocalizedText] | None = Field(
        default=None,
        description=(
            "Common answers to a text field, offered as one-touch buttons above the keyboard "
            "(typing stays possible). The answer sent is the suggestion's 'id' text: letters "
            "are written in Bahasa Indonesia; 'en' is what an English-speaking resident reads. "
            "A kiosk that predates this key ignores it and shows the keyboard alone."
        ),
    )


class DocumentRequirement(WireModel):
    name: str
    label: LocalizedText
    provide: Literal["scan", "bring"] = Field(
        description="'scan' at the kiosk's camera tray, or 'bring' the paper to the office."
    )
    required: bool = True


class Service(WireModel):
    id: str
    kind: ServiceKind
    label: LocalizedText
    fields: list[FormField] = Field(default_factory=list)
    documents: list[DocumentRequirement] = Field(default_factory=list)


class ServiceCatalog(WireModel):
    office: Office
    services: list[Service]


# ---------------------------------------------------------------- heartbeats and fleet


class AppState(enum.StrEnum):
    """CUSS-style application states: the same value is on screen and in the heartbeat."""

    AVAILABLE = "AVAILABLE"
    ACTIVE = "ACTIVE"
    UNAVAILABLE = "UNAVAILABLE"


class UnavailableReason(enum.StrEnum):
    """Why a kiosk is UNAVAILABLE: shown on its screen and sent in its heartbeat."""

    HARDWARE = "hardware"  # a device the kiosk needs is gone or broken
    CONSUMABLES = "consumables"  # the printer is out of paper (and no on-screen receipt)
    BACKEND = "backend"  # the centre is unreachable and nothing offered works without it
    MAINTENANCE = "maintenance"  # a technician took it out of service


class PeripheralStatus(WireModel):
    name: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    state: Literal["online", "offline", "error", "busy", "unknown"]
    supply: Literal["full", "low", "out", "unknown", "n/a"] = "n/a"
    cover: Literal["open", "closed", "unknown"] = "unknown"
    last_error: str | None = Field(default=None, max_length=500)
    since: datetime | None = None


class Versions(WireModel):
    app: str = Field(max_length=64)
    os: str = Field(default="", max_length=255)
    python: str = Field(default="", max_length=32)


class Resources(WireModel):
    disk_free_mb: int = Field(ge=0)
    disk_total_mb: int = Field(ge=0)
    ram_free_mb: int = Field(ge=0)
    ram_total_mb: int = Field(ge=0)
    load_1m: float | None = Field(default=None, ge=0)


class NetworkInfo(WireModel):
    interface: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=64)
    rtt_ms: float | None = Field(default=None, ge=0)


class Heartbeat(WireModel):
    kiosk_id: str = Field(max_length=64)
    sequence: int = Field(ge=0, le=2**62)
    sent_at: datetime
    boot_id: str = Field(max_length=64)
    uptime_s: float = Field(ge=0)
    versions: Versions
    config_hash: str = Field(max_length=128)
    app_state: AppState
    app_state_reason: UnavailableReason | None = None
    resources: Resources
    network: NetworkInfo
    outbox_backlog: int = Field(ge=0)
    last_transaction_at: datetime | None = None
    peripherals: list[PeripheralStatus] = Field(default_factory=list, max_length=32)
    # A kiosk running simulated devices (kiosk.mode = "demo"): never one serving residents.
    demo: bool = False
    # "schedule" for the periodic ping, "device_change" when sent at once because a device's
    # state changed (paper out, reader gone...) or the kiosk's availability did.
    trigger: Literal["schedule", "device_change"] = "schedule"


class HeartbeatAck(WireModel):
    received_at: datetime
    next_in_s: int


class AppHealth(enum.StrEnum):
    """The health agent's verdict on the kiosk app, judged from outside the app."""

    UP = "up"
    DOWN = "down"


class AppDownReason(enum.StrEnum):
    """Why the health agent judged the app down."""

    NO_STATUS = "no_status"  # the runtime has never written its status file on this kiosk
    STALE = "stale"  # the status file has not been rewritten for too long: the app hangs or died
    STOPPED = "stopped"  # the runtime stopped: it said so, or its process is gone
    UNIT_FAILED = "unit_failed"  # systemd gave up restarting the kiosk's unit


MAX_AGENT_REPORTS = 60  # reports in one delivery: the agent sends its offline buffer in parts


class AgentReport(WireModel):
    """One look at the kiosk by its health agent (``kiosk health ping``), a process apart from
    the app: so the centre can tell "PC up, app down" from "kiosk offline". No personal data."""

    report_id: str = Field(
        pattern=r"^[0-9a-f]{32}$",
        description="Made by the agent; a report delivered twice is stored once.",
    )
    observed_at: datetime = Field(description="When the agent looked (the kiosk's clock).")
    boot_id: str = Field(max_length=64)
    uptime_s: float = Field(ge=0)
    app: AppHealth
    app_reason: AppDownReason | None = None
    app_state: AppState | None = Field(
        default=None, description="The app's own state from its status file, when it is up."
    )
    status_age_s: float | None = Field(
        default=None, ge=0, description="Age of the app's status file when the agent looked."
    )
    disk_free_mb: int = Field(ge=0)
    disk_total_mb: int = Field(ge=0)
    temperature_c: float | None = Field(default=None, ge=-60, le=200)
    clock_offset_s: float | None = Field(
        default=None,
        ge=-1e9,
        le=1e9,
        description="Kiosk clock minus the centre's (its Date header) at the agent's last "
        "delivery; none before the first.",
    )
    agent_version: str = Field(max_length=64)

    @model_validator(mode="after")
    def _reason_only_when_down(self) -> AgentReport:
        if (self.app_reason is None) != (self.app is AppHealth.UP):
            raise ValueError("app_reason is given exactly when app is 'down'")
        return self


class AgentReports(WireModel):
    """What the agent delivers: its buffered reports, oldest first, then the current one."""

    kiosk_id: str = Field(max_length=64)
    reports: list[AgentReport] = Field(min_length=1, max_length=MAX_AGENT_REPORTS)


class AgentReportsAck(WireModel):
    received_at: datetime
    stored: int = Field(description="Reports not seen before (a resent report counts once).")


class Liveness(enum.StrEnum):
    """Computed when read, from the age of the newest word from the kiosk (FIELD-NOTES,
    appliance operations): a heartbeat from the app or a report from its health agent."""

    UP = "up"
    LATE = "late"
    OFFLINE = "offline"
    NEVER = "never"
    # The PC answers (its health agent reports) but the app does not: the agent's newest
    # report, newer than the app's last heartbeat, says the app is down.
    APP_DOWN = "app_down"


class FleetKiosk(WireModel):
    kiosk_id: str
    office: Office
    liveness: Liveness
    last_seen_at: datetime | None
    revoked: bool
    heartbeat: Heartbeat | None
    agent: AgentReport | None = Field(
        default=None, description="The health agent's newest report, if it has sent one."
    )


FLEET_PAGE_DEFAULT = 500
FLEET_PAGE_MAX = 2000


class Fleet(WireModel):
    """One page of the kiosks the caller may see (a village operator: their office's), in
    kiosk id order; ``counts`` are over all of them, not only the page."""

    generated_at: datetime
    heartbeat_period_s: int
    counts: dict[Liveness, int]
    kiosks: list[FleetKiosk]
    next_after: str | None = Field(
        default=None,
        description="More kiosks follow: ask again with `after` set to this kiosk id.",
    )


# ---------------------------------------------------------------- operators


class OperatorLogin(WireModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class OperatorToken(WireModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth scheme name
    expires_at: datetime


class KioskRevoked(WireModel):
    kiosk_id: str
    revoked_at: datetime
