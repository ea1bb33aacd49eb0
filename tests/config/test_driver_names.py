"""The config schema offers exactly the drivers the registries can build: a driver added to a
registry but not to the schema could never be chosen, and a name only in the schema would pass
`kiosk config check` and fail at start."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from drivers.base import Registry
from drivers.camera import CAMERAS
from drivers.cards import CARD_READERS
from drivers.documents import DOCUMENT_PRINTERS
from drivers.printer import PRINTERS
from drivers.scanner import CODE_SCANNERS
from kiosk.config.schema import (
    CameraSection,
    CardReaderSection,
    CodeScannerSection,
    DocumentPrinterSection,
    PrinterSection,
    _Section,
)

pytestmark = pytest.mark.in_process

NOT_FITTED = "none"  # an optional device's "no device": no registry builds it


@pytest.mark.parametrize(
    ("section", "registry", "optional"),
    [
        (CardReaderSection, CARD_READERS, False),
        (PrinterSection, PRINTERS, False),
        (CameraSection, CAMERAS, True),
        (CodeScannerSection, CODE_SCANNERS, True),
        (DocumentPrinterSection, DOCUMENT_PRINTERS, True),
    ],
    ids=["card_reader", "printer", "camera", "code_scanner", "document_printer"],
)
def test_schema_choices_are_the_registry_keys(
    section: type[_Section], registry: Registry[Any], optional: bool
) -> None:
    choices = set(get_args(section.model_fields["driver"].annotation))
    assert choices - {NOT_FITTED} == set(registry.factories)
    assert (NOT_FITTED in choices) is optional
