"""Enrollment: make the kiosk's key pair, register its public half with a one-time token,
and record the answer in a config drop-in.

The key is written before the request and the drop-in after it: a failed request leaves a key
that the next attempt reuses, never a kiosk id without its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from central.contract.models import EnrollmentRequest, EnrollmentResponse, ErrorBody
from common.layered_config import edit_dropin
from kiosk.config import (
    DEFAULT_CONFIG_DIR,
    ENV_PREFIX,
    KioskConfig,
    kiosk_layer_files,
    load_kiosk_config,
)
from kiosk.config.schema import MIGRATIONS
from kiosk.identity import IdentityError, KioskKey
from provisioning.hardware import hardware_summary

ENROLLMENT_DROPIN = "10-enrollment.toml"
KEY_BESIDE_CONFIG = Path("identity") / "kiosk.key"


class EnrollmentFailed(Exception):
    """The centre refused, or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class Enrolled:
    kiosk_id: str
    office_name: str
    office_id: str
    dropin: Path
    key_file: Path


def key_path(config_root: Path, config: KioskConfig) -> Path:
    """Where this enrolment keeps the kiosk's key.

    The configured ``identity.key_file`` when a layer sets it, or for the system configuration;
    otherwise (``--config-dir`` elsewhere, key path left at its default) the key goes beside
    that configuration, so a test or second kiosk never reuses or overwrites the key of the
    kiosk configured in /etc/anjungan.
    """
    chosen = "key_file" in config.identity.model_fields_set
    if chosen or config_root.resolve() == DEFAULT_CONFIG_DIR:
        return config.identity.key_file
    return config_root.resolve() / KEY_BESIDE_CONFIG


def _load_or_make_key(path: Path) -> KioskKey:
    try:
        return KioskKey.load(path)
    except IdentityError:
        if path.exists():
            raise
    key = KioskKey.generate()
    try:
        key.save(path)
    except OSError as err:
        raise EnrollmentFailed(
            f"cannot write the kiosk key at {path}: {err.strerror}. Run as the kiosk's service "
            "user (or root), or choose identity.key_file in kiosk.toml."
        ) from err
    return key


def enroll(config_root: Path, central_url: str, token: str, timeout_s: float = 15.0) -> Enrolled:
    config = load_kiosk_config(config_root)
    key_file = key_path(config_root, config)
    key = _load_or_make_key(key_file)
    request = EnrollmentRequest(
        token=token,
        public_key=key.public_key_b64(),
        hardware=hardware_summary(config.kiosk.state_dir),
    )
    url = central_url.rstrip("/") + "/v1/enrollments"
    try:
        reply = requests.post(
            url,
            data=request.model_dump_json(),
            timeout=timeout_s,
            headers={"Content-Type": "application/json"},
        )
    except requests.RequestException as err:
        raise EnrollmentFailed(f"cannot reach the centre at {central_url}: {err}") from err
    if reply.status_code != 201:
        try:
            message = ErrorBody.model_validate_json(reply.content).message.en
        except ValueError:
            message = f"unexpected answer (HTTP {reply.status_code})"
        raise EnrollmentFailed(f"the centre refused the enrollment: {message}")
    answer = EnrollmentResponse.model_validate_json(reply.content)
    dropin = config_root / "kiosk.d" / ENROLLMENT_DROPIN
    dropin.parent.mkdir(parents=True, exist_ok=True)
    changes: dict[str, object] = {
        "kiosk.id": answer.kiosk_id,
        "kiosk.office_id": answer.office.id,
        "central.url": central_url.rstrip("/"),
        "heartbeat.period_s": float(answer.heartbeat_period_s),
    }
    if key_file != config.identity.key_file:
        changes["identity.key_file"] = str(key_file)
    edit_dropin(
        KioskConfig,
        files=kiosk_layer_files(config_root, also=(dropin,)),
        dropin=dropin,
        changes=changes,
        env_prefix=ENV_PREFIX,
        migrations=MIGRATIONS,
        header="Written by `kiosk-provision enroll`. Re-enrol rather than editing by hand.",
    )
    return Enrolled(
        kiosk_id=answer.kiosk_id,
        office_name=answer.office.name,
        office_id=answer.office.id,
        dropin=dropin,
        key_file=key_file,
    )
