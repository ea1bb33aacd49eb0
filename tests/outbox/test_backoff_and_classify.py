"""The retry schedule and which centre answers are final."""

from __future__ import annotations

import pytest

from kiosk.outbox import Backoff, Outcome, classify_reply

pytestmark = pytest.mark.in_process


def test_schedule_doubles_from_base_up_to_the_cap() -> None:
    backoff = Backoff(max_s=300, base_s=1)
    assert [backoff.ceiling(n) for n in range(1, 12)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        300,
        300,
    ]
    assert backoff.ceiling(10_000) == 300


@pytest.mark.parametrize(("draw", "expected"), [(0.0, 4.0), (0.5, 6.0), (0.999999, 8.0)])
def test_jitter_stays_between_half_and_the_whole_ceiling(draw: float, expected: float) -> None:
    assert Backoff(max_s=300, random=lambda: draw).delay(4) == pytest.approx(expected, abs=1e-4)


def test_retry_after_is_a_floor_but_never_beyond_the_cap() -> None:
    backoff = Backoff(max_s=60, random=lambda: 0.0)
    assert backoff.delay(1, retry_after_s=30) == 30
    assert backoff.delay(1, retry_after_s=3600) == 60
    assert backoff.delay(8, retry_after_s=1) == 30  # ceiling 128 → capped at 60, half of it


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="base_s"):
        Backoff(max_s=1, base_s=5)


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (200, None, Outcome.DELIVERED),
        (201, None, Outcome.DELIVERED),
        (202, None, Outcome.DELIVERED),
        (409, "duplicate_local_ref", Outcome.DELIVERED),
        (409, "request_in_progress", Outcome.RETRY),
        (409, "bansos_cluster_taken", Outcome.REFUSED),
        (400, "validation_error", Outcome.REFUSED),
        (413, "document_too_large", Outcome.REFUSED),
        (422, "idempotency_key_reused", Outcome.REFUSED),
        (422, "validation_error", Outcome.REFUSED),
        (401, "clock_skew", Outcome.RETRY),
        (401, "signature_invalid", Outcome.RETRY),
        (401, "session_expired", Outcome.REFUSED),
        (403, "kiosk_revoked", Outcome.RETRY),
        (404, None, Outcome.RETRY),
        (408, None, Outcome.RETRY),
        (429, "rate_limited", Outcome.RETRY),
        (500, None, Outcome.RETRY),
        (503, None, Outcome.RETRY),
        (302, None, Outcome.RETRY),
    ],
)
def test_reply_classes(status: int, code: str | None, outcome: Outcome) -> None:
    result = classify_reply(status, code, retry_after_s=7)
    assert result.outcome is outcome
    if outcome is not Outcome.DELIVERED:
        assert result.reason == f"http_{status}" + (f":{code}" if code else "")
    if outcome is Outcome.RETRY:
        assert result.retry_after_s == 7
