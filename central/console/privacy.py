"""The personal-data page: the retention policy every operator works under, and (district
admins only) a resident's export and erasure, through ``central.privacy.subject``.

Both actions are found by NIK, written to the audit log by the resident's row id (never the
NIK), and answer with the file or a report of what was erased and what the law keeps.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from central.console.audit import audit_operator_action
from central.console.render import SECURITY_HEADERS, render
from central.console.session import ConsoleOperator, console_operator
from central.context import CentralContext
from central.models import Resident
from central.privacy import subject
from central.privacy.policy import POLICY
from central.security.roles import Area
from common.i18n.translator import N_

router = APIRouter(include_in_schema=False)
Office = Annotated[ConsoleOperator, Depends(console_operator(Area.OFFICE))]
Admin = Annotated[ConsoleOperator, Depends(console_operator(Area.ADMIN))]

NIK_LENGTH = 16
NO_RESIDENT = N_("No resident has this NIK.")
CONFIRM_ERASURE = N_("Tick the box to confirm the erasure.")


def _context(request: Request) -> CentralContext:
    ctx: CentralContext = request.app.state.context
    return ctx


def _page(
    request: Request,
    operator: ConsoleOperator,
    *,
    error: str | None = None,
    report: subject.ErasureReport | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "privacy.html",
        operator,
        status=status,
        policy=POLICY,
        may_act=operator.may_open(Area.ADMIN),
        error=error,
        report=report,
    )


@router.get("/console/privacy")
def policy_page(request: Request, operator: Office) -> Response:
    """How long each kind of personal record is kept (central/privacy/policy.py)."""
    return _page(request, operator)


def _resident_id(request: Request, operator: ConsoleOperator) -> int | None:
    value = operator.form.get("nik")
    nik = value.strip() if isinstance(value, str) else ""
    if len(nik) != NIK_LENGTH or not nik.isdigit():
        return None
    with _context(request).sessions() as db:
        return db.scalar(select(Resident.id).where(Resident.nik == nik))


@router.post("/console/privacy/export")
def export(request: Request, operator: Admin) -> Response:
    """Everything the centre holds about one resident, as a zip download."""
    resident_id = _resident_id(request, operator)
    if resident_id is None:
        return _page(request, operator, error=NO_RESIDENT, status=404)
    with _context(request).sessions() as db:
        archive = subject.export(db, resident_id)
        audit_operator_action(db, operator, "resident_export", f"resident:{resident_id}")
        db.commit()
    return Response(
        archive,
        media_type="application/zip",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="data-warga-{resident_id}.zip"',
        },
    )


@router.post("/console/privacy/erase")
def erase(request: Request, operator: Admin) -> Response:
    """Erasure where the law allows, after an explicit confirmation; a report of both what
    went and what the law keeps."""
    resident_id = _resident_id(request, operator)
    if resident_id is None:
        return _page(request, operator, error=NO_RESIDENT, status=404)
    if operator.form.get("confirm") != "yes":
        return _page(request, operator, error=CONFIRM_ERASURE, status=422)
    with _context(request).sessions() as db:
        report = subject.erase(db, resident_id, operator.operator_id, operator.now)
        audit_operator_action(db, operator, "resident_erase", f"resident:{resident_id}")
        db.commit()
    return _page(request, operator, report=report)
