"""The offices someone probably meant when `token create --office` names none.

People type an office as they know it: its name (``Sarongan``), or its Kemendagri code without
the dots (``3510012001``). Neither is an office id, but both point at one; the command lists
the closest offices instead of only saying that there is none.
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import Office

MAX_SUGGESTIONS = 5
_NAME_CUTOFF = 0.7  # difflib ratio: catches a typo or two in a village name
_CODE_GROUPS = (2, 2, 2, 4)  # province.regency.district.village


def dotted_code(text: str) -> str | None:
    """``3510012001`` → ``35.10.01.2001`` (and the shorter prefixes); None if not such digits."""
    digits = re.sub(r"\D", "", text)
    if not digits or len(digits) != len(text.replace(".", "").strip()):
        return None
    parts: list[str] = []
    for size in _CODE_GROUPS:
        if not digits:
            break
        parts.append(digits[:size])
        digits = digits[size:]
    return ".".join(parts) if not digits else None


def suggest_offices(db: Session, text: str) -> list[Office]:
    """Offices whose code matches ``text`` without dots, or whose name is close to it."""
    offices = list(db.scalars(select(Office).order_by(Office.id)))
    by_id = {office.id: office for office in offices}
    found: list[Office] = []
    code = dotted_code(text)
    if code is not None:
        found += [by_id[code]] if code in by_id else []
        found += [office for office in offices if office.id.startswith(code + ".")]
    wanted = text.strip().casefold()
    if wanted:
        found += [office for office in offices if wanted in office.name.casefold()]
        names = sorted({office.name.casefold() for office in offices})
        close = difflib.get_close_matches(wanted, names, n=MAX_SUGGESTIONS, cutoff=_NAME_CUTOFF)
        found += [office for name in close for office in offices if office.name.casefold() == name]
    unique = list(dict.fromkeys(found))
    return unique[:MAX_SUGGESTIONS]
