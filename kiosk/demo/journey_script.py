"""The journey script format (docs/journeys.md): a TOML list of what a resident does and what
the kiosk must show, so one file drives tests, benchmarks and the demo alike.

```toml
language = "id"            # optional, the session's starting language

[[step]]
do = "tap_card"            # tap_card | nik | pin | change_pin | choose | answer | skip | scan
card_uid = "0485C924C364C4"#   | collect | submit | back | cancel | finish | language | idle
                           #   | centre | printer | expect

[[step]]
do = "expect"
state = "menu"             # any of: state, notice (text in the last notice), receipt (text on
receipt = "SKT-"           #   the last printed receipt), printed (true/false), collected
                           #   (whether the last letter collected came out of the A4 printer)
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from drivers.emulator import PaperState

Action = Literal[
    "tap_card",
    "nik",
    "pin",
    "change_pin",
    "choose",
    "answer",
    "skip",
    "scan",
    "collect",
    "submit",
    "back",
    "cancel",
    "finish",
    "language",
    "idle",
    "expect",
    "centre",
    "printer",
    "notify",
]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "tap_card": ("card_uid",),
    "nik": ("nik",),
    "pin": ("pin",),
    "change_pin": ("current", "new"),
    "choose": ("service",),
    "answer": ("value",),
    "scan": ("image",),
    "collect": ("letter",),
    "language": ("language",),
    "idle": ("seconds",),
    "centre": ("online",),
    "printer": ("paper",),
    "notify": ("phone",),
}
_EXPECTATIONS = {"state", "notice", "receipt", "printed", "queued", "collected"}
# What each key's value must be, so a wrong one is refused before the journey starts instead
# of failing inside the kiosk core halfway through. Keys not listed take any value.
_TEXT = "text"
_NUMBER = "a number"
_BOOL = "true or false"
_KINDS: dict[str, str] = {
    "card_uid": _TEXT,
    "nik": _TEXT,
    "pin": _TEXT,
    "current": _TEXT,
    "new": _TEXT,
    "service": _TEXT,
    "image": _TEXT,
    "letter": _TEXT,
    "phone": _TEXT,
    "seconds": _NUMBER,
    "timeout_s": _NUMBER,
    "queued": _NUMBER,
    "online": _BOOL,
    "printed": _BOOL,
    "collected": _BOOL,
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "paper": tuple(state.value for state in PaperState),
    "language": ("id", "en"),
}
# A template's blank, like the packaged morning.toml's "{card_uid}": the script is not filled in.
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


class ScriptError(ValueError):
    """The script file is not a valid journey; the message names the step and the key."""


@dataclass(frozen=True)
class JourneyStep:
    number: int
    action: Action
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JourneyScript:
    language: str
    steps: tuple[JourneyStep, ...]
    base_dir: Path


def _step(number: int, raw: Any) -> JourneyStep:
    if not isinstance(raw, dict) or "do" not in raw:
        raise ScriptError(f"step {number}: each [[step]] needs a 'do' key")
    action = raw["do"]
    args = {k: v for k, v in raw.items() if k != "do"}
    if action == "expect":
        unknown = set(args) - _EXPECTATIONS
        if unknown or not args:
            raise ScriptError(
                f"step {number}: expect takes {', '.join(sorted(_EXPECTATIONS))}"
                + (f", not {', '.join(sorted(unknown))}" if unknown else "")
            )
    elif action in _REQUIRED or action in {"skip", "submit", "back", "cancel", "finish"}:
        missing = [key for key in _REQUIRED.get(action, ()) if key not in args]
        if missing:
            raise ScriptError(f"step {number}: '{action}' needs {', '.join(missing)}")
    else:
        raise ScriptError(f"step {number}: unknown action {action!r}")
    for key, value in args.items():
        _check_value(number, key, value)
        if isinstance(value, str) and _PLACEHOLDER.fullmatch(value):
            raise ScriptError(
                f"step {number}: {key} is still the template's blank {value!r}: fill it in "
                "(`kiosk demo` writes a filled-in copy as journey.toml in its output folder)"
            )
    return JourneyStep(number, action, args)


def _check_value(number: int, key: str, value: Any) -> None:
    kind = _KINDS.get(key)
    fits = {
        _TEXT: isinstance(value, str),
        _NUMBER: isinstance(value, int | float) and not isinstance(value, bool),
        _BOOL: isinstance(value, bool),
        None: True,
    }[kind]
    if not fits:
        raise ScriptError(f"step {number}: {key} must be {kind}, not {value!r}")
    choices = _CHOICES.get(key)
    if choices is not None and value not in choices:
        raise ScriptError(
            f"step {number}: {key} must be one of {', '.join(choices)}, not {value!r}"
        )


def _check_images(steps: tuple[JourneyStep, ...], base_dir: Path) -> None:
    """Scan photos must exist before the journey starts, not when the resident reaches them."""
    for step in steps:
        if step.action == "scan" and not (base_dir / str(step.args["image"])).is_file():
            raise ScriptError(
                f"step {step.number}: no image {step.args['image']!r} beside the script "
                f"(paths are relative to {base_dir})"
            )


def morning_script(*, card_uid: str, pin: str) -> str:
    """The shipped demo journey (letter with two scans, queue ticket, complaint saved while
    offline) for one resident; scans are read from ``scans/`` beside the written script."""
    template = resources.files("kiosk.demo.journeys").joinpath("morning.toml").read_text("utf-8")
    return template.replace("{card_uid}", card_uid).replace("{pin}", pin)


def load_script(path: Path) -> JourneyScript:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ScriptError(f"cannot read {path}: {err.strerror}") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScriptError(f"{path}: {err}") from err
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScriptError(f"{path}: no [[step]] entries")
    language = data.get("language", "id")
    if language not in _CHOICES["language"]:
        raise ScriptError(f"{path}: language must be one of id, en, not {language!r}")
    steps = tuple(_step(n, raw) for n, raw in enumerate(raw_steps, start=1))
    _check_images(steps, path.parent)
    return JourneyScript(language=language, steps=steps, base_dir=path.parent)
