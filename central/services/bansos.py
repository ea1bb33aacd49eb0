"""Social assistance (bansos): programs grouped in clusters, a resident's enrollments, and
applications under Banyuwangi's "no double recipients" rule.

Programs in one cluster pay for the same need (food: BPNT and Sembako; cash: PKH and BLT Dana
Desa), so one NIK may hold only one program per cluster at a time, counting applications still
pending. The refusal names the program that holds the cluster, so the resident learns why.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.contract.models import LocalizedText
from central.errors import ApiError
from central.models import BansosEnrollment, BansosProgram, Resident
from central.security.callers import SignedKiosk
from central.services import tracking
from central.services.queue import service_day
from central.services.submissions import create_once

_HOLDING_WORDS = {"active": ("aktif", "active"), "pending": ("sedang diverifikasi", "pending")}


def _name(program: BansosProgram) -> LocalizedText:
    return LocalizedText(id=program.name_id, en=program.name_en)


def program_wire(program: BansosProgram) -> wire.BansosProgram:
    return wire.BansosProgram(
        id=program.id,
        name=_name(program),
        cluster=program.cluster,
        open_for_applications=program.open_for_applications,
    )


def status(db: Session, resident: Resident) -> wire.BansosStatus:
    enrollments = db.scalars(
        select(BansosEnrollment)
        .where(BansosEnrollment.resident_id == resident.id)
        .order_by(BansosEnrollment.since.desc(), BansosEnrollment.id)
    ).all()
    programs = db.scalars(select(BansosProgram).order_by(BansosProgram.cluster, BansosProgram.id))
    return wire.BansosStatus(
        enrollments=[
            wire.BansosEnrollment(
                program_id=e.program_id,
                program_name=_name(e.program),
                cluster=e.program.cluster,
                status=e.status,  # type: ignore[arg-type]  # only ever written as one of the three
                since=e.since,
            )
            for e in enrollments
        ],
        programs=[program_wire(p) for p in programs],
    )


def _open_program(db: Session, program_id: str) -> BansosProgram:
    program = db.get(BansosProgram, program_id)
    if program is None:
        raise ApiError(
            404,
            "bansos_program_unknown",
            "Program bantuan tidak ditemukan.",
            "No such assistance program.",
            {"program_id": program_id},
        )
    if not program.open_for_applications:
        raise ApiError(
            409,
            "bansos_program_closed",
            f"Program {program.name_id} tidak menerima pendaftaran lewat kios.",
            f"{program.name_en} does not take applications at the kiosk.",
            {"program_id": program.id},
        )
    return program


def _refuse_if_cluster_taken(db: Session, resident: Resident, program: BansosProgram) -> None:
    holder = db.scalar(
        select(BansosEnrollment).where(
            BansosEnrollment.resident_id == resident.id,
            BansosEnrollment.holding_cluster == program.cluster,
        )
    )
    if holder is None:
        return
    held = holder.program
    word_id, word_en = _HOLDING_WORDS[holder.status]
    raise ApiError(
        409,
        "bansos_cluster_taken",
        f"NIK ini sudah terdaftar di {held.name_id} ({word_id}). Satu NIK hanya boleh "
        f"menerima satu program di klaster '{program.cluster}'.",
        f"This NIK is already enrolled in {held.name_en} ({word_en}). One NIK may hold "
        f"only one program in the '{program.cluster}' cluster.",
        {
            "program_id": held.id,
            "program_name": _name(held).model_dump(),
            "cluster": program.cluster,
            "status": holder.status,
        },
    )


def apply(
    db: Session,
    kiosk: SignedKiosk,
    resident: Resident,
    request: wire.BansosApplicationCreate,
    now: datetime,
) -> wire.BansosApplication:
    def find() -> BansosEnrollment | None:
        return db.scalar(
            select(BansosEnrollment).where(
                BansosEnrollment.kiosk_id == kiosk.id,
                BansosEnrollment.local_ref == request.local_ref,
            )
        )

    def make() -> BansosEnrollment:
        program = _open_program(db, request.program_id)
        _refuse_if_cluster_taken(db, resident, program)
        row = BansosEnrollment(
            resident_id=resident.id,
            program_id=program.id,
            status="pending",
            holding_cluster=program.cluster,
            since=service_day(now),
            tracking_code=tracking.issue(db, "BSO", "bansos"),
            kiosk_id=kiosk.id,
            local_ref=request.local_ref,
            received_at=now,
        )
        db.add(row)
        return row

    row = create_once(db, find, make)
    assert row.tracking_code is not None and row.received_at is not None
    return wire.BansosApplication(
        tracking_code=row.tracking_code,
        program_id=row.program_id,
        status="pending",
        received_at=row.received_at,
    )
