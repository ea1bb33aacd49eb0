"""`kiosk journey`: a scripted resident walks through the kiosk core with simulated devices.

The same code path the touchscreen will drive — session, API client, outbox, receipts,
printer — only the fingers are a script. Used by the tests, the benchmarks and the demo.
Receipts come out of the ESC/POS emulator as PNG files at the paper's true width.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.events import Event
from common.layered_config import ConfigError
from drivers.emulator import PaperState
from kiosk.config import add_config_dir_option, load_kiosk_config
from kiosk.demo.journey_script import JourneyScript, JourneyStep, ScriptError, load_script
from kiosk.identity import IdentityError
from kiosk.session import State
from kiosk.session.events import LetterCollected, Notice, ReceiptReady, SessionEnded
from kiosk.simulated import NotDemo, SimulatedKiosk, build_simulated_kiosk

log = logging.getLogger(__name__)


class ExpectationFailed(AssertionError):
    """The kiosk did not show what the script expected."""


@dataclass
class JourneyLog:
    """What happened, step by step: the runner's answer and the tests' evidence."""

    events: list[Event] = field(default_factory=list)
    step_ms: list[float] = field(default_factory=list)
    own_ms: list[float] = field(default_factory=list)  # step_ms less waiting on the outside
    actions: list[str] = field(default_factory=list)
    receipts: list[Path] = field(default_factory=list)

    def last(self, kind: type[Event]) -> Any:
        return next((e for e in reversed(self.events) if isinstance(e, kind)), None)


def _scan(core: SimulatedKiosk, step: JourneyStep, base: Path) -> None:
    """Put the photo on the (simulated) tray and let the scan step watch it."""
    core.put_on_tray((base / step.args["image"]).resolve())
    timeout_s = float(step.args.get("timeout_s", 30))
    core.do(lambda s: s.scan(timeout_s=timeout_s))


def _expect(core: SimulatedKiosk, step: JourneyStep, log_: JourneyLog) -> None:
    args = step.args
    state = core.do(lambda s: s.state)
    if "state" in args and state.value != args["state"]:
        raise ExpectationFailed(f"step {step.number}: state is {state}, not {args['state']}")
    if "notice" in args:
        notice: Notice | None = log_.last(Notice)
        shown = (notice.message.id + " / " + notice.message.en) if notice else "(none)"
        if args["notice"] not in shown:
            raise ExpectationFailed(f"step {step.number}: last notice was {shown!r}")
    ready: ReceiptReady | None = log_.last(ReceiptReady)
    if "printed" in args and (ready is None or ready.printed != bool(args["printed"])):
        raise ExpectationFailed(f"step {step.number}: printed is not {args['printed']}")
    if "receipt" in args:
        text = core.last_receipt_text()
        if args["receipt"] not in text:
            raise ExpectationFailed(
                f"step {step.number}: receipt does not show {args['receipt']!r}"
            )
    collected: LetterCollected | None = log_.last(LetterCollected)
    if "collected" in args and (collected is None or collected.printed != args["collected"]):
        shown = "nothing collected" if collected is None else f"printed is {collected.printed}"
        raise ExpectationFailed(f"step {step.number}: letter {shown}, not {args['collected']}")
    if "queued" in args and core.outbox_backlog() != int(args["queued"]):
        raise ExpectationFailed(
            f"step {step.number}: outbox holds {core.outbox_backlog()}, not {args['queued']}"
        )


def _enter_nik(core: SimulatedKiosk, nik: str) -> None:
    core.do(lambda s: s.start_nik_entry())
    core.do(lambda s: s.enter_nik(nik))


def _notify(core: SimulatedKiosk, phone: str) -> None:
    """The review's SMS/WhatsApp opt-in; a refused number is the session's notice (``expect``
    it), as on screen."""
    core.do(lambda s: s.notify_by(phone))


def _idle(core: SimulatedKiosk, seconds: float) -> None:
    for _ in range(int(seconds)):
        core.advance_clock(1.0)
        core.do(lambda s: s.tick())


ACTIONS: dict[str, Callable[[SimulatedKiosk, JourneyStep], None]] = {
    "tap_card": lambda core, s: core.tap_card(s.args["card_uid"]),
    "nik": lambda core, s: _enter_nik(core, s.args["nik"]),
    "pin": lambda core, s: core.do(lambda x: x.enter_pin(s.args["pin"])),
    "change_pin": lambda core, s: core.do(lambda x: x.change_pin(s.args["current"], s.args["new"])),
    "choose": lambda core, s: core.do(lambda x: x.choose(s.args["service"])),
    "answer": lambda core, s: core.do(lambda x: x.answer(str(s.args["value"]))),
    "skip": lambda core, s: core.do(lambda x: x.skip()),
    "collect": lambda core, s: core.do(lambda x: x.collect_letter(s.args["letter"])),
    "submit": lambda core, s: core.do(lambda x: x.submit()),
    "back": lambda core, s: core.do(lambda x: x.back()),
    "cancel": lambda core, s: core.do(lambda x: x.cancel()),
    "finish": lambda core, s: core.do(lambda x: x.finish()),
    "language": lambda core, s: core.do(lambda x: x.set_language(s.args["language"])),
    "idle": lambda core, s: _idle(core, float(s.args["seconds"])),
    "centre": lambda core, s: core.set_centre_reachable(bool(s.args["online"])),
    "printer": lambda core, s: core.set_paper(PaperState(s.args["paper"])),
    "notify": lambda core, s: _notify(core, str(s.args["phone"])),
}


def run_journey(
    core: SimulatedKiosk, script: JourneyScript, echo: Callable[[str], None] = print
) -> JourneyLog:
    record = JourneyLog()
    core.core.owner.observe(Event, record.events.append)
    core.do(lambda s: s.set_language(script.language))
    for step in script.steps:
        started, waited = time.perf_counter(), core.waited_s()
        if step.action == "expect":
            _expect(core, step, record)
        elif step.action == "scan":
            _scan(core, step, script.base_dir)
        else:
            ACTIONS[step.action](core, step)
        elapsed = time.perf_counter() - started
        record.actions.append(step.action)
        record.step_ms.append(elapsed * 1000)
        record.own_ms.append(max(0.0, elapsed - (core.waited_s() - waited)) * 1000)
        echo(f"{step.number:>3} {step.action:<10} → {core.do(lambda s: s.state).value}")
    record.receipts = core.receipt_files()
    return record


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _handle(args: argparse.Namespace) -> int:
    try:
        script = load_script(args.script)
        config = load_kiosk_config(args.config_dir)
    except (ScriptError, ConfigError) as err:
        print(f"journey: {err}", file=sys.stderr)
        return 2
    if config.kiosk.id is None or config.kiosk.office_id is None:
        print(
            "journey: this kiosk is not enrolled yet: run 'kiosk-provision enroll' first "
            "(or pass --config-dir of an enrolled kiosk)",
            file=sys.stderr,
        )
        return 2
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"journey: cannot write receipts to {args.out}: {err.strerror}", file=sys.stderr)
        return 2
    try:
        core = build_simulated_kiosk(config, central_url=args.central, receipts_dir=args.out)
    except (NotDemo, ValueError, IdentityError) as err:
        print(f"journey: {err}", file=sys.stderr)
        return 2
    try:
        core.start()
        record = run_journey(core, script)
    except ExpectationFailed as failed:
        print(f"journey failed: {failed}", file=sys.stderr)
        return 1
    finally:
        core.stop()
    # Counted once the printer is closed: closing ends a receipt still being printed, whose
    # file is written only then.
    receipts = core.receipt_files()
    ended = record.last(SessionEnded)
    print(
        f"journey done: {len(script.steps)} steps, {_count(len(receipts), 'receipt')} in "
        f"{args.out}" + (f", session ended ({ended.reason})" if ended else "")
    )
    for receipt in receipts:
        print(f"  {receipt}")
    return 0 if core.core.session.state is not State.OUT_OF_SERVICE else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "journey",
        help="run a scripted resident through the kiosk core with simulated devices",
        description="Plays a journey script (docs/journeys.md) against a real centre with a "
        "simulated card reader and the ESC/POS emulator; receipts are written as PNG files.",
    )
    parser.add_argument("--script", type=Path, required=True, help="journey script (TOML)")
    parser.add_argument("--central", help="centre base URL (default: the configured one)")
    add_config_dir_option(parser)
    parser.add_argument("--out", type=Path, default=Path("receipts"), help="receipt PNG folder")
    parser.set_defaults(handler=_handle)
