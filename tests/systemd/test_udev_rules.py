"""The udev rules, read the way udev reads them (Debian 12's udevadm has no ``verify``).

Each line must be a comma-separated list of KEY op "value" with keys udev knows, match
operators on match keys and assignments on assignment keys; devices go to the groups the kiosk
user is in, and their names under /dev/anjungan/. A misspelt key or a lost quote would make udev
skip the rule silently at boot, so this is the check that catches it.
"""

from __future__ import annotations

import re

import pytest

from provisioning.install import DEVICE_GROUPS
from tests.systemd.staging import UNITS_SOURCE

pytestmark = pytest.mark.in_process

RULES = UNITS_SOURCE / "udev" / "60-anjungan.rules"
MATCH_KEYS = {"SUBSYSTEM", "KERNEL", "ACTION", "DRIVER", "ENV", "ATTR", "ATTRS", "SUBSYSTEMS"}
ASSIGN_KEYS = {"GROUP", "MODE", "OWNER", "SYMLINK", "TAG", "ENV", "RUN"}
PAIR = re.compile(
    r'\s*(?P<key>[A-Z]+)(?:\{(?P<attr>[A-Za-z0-9_]+)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"\s*(?:,|$)'
)


def parse(line: str) -> list[tuple[str, str, str]]:
    """The (key, operator, value) triples of one rule; ValueError where it stops parsing."""
    pairs: list[tuple[str, str, str]] = []
    position = 0
    while position < len(line):
        found = PAIR.match(line, position)
        if found is None:
            raise ValueError(f"cannot read the rule from column {position}: {line[position:]!r}")
        pairs.append((found["key"], found["op"], found["value"]))
        position = found.end()
    return pairs


def rules() -> list[list[tuple[str, str, str]]]:
    lines = [line.strip() for line in RULES.read_text().splitlines()]
    return [parse(line) for line in lines if line and not line.startswith("#")]


def test_every_rule_reads_and_uses_known_keys_rightly() -> None:
    parsed = rules()
    assert len(parsed) >= 5
    for rule in parsed:
        for key, op, _value in rule:
            if op in ("==", "!="):
                assert key in MATCH_KEYS, key
            else:
                assert key in ASSIGN_KEYS, key
        assert any(op == "==" for _key, op, _value in rule), "a rule that matches every device"


def test_devices_go_to_the_kiosk_users_groups_under_stable_names() -> None:
    groups = {value for rule in rules() for key, _op, value in rule if key == "GROUP"}
    assert groups and groups <= set(DEVICE_GROUPS)
    links = [value for rule in rules() for key, _op, value in rule if key == "SYMLINK"]
    assert links and all(link.startswith("anjungan/") for link in links)
    modes = {value for rule in rules() for key, _op, value in rule if key == "MODE"}
    assert modes == {"0660"}


@pytest.mark.parametrize(
    "broken",
    [
        'SUBSYSTEM=="tty", GRUOP="dialout"',
        'SUBSYSTEM=="tty", GROUP="dialout',
        'SUBSYSTEM="tty", GROUP="dialout"',
        'SUBSYSTEM=="tty" GROUP=="dialout"',
    ],
)
def test_the_reader_refuses_what_udev_would_skip(broken: str) -> None:
    with pytest.raises((ValueError, AssertionError)):
        rule = parse(broken)
        for key, op, _value in rule:
            assert key in (MATCH_KEYS if op in ("==", "!=") else ASSIGN_KEYS)
