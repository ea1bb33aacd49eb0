"""screens/heap.py: start-up garbage is collected, and what remains is out of the collector's
walks (no window needed)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from screens import heap


class Node:
    """Something the collector tracks; a cycle of them only the collector can free."""

    other: Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test process keeps its usual collector


def test_settle_collects_start_up_garbage_then_freezes_what_lives_on(unfrozen: None) -> None:
    kept = Node()
    garbage = Node()
    garbage.other = garbage  # a cycle: reference counting alone never frees it
    gone = weakref.ref(garbage)
    del garbage
    heap.settle()
    assert gone() is None  # collected before the freeze, not kept forever
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # no collection walks it any more
    made_after = Node()
    assert any(o is made_after for o in gc.get_objects())  # new objects are still collected
