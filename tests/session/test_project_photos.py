"""The information screen's project photos as the session serves them: fetched from the
centre once and then kept in a bounded cache (entries and bytes), quiet when the centre is
away (None: the screen shows the progress bar alone), never kept when the fetch failed."""

from __future__ import annotations

from functools import partial

import pytest

from kiosk.central_client import CentralOffline
from kiosk.photos import PhotoCache
from tests.session.fakes import make_rig


def test_a_photo_is_fetched_once_then_served_from_memory() -> None:
    rig = make_rig()
    first = rig.session.project_photo("prj-1", "pho-1")
    again = rig.session.project_photo("prj-1", "pho-1")
    assert first == again == b"\xff\xd8\xffprj-1/pho-1"
    assert rig.client.calls.count("project_photo") == 1


def test_offline_the_photo_is_none_and_nothing_is_kept() -> None:
    rig = make_rig()
    rig.client.online = False
    assert rig.session.project_photo("prj-1", "pho-1") is None
    assert len(rig.session.photos) == 0
    rig.client.online = True
    assert rig.session.project_photo("prj-1", "pho-1") is not None
    assert rig.client.calls.count("project_photo") == 2


def test_the_cache_drops_the_least_recently_shown_past_its_count() -> None:
    cache = PhotoCache(max_entries=2, max_bytes=1000)
    fetched: list[str] = []

    def fetch(name: str) -> bytes:
        fetched.append(name)
        return name.encode()

    for name in ("a", "b", "a", "c", "a", "b"):
        cache.get((name, name), partial(fetch, name))
    # "b" was dropped when "c" came (a was shown after b), then fetched again.
    assert fetched == ["a", "b", "c", "b"]
    assert len(cache) == 2


def test_the_cache_is_bounded_in_bytes_too() -> None:
    cache = PhotoCache(max_entries=10, max_bytes=250)
    for n in range(5):
        cache.get(("p", str(n)), lambda: b"x" * 100)
    assert len(cache) == 2 and cache.size_bytes == 200
    cache.get(("p", "big"), lambda: b"x" * 300)  # larger than the whole cache: served, not kept
    assert cache.size_bytes == 200


def test_a_failed_fetch_passes_its_error_and_keeps_nothing() -> None:
    cache = PhotoCache()

    def fail() -> bytes:
        raise CentralOffline("photo")

    with pytest.raises(CentralOffline):
        cache.get(("p", "1"), fail)
    assert len(cache) == 0


def test_bounds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PhotoCache(max_entries=0)
