"""The heartbeat path's signature thread (central/heartbeats/verifier.py): a good signature goes on
to
``then`` on that thread, a bad one or a failing ``then`` ends the request with the error, and
the thread comes and goes with the work."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.contract import signing
from central.errors import ApiError
from central.heartbeats import verifier
from central.heartbeats.verifier import SignatureVerifier
from central.security.callers import SignedKiosk
from central.security.credentials import KioskCredential
from central.security.kiosk_auth import SignedRequest

pytestmark = pytest.mark.in_process

KEY = Ed25519PrivateKey.generate()
CREDENTIAL = KioskCredential(office_id="35.10.02.2001", public_key=KEY.public_key())


def _signed(body: bytes = b"{}", key: Ed25519PrivateKey = KEY) -> SignedRequest:
    fields = {
        "kiosk_id": "KSK-1",
        "timestamp": 1_700_000_000,
        "nonce": "n" * 22,
        "method": "POST",
        "path": "/v1/heartbeats",
    }
    signature = key.sign(signing.canonical_message(**fields, body=body))  # type: ignore[arg-type]
    return SignedRequest(signature=signature, body=body, **fields)  # type: ignore[arg-type]


async def _check(
    checker: SignatureVerifier,
    signed: SignedRequest,
    credential: KioskCredential | None,
    then: Callable[[SignedKiosk], None],
) -> object:
    """What ``accept`` does: the future ends with the error, or ``then`` settles it."""
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    checker.check(signed, credential, future, then)
    return await asyncio.wait_for(future, timeout=10)


def test_a_good_signature_goes_on_from_the_verifier_thread() -> None:
    seen: list[tuple[SignedKiosk, str]] = []

    async def main() -> object:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object] = loop.create_future()

        def then(kiosk: SignedKiosk) -> None:
            seen.append((kiosk, threading.current_thread().name))
            loop.call_soon_threadsafe(future.set_result, "written")

        SignatureVerifier().check(_signed(), CREDENTIAL, future, then)
        return await asyncio.wait_for(future, timeout=10)

    assert asyncio.run(main()) == "written"
    assert seen == [(SignedKiosk(id="KSK-1", office_id="35.10.02.2001"), "signature-verifier")]


@pytest.mark.parametrize(
    ("signed", "credential", "code"),
    [
        (_signed(key=Ed25519PrivateKey.generate()), CREDENTIAL, "signature_invalid"),
        (_signed(), None, "kiosk_unknown"),
    ],
    ids=["another key", "not enrolled"],
)
def test_a_refused_signature_ends_the_request_with_its_error(
    signed: SignedRequest, credential: KioskCredential | None, code: str
) -> None:
    def then(_: SignedKiosk) -> None:
        raise AssertionError("a refused request must not go on")

    outcome = asyncio.run(_check(SignatureVerifier(), signed, credential, then))
    assert isinstance(outcome, ApiError)
    assert outcome.body.code == code


def test_a_failure_after_the_check_is_the_requests_answer_and_the_thread_goes_on() -> None:
    checker = SignatureVerifier()

    def broken(_: SignedKiosk) -> None:
        raise RuntimeError("writer queue gone")

    async def main() -> tuple[object, object]:
        first = await _check(checker, _signed(), CREDENTIAL, broken)
        second = await _check(checker, _signed(), None, broken)
        return first, second

    first, second = asyncio.run(main())
    assert isinstance(first, RuntimeError)
    assert isinstance(second, ApiError)  # answered by the same, still running, thread


def test_the_thread_ends_when_idle_and_starts_again_on_demand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verifier, "IDLE_EXIT_S", 0.05)
    checker = SignatureVerifier()

    asyncio.run(_check(checker, _signed(), None, lambda _: None))
    thread = checker._thread
    assert thread is not None and thread.name == "signature-verifier"
    thread.join(timeout=5)
    assert not thread.is_alive(), "the verifier thread is still there after its idle time"
    again = asyncio.run(_check(checker, _signed(), None, lambda _: None))
    assert isinstance(again, ApiError)
