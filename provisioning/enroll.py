"""Enrollment: make the kiosk's key pair, register its public half with a one-time token,
and record the answer in a config drop-in.

Everything it will write is checked before the centre is contacted, because the centre spends
the token on the first answer: a kiosk that cannot record that answer leaves an orphan at the
centre. The key is written before the request and the drop-in after it: a failed request
leaves a key that the next attempt reuses, never a kiosk id without its key.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from pydantic import ValidationError

from central.contract.models import (
    EnrollmentRequest,
    EnrollmentResponse,
    ErrorBody,
    read_answer,
)
from common.layered_config import edit_dropin
from kiosk.config import (
    DEFAULT_CONFIG_DIR,
    ENV_PREFIX,
    KioskConfig,
    kiosk_layer_files,
    load_kiosk_config,
)
from kiosk.config.schema import MIGRATIONS, tracking_template
from kiosk.identity import IdentityError, KioskKey
from provisioning.hardware import hardware_summary

ENROLLMENT_DROPIN = "10-enrollment.toml"
KEY_BESIDE_CONFIG = Path("identity") / "kiosk.key"
API_PREFIX = "/v1"
# The centre's error code when the public key already belongs to a kiosk.
KEY_ALREADY_ENROLLED = "public_key_enrolled"
NEW_KEY_SUFFIX = ".new"
OLD_KEY_SUFFIX = ".old"


class EnrollmentFailed(Exception):
    """The centre refused, or could not be reached, or a file cannot be written; the message
    says which and what to do."""


@dataclass(frozen=True)
class Enrolled:
    kiosk_id: str
    office_name: str
    office_id: str
    dropin: Path
    key_file: Path
    # A re-key with a re-key token: the centre kept the kiosk's id (and so its history).
    kept_id: bool = False


@dataclass(frozen=True)
class AlreadyEnrolled:
    """The configuration already names a kiosk id: nothing was sent, nothing changed."""

    kiosk_id: str
    office_id: str | None
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


def centre_base_url(url: str) -> str:
    """The centre's base URL as the kiosk stores it: scheme and host, no trailing ``/v1``.

    A technician copies whatever the operator sent; a URL that names the API (``…/v1``) is
    trimmed, one without ``http://`` or ``https://`` is refused with a message rather than
    guessed, since guessing plain HTTP would send the token unencrypted.
    """
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EnrollmentFailed(
            f"{url!r} is not a centre URL: give it whole, with https:// (or http:// on "
            "loopback), e.g. https://anjungan.example.go.id"
        )
    if text.endswith(API_PREFIX):
        text = text[: -len(API_PREFIX)].rstrip("/")
    return text


def _writable_dir(directory: Path, what: str) -> None:
    """Fail now, before the token is spent, if ``directory`` cannot be made or written."""
    probe = _existing_ancestor(directory)
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise EnrollmentFailed(
            f"cannot write {what} in {directory} ({probe} is not writable by this user). "
            "Run as the kiosk's service user or root, or choose another --config-dir / "
            "identity.key_file. Nothing was sent to the centre."
        )


def _writable_file(path: Path, what: str) -> None:
    if path.exists() and not os.access(path, os.W_OK):
        raise EnrollmentFailed(
            f"cannot write {what} {path} (not writable by this user). Run as the kiosk's "
            "service user or root. Nothing was sent to the centre."
        )
    _writable_dir(path.parent, what)


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _hand_over(made: Path, anchor: Path) -> None:
    """Give what enroll made (the key, its new folders) to the owner of the folder it was made
    in: run as root, the key must still be readable by the kiosk's service user, who owns the
    state folder (tmpfiles.d). Nothing changes for a non-root run or a root-owned folder."""
    owner = anchor.stat()
    if os.geteuid() != 0 or owner.st_uid == 0:
        return
    while made != anchor:
        os.chown(made, owner.st_uid, owner.st_gid)
        made = made.parent


def _load_or_make_key(path: Path) -> KioskKey:
    try:
        return KioskKey.load(path)
    except IdentityError:
        if path.exists():
            raise
    key = KioskKey.generate()
    anchor = _existing_ancestor(path.parent)
    try:
        key.save(path)
        _hand_over(path, anchor)
    except OSError as err:
        raise EnrollmentFailed(
            f"cannot write the kiosk key at {path}: {err.strerror}. Run as the kiosk's service "
            "user (or root), or choose identity.key_file in kiosk.toml."
        ) from err
    return key


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _refusal(reply: requests.Response, base: str, rekey: bool) -> EnrollmentFailed:
    try:
        error = read_answer(ErrorBody, reply.content)
    except ValueError:
        return EnrollmentFailed(
            f"{base} is not an Anjungan centre (it answered HTTP {reply.status_code} to "
            f"{API_PREFIX}/enrollments). Check the URL the operator gave you."
        )
    if error.code == KEY_ALREADY_ENROLLED:
        what = (
            "remove the unfinished new key (kiosk.key.new) and run `kiosk-provision enroll "
            "--rekey` again"
            if rekey
            else "run `kiosk-provision enroll --rekey` with a new token"
        )
        return EnrollmentFailed(
            "the centre already knows this kiosk's key (an earlier enrolment finished at the "
            f"centre but was not recorded here, or the kiosk was revoked): {what}; an operator "
            "can revoke the old kiosk entry. The token was not spent."
        )
    return EnrollmentFailed(f"the centre refused the enrollment: {error.message.en}")


def _post(
    base: str, request: EnrollmentRequest, timeout_s: float, rekey: bool
) -> EnrollmentResponse:
    try:
        reply = requests.post(
            base + API_PREFIX + "/enrollments",
            data=request.model_dump_json(),
            timeout=timeout_s,
            headers={"Content-Type": "application/json"},
        )
    except requests.RequestException as err:
        raise EnrollmentFailed(
            f"cannot reach the centre at {base} ({type(err).__name__}): check the network and "
            "the URL, then run the same command again"
        ) from err
    if reply.status_code != 201:
        raise _refusal(reply, base, rekey)
    try:
        return read_answer(EnrollmentResponse, reply.content)
    except ValidationError:
        raise EnrollmentFailed(
            f"{base} is not an Anjungan centre (its answer to {API_PREFIX}/enrollments is not "
            "an enrollment). Check the URL the operator gave you."
        ) from None


def _usable_tracking_url(template: str | None) -> bool:
    """The centre's tracking page template, if it is one the kiosk can fill; an older centre
    sends none and a malformed one is left out (receipts then use ``<central.url>/lacak``)."""
    if template is None:
        return False
    try:
        tracking_template(template)
    except ValueError:
        return False
    return True


def enroll(
    config_root: Path,
    central_url: str,
    token: str | Callable[[], str],
    *,
    rekey: bool = False,
    timeout_s: float = 15.0,
) -> Enrolled | AlreadyEnrolled:
    """Enrol this kiosk; with ``rekey``, enrol it again under a new key: with a re-key token
    (``kiosk-central token rekey``) the centre keeps the kiosk's id and history, with an
    enrollment token it becomes a new kiosk.

    A re-key makes the new key beside the old one (``kiosk.key.new``) and swaps them only once
    the centre has accepted it: the old key stays as ``kiosk.key.old``, and a failed attempt
    leaves the kiosk as it was, with the new key kept for the next try.

    ``token`` may be a function: it is then called only when the kiosk is to be enrolled (a
    re-run of ``setup`` on an enrolled kiosk asks for no token).
    """
    base = centre_base_url(central_url)
    config = load_kiosk_config(config_root)
    key_file = key_path(config_root, config)
    if config.kiosk.id is not None and not rekey:
        return AlreadyEnrolled(config.kiosk.id, config.kiosk.office_id, key_file)
    dropin = config_root / "kiosk.d" / ENROLLMENT_DROPIN
    _writable_file(dropin, "the enrollment drop-in")
    _writable_file(key_file, "the kiosk key")
    signing_file = _sibling(key_file, NEW_KEY_SUFFIX) if rekey else key_file
    key = _load_or_make_key(signing_file)
    request = EnrollmentRequest(
        token=token() if callable(token) else token,
        public_key=key.public_key_b64(),
        hardware=hardware_summary(config.kiosk.state_dir),
    )
    answer = _post(base, request, timeout_s, rekey)
    if rekey:
        if key_file.exists():
            os.replace(key_file, _sibling(key_file, OLD_KEY_SUFFIX))
        os.replace(signing_file, key_file)
    dropin.parent.mkdir(parents=True, exist_ok=True)
    changes: dict[str, object] = {
        "kiosk.id": answer.kiosk_id,
        "kiosk.office_id": answer.office.id,
        "central.url": base,
        "heartbeat.period_s": float(answer.heartbeat_period_s),
    }
    if key_file != config.identity.key_file:
        changes["identity.key_file"] = str(key_file)
    if _usable_tracking_url(answer.tracking_url):
        changes["central.tracking_url"] = answer.tracking_url
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
        kept_id=rekey and answer.kiosk_id == config.kiosk.id,
    )
