"""One receipt builder per service result: pure functions from wire models to a ``Receipt``.

Every receipt reads top to bottom the same way, so staff at the counter find things at once:
office and kiosk, what it is, the big number or tracking code with its QR, status, the masked
NIK and the time in WIB, what to do next, "keep this receipt". The resident's name is left
off: the masked NIK is enough to recognise a slip, and receipts get left on the kiosk.
Nothing here prints; the session hands the result to the printer (or shows it on screen).
"""

from __future__ import annotations

from central.contract.models import DocumentRequirement, Service
from central.contract.services import (
    BansosApplication,
    BansosApplicationCreate,
    BansosProgram,
    Complaint,
    ComplaintCreate,
    LetterRequest,
    LetterRequestCreate,
    QueueTicket,
)
from drivers.printer.receipt import Align, Receipt
from kiosk.i18n import N_, Bilingual, localized
from kiosk.receipts.context import ReceiptContext
from kiosk.receipts.labels import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    COUNTERS,
    OFFICES,
    label,
)
from kiosk.receipts.wib import format_datetime, format_long_date

OfflineSubmission = LetterRequestCreate | ComplaintCreate | BansosApplicationCreate
"""What the outbox holds: a submission accepted by the kiosk but not yet by the centre."""

LETTER_TITLE = N_("Letter request")
BANSOS_TITLE = N_("Social assistance application")
COMPLAINT_TITLE = N_("Complaint")


def _header(ctx: ReceiptContext, title: str) -> Receipt:
    t = ctx.t
    office = t(OFFICES[ctx.office.kind], name=ctx.office.name).upper()
    return (
        Receipt()
        .text(office, bold=True, align=Align.CENTER)
        .text(t("Kiosk {kiosk_id}", kiosk_id=ctx.kiosk_id), align=Align.CENTER)
        .rule("=")
        .title(title)
    )


def _tracking(receipt: Receipt, ctx: ReceiptContext, code: str) -> Receipt:
    return (
        receipt.text(ctx.t("Tracking code"), align=Align.CENTER)
        .big_number(code)
        .qr(ctx.tracking_qr(code))
    )


def _who_and_when(receipt: Receipt, ctx: ReceiptContext) -> Receipt:
    nik = ctx.nik_masked
    if nik is not None:
        receipt.pair("NIK", nik)
    return receipt.pair(ctx.t("Date"), format_datetime(ctx.now))


def _footer(receipt: Receipt, ctx: ReceiptContext, *notes: str) -> Receipt:
    receipt.rule()
    for note in notes:
        receipt.text(note, align=Align.CENTER)
    return receipt.text(ctx.t("Keep this receipt."), bold=True, align=Align.CENTER).cut()


def letter_receipt(
    request: LetterRequest, ctx: ReceiptContext, *, service: Service | None = None
) -> Receipt:
    """A letter request the centre accepted. ``service`` (from the catalog) lists the papers
    to bring to the office; without it that list is left out."""
    t, lang = ctx.t, ctx.language
    receipt = _header(ctx, t(LETTER_TITLE)).text(
        localized(request.service_label, lang), align=Align.CENTER
    )
    _tracking(receipt, ctx, request.tracking_code)
    receipt.pair(t("Status"), localized(request.status_label, lang))
    _who_and_when(receipt, ctx)
    to_bring = [doc for doc in (service.documents if service else []) if doc.provide == "bring"]
    if to_bring:
        receipt.rule().text(t("Bring these to the office:"), bold=True)
        for doc in to_bring:
            receipt.text(_document_line(doc, ctx))
    check = (
        t("Scan the QR with a phone, or check the status at the kiosk with this code.")
        if ctx.tracking_url
        else t("Check the status at the kiosk with this code.")
    )
    return _footer(receipt, ctx, check)


def _document_line(doc: DocumentRequirement, ctx: ReceiptContext) -> str:
    name = localized(doc.label, ctx.language)
    return "- " + (name if doc.required else ctx.t("{document} (if you have it)", document=name))


