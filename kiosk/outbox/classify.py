"""HTTP reply → delivery outcome: the one place that decides which refusals are final.

The rule: retry whatever a later attempt of the *same bytes* could turn into success, and
whatever is about the kiosk or the centre as a whole rather than this one item (a revoked or
mis-clocked kiosk, a centre without the endpoint yet): dead-lettering every queued submission
for a kiosk-wide fault would strand residents' requests. Refuse only what the centre will never
accept from this item (validation, a duplicate-cluster bansos rule, too large), so one bad item
cannot block its lane forever.
"""

from __future__ import annotations

from kiosk.outbox.items import DeliveryResult

# Conflicts that mean "the centre already holds this": treated as delivered.
ALREADY_DONE_CODES = frozenset({"already_exists", "duplicate_local_ref", "already_submitted"})
# The centre is still running the first attempt of this very key: ask again shortly.
IN_PROGRESS_CODES = frozenset({"request_in_progress"})
# Kiosk-wide conditions: the whole queue waits (with backoff) until someone fixes them.
KIOSK_WIDE_STATUSES = frozenset({401, 403, 404, 405, 421})
TRANSIENT_STATUSES = frozenset({408, 425, 429})


def classify_reply(
    status: int, code: str | None = None, retry_after_s: float | None = None
) -> DeliveryResult:
    """``code`` is the ``code`` of the centre's error body, when there is one."""
    reason = f"http_{status}" + (f":{code}" if code else "")
    if 200 <= status < 300:
        return DeliveryResult.delivered()
    if code in ALREADY_DONE_CODES:
        return DeliveryResult.delivered()
    if code in IN_PROGRESS_CODES:
        return DeliveryResult.retry(reason, retry_after_s)
    if status in TRANSIENT_STATUSES or status >= 500 or status in KIOSK_WIDE_STATUSES:
        return DeliveryResult.retry(reason, retry_after_s)
    if 400 <= status < 500:
        return DeliveryResult.refused(reason)
    # 1xx/3xx: a proxy or a wrong URL in config, not this item's fault.
    return DeliveryResult.retry(reason, retry_after_s)
