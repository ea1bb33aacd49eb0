"""Checks a resident's answer against the field the centre declared, before anything is sent,
so mistakes are explained on the spot in the resident's language."""

from __future__ import annotations

import re
from datetime import date

from central.contract.models import FieldType, FormField, LocalizedText
from common.nik import InvalidNik, check_nik
from common.phone import InvalidPhone, normalise_mobile
from kiosk.i18n import bilingual


class AnswerRejected(ValueError):
    def __init__(self, message: LocalizedText) -> None:
        super().__init__(message.en)
        self.message = message


def check_answer(field: FormField, raw: str, min_length: int = 0) -> str:
    """The cleaned answer, or :class:`AnswerRejected` saying what is wrong with it.
    ``min_length`` applies to a non-empty answer (an optional field may still be left empty)."""
    value = raw.strip()
    if not value:
        if field.required:
            raise AnswerRejected(bilingual("This field must be filled in."))
        return ""
    if len(value) < min_length:
        raise AnswerRejected(bilingual("At least {n} characters.", n=min_length))
    if field.max_length is not None and len(value) > field.max_length:
        raise AnswerRejected(bilingual("At most {n} characters.", n=field.max_length))
    if field.type is FieldType.NUMBER and not value.isdigit():
        raise AnswerRejected(bilingual("Use digits only."))
    if field.type is FieldType.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise AnswerRejected(bilingual("Enter a date as YYYY-MM-DD.")) from None
    if field.type is FieldType.CHOICE and field.choices and value not in field.choices:
        raise AnswerRejected(bilingual("Choose one of the options shown."))
    if field.type is FieldType.NIK:
        try:
            check_nik(value)
        except InvalidNik as err:
            raise AnswerRejected(LocalizedText(id=err.message_id, en=str(err))) from None
    if field.pattern and not re.fullmatch(field.pattern, value):
        raise AnswerRejected(bilingual("This answer is not in the expected form."))
    return value


def check_phone(raw: str) -> str:
    """A mobile number for notifications as the contract takes it (``+628…``), "" for none
    (OK with nothing typed is a no, like skipping), or :class:`AnswerRejected`; the message
    never repeats what was typed."""
    if not raw.strip():
        return ""
    try:
        return normalise_mobile(raw)
    except InvalidPhone:
        raise AnswerRejected(
            bilingual("That is not a mobile number: type it as 08…, 10 to 13 digits.")
        ) from None