def queue_code(ticket: QueueTicket) -> str:
    """``231126-A-012``: the day (``ddmmyy``, as OpenSID prints queue slips) and the number,
    so a counter scanning yesterday's ticket can tell."""
    return f"{ticket.day:%d%m%y}-{ticket.number}"


def queue_receipt(ticket: QueueTicket, ctx: ReceiptContext) -> Receipt:
    t = ctx.t
    counter = ticket.number.split("-", 1)[0]
    if ticket.waiting_ahead == 0:
        ahead = t("You are next.")
    else:
        ahead = t.plural("{n} person ahead of you", "{n} people ahead of you", ticket.waiting_ahead)
    receipt = (
        _header(ctx, t("Queue number"))
        .big_number(ticket.number)
        .text(label(COUNTERS, counter, t), bold=True, align=Align.CENTER)
        .text(format_long_date(ticket.day, t), align=Align.CENTER)
        .text(ahead, align=Align.CENTER)
        .qr(ctx.tracking_qr(queue_code(ticket), office_scoped=True))
        .text(queue_code(ticket), align=Align.CENTER)
    )
    _who_and_when(receipt, ctx)
    return _footer(receipt, ctx, t("Please wait until your number is called."))


def bansos_receipt(
    application: BansosApplication, ctx: ReceiptContext, *, program: BansosProgram | None = None
) -> Receipt:
    """An application accepted for review; ``program`` gives its name (else its id)."""
    t = ctx.t
    name = localized(program.name, ctx.language) if program else application.program_id
    receipt = _header(ctx, t(BANSOS_TITLE)).text(name, align=Align.CENTER)
    _tracking(receipt, ctx, application.tracking_code)
    receipt.pair(t("Status"), t("Under review"))
    _who_and_when(receipt, ctx)
    return _footer(
        receipt,
        ctx,
        t("An officer will check your eligibility. Check the result at the kiosk with this code."),
    )


def complaint_receipt(complaint: Complaint, ctx: ReceiptContext) -> Receipt:
    t = ctx.t
    receipt = _header(ctx, t(COMPLAINT_TITLE)).pair(
        t("Category"), label(COMPLAINT_CATEGORIES, complaint.category, t)
    )
    _tracking(receipt, ctx, complaint.tracking_code)
    receipt.pair(t("Status"), label(COMPLAINT_STATUSES, complaint.status, t))
    _who_and_when(receipt, ctx)
    return _footer(receipt, ctx, t("Thank you. Your complaint will be followed up."))


def queued_receipt(
    submission: OfflineSubmission, ctx: ReceiptContext, *, subject: Bilingual | None = None
) -> Receipt:
    """A submission waiting in the outbox: says so plainly and carries the local reference
    (text and QR), which the centre honours, so the slip stays valid once it is delivered.

    ``subject`` names it (the letter's service, the bansos program); a complaint is named
    by its category, and without a subject the service or program id is printed.
    """
    t = ctx.t
    match submission:
        case LetterRequestCreate():
            kind, fallback = LETTER_TITLE, submission.service_id
        case BansosApplicationCreate():
            kind, fallback = BANSOS_TITLE, submission.program_id
        case ComplaintCreate():
            kind, fallback = COMPLAINT_TITLE, label(COMPLAINT_CATEGORIES, submission.category, t)
    what = localized(subject, ctx.language) if subject is not None else fallback
    receipt = (
        _header(ctx, t("Saved, not sent yet"))
        .text(t(kind), bold=True, align=Align.CENTER)
        .text(what, align=Align.CENTER)
        .rule()
        .text(
            t(
                "The kiosk cannot reach the server right now. Your submission is saved here "
                "and will be sent automatically when the connection returns."
            )
        )
        .rule()
        .text(t("Reference number"), align=Align.CENTER)
        .qr(ctx.tracking_qr(submission.local_ref, office_scoped=True))
        .text(submission.local_ref, bold=True, align=Align.CENTER)
    )
    _who_and_when(receipt, ctx)
    return _footer(
        receipt,
        ctx,
        t(
            "You get a tracking code once it is sent. "
            "Show this receipt at the office with questions."
        ),
    )
