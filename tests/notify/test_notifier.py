"""The HTTP gateway notifier against a real HTTP server on loopback: what it sends, and which
answers mean sent, retry later or refused; the log notifier never writes a number in clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.notify.notifier import HttpGatewayNotifier, LogNotifier
from tests.notify.gateway import running_gateway

PHONE = "+6281234567890"


def test_a_message_goes_as_json_with_its_key_and_token() -> None:
    with running_gateway() as gateway:
        notifier = HttpGatewayNotifier(gateway.url, "s3cret-token", timeout_s=5)
        result = notifier.send(PHONE, "Surat siap diambil.", key="letter-ready:SKT-7K3M9Q")
    assert result.outcome == "sent"
    (received,) = gateway.received
    assert received.key == "letter-ready:SKT-7K3M9Q"
    assert received.authorization == "Bearer s3cret-token"
    assert received.body == {
        "to": PHONE,
        "text": "Surat siap diambil.",
        "id": "letter-ready:SKT-7K3M9Q",
    }


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "sent"),
        (202, "sent"),
        (500, "retry"),
        (503, "retry"),
        (429, "retry"),
        (400, "rejected"),
        (401, "rejected"),
    ],
)
def test_gateway_answers_mean_sent_retry_or_refused(status: int, outcome: str) -> None:
    with running_gateway(script=[status]) as gateway:
        result = HttpGatewayNotifier(gateway.url, "", timeout_s=5).send(PHONE, "x", key="k")
    assert (result.outcome, result.detail) == (outcome, f"HTTP {status}")
    assert PHONE not in result.detail


def test_timeout_and_a_closed_port_are_worth_a_retry() -> None:
    with running_gateway(delay_s=5) as gateway:
        slow = HttpGatewayNotifier(gateway.url, "", timeout_s=0.3).send(PHONE, "x", key="k")
        closed_url = gateway.url
    assert slow.outcome == "retry" and "Timeout" in slow.detail
    gone = HttpGatewayNotifier(closed_url, "", timeout_s=2).send(PHONE, "x", key="k")
    assert gone.outcome == "retry" and gone.detail.startswith("network:")


def test_log_notifier_masks_the_number(tmp_path: Path) -> None:
    notifier = LogNotifier(tmp_path / "sent.log")
    assert notifier.send(PHONE, "Surat siap.", key="k1").outcome == "sent"
    text = (tmp_path / "sent.log").read_text()
    assert text == "k1\t0812****7890\tSurat siap.\n"
    assert notifier.sent == [("0812****7890", "Surat siap.", "k1")]
    assert "34567890" not in text
