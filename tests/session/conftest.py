from __future__ import annotations

import pytest

from tests.session.fakes import Rig, make_rig


@pytest.fixture
def rig() -> Rig:
    """A session on fakes, called directly from the test's thread (no owner)."""
    return make_rig()
