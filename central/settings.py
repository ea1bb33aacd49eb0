"""The centre's settings: one typed schema, layered like the kiosk's (docs/config.md).

Layers, later wins: these defaults → ``/etc/anjungan/central.toml`` →
``/etc/anjungan/central.d/*.toml`` → ``ANJUNGAN_CENTRAL_*`` environment
(``ANJUNGAN_CENTRAL_DATABASE_URL=postgresql+psycopg://…``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from central.contract import signing
from common.layered_config import layer_files, load_layered

SCHEMA_VERSION = 1
DEFAULT_CONFIG_DIR = Path("/etc/anjungan")


class CentralSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = Field(default=SCHEMA_VERSION, description="Version of this schema.")
    database_url: str = Field(
        # Four slashes: sqlite:/// plus an absolute path. With three the path was relative, so
        # every working directory a command ran in got a database of its own.
        default="sqlite:////var/lib/anjungan-central/central.sqlite3",
        description="SQLAlchemy URL: sqlite:////ABSOLUTE/PATH (WAL) or postgresql+psycopg://…",
    )
    heartbeat_period_s: int = Field(default=60, ge=5, description="Kiosk ping period.")
    heartbeat_grace_s: int = Field(default=30, ge=0, description="Slack before 'offline'.")
    history_raw_days: int = Field(
        default=7, ge=1, description="Whole days (UTC) of raw pings kept before today's."
    )
    history_days: int = Field(
        default=90,
        ge=1,
        description="Whole days (UTC) of hourly heartbeat roll-ups kept before today's; at "
        "least history_raw_days.",
    )
    max_clock_skew_s: int = Field(
        default=signing.MAX_CLOCK_SKEW_S, ge=1, description="Accepted signing clock skew."
    )
    resident_idle_timeout_s: int = Field(default=600, ge=30, description="Session idle expiry.")
    pin_lockout_failures: int = Field(default=3, ge=1, description="Wrong PINs before a lock.")
    pin_lockout_base_s: int = Field(default=60, ge=1, description="First lock; doubles each time.")
    pin_lockout_max_s: int = Field(default=24 * 3600, ge=1, description="Longest lock.")
    submission_grant_ttl_s: int = Field(
        default=7 * 24 * 3600, ge=600, description="How long an outbox may deliver for a resident."
    )
    operator_lockout_failures: int = Field(
        default=5, ge=1, description="Wrong passwords on one operator account before a lock."
    )
    operator_source_failures: int = Field(
        default=20, ge=1, description="Failed operator sign-ins from one address before a lock."
    )
    operator_token_ttl_s: int = Field(default=8 * 3600, ge=60, description="Operator login life.")
    console_idle_timeout_s: int = Field(
        default=15 * 60, ge=60, description="Console sign-in ends after this long unused."
    )
    alert_offline_after_s: int = Field(
        default=600, ge=60, description="Fleet alert when a kiosk is offline this long."
    )
    alert_backlog_items: int = Field(
        default=50, ge=1, description="Fleet alert when a kiosk's outbox holds this many."
    )
    fleet_current_version: str = Field(
        default="", description="App version kiosks should run; older is an alert (empty: none)."
    )
    metrics_token: str = Field(
        default="", description="Bearer token /metrics requires (empty: open, counts only)."
    )
    idempotency_ttl_s: int = Field(default=7 * 24 * 3600, ge=60, description="Retry window.")
    max_document_mb: int = Field(default=5, ge=1, le=100, description="Largest upload.")
    secret_key: str = Field(
        default="",
        description="Server secret for keyed hashes of identifiers; made and kept in the "
        "database on first start when empty.",
    )
    agent_reports_kept: int = Field(
        default=120,
        ge=1,
        le=100_000,
        description="Health-agent reports kept per kiosk (120: two hours a minute apart).",
    )
    public_base_url: str = Field(
        default="",
        max_length=200,
        pattern=r"^(https?://[^/?#\s]+(/[^?#\s]*)?)?$",
        description="URL residents' phones reach this centre at: receipt QR codes open "
        "<this>/lacak/<code> (empty: the URL each kiosk enrolled with) and letters' QR codes "
        "<this>/verify/<code> (empty: the address the operator's browser used).",
    )
    public_rate_per_minute: int = Field(
        default=30, ge=1, description="Public pages and lookups allowed per client address."
    )
    public_rate_burst: int = Field(
        default=10, ge=1, description="Public requests one address may make at once."
    )
    notify_gateway_url: str = Field(
        default="",
        pattern=r"^(https?://\S+)?$",
        description="SMS/WhatsApp gateway (JSON POST) for notifications; empty: none sent.",
    )
    notify_gateway_token: str = Field(
        default="", description="Bearer token for the notification gateway."
    )
    notify_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="Seconds to wait for the gateway's answer."
    )
    notify_max_attempts: int = Field(
        default=8, ge=1, le=50, description="Tries of one notification before it is given up."
    )
    notify_retry_base_s: int = Field(
        default=30, ge=1, description="Wait after a first failed try; doubles each time."
    )
    notify_retry_max_s: int = Field(
        default=3600, ge=1, description="Longest wait between tries of one notification."
    )

    @model_validator(mode="after")
    def _history_covers_raw(self) -> CentralSettings:
        """Hours are rolled up from the raw pings: roll-ups outliving them is the point."""
        if self.history_days < self.history_raw_days:
            raise ValueError("history_days must be at least history_raw_days")
        return self


def load_central_settings(
    config_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> CentralSettings:
    environ = os.environ if env is None else env
    root = config_dir or Path(environ.get("ANJUNGAN_CONFIG_DIR", str(DEFAULT_CONFIG_DIR)))
    return load_layered(
        CentralSettings,
        files=layer_files(root / "central.toml", root / "central.d"),
        env_prefix="ANJUNGAN_CENTRAL",
        env=environ,
    )
