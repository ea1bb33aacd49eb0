"""What an office does with complaints and bansos applications: reply to a complaint and move
its status, approve or reject an application. Service functions, used by the back-office
pages; each change is one transaction with who did it and when (and why, for a decision).

Complaint statuses move forward only (``COMPLAINT_TRANSITIONS``); a resolved complaint is
closed (its retention period runs from then). A bansos application is decided once, while
pending: approved it becomes an active enrollment, rejected it ends and frees its cluster
(``holding_cluster``), so the resident may apply to another program of that cluster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import BansosEnrollment, BansosReview, Complaint, ComplaintReply
from central.notify.hooks import ComplaintAnswered, notify_resident

MAX_REPLY_LENGTH = 2000
MAX_REASON_LENGTH = 500
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"in_progress", "resolved"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset(),
}
Decision = Literal["approve", "reject"]
DECISIONS: dict[str, str] = {"approve": "active", "reject": "ended"}


def _text_refusal(field: str, limit: int) -> ApiError:
    return ApiError(
        422,
        "text_invalid",
        f"Isi wajib diisi, paling banyak {limit} huruf.",
        f"The text is required, at most {limit} characters.",
        {"field": field},
    )


def _clean(text: str, field: str, limit: int) -> str:
    cleaned = text.strip()
    if not cleaned or len(cleaned) > limit or "\x00" in cleaned:
        raise _text_refusal(field, limit)
    return cleaned


def reply(
    db: Session,
    complaint: Complaint,
    text: str,
    new_status: str | None,
    operator_id: int,
    now: datetime,
) -> ComplaintReply:
    """Adds the office's answer and, when given, moves the status one legal step."""
    if not COMPLAINT_TRANSITIONS[complaint.status]:
        raise ApiError(
            409,
            "complaint_closed",
            "Pengaduan ini sudah selesai.",
            "This complaint is resolved and closed.",
        )
    if new_status is not None and new_status not in COMPLAINT_TRANSITIONS[complaint.status]:
        raise ApiError(
            409,
            "complaint_status_invalid",
            "Status pengaduan tidak dapat diubah ke sana.",
            "The complaint's status cannot move there.",
            {"status": complaint.status},
        )
    answer = ComplaintReply(
        complaint_id=complaint.id,
        text=_clean(text, "reply", MAX_REPLY_LENGTH),
        at=now,
        operator_id=operator_id,
    )
    db.add(answer)
    if new_status is not None:
        complaint.status = new_status
    complaint.updated_at = now
    notify_resident(db, ComplaintAnswered(complaint, now))  # in the same transaction
    db.commit()
    return answer


def decide(
    db: Session,
    enrollment: BansosEnrollment,
    decision: Decision,
    reason: str,
    operator_id: int,
    now: datetime,
) -> BansosReview:
    """Approves or rejects a pending application, with its reason kept."""
    if enrollment.status != "pending":
        raise ApiError(
            409,
            "bansos_decided",
            "Pengajuan ini sudah diputuskan.",
            "This application has already been decided.",
            {"status": enrollment.status},
        )
    review = BansosReview(
        enrollment_id=enrollment.id,
        decision=decision,
        reason=_clean(reason, "reason", MAX_REASON_LENGTH),
        at=now,
        operator_id=operator_id,
    )
    db.add(review)
    enrollment.status = DECISIONS[decision]
    if decision == "reject":
        enrollment.holding_cluster = None
    db.commit()
    return review
