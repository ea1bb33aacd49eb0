"""The back office's village information page: an office's APBDes lines, projects and their
progress, and announcements, edited through ``central.backoffice.village_info``. A village
operator edits their own office; a district admin names the office (``?office=``, or the
``office`` field of a form). Every change is audited by the record's id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from central.backoffice import project_photos, village_info
from central.console.audit import audit_operator_action
from central.console.render import SECURITY_HEADERS, render
from central.console.session import ConsoleOperator, console_operator, not_found
from central.context import CentralContext
from central.errors import ApiError
from central.models import Office, Project
from central.security.roles import Area
from common.i18n.translator import N_

router = APIRouter(include_in_schema=False)
OfficeStaff = Annotated[ConsoleOperator, Depends(console_operator(Area.OFFICE))]
SAVED = N_("Saved. The kiosks show it from their next visit to the centre.")
FORM_FIELD_LIMIT = 4000


def _context(request: Request) -> CentralContext:
    ctx: CentralContext = request.app.state.context
    return ctx


def _office(db: Session, operator: ConsoleOperator, wanted: str | None) -> Office | None:
    """The office to edit: a village operator's own; for a district admin the one named
    (None when none is named yet). Another office, or one that does not exist: 404."""
    office_id = operator.scope.office_id or wanted
    if office_id is None or not office_id:
        return None
    office = db.get(Office, office_id[:32])
    if office is None or not operator.scope.allows(office.id):
        raise not_found()
    return office


def _fields(operator: ConsoleOperator) -> dict[str, str]:
    return {
        name: value
        for name, value in operator.form.items()
        if isinstance(value, str) and len(value) <= FORM_FIELD_LIMIT
    }


def _page(
    request: Request,
    operator: ConsoleOperator,
    wanted: str | None,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with _context(request).sessions() as db:
        office = _office(db, operator, wanted)
        lines, projects, notices = village_info.of_office(db, office.id) if office else ([], [], [])
        return render(
            request,
            "information.html",
            operator,
            status=status,
            office=office,
            lines=lines,
            projects=projects,
            notices=notices,
            max_photos=project_photos.MAX_PHOTOS_PER_PROJECT,
            max_document_mb=_context(request).settings.max_document_mb,
            notice=notice,
            error=error,
        )


@router.get("/console/information")
def information(
    request: Request,
    operator: OfficeStaff,
    office: Annotated[str | None, Query(max_length=32)] = None,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    return _page(request, operator, office, notice=SAVED if done else None)


def _change(request: Request, operator: ConsoleOperator, what: str, item: str | None) -> Response:
    """Runs one edit (``what``) for the form's office; back to the page, or the page with the
    refusal in the reader's language."""
    fields = _fields(operator)
    wanted = fields.get("office")
    ctx = _context(request)
    with ctx.sessions() as db:
        office = _office(db, operator, wanted)
        if office is None:
            raise not_found()
        try:
            record = _apply(db, office.id, what, item, fields, operator)
        except ApiError as err:
            db.rollback()
            message = err.body.message.id if operator.language == "id" else err.body.message.en
            return _page(request, operator, office.id, error=message, status=err.status)
        audit_operator_action(db, operator, f"information_{what}", record)
        db.commit()
        target = f"/console/information?office={office.id}&done=1"
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


def _apply(
    db: Session,
    office_id: str,
    what: str,
    item: str | None,
    fields: dict[str, str],
    operator: ConsoleOperator,
) -> str:
    if what == "budget":
        line = village_info.set_budget_line(db, office_id, fields)
        return f"{office_id}:{line.year}:{line.position}"
    if what == "project":
        return village_info.add_project(db, office_id, fields).id
    if what == "progress" and item is not None:
        return village_info.set_progress(db, office_id, item, fields.get("progress_pct", "")).id
    if what in PHOTO_EDITS and item is not None:
        return _photo_edit(db, office_id, what, item, operator)
    if what == "announce":
        return village_info.publish(db, office_id, fields, operator.now).id
    assert what == "withdraw" and item is not None
    village_info.withdraw(db, office_id, item)
    return item[:32]


PHOTO_EDITS = frozenset({"photo", "unphoto"})


def _photo_edit(
    db: Session, office_id: str, what: str, item: str, operator: ConsoleOperator
) -> str:
    """Adds the form's photo to project ``item``, or removes photo ``project/photo``."""
    if what == "photo":
        upload = operator.form.get("photo")
        content = upload.file.read() if isinstance(upload, UploadFile) else b""
        if not content:
            raise project_photos.not_an_image()
        return project_photos.add(db, office_id, item, content, operator.now).id
    project_id, _, photo_id = item.partition("/")
    project_photos.remove(db, office_id, project_id, photo_id)
    return photo_id[:32]


@router.post("/console/information/budget")
def budget_line(request: Request, operator: OfficeStaff) -> Response:
    return _change(request, operator, "budget", None)


@router.post("/console/information/projects")
def new_project(request: Request, operator: OfficeStaff) -> Response:
    return _change(request, operator, "project", None)


@router.post("/console/information/projects/{project_id}/progress")
def project_progress(request: Request, operator: OfficeStaff, project_id: str) -> Response:
    return _change(request, operator, "progress", project_id)


@router.post("/console/information/announcements")
def announce(request: Request, operator: OfficeStaff) -> Response:
    return _change(request, operator, "announce", None)


@router.post("/console/information/announcements/{announcement_id}/withdraw")
def withdraw(request: Request, operator: OfficeStaff, announcement_id: str) -> Response:
    return _change(request, operator, "withdraw", announcement_id)


@router.post("/console/information/projects/{project_id}/photos")
def add_photo(request: Request, operator: OfficeStaff, project_id: str) -> Response:
    """A photo of the project (multipart; bounded by the document limit before it is read),
    stored downscaled and without metadata (``central.backoffice.project_photos``)."""
    return _change(request, operator, "photo", project_id)


@router.post("/console/information/projects/{project_id}/photos/{photo_id}/remove")
def remove_photo(
    request: Request, operator: OfficeStaff, project_id: str, photo_id: str
) -> Response:
    return _change(request, operator, "unphoto", f"{project_id}/{photo_id}")


@router.get("/console/information/projects/{project_id}/photos/{photo_id}")
def photo(request: Request, operator: OfficeStaff, project_id: str, photo_id: str) -> Response:
    """The photo on the edit page (the public route is rate-limited per address; a page of
    projects shows more photos than its burst). Another office's: the one 404."""
    with _context(request).sessions() as db:
        found = project_photos.find(db, project_id, photo_id)
        project = db.get(Project, project_id[:32]) if found else None
        if found is None or project is None or not operator.scope.allows(project.office_id):
            raise not_found()
        return Response(found.content, media_type=found.content_type, headers=SECURITY_HEADERS)
