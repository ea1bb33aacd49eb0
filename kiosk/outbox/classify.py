"""HTTP reply → delivery outcome: the one place that decides which refusals are final.

The rule: retry whatever a later attempt of the *same bytes* could turn into success, and
whatever is about the kiosk or the centre as a whole rather than this one item (a revoked or
mis-clocked kiosk: ``signature_invalid``, ``clock_skew``, ``kiosk_revoked``; a centre without
the endpoint yet): dead-lettering every queued submission for a kiosk-wide fault would strand
residents' requests. Refuse only what the centre will never accept from this item (validation,
the bansos duplicate-cluster rule, too large, an expired submission grant), so one bad item
cannot block its lane forever.
"""

from __future__ import annotations

from kiosk.outbox.items import DeliveryResult, Outcome

# Conflicts that mean "the centre already holds this": treated as delivered.
ALREADY_DONE_CODES = frozenset({"already_exists", "duplicate_local_ref", "already_submitted"})
# The centre is still running the first attempt of this very key, or two attempts collided;
# or, inside a batch, it did not look at the item because an earlier one must pass first.
IN_PROGRESS_CODES = frozenset({"request_in_progress", "submission_conflict", "not_processed"})
# This item's own credential is dead: the resident's submission grant (valid for days) expired.
ITEM_REFUSAL_CODES = frozenset({"session_expired"})
# Kiosk-wide conditions: the whole queue waits (with backoff) until someone fixes them.
KIOSK_WIDE_STATUSES = frozenset({401, 403, 404, 405, 421})
TRANSIENT_STATUSES = frozenset({408, 425, 429})


def _outcome(status: int, code: str | None) -> Outcome:
    if 200 <= status < 300 or code in ALREADY_DONE_CODES:
        return Outcome.DELIVERED
    if code in IN_PROGRESS_CODES:
        return Outcome.RETRY
    if code in ITEM_REFUSAL_CODES:
        return Outcome.REFUSED
    if status in TRANSIENT_STATUSES or status in KIOSK_WIDE_STATUSES or status >= 500:
        return Outcome.RETRY
    if 400 <= status < 500:
        return Outcome.REFUSED
    return Outcome.RETRY  # 1xx/3xx: a proxy or a wrong URL in config, not this item's fault


def classify_reply(
    status: int, code: str | None = None, retry_after_s: float | None = None
) -> DeliveryResult:
    """``code`` is the ``code`` of the centre's error body, when there is one."""
    outcome = _outcome(status, code)
    if outcome is Outcome.DELIVERED:
        return DeliveryResult.delivered()
    reason = f"http_{status}" + (f":{code}" if code else "")
    return DeliveryResult(outcome, reason, retry_after_s if outcome is Outcome.RETRY else None)


def classify_item(
    status: int, code: str | None = None, retry_after_s: float | None = None
) -> DeliveryResult:
    """One item's result inside a batch answer (``POST /v1/submissions/batch``).

    The batch itself was signed, routed and accepted, so what is kiosk-wide for a single
    request (401, 403, 404: a clock, a revocation, a missing route) cannot be behind a
    per-item status: a per-item 4xx is about the item (its grant expired, its program is
    unknown) and is final, unless it is one of the codes a later attempt can pass."""
    if 200 <= status < 300 or code in ALREADY_DONE_CODES:
        return DeliveryResult.delivered()
    reason = f"http_{status}" + (f":{code}" if code else "")
    if code in IN_PROGRESS_CODES or status in TRANSIENT_STATUSES or not 400 <= status < 500:
        return DeliveryResult.retry(reason, retry_after_s)
    return DeliveryResult.refused(reason)
