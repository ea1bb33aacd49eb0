"""``kiosk config show|get|set|unset|check`` through its argparse registration."""

from __future__ import annotations

import argparse
import json
import os
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.layered_config import config_hash
from kiosk.config import cli, load_kiosk_config

pytestmark = pytest.mark.in_process

Run = tuple[int, str, str]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ANJUNGAN_* variable from the developer's shell may leak into these tests."""
    for name in list(os.environ):
        if name.startswith("ANJUNGAN_"):
            monkeypatch.delenv(name)
    yield


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANJUNGAN_CONFIG_DIR", str(tmp_path))
    (tmp_path / "kiosk.d").mkdir()
    (tmp_path / "kiosk.toml").write_text('[printer]\ndriver = "network"\nhost = "10.0.0.9"\n')
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    parser = argparse.ArgumentParser(prog="kiosk")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["config", *argv])
    code = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def local(root: Path) -> Path:
    return root / "kiosk.d" / "90-local.toml"


def test_check_prints_ok_and_the_hash(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (root / "kiosk.toml").open("a") as main:
        main.write('[card_reader]\ndriver = "pcsc"\n[camera]\ndriver = "none"\n')
    code, out, _ = run(capsys, "check")
    assert code == 0
    first, files = out.splitlines()
    assert first == f"config OK {config_hash(load_kiosk_config())}"
    assert files == f"files read: {root / 'kiosk.toml'}"


def test_check_refuses_simulators_outside_demo_mode(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check")
    assert (code, out) == (1, "")
    named = [line.split(".driver")[0] for line in err.splitlines()]
    assert named == ["config error: card_reader", "config error: camera"]
    assert 'kiosk.mode = "demo"' in err and "pcsc" in err
    (root / "kiosk.d" / "50-demo.toml").write_text('[kiosk]\nmode = "demo"\n')
    assert run(capsys, "check")[0] == 0


def test_check_fails_with_every_problem_located(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = root / "kiosk.d" / "50-site.toml"
    bad.write_text('[printer]\nport = 0\n[camera]\ndevise = "1"\n')
    code, out, err = run(capsys, "check")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"config error: {bad} line 2: bad value for 'printer.port': Input should be greater "
        "than or equal to 1 (got 0)",
        f"config error: {bad} line 4: unknown key 'camera.devise' (did you mean 'camera.device'?)",
    ]


def test_check_reports_a_toml_syntax_error(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "kiosk.toml").write_text("[printer]\nport 9100\n")
    code, _, err = run(capsys, "check")
    assert code == 1
    assert err.startswith(f"config error: {root / 'kiosk.toml'} line 2: invalid TOML")


def test_config_dir_option_beats_the_environment(
    root: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path_factory.mktemp("other")
    (other / "kiosk.toml").write_text('[printer]\nprofile = "58mm"\n')
    for argv in (["--config-dir", str(other), "get"], ["get", "--config-dir", str(other)]):
        assert run(capsys, *argv, "printer.profile") == (0, "58mm\n", "")
    assert run(capsys, "get", "printer.profile") == (0, "80mm\n", "")


def test_set_then_get_round_trip(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main_before = (root / "kiosk.toml").read_bytes()
    code, out, err = run(capsys, "set", "printer.port", "9101")
    assert (code, err) == (0, "")
    assert out == f"set printer.port = 9101 in {local(root)}\n"
    assert run(capsys, "get", "printer.port") == (0, "9101\n", "")
    assert run(capsys, "set", "camera.device", "0042")[0] == 0
    assert run(capsys, "get", "camera.device") == (0, "0042\n", "")  # text stays text
    written = tomllib.loads(local(root).read_text())
    assert written == {"schema_version": 1, "printer": {"port": 9101}, "camera": {"device": "0042"}}
    assert stat.S_IMODE(local(root).stat().st_mode) == 0o644
    assert (root / "kiosk.toml").read_bytes() == main_before  # never edited
    assert sorted(p.name for p in (root / "kiosk.d").iterdir()) == ["90-local.toml"]


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        ("printer.prot", "9101", "unknown key 'printer.prot' (did you mean 'printer.port'?)"),
        ("printer.port", "99999", "Input should be less than or equal to 65535 (got 99999)"),
        ("printer.port", "ninety", "Input should be a valid integer"),
        ("printer.profile", "72mm", "Input should be '58mm' or '80mm'"),
        ("printer.driver", "usb", "driver 'usb' needs printer.usb_vendor_id and"),
        ("printer", "x", "'printer' is a section: set one of its keys, e.g. 'printer.driver'"),
        ("schema_version", "2", "schema_version is managed by the software"),
        (
            "printr.profile",
            "58mm",
            "unknown key 'printr.profile' (did you mean 'printer.profile'?)",
        ),
        ("kiosk.supervised", "yes", "Input should be a valid boolean (got 'yes')"),
        ("kiosk.supervised", "1", "Input should be a valid boolean (got 1)"),
        ("kiosk.supervised", "on", "Input should be a valid boolean (got 'on')"),
    ],
)
def test_set_refuses_a_bad_key_or_value_and_writes_nothing(
    root: Path, capsys: pytest.CaptureFixture[str], key: str, value: str, complaint: str
) -> None:
    assert run(capsys, "set", "printer.profile", "58mm")[0] == 0
    before = local(root).read_bytes()
    code, out, err = run(capsys, "set", key, value)
    assert (code, out) == (2, "")
    assert err.startswith("not changed: ")
    assert complaint in err
    assert local(root).read_bytes() == before


def test_set_validates_the_whole_result_including_the_environment(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANJUNGAN_KIOSK__IDLE_TIMEOUT_S", "20")
    code, _, err = run(capsys, "set", "kiosk.warning_countdown_s", "30")
    assert code == 2
    assert "warning_countdown_s (30) must be shorter than idle_timeout_s (20)" in err
    assert not local(root).exists()


def test_set_warns_when_the_environment_overrides_the_key(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANJUNGAN_PRINTER__PROFILE", "80mm")
    code, _, err = run(capsys, "set", "printer.profile", "58mm")
    assert code == 0
    assert "ANJUNGAN_PRINTER__PROFILE is set and overrides" in err
    assert run(capsys, "get", "printer.profile")[1] == "80mm\n"


def test_unset_lets_the_lower_layer_apply_again(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "set", "printer.host", "10.0.0.10")[0] == 0
    assert run(capsys, "get", "printer.host")[1] == "10.0.0.10\n"
    assert run(capsys, "unset", "printer.host")[0] == 0
    assert run(capsys, "get", "printer.host")[1] == "10.0.0.9\n"
    assert tomllib.loads(local(root).read_text()) == {"schema_version": 1}
    assert run(capsys, "unset", "printer.hots")[0] == 2


def test_set_on_a_broken_config_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "kiosk.toml").write_text("[printer\n")
    code, _, err = run(capsys, "set", "printer.port", "9101")
    assert code == 2
    assert "invalid TOML" in err
    assert not local(root).exists()


def test_set_reports_a_directory_it_cannot_write(capsys: pytest.CaptureFixture[str]) -> None:
    unwritable = Path("/proc/anjungan-config-test")  # even root cannot create this
    code, out, err = run(capsys, "--config-dir", str(unwritable), "set", "printer.port", "9101")
    assert (code, out) == (1, "")
    assert err.startswith(f"not changed: cannot write {unwritable}/kiosk.d/90-local.toml: ")


def test_set_reports_a_file_where_the_dropin_directory_should_be(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "kiosk.d").rmdir()
    (root / "kiosk.d").write_text("a file where the drop-in directory should be")
    code, _, err = run(capsys, "set", "printer.port", "9101")
    assert code == 1
    assert err.startswith(f"not changed: cannot write {local(root)}: File exists")


def test_get_prints_json_for_non_text_and_refuses_unknown_keys(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "get", "kiosk.supervised") == (0, "false\n", "")
    assert run(capsys, "get", "kiosk.id") == (0, "null\n", "")
    code, out, _ = run(capsys, "get", "printer")
    assert code == 0
    assert json.loads(out)["host"] == "10.0.0.9"
    code, _, err = run(capsys, "get", "printer.hots")
    assert code == 2
    assert "did you mean 'printer.host'?" in err


def test_show_prints_valid_toml_and_json_of_the_effective_config(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show")
    assert code == 0
    shown = tomllib.loads(out)
    assert shown["printer"]["host"] == "10.0.0.9"
    assert "usb_vendor_id" not in shown["printer"]
    assert "# usb_vendor_id is not set" in out
    code, out, _ = run(capsys, "show", "--json")
    assert code == 0
    assert json.loads(out)["printer"]["usb_vendor_id"] is None
    assert json.loads(out) == load_kiosk_config().model_dump(mode="json")


def test_show_and_get_fail_on_an_invalid_config(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "kiosk.toml").write_text("[printer]\nport = -1\n")
    assert run(capsys, "show")[0] == 1
    assert run(capsys, "get", "printer.port")[0] == 1


def _not_a_toml_string(text: str) -> bool:
    try:
        return not isinstance(tomllib.loads(f"v = {text}").get("v"), str)
    except tomllib.TOMLDecodeError:
        return True


_round_trips = st.one_of(
    st.tuples(st.just("printer.port"), st.integers(1, 65535).map(str)),
    st.tuples(st.just("printer.profile"), st.sampled_from(["58mm", "80mm"])),
    st.tuples(st.just("kiosk.supervised"), st.sampled_from(["true", "false"])),
    st.tuples(
        st.just("camera.device"),
        st.text(
            st.characters(max_codepoint=0x30FF, exclude_categories=("Cs", "Cc", "Zl", "Zp")),
            min_size=1,
            max_size=20,
        ).filter(_not_a_toml_string),
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(change=_round_trips)
def test_set_then_get_gives_back_what_was_set(
    root: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str]
) -> None:
    key, value = change
    deliberate = ["--allow-no-pin"] if key == cli.NO_PIN_KEY else []
    # "--" ends the options, so a value such as "-a" is read as a value (as the help says)
    assert run(capsys, "set", *deliberate, "--", key, value)[0] == 0
    assert run(capsys, "get", key) == (0, f"{value}\n", "")


@pytest.mark.parametrize("key", ["kiosk.id", "kiosk.office_id", "central.url", "identity.key_file"])
def test_set_refuses_what_enrollment_owns(
    root: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    code, out, err = run(capsys, "set", key, "KSK-HACKED")
    assert (code, out) == (2, "")
    assert err.startswith(f"refused: {key} is set by enrollment")
    assert "kiosk-provision enroll" in err
    assert not local(root).exists()


def test_turning_the_pin_off_needs_a_deliberate_flag(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "set", "kiosk.supervised", "true")
    assert (code, out) == (2, "")
    assert "--allow-no-pin" in err
    assert not local(root).exists()
    assert load_kiosk_config().kiosk.supervised is False

    code, out, err = run(capsys, "set", "kiosk.supervised", "true", "--allow-no-pin")
    assert code == 0
    assert err.startswith("warning: kiosk.supervised is on: a card tap signs in without a PIN")
    assert load_kiosk_config().kiosk.supervised is True
    # Turning it back off needs no flag and gives no warning.
    assert run(capsys, "set", "kiosk.supervised", "false") == (
        0,
        f"set kiosk.supervised = false in {local(root)}\n",
        "",
    )


def test_get_suggests_the_section_for_a_misspelt_one(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "get", "printr.profile")
    assert code == 2
    assert "did you mean 'printer.profile'?" in err
