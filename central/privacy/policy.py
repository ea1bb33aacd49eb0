"""How long the centre keeps each kind of personal record (UU PDP 2022: kept only as long as
its purpose needs), in one place. ``central.privacy.retention`` enforces exactly these
numbers, the back office shows them to operators, and docs/backoffice.md explains them.

Each period runs from the moment the record stopped being needed for its purpose (a request
closed, a session ended), not from when it was made: an open request keeps its scans.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

DAY_S = 24 * 3600

# A kiosk's outbox may deliver a submission up to a submission grant's life (7 days) after
# its scans were uploaded; one more day covers a delivery that crossed the run.
UNATTACHED_UPLOAD_DAYS = 8
# Scans (and complaint photos) after their request is closed (collected or cancelled, or the
# complaint resolved): a month to answer a question about the letter, then the letter itself
# is the record.
SCANS_AFTER_CLOSE_DAYS = 30
# A letter request's answers (income, purpose, a baby's name) after it closed: the village's
# yearly report counts them; the status history without them stays.
LETTER_ANSWERS_AFTER_CLOSE_DAYS = 365
# A complaint's words and the office's replies after it was resolved; category and status stay
# for the statistics.
COMPLAINT_TEXT_AFTER_RESOLVED_DAYS = 365
# Residents' sign-ins at kiosks (which kiosk, when) and operators' expired sign-in tokens: long
# enough to look into a disputed submission or a misused card, no longer.
SIGN_IN_RECORDS_DAYS = 60
# A resident's phone number for notifications after the last thing it was given for closed.
PHONE_NUMBER_AFTER_CLOSE_DAYS = 30
# The finished letter's PDF: the village's copy of an outgoing letter (arsip surat keluar).
# Its number and verification row stay; the file with the resident's data goes.
LETTER_ARCHIVE_DAYS = 5 * 365


class RecordKind(enum.StrEnum):
    UNATTACHED_UPLOADS = "unattached_uploads"
    SCANS = "scans"
    LETTER_ANSWERS = "letter_answers"
    COMPLAINTS = "complaints"
    SIGN_IN_RECORDS = "sign_in_records"
    PHONE_NUMBERS = "phone_numbers"
    LETTER_FILES = "letter_files"


@dataclass(frozen=True)
class Rule:
    """One line of the policy, in both languages, for the operators' page and the docs."""

    kind: RecordKind
    days: int
    record_id: str
    record_en: str
    from_id: str
    from_en: str
    then_id: str
    then_en: str


POLICY: tuple[Rule, ...] = (
    Rule(
        RecordKind.UNATTACHED_UPLOADS,
        UNATTACHED_UPLOAD_DAYS,
        "Pindaian yang tidak pernah dilampirkan",
        "Scans never attached to a submission",
        "sejak diunggah",
        "from the upload",
        "dihapus",
        "deleted",
    ),
    Rule(
        RecordKind.SCANS,
        SCANS_AFTER_CLOSE_DAYS,
        "Pindaian dokumen dan foto pengaduan",
        "Scanned pages and complaint photos",
        "sejak permohonan selesai atau dibatalkan",
        "after the request is closed or cancelled",
        "dihapus dari basis data dan disk",
        "deleted from the database and the disk",
    ),
    Rule(
        RecordKind.LETTER_ANSWERS,
        LETTER_ANSWERS_AFTER_CLOSE_DAYS,
        "Isian permohonan surat",
        "Letter request answers",
        "sejak permohonan selesai atau dibatalkan",
        "after the request is closed or cancelled",
        "dihapus; riwayat status tetap",
        "erased; the status history stays",
    ),
    Rule(
        RecordKind.COMPLAINTS,
        COMPLAINT_TEXT_AFTER_RESOLVED_DAYS,
        "Isi pengaduan dan balasannya",
        "Complaint texts and replies",
        "sejak pengaduan selesai",
        "after the complaint is resolved",
        "dihapus; kategori dan status tetap",
        "erased; category and status stay",
    ),
    Rule(
        RecordKind.SIGN_IN_RECORDS,
        SIGN_IN_RECORDS_DAYS,
        "Catatan masuk warga dan token operator",
        "Residents' sign-ins and operators' tokens",
        "sejak sesi berakhir",
        "after the session ended",
        "dihapus",
        "deleted",
    ),
    Rule(
        RecordKind.PHONE_NUMBERS,
        PHONE_NUMBER_AFTER_CLOSE_DAYS,
        "Nomor telepon untuk pemberitahuan",
        "Phone numbers for notifications",
        "sejak permohonan atau pengaduan selesai",
        "after the request or complaint is closed",
        "dihapus",
        "deleted",
    ),
    Rule(
        RecordKind.LETTER_FILES,
        LETTER_ARCHIVE_DAYS,
        "Berkas PDF surat yang diterbitkan",
        "The issued letter's PDF",
        "sejak surat diterbitkan",
        "after the letter was issued",
        "berkas dihapus; nomor dan verifikasi tetap",
        "file deleted; number and verification stay",
    ),
)
