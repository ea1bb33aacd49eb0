"""The kiosk's client for the central API: signed, time-limited, typed, and honest about
failure.

Every failure becomes exactly one of five errors a screen can explain: the centre is
unreachable (offline), it did not answer in time, it refused (with its own bilingual message),
it failed (5xx), or it answered something that is not the contract. Retries with backoff
happen only where a repeat is harmless: reads, and writes carrying an Idempotency-Key.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError

from central.contract import signing
from central.contract.collect import MAX_LETTER_PDF_BYTES, FinishedLetters, LetterPrinted
from central.contract.models import (
    ErrorBody,
    Heartbeat,
    HeartbeatAck,
    LocalizedText,
    LoginRequest,
    LoginResponse,
    PinChanged,
    PinChangeRequest,
    ResidentSummary,
    ServiceCatalog,
    WireModel,
    read_answer,
)
from central.contract.services import (
    MAX_PROJECT_PHOTO_BYTES,
    BansosStatus,
    DocumentUploaded,
    MyRequests,
    QueueTicket,
    QueueTicketCreate,
    TrackedItem,
    VillageInformation,
    project_photo_path,
)
from kiosk.i18n import N_, bilingual
from kiosk.signing import RequestSigner, SignedAuth

log = logging.getLogger(__name__)

M = TypeVar("M", bound=WireModel)

_RETRYABLE_REFUSALS = {"request_in_progress"}
JPEG_MAGIC = b"\xff\xd8\xff"  # every project photo is a JPEG (the centre re-encodes each)


class CentralError(Exception):
    """Base of every client failure. ``message`` is what the resident may be shown: the
    class's ``text`` from the catalogs, or the centre's own bilingual message."""

    text = N_("The central server has a problem.")

    def __init__(self, detail: str, message: LocalizedText | None = None) -> None:
        super().__init__(detail)
        self._message = message

    @property
    def message(self) -> LocalizedText:
        return self._message if self._message is not None else bilingual(self.text)


class CentralOffline(CentralError):
    text = N_("No connection to the central server. Services that need it are unavailable.")


class CentralTimeout(CentralError):
    text = N_("The central server did not answer in time. Please try again.")


class CentralServerError(CentralError):
    text = N_("The central server is failing. Please try again later.")


class MalformedReply(CentralError):
    text = N_("The central server's answer could not be read.")


class CentralRefused(CentralError):
    """A 4xx: the centre understood and said no; its message is shown as it is."""

    def __init__(self, status: int, error: ErrorBody) -> None:
        super().__init__(f"HTTP {status} {error.code}", error.message)
        self.status = status
        self.error = error

    @property
    def code(self) -> str:
        return self.error.code


class CentralClient:
    """One instance per kiosk process; thread-safe enough for one request at a time per call."""

    def __init__(
        self,
        base_url: str,
        signer: RequestSigner,
        *,
        connect_timeout_s: float = 3.05,
        read_timeout_s: float = 10.0,
        retries: int = 3,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = (connect_timeout_s, read_timeout_s)
        self._retries = retries
        self._sleep = sleep
        self._session = session or requests.Session()
        self._session.auth = SignedAuth(signer)

    # ------------------------------------------------------------------ plumbing

    def request(
        self,
        method: str,
        path: str,
        model: type[M] | None,
        *,
        body: BaseModel | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        idempotency_key: str | None = None,
        resident_token: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> M | None:
        """Send one request (re-signed on each attempt) and parse the answer into ``model``."""
        data = raw if raw is not None else (body.model_dump_json().encode() if body else None)
        headers = {"Content-Type": content_type, **(extra_headers or {})}
        if idempotency_key:
            headers[signing.HEADER_IDEMPOTENCY] = idempotency_key
        if resident_token:
            headers[signing.HEADER_SESSION] = resident_token
        may_retry = method == "GET" or idempotency_key is not None
        attempts = 1 + (self._retries if may_retry else 0)
        for attempt in range(attempts):
            try:
                return self._once(method, path, model, data, headers)
            except (CentralOffline, CentralTimeout, CentralServerError) as failure:
                last: CentralError = failure
            except CentralRefused as refusal:
                if refusal.code not in _RETRYABLE_REFUSALS:
                    raise
                last = refusal
            if attempt + 1 < attempts:
                self._sleep(min(8.0, 0.5 * 2**attempt) * (0.5 + random.random()))  # noqa: S311
        raise last

    def _once(
        self,
        method: str,
        path: str,
        model: type[M] | None,
        data: bytes | None,
        headers: dict[str, str],
    ) -> M | None:
        reply = self._send(method, path, data, headers)
        if model is None:
            return None
        try:
            return read_answer(model, reply.content)
        except ValidationError as err:
            raise MalformedReply(f"{method} {path}: reply is not a {model.__name__}") from err

    def _send(
        self,
        method: str,
        path: str,
        data: bytes | None,
        headers: dict[str, str],
        *,
        stream: bool = False,
    ) -> requests.Response:
        """One request; any failure raised as the one ``CentralError`` that names it."""
        try:
            reply = self._session.request(
                method,
                self.base_url + path,
                data=data,
                headers=headers,
                timeout=self._timeout,
                stream=stream,
            )
        except requests.Timeout as err:
            raise CentralTimeout(f"{method} {path}: timed out") from err
        except requests.ConnectionError as err:
            raise CentralOffline(f"{method} {path}: {type(err).__name__}") from err
        except requests.RequestException as err:
            raise CentralOffline(f"{method} {path}: {type(err).__name__}") from err
        if reply.status_code >= 500:
            raise CentralServerError(f"{method} {path}: HTTP {reply.status_code}")
        if reply.status_code >= 400:
            raise CentralRefused(reply.status_code, _error_body(reply))
        return reply

    def _get(self, path: str, model: type[M], **kwargs: Any) -> M:
        result = self.request("GET", path, model, **kwargs)
        assert result is not None
        return result

    def _post(self, path: str, model: type[M], **kwargs: Any) -> M:
        result = self.request("POST", path, model, **kwargs)
        assert result is not None
        return result

    # ------------------------------------------------------------------ identity

    def sign_in(self, request: LoginRequest) -> LoginResponse:
        """Never retried: each attempt counts towards the PIN lockout."""
        return self._post("/v1/sessions", LoginResponse, body=request)

    def change_pin(self, token: str, request: PinChangeRequest) -> PinChanged:
        return self._post(
            "/v1/sessions/current/pin", PinChanged, body=request, resident_token=token
        )

    def current_resident(self, token: str) -> ResidentSummary:
        return self._get("/v1/sessions/current", ResidentSummary, resident_token=token)

    def sign_out(self, token: str) -> None:
        self.request("DELETE", "/v1/sessions/current", None, resident_token=token)

    # ------------------------------------------------------------------ kiosk

    def catalog(self) -> ServiceCatalog:
        return self._get("/v1/catalog", ServiceCatalog)

    def heartbeat(self, beat: Heartbeat, idempotency_key: str) -> HeartbeatAck:
        return self._post(
            "/v1/heartbeats", HeartbeatAck, body=beat, idempotency_key=idempotency_key
        )

    def information(self) -> VillageInformation:
        return self._get("/v1/information", VillageInformation)

    def track(self, code: str) -> TrackedItem:
        return self._get(f"/v1/track/{code}", TrackedItem)

    def project_photo(self, project_id: str, photo_id: str) -> bytes:
        """One of a project's photos (public information, asked with the kiosk's signature),
        read no further than ``MAX_PROJECT_PHOTO_BYTES``; anything but a JPEG within it is
        refused as malformed. Not retried: it decorates a screen a resident is reading."""
        path = project_photo_path(quote(project_id, safe=""), quote(photo_id, safe=""))
        reply = self._send("GET", path, None, {}, stream=True)
        try:
            declared = int(reply.headers.get("Content-Length", "0"))
            if declared > MAX_PROJECT_PHOTO_BYTES:
                raise MalformedReply(f"GET {path}: photo of {declared} bytes is too large")
            content = reply.raw.read(MAX_PROJECT_PHOTO_BYTES + 1, decode_content=True)
        except (requests.RequestException, OSError, ValueError) as err:
            raise CentralOffline(f"GET {path}: {type(err).__name__}") from err
        finally:
            reply.close()
        if len(content) > MAX_PROJECT_PHOTO_BYTES or not content.startswith(JPEG_MAGIC):
            raise MalformedReply(f"GET {path}: the answer is not a project photo")
        return bytes(content)

    # ------------------------------------------------------------------ resident services

    def upload_document_raw(
        self, content: bytes, content_type: str, *, key: str, headers: dict[str, str]
    ) -> DocumentUploaded:
        """A scanned page; ``headers`` carry the resident's session token or grant."""
        return self._post(
            "/v1/documents",
            DocumentUploaded,
            raw=content,
            content_type=content_type,
            idempotency_key=key,
            extra_headers=headers,
        )

    def take_queue_ticket(
        self, credentials: Credentials, request: QueueTicketCreate
    ) -> QueueTicket:
        return self._post(
            "/v1/queue/tickets",
            QueueTicket,
            body=request,
            idempotency_key=request.local_ref,
            extra_headers=credentials.headers(),
        )

    def bansos_status(self, credentials: Credentials) -> BansosStatus:
        return self._get("/v1/bansos", BansosStatus, extra_headers=credentials.headers())

    def my_requests(self, credentials: Credentials) -> MyRequests:
        """The signed-in resident's latest requests ("Permohonan saya")."""
        return self._get(
            "/v1/residents/me/requests", MyRequests, extra_headers=credentials.headers()
        )

    # ------------------------------------------------------------------ finished letters

    def finished_letters(self, credentials: Credentials) -> FinishedLetters:
        return self._get(
            "/v1/residents/me/letters", FinishedLetters, extra_headers=credentials.headers()
        )

    def letter_pdf(self, credentials: Credentials, code: str) -> bytes:
        """A finished letter's PDF, read no further than ``MAX_LETTER_PDF_BYTES``: a longer
        (or non-PDF) answer is refused as malformed. Never retried: the resident waits."""
        path = f"/v1/letters/{quote(code, safe='')}/pdf"
        reply = self._send("GET", path, None, credentials.headers(), stream=True)
        try:
            declared = int(reply.headers.get("Content-Length", "0"))
            if declared > MAX_LETTER_PDF_BYTES:
                raise MalformedReply(f"GET {path}: letter of {declared} bytes is too large")
            content = reply.raw.read(MAX_LETTER_PDF_BYTES + 1, decode_content=True)
        except (requests.RequestException, OSError, ValueError) as err:
            raise CentralOffline(f"GET {path}: {type(err).__name__}") from err
        finally:
            reply.close()
        if len(content) > MAX_LETTER_PDF_BYTES or not content.startswith(b"%PDF-"):
            raise MalformedReply(f"GET {path}: the answer is not a letter PDF")
        return bytes(content)

    def letter_printed(self, credentials: Credentials, code: str, key: str) -> LetterPrinted:
        """Record the print; ``key`` (the Idempotency-Key) makes retries harmless."""
        return self._post(
            f"/v1/letters/{quote(code, safe='')}/printed",
            LetterPrinted,
            idempotency_key=key,
            extra_headers=credentials.headers(),
        )


@dataclass(frozen=True)
class Credentials:
    """A resident's standing at the centre: the live session token, else the submission grant
    (what the outbox uses after the session ended). Personal: never logged, wiped with the
    session."""

    session_token: str | None = None
    submission_grant: str | None = None

    def grant_headers(self) -> dict[str, str]:
        """What the outbox sends with a submission: the grant outlives the session."""
        return {signing.HEADER_GRANT: self.submission_grant} if self.submission_grant else {}

    def headers(self) -> dict[str, str]:
        if self.session_token:
            return {signing.HEADER_SESSION: self.session_token}
        if self.submission_grant:
            return {signing.HEADER_GRANT: self.submission_grant}
        return {}


def _error_body(reply: requests.Response) -> ErrorBody:
    try:
        return read_answer(ErrorBody, reply.content)
    except ValidationError:
        return ErrorBody(
            code=f"http_{reply.status_code}",
            message=bilingual("The central server refused the request."),
        )
