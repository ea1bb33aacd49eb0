"""Names for the contract's codes (complaint categories and statuses, queue counters, office
kinds), marked for translation. The centre sends these as codes, not text, so the kiosk owns
their wording in both languages. The tests check every code of the contract has a name."""

from __future__ import annotations

from central.contract.models import OfficeKind
from kiosk.i18n import N_, Translator

# Exactly the contract's ComplaintCategory (tests/session/test_rules.py holds them together).
COMPLAINT_CATEGORIES: dict[str, str] = {
    "layanan": N_("Public services"),
    "infrastruktur": N_("Infrastructure"),
    "bansos": N_("Social assistance"),
    "keamanan": N_("Safety and order"),
    "lainnya": N_("Other"),
}

COMPLAINT_STATUSES: dict[str, str] = {
    "received": N_("Received"),
    "in_progress": N_("Being handled"),
    "resolved": N_("Resolved"),
}

COUNTERS: dict[str, str] = {
    "A": N_("Counter A: letters"),
    "B": N_("Counter B: social assistance"),
    "C": N_("Counter C: other services"),
}

OFFICES: dict[OfficeKind, str] = {
    OfficeKind.DESA: N_("{name} village office"),
    OfficeKind.KELURAHAN: N_("{name} urban village office"),
    OfficeKind.KECAMATAN: N_("{name} district office"),
    OfficeKind.KABUPATEN: N_("{name} regency government"),
    OfficeKind.PUSKESMAS: N_("{name} community health centre"),
}


def label(table: dict[str, str], code: str, t: Translator) -> str:
    """The translated name of ``code``; a code newer than this kiosk is printed as it is."""
    message = table.get(code)
    return t(message) if message is not None else code
