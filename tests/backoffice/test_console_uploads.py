"""Files uploaded from the console's pages, over HTTP as a browser sends them (multipart): the
wet-signed letter in place of the generated one, and a project's photos. Each is CSRF-, role-
and office-checked, bounded by the document limit before its body is read (a 413 page, raw
socket: answered with no byte of the body sent), checked by decoding (not a PDF / not an
image: a clear page, nothing stored) and audited without personal data. On SQLite and
PostgreSQL (the letter's number and the photo list are written in one transaction on each)."""

from __future__ import annotations

import hashlib
import io
import socket

import pikepdf
import pytest
import requests
from PIL import Image
from sqlalchemy import select

from central.backoffice import project_photos
from central.contract.services import VillageInformation
from central.models import FinishedLetter, LetterRequest, OperatorAuditEntry, Project, ProjectPhoto
from tests.backoffice.helpers import sktm_request
from tests.central.conftest import Template
from tests.central.services_portal import Portal, image_bytes
from tests.console.conftest import BOTH_DATABASES, OFFICE_A, OFFICE_B, ConsoleClient
from tests.support.central_server import CentralServer

pytestmark = BOTH_DATABASES
SIGNER = {"signer_name": "H. Sugeng Riyadi", "signer_position": "Kepala Desa"}
HUGE = 200 * 1024 * 1024


def signed_scan() -> bytes:
    """A one-page PDF, as an office's scanner makes."""
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer)
    return buffer.getvalue()


def phone_photo(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A phone's JPEG: large, with EXIF naming the camera's owner and where it was taken."""
    image = Image.new("RGB", size, (40, 120, 60))
    exif = Image.Exif()  # type: ignore[no-untyped-call]
    exif[0x013B] = "Budi Santoso"  # Artist
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    exif[0x8825] = {1: "S", 2: (8.0, 30.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def _upload(
    client: ConsoleClient, path: str, field: str, content: bytes, kind: str, **data: str
) -> requests.Response:
    return client.http.post(
        client.base + path,
        data={"csrf": client.csrf, **data},
        files={field: ("upload", content, kind)},
        allow_redirects=False,
        timeout=30,
    )


def _audit(console: CentralServer) -> list[tuple[str, str | None]]:
    with console.context.sessions() as db:
        rows = db.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id))
        return [(r.action, r.record) for r in rows]


def _declared_huge(console: CentralServer, path: str, cookie: str) -> tuple[int, str]:
    """Sends only the headers of a multipart POST declaring ``HUGE`` bytes (no byte of the
    body follows): the answer's status and page."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{console.port}\r\n"
        f"Cookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {HUGE}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", console.port), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        while b"</html>" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.decode("utf-8", "replace")


def _cookie(client: ConsoleClient) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.http.cookies)


@pytest.fixture
def checked(console: CentralServer, sqlite_template: Template) -> dict[str, str]:
    """An SKTM request at each office, moved to "awaiting signature" by its own operator."""
    person = next(p for p in sqlite_template.people if not p.must_change_pin)
    codes = {}
    for office in (OFFICE_A, OFFICE_B):
        portal = Portal(console, console.enroll(office))
        portal.sign_in(person)
        codes[office] = sktm_request(portal)
    return codes


# ---------------------------------------------------------------- the signed letter


def test_the_signed_pdf_replaces_the_letter_and_verifies(
    console: CentralServer, signed_in: dict[str, ConsoleClient], checked: dict[str, str]
) -> None:
    client = signed_in["village"]
    code = checked[OFFICE_A]
    page = client.get(f"/console/letters/{code}")
    assert 'enctype="multipart/form-data"' in page.text and 'name="letter"' in page.text
    generated = client.post(f"/console/letters/{code}/letter", SIGNER)
    assert generated.status_code == 303
    with console.context.sessions() as db:
        before = db.scalars(select(FinishedLetter)).one()
        number, verify_code = before.number, before.verify_code

    scan = signed_scan()
    reply = _upload(
        client,
        f"/console/letters/{code}/letter/signed",
        "letter",
        scan,
        "application/pdf",
        **SIGNER,
    )
    assert reply.status_code == 303, reply.text
    assert reply.headers["location"] == f"/console/letters/{code}?done=signed"
    shown = client.get(reply.headers["location"])
    assert "Surat bertanda tangan sudah diunggah" in shown.text
    assert "diunggah, bertanda tangan" in shown.text

    with console.context.sessions() as db:
        letter = db.scalars(select(FinishedLetter)).one()
        assert letter.source == "uploaded" and letter.content == scan
        assert (letter.number, letter.verify_code) == (number, verify_code)  # kept
        assert letter.sha256 == hashlib.sha256(scan).hexdigest()
    served = client.get(f"/console/letters/{code}/letter.pdf")
    assert served.content == scan and served.headers["content-type"] == "application/pdf"
    verify = requests.get(f"{console.url}/verify/{verify_code}", timeout=10)
    assert verify.status_code == 200 and number in verify.text
    actions = [(a, r) for a, r in _audit(console) if a.startswith("letter_")]
    assert ("letter_upload", code) in actions  # the code only: no name, no NIK, no file name


