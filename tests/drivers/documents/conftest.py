"""A real CUPS with a virtual IPP Everywhere printer (tests.support.cups), one per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cups import CupsRig


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsRig]:
    rig = CupsRig().start()
    yield rig
    rig.stop()
