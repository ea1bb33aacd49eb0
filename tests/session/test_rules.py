"""Each rule the kiosk and the centre share is stated once; these tests fail when a copy that
must follow it (a label table, an outbox lane, a route) drifts away from the one source."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest

from central.contract.batch import BatchItem, BatchKind
from central.contract.models import Service, ServiceKind
from central.contract.services import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    OFFLINE_KINDS,
    OfflineKind,
)
from central.services import tracking
from kiosk.delivery import ROUTES
from kiosk.i18n.translator import build_translator
from kiosk.outbox import DEFAULT_KINDS, KIND_HEARTBEAT
from kiosk.receipts import labels
from kiosk.session.flows import (
    SUBMISSION_KIND,
    OutboxSubmission,
    Submission,
    steps_for,
    submission_for,
    works_offline,
)
from tests.session.fakes import CATALOG

pytestmark = pytest.mark.in_process

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ANSWERS = {
    "category": "infrastruktur",
    "text": "Jalan desa berlubang",
    "program": "pkh",
    "keperluan": "Mendaftar sekolah",
}


def _kinds(union: object) -> set[str]:
    """The ``kind`` each member of a submission union is discriminated by."""
    return {member.__dataclass_fields__["kind"].default for member in typing.get_args(union)}


def test_what_the_outbox_carries_is_the_contracts_offline_kinds() -> None:
    assert _kinds(OutboxSubmission) == set(OFFLINE_KINDS)
    assert set(DEFAULT_KINDS) == {*OFFLINE_KINDS, KIND_HEARTBEAT}
    assert set(ROUTES) == set(OFFLINE_KINDS)
    assert typing.get_args(BatchKind) == typing.get_args(OfflineKind)
    assert set(BatchItem.model_json_schema()["properties"]["kind"]["enum"]) == set(OFFLINE_KINDS)


def test_each_service_makes_the_submission_its_kind_names() -> None:
    """SUBMISSION_KIND (which decides ``works_offline``) says what ``submission_for`` does."""
    assert set(SUBMISSION_KIND.values()) == _kinds(Submission)
    made: dict[ServiceKind, str | None] = {}
    for service in CATALOG.services:
        answers = {**ANSWERS, **{f.name: (f.choices or ["1"])[0] for f in service.fields}}
        submission = submission_for(service, answers, {}, NOW)
        made[service.kind] = submission.kind if submission is not None else None
    centre_kinds = set(ServiceKind) - {ServiceKind.COLLECT}  # the kiosk adds COLLECT itself
    assert set(made) == centre_kinds  # the seed catalog has every kind of service
    assert made == {kind: SUBMISSION_KIND.get(kind) for kind in centre_kinds}


@pytest.mark.parametrize("kind", list(ServiceKind))
def test_a_service_works_offline_exactly_when_its_submission_may_wait(kind: ServiceKind) -> None:
    assert works_offline(kind) is (SUBMISSION_KIND.get(kind) in OFFLINE_KINDS)


def test_works_offline_letters_complaints_and_bansos_only() -> None:
    """The behaviour the refactor kept: the menu the kiosk offers with the centre away."""
    assert {kind for kind in ServiceKind if works_offline(kind)} == {
        ServiceKind.LETTER,
        ServiceKind.COMPLAINT,
        ServiceKind.BANSOS,
    }


def test_the_complaint_step_offers_the_contracts_categories() -> None:
    complaint = next(s for s in CATALOG.services if s.kind is ServiceKind.COMPLAINT)
    category = next(step for step in steps_for(complaint) if step.name == "category")
    assert category.options == COMPLAINT_CATEGORIES


def test_an_unknown_category_is_refused_before_it_is_queued() -> None:
    complaint = Service.model_validate(
        {"id": "pengaduan", "kind": "complaint", "label": {"id": "Pengaduan", "en": "Complaint"}}
    )
    with pytest.raises(ValueError, match="category"):
        submission_for(complaint, {**ANSWERS, "category": "politik"}, {}, NOW)


def test_every_category_has_one_name_on_the_receipt_and_on_the_tracking_page() -> None:
    assert set(labels.COMPLAINT_CATEGORIES) == set(COMPLAINT_CATEGORIES)
    assert set(tracking.COMPLAINT_CATEGORY_LABELS) == set(COMPLAINT_CATEGORIES)
    indonesian = build_translator("id")
    for code, message in labels.COMPLAINT_CATEGORIES.items():
        online = tracking.COMPLAINT_CATEGORY_LABELS[code]
        assert (online.id, online.en) == (indonesian(message), message), code


def test_every_complaint_status_has_one_name_on_the_receipt_and_on_the_tracking_page() -> None:
    assert set(labels.COMPLAINT_STATUSES) == set(COMPLAINT_STATUSES)
    assert set(tracking.COMPLAINT_STATUS_LABELS) == set(COMPLAINT_STATUSES)
    indonesian = build_translator("id")
    for code, message in labels.COMPLAINT_STATUSES.items():
        online = tracking.COMPLAINT_STATUS_LABELS[code]
        assert (online.id, online.en) == (indonesian(message), message), code