def test_an_upload_is_made_before_any_letter_was_generated(
    console: CentralServer, signed_in: dict[str, ConsoleClient], checked: dict[str, str]
) -> None:
    """An office that signs its own typed letter uploads it straight away: it gets the
    number and verify code a generated one would."""
    client = signed_in["village"]
    code = checked[OFFICE_A]
    client.get(f"/console/letters/{code}")
    reply = _upload(
        client,
        f"/console/letters/{code}/letter/signed",
        "letter",
        signed_scan(),
        "application/pdf",
        **SIGNER,
    )
    assert reply.status_code == 303
    with console.context.sessions() as db:
        letter = db.scalars(select(FinishedLetter)).one()
        assert letter.source == "uploaded" and letter.number.startswith("401/001/")


@pytest.mark.parametrize(
    ("content", "kind", "message"),
    [
        (image_bytes("JPEG"), "application/pdf", "harus berupa berkas PDF"),
        (b"%PDF-1.7\n<html><script>alert(1)</script>", "application/pdf", "Berkas rusak"),
        (b"", "application/pdf", "Pilih berkas PDF surat"),
    ],
    ids=["a-photo", "pdf-magic-only", "no-file"],
)
def test_what_is_not_a_pdf_is_refused_with_a_clear_page(
    console: CentralServer,
    signed_in: dict[str, ConsoleClient],
    checked: dict[str, str],
    content: bytes,
    kind: str,
    message: str,
) -> None:
    client = signed_in["village"]
    code = checked[OFFICE_A]
    client.get(f"/console/letters/{code}")
    reply = _upload(
        client, f"/console/letters/{code}/letter/signed", "letter", content, kind, **SIGNER
    )
    assert reply.status_code == 422 and message in reply.text
    assert "Traceback" not in reply.text and 'role="alert"' in reply.text
    with console.context.sessions() as db:
        assert db.scalars(select(FinishedLetter)).first() is None


def test_the_upload_is_refused_to_other_offices_roles_and_forged_forms(
    console: CentralServer, signed_in: dict[str, ConsoleClient], checked: dict[str, str]
) -> None:
    theirs = checked[OFFICE_B]
    path = f"/console/letters/{theirs}/letter/signed"
    scan = signed_scan()
    village = signed_in["village"]
    assert _upload(village, path, "letter", scan, "application/pdf", **SIGNER).status_code == 404
    technician = signed_in["technician"]
    assert _upload(technician, path, "letter", scan, "application/pdf", **SIGNER).status_code == 403
    own = signed_in["village_b"]
    forged = own.http.post(
        own.base + path,
        data={"csrf": "not-the-token", **SIGNER},
        files={"letter": ("s.pdf", scan, "application/pdf")},
        allow_redirects=False,
        timeout=10,
    )
    assert forged.status_code == 403
    with console.context.sessions() as db:
        assert db.scalars(select(FinishedLetter)).first() is None
        row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == theirs))
        assert row is not None and row.status == 1
    assert not [a for a, _ in _audit(console) if a == "letter_upload"]


def test_a_too_large_upload_gets_the_413_page_before_its_body_is_sent(
    console: CentralServer, signed_in: dict[str, ConsoleClient], checked: dict[str, str]
) -> None:
    client = signed_in["village"]
    code = checked[OFFICE_A]
    status, body = _declared_huge(
        console, f"/console/letters/{code}/letter/signed", _cookie(client)
    )
    assert status == 413
    assert "Berkas terlalu besar" in body and "File too large" in body
    assert f"{console.context.settings.max_document_mb} MB" in body


