"""Receipts for every service result, in the session's language, for 58 mm and 80 mm paper.

Pure: ``(result, ReceiptContext) → drivers.printer.Receipt``. See docs/receipts.md.
"""

from common.wib import WIB, to_wib
from kiosk.receipts.builders import (
    OfflineSubmission,
    bansos_receipt,
    complaint_receipt,
    letter_receipt,
    queue_code,
    queue_receipt,
    queued_receipt,
)
from kiosk.receipts.context import ReceiptContext, tracking_code_from_scan
from kiosk.receipts.wib import format_datetime, format_long_date

__all__ = [
    "WIB",
    "OfflineSubmission",
    "ReceiptContext",
    "bansos_receipt",
    "complaint_receipt",
    "format_datetime",
    "format_long_date",
    "letter_receipt",
    "queue_code",
    "queue_receipt",
    "queued_receipt",
    "to_wib",
    "tracking_code_from_scan",
]
