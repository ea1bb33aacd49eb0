"""The session's side of the bansos screen (each programme with the resident's standing and
why it cannot be chosen) and of the complaint's photo (viewfinder, keep, retake, skip), with
fakes; the screens' tests drive the same through a real centre and the simulated camera."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from central.contract.services import BansosStatus
from kiosk.captured import PhotoFailed, ScannedDocument, Shutter
from kiosk.session import State
from kiosk.session.bansos import Blocked, Standing, bansos_choices
from kiosk.session.events import Notice, StepChanged, ViewfinderClosed
from kiosk.session.flows import PHOTO_STEP, ComplaintSubmission
from tests.session.fakes import Rig, make_rig, signed_in

pytestmark = pytest.mark.in_process

PHOTO = ScannedDocument(b"\xff\xd8 a jpeg", "image/jpeg")


def _program(id_: str, cluster: str, open_: bool = True) -> dict[str, object]:
    return {
        "id": id_,
        "name": {"id": id_.upper(), "en": id_.upper() + " (en)"},
        "cluster": cluster,
        "open_for_applications": open_,
    }


def _enrollment(id_: str, cluster: str, status: str, since: date) -> dict[str, object]:
    return {
        "program_id": id_,
        "program_name": {"id": id_.upper(), "en": id_.upper() + " (en)"},
        "cluster": cluster,
        "status": status,
        "since": since.isoformat(),
    }


# Like the seeded first demo resident: PKH active, BPNT once (ended), PBI not at a kiosk.
STATUS = BansosStatus.model_validate(
    {
        "enrollments": [
            _enrollment("pkh", "tunai", "active", date(2025, 1, 15)),
            _enrollment("bpnt", "pangan", "ended", date(2023, 3, 1)),
        ],
        "programs": [
            _program("pbi_jk", "kesehatan", open_=False),
            _program("bpnt", "pangan"),
            _program("blt_dd", "tunai"),
            _program("pkh", "tunai"),
        ],
    }
)


def test_each_programme_gets_the_residents_standing_and_the_reason_it_cannot_be_chosen() -> None:
    choices = {c.program_id: c for c in bansos_choices(STATUS)}
    assert [c.program_id for c in bansos_choices(STATUS)] == ["pbi_jk", "bpnt", "blt_dd", "pkh"]
    pkh, blt, bpnt, pbi = choices["pkh"], choices["blt_dd"], choices["bpnt"], choices["pbi_jk"]
    assert (pkh.standing, pkh.blocked, pkh.since) == (
        Standing.ACTIVE,
        Blocked.RECEIVING,
        date(2025, 1, 15),
    )
    # One NIK, one programme per cluster: BLT Dana Desa pays for the same need as PKH.
    assert (blt.standing, blt.blocked) == (Standing.NONE, Blocked.CLUSTER_TAKEN)
    assert blt.held_by is not None and blt.held_by.id == "PKH"
    assert blt.held_status is Standing.ACTIVE
    # An ended enrollment frees the cluster: BPNT may be applied for again.
    assert (bpnt.standing, bpnt.can_apply, bpnt.held_by) == (Standing.ENDED, True, None)
    assert (pbi.blocked, pbi.can_apply) == (Blocked.NOT_AT_KIOSK, False)


def test_a_pending_application_holds_its_cluster_and_its_own_programme() -> None:
    status = BansosStatus.model_validate(
        {
            "enrollments": [_enrollment("bpnt", "pangan", "pending", date(2026, 11, 20))],
            "programs": [_program("bpnt", "pangan"), _program("sembako", "pangan")],
        }
    )
    bpnt, sembako = bansos_choices(status)
    assert (bpnt.standing, bpnt.blocked) == (Standing.PENDING, Blocked.VERIFYING)
    assert (sembako.blocked, sembako.held_status) == (Blocked.CLUSTER_TAKEN, Standing.PENDING)


def test_the_session_lists_the_choices_while_the_programme_step_shows(rig: Rig) -> None:
    rig.client.bansos = STATUS
    signed_in(rig)
    assert rig.session.bansos_choices() is None  # not in the service yet
    rig.session.choose("bansos")
    assert rig.of(StepChanged)[-1].step == "program"
    choices = rig.session.bansos_choices()
    assert choices is not None and {c.program_id for c in choices if c.can_apply} == {"bpnt"}
    rig.session.answer("bpnt")
    assert rig.session.state is State.REVIEW
    rig.session.cancel()
    assert not rig.session.holds_personal_data()  # the enrollments went with the resident


def test_without_the_centre_the_bansos_list_is_none_and_the_resident_is_told(rig: Rig) -> None:
    signed_in(rig)
    rig.client.online = False
    rig.session.choose("bansos")
    assert rig.session.bansos_choices() is None
    assert rig.of(Notice) != []


class FakePhotographer:
    """Hands out the photos it is given, one per press of the shutter; records put-aways."""

    def __init__(self, *photos: ScannedDocument | None) -> None:
        self.photos = list(photos)
        self.shown: ScannedDocument | None = None
        self.put_aways = 0
        self.prepared = 0

    def prepare(self) -> None:
        self.prepared += 1

    def photograph(self, shutter: Shutter, timeout_s: float) -> ScannedDocument | None:
        assert shutter.wait(timeout_s)
        if not shutter.taking:
            return None
        photo = self.photos.pop(0)
        if photo is None:
            raise PhotoFailed("no still")
        self.shown = photo
        return photo

    def put_away(self) -> None:
        self.shown = None
        self.put_aways += 1


def _at_the_photo(photographer: FakePhotographer) -> Rig:
    rig = make_rig()
    rig.session.photographer = photographer
    signed_in(rig)
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    assert rig.of(StepChanged)[-1].step == PHOTO_STEP
    return rig


def _pressed(take: bool) -> Shutter:
    shutter = Shutter()
    (shutter.take if take else shutter.close)()
    return shutter


def test_a_photo_taken_kept_is_attached_to_the_complaint() -> None:
    other = ScannedDocument(b"\xff\xd8 the first try", "image/jpeg")
    camera = FakePhotographer(other, PHOTO)
    rig = _at_the_photo(camera)
    rig.session.photograph(_pressed(take=True))
    assert rig.of(ViewfinderClosed) == [ViewfinderClosed(taken=True)]
    assert rig.session.state is State.SERVICE
    rig.session.photograph(_pressed(take=True))  # retake: the first one is dropped
    rig.session.keep_photo()
    assert camera.shown is None
    assert rig.session.state is State.REVIEW
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert dict(submission.attachments) == {"photo": PHOTO}  # delivery uploads it as "photo"


def test_the_photo_step_gets_the_camera_ready_before_the_resident_asks() -> None:
    camera = FakePhotographer()
    _at_the_photo(camera)
    assert camera.prepared == 1


def test_closing_the_viewfinder_takes_nothing_and_skip_goes_on_without_a_photo() -> None:
    camera = FakePhotographer()
    rig = _at_the_photo(camera)
    rig.session.photograph(_pressed(take=False))
    rig.session.keep_photo()  # nothing taken: nothing to keep
    assert rig.of(ViewfinderClosed) == [ViewfinderClosed(taken=False)]
    assert rig.session.state is State.SERVICE
    rig.session.drop_photo()
    rig.session.skip()
    assert rig.session.state is State.REVIEW
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert submission.attachments == {}


def test_a_camera_fault_is_told_and_the_resident_can_still_skip() -> None:
    rig = _at_the_photo(FakePhotographer(None))
    rig.session.photograph(_pressed(take=True))
    assert "camera" in rig.of(Notice)[-1].message.en
    assert rig.of(ViewfinderClosed) == [ViewfinderClosed(taken=False)]
    rig.session.skip()
    assert rig.session.state is State.REVIEW


def test_the_viewfinder_opens_only_at_the_photo_step_and_a_kiosk_without_camera_says_so(
    rig: Rig,
) -> None:
    signed_in(rig)
    shutter = Shutter()
    rig.session.photograph(shutter)  # in the menu: closed at once, nothing waits
    assert shutter.pressed and not shutter.taking
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    rig.session.photograph(Shutter())  # no photographer in this rig
    assert "camera" in rig.of(Notice)[-1].message.en


def test_a_photo_on_screen_is_put_away_when_the_session_ends() -> None:
    camera = FakePhotographer(PHOTO)
    rig = _at_the_photo(camera)
    rig.session.photograph(_pressed(take=True))
    assert rig.session.holds_personal_data()
    rig.session.cancel()
    assert camera.shown is None and not rig.session.holds_personal_data()


def test_a_shutter_pressed_from_another_thread_ends_the_wait() -> None:
    shutter = Shutter()
    threading.Timer(0.05, shutter.take).start()
    assert shutter.wait(5.0) and shutter.taking