def test_a_chunked_upload_is_refused_once_it_passes_the_limit(
    console: CentralServer, signed_in: dict[str, ConsoleClient], checked: dict[str, str]
) -> None:
    """No Content-Length: the body is counted as it arrives and refused just past the limit,
    with the page (the rest is never read)."""
    client = signed_in["village"]
    code = checked[OFFICE_A]
    limit = console.context.settings.max_document_mb * 1024 * 1024
    head = (
        f"POST /console/letters/{code}/letter/signed HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{console.port}\r\nCookie: {_cookie(client)}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"0" * 65536
    with socket.create_connection(("127.0.0.1", console.port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        try:
            while sent <= limit + len(chunk):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:  # the server may close its side once it has answered
            pass
        data = b""
        while b"</html>" not in data:
            received = sock.recv(65536)
            if not received:
                break
            data += received
    assert data.startswith(b"HTTP/1.1 413") and b"Berkas terlalu besar" in data


def test_a_body_over_the_limit_sent_whole_is_refused_too(
    console: CentralServer, signed_in: dict[str, ConsoleClient], checked: dict[str, str]
) -> None:
    """A browser sends the whole file: the page still says why, and nothing is stored."""
    client = signed_in["village"]
    code = checked[OFFICE_A]
    limit = console.context.settings.max_document_mb * 1024 * 1024
    try:
        reply = _upload(
            client,
            f"/console/letters/{code}/letter/signed",
            "letter",
            b"%PDF-" + b"0" * limit,
            "application/pdf",
            **SIGNER,
        )
    except requests.ConnectionError:  # the server may close before the client sent it all
        reply = None
    if reply is not None:
        assert reply.status_code == 413 and "Berkas terlalu besar" in reply.text
    with console.context.sessions() as db:
        assert db.scalars(select(FinishedLetter)).first() is None


# ---------------------------------------------------------------- project photos


def _kiosk_information(console: CentralServer, office: str) -> VillageInformation:
    reply = requests.get(f"{console.url}/v1/information", params={"office_id": office}, timeout=10)
    assert reply.status_code == 200, reply.text
    return VillageInformation.model_validate_json(reply.content)


def _first_project(console: CentralServer, office: str) -> str:
    with console.context.sessions() as db:
        project = db.scalars(
            select(Project).where(Project.office_id == office).order_by(Project.id)
        ).first()
        assert project is not None
        return project.id


def test_a_photo_is_stored_small_and_clean_and_the_kiosks_read_it(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    client = signed_in["village"]
    project_id = _first_project(console, OFFICE_A)
    page = client.get("/console/information")
    assert f'action="/console/information/projects/{project_id}/photos"' in page.text
    before = next(p for p in _kiosk_information(console, OFFICE_A).projects if p.id == project_id)

    reply = _upload(
        client,
        f"/console/information/projects/{project_id}/photos",
        "photo",
        phone_photo(),
        "image/jpeg",
        office=OFFICE_A,
    )
    assert reply.status_code == 303, reply.text
    after = next(p for p in _kiosk_information(console, OFFICE_A).projects if p.id == project_id)
    (added,) = [p for p in after.photo_ids if p not in before.photo_ids]

    public = requests.get(
        f"{console.url}/v1/information/projects/{project_id}/photos/{added}", timeout=10
    )
    assert public.status_code == 200 and public.headers["content-type"] == "image/jpeg"
    assert "immutable" in public.headers["cache-control"] and public.headers["etag"]
    assert len(public.content) <= project_photos.MAX_PHOTO_BYTES
    with Image.open(io.BytesIO(public.content)) as stored:
        assert max(stored.size) == project_photos.MAX_EDGE_PX
        assert stored.size == (853, 1280)  # turned upright from its EXIF orientation
        assert not stored.getexif() and "exif" not in stored.info
    assert b"Budi Santoso" not in public.content

    shown = client.get("/console/information")
    assert f'src="/console/information/projects/{project_id}/photos/{added}"' in shown.text
    assert client.get(f"/console/information/projects/{project_id}/photos/{added}").content == (
        public.content
    )
    assert ("information_photo", added) in _audit(console)

    removed = client.post(
        f"/console/information/projects/{project_id}/photos/{added}/remove", {"office": OFFICE_A}
    )
    assert removed.status_code == 303
    final = next(p for p in _kiosk_information(console, OFFICE_A).projects if p.id == project_id)
    assert final.photo_ids == before.photo_ids
    gone = requests.get(
        f"{console.url}/v1/information/projects/{project_id}/photos/{added}", timeout=10
    )
    assert gone.status_code == 404
    with console.context.sessions() as db:
        assert db.get(ProjectPhoto, added) is None
    assert ("information_unphoto", added) in _audit(console)


def test_a_png_with_transparency_is_accepted_as_a_jpeg(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    client = signed_in["village"]
    project_id = _first_project(console, OFFICE_A)
    client.get("/console/information")
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 100), (255, 0, 0, 0)).save(buffer, "PNG")
    reply = _upload(
        client,
        f"/console/information/projects/{project_id}/photos",
        "photo",
        buffer.getvalue(),
        "image/png",
        office=OFFICE_A,
    )
    assert reply.status_code == 303
    with console.context.sessions() as db:
        photo = db.get_one(ProjectPhoto, db.get_one(Project, project_id).photo_ids[-1])
        assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 200, 100)
        with Image.open(io.BytesIO(photo.content)) as stored:
            assert stored.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize(
    "content",
    [signed_scan(), phone_photo((64, 64))[:-200], b"\xff\xd8\xff\xe0 not really"],
    ids=["a-pdf", "truncated-jpeg", "jpeg-magic-only"],
)
def test_what_is_not_an_image_is_refused_with_a_clear_page(
    console: CentralServer, signed_in: dict[str, ConsoleClient], content: bytes
) -> None:
    client = signed_in["village"]
    project_id = _first_project(console, OFFICE_A)
    client.get("/console/information")
    with console.context.sessions() as db:
        before = db.scalars(select(ProjectPhoto.id)).all()
    reply = _upload(
        client,
        f"/console/information/projects/{project_id}/photos",
        "photo",
        content,
        "image/jpeg",
        office=OFFICE_A,
    )
    assert reply.status_code == 422
    assert "bukan foto JPEG atau PNG yang utuh" in reply.text and "Traceback" not in reply.text
    with console.context.sessions() as db:
        assert db.scalars(select(ProjectPhoto.id)).all() == before


def test_photos_are_refused_to_other_offices_and_roles(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    theirs = _first_project(console, OFFICE_B)
    path = f"/console/information/projects/{theirs}/photos"
    photo = phone_photo((64, 48))
    village = signed_in["village"]
    assert _upload(village, path, "photo", photo, "image/jpeg", office=OFFICE_B).status_code == 404
    technician = signed_in["technician"]
    assert _upload(technician, path, "photo", photo, "image/jpeg").status_code == 403
    own = signed_in["village_b"]
    own.get("/console/information")
    added = _upload(own, path, "photo", photo, "image/jpeg")
    assert added.status_code == 303
    with console.context.sessions() as db:
        photo_id = db.get_one(Project, theirs).photo_ids[-1]
    # Office A's operator can neither see nor remove office B's photo.
    assert village.get(f"{path}/{photo_id}").status_code == 404
    remove = village.post(f"{path}/{photo_id}/remove", {"office": OFFICE_B})
    assert remove.status_code == 404
    with console.context.sessions() as db:
        assert db.get(ProjectPhoto, photo_id) is not None


def test_a_projects_photos_are_bounded(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    client = signed_in["village"]
    project_id = _first_project(console, OFFICE_A)
    client.get("/console/information")
    path = f"/console/information/projects/{project_id}/photos"
    with console.context.sessions() as db:
        already = len(db.get_one(Project, project_id).photo_ids)
    for n in range(project_photos.MAX_PHOTOS_PER_PROJECT - already):
        photo = image_bytes("JPEG", (n * 20, 80, 80))
        assert _upload(client, path, "photo", photo, "image/jpeg").status_code == 303
    over = _upload(client, path, "photo", image_bytes("PNG"), "image/png")
    assert over.status_code == 409 and "paling banyak" in over.text
    page = client.get("/console/information").text
    assert f'action="/console/information/projects/{project_id}/photos"' not in page


def test_a_too_large_photo_gets_the_413_page_before_its_body_is_sent(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    client = signed_in["village"]
    project_id = _first_project(console, OFFICE_A)
    status, body = _declared_huge(
        console, f"/console/information/projects/{project_id}/photos", _cookie(client)
    )
    assert status == 413 and "Berkas terlalu besar" in body


def test_the_public_photo_route_is_bounded_to_real_ids(console: CentralServer) -> None:
    for path in (
        "/v1/information/projects/no-such/photos/pho-0",
        "/v1/information/projects/" + "x" * 40 + "/photos/pho-0",
    ):
        reply = requests.get(console.url + path, timeout=10)
        assert reply.status_code in (404, 422), path


def test_the_seeded_projects_have_demo_photos_the_kiosks_can_load(
    console: CentralServer,
) -> None:
    projects = _kiosk_information(console, OFFICE_A).projects
    assert projects and all(len(p.photo_ids) == 2 for p in projects)
    for project in projects:
        for photo_id in project.photo_ids:
            reply = requests.get(
                f"{console.url}/v1/information/projects/{project.id}/photos/{photo_id}",
                timeout=10,
            )
            assert reply.status_code == 200 and reply.headers["content-type"] == "image/jpeg"
            with Image.open(io.BytesIO(reply.content)) as photo:
                photo.load()
                assert max(photo.size) <= project_photos.MAX_EDGE_PX and not photo.getexif()
