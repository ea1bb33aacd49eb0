"""The kiosk's own schema: defaults, meaningful limits, its directory and the docs table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from common.layered_config import ConfigError
from kiosk.config import SCHEMA_VERSION, KioskConfig, config_dir, load_kiosk_config
from kiosk.config.reference import BEGIN, END, render
from kiosk.config.schema import MIGRATIONS

pytestmark = pytest.mark.in_process

DOCS = Path(__file__).resolve().parents[2] / "docs" / "config.md"


def _sections() -> list[type[BaseModel]]:
    return [
        info.annotation
        for info in KioskConfig.model_fields.values()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
    ]


def test_every_field_has_a_default_and_a_one_line_description() -> None:
    models: list[type[BaseModel]] = [KioskConfig, *_sections()]
    for model in models:
        assert model.model_config.get("extra") == "forbid", model.__name__
        for name, info in model.model_fields.items():
            assert not info.is_required(), f"{model.__name__}.{name} has no default"
            assert info.description, f"{model.__name__}.{name} has no description"
            assert "\n" not in info.description


def test_the_defaults_are_the_documented_ones() -> None:
    config = KioskConfig()
    assert config.schema_version == SCHEMA_VERSION == 1
    assert MIGRATIONS == {}
    assert (config.kiosk.language, config.kiosk.idle_timeout_s) == ("id", 90)
    assert (config.kiosk.warning_countdown_s, config.kiosk.supervised) == (15, False)
    assert config.kiosk.state_dir == Path("/var/lib/anjungan")
    assert config.central.url == "http://127.0.0.1:8000"
    assert (config.central.connect_timeout_s, config.central.read_timeout_s) == (3.05, 10)
    assert config.identity.key_file == Path("/var/lib/anjungan/identity/kiosk.key")
    assert (config.heartbeat.period_s, config.heartbeat.grace_s) == (60, 30)
    assert config.card_reader.driver == "simulated"
    assert (config.printer.port, config.printer.baudrate) == (9100, 19200)
    assert (config.camera.width, config.camera.height, config.camera.device) == (1920, 1080, "0")
    assert config.code_scanner.driver == "none"
    assert config.outbox.path == Path("/var/lib/anjungan/outbox.sqlite3")


@pytest.mark.parametrize(
    ("section", "values", "complaint"),
    [
        ("printer", {"port": 0}, "greater than or equal to 1"),
        ("printer", {"port": 65536}, "less than or equal to 65535"),
        ("printer", {"profile": "72mm"}, "'58mm' or '80mm'"),
        ("printer", {"timeout_s": 0}, "greater than 0"),
        ("printer", {"usb_vendor_id": 0x10000}, "less than or equal to 65535"),
        ("printer", {"driver": "serial"}, "needs printer.serial_port"),
        ("printer", {"driver": "usb", "usb_vendor_id": 1}, "needs printer.usb_product_id"),
        ("printer", {"driver": "file"}, "needs printer.file_path"),
        ("card_reader", {"driver": "serial"}, "needs card_reader.serial_port"),
        ("card_reader", {"driver": "nfc"}, "'pcsc', 'keyboard-wedge', 'serial' or 'simulated'"),
        ("code_scanner", {"driver": "serial", "vid": 1}, "needs code_scanner.path"),
        ("central", {"url": "ftp://centre"}, "http:// or https://"),
        ("central", {"url": "centre:8000"}, "http:// or https://"),
        ("central", {"read_timeout_s": -1}, "greater than 0"),
        ("kiosk", {"language": "jv"}, "'id' or 'en'"),
        ("kiosk", {"state_dir": "var/lib"}, "absolute path"),
        ("kiosk", {"warning_countdown_s": 90}, "must be shorter than idle_timeout_s"),
        ("kiosk", {"id": ""}, "at least 1 character"),
        ("outbox", {"path": "outbox.sqlite3"}, "absolute path"),
        ("camera", {"width": 0}, "greater than or equal to 160"),
    ],
)
def test_values_are_checked_for_meaning(
    section: str, values: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        KioskConfig.model_validate({section: values})


@pytest.mark.parametrize(
    ("section", "values"),
    [
        ("printer", {"driver": "serial", "serial_port": "/dev/serial/by-id/usb-x"}),
        ("printer", {"driver": "usb", "usb_vendor_id": 0x0416, "usb_product_id": 0x5011}),
        ("printer", {"driver": "network", "host": "10.0.0.9", "port": 9100}),
        ("code_scanner", {"driver": "serial", "vid": 0x1EAB, "pid": 0x0D22}),
        ("code_scanner", {"driver": "serial", "path": "/dev/ttyACM0"}),
        ("central", {"url": "https://pusat.example.id/api"}),
        ("kiosk", {"warning_countdown_s": 0}),
    ],
)
def test_complete_device_settings_are_accepted(section: str, values: dict[str, Any]) -> None:
    config = KioskConfig.model_validate({section: values})
    assert getattr(config, section).model_dump(include=set(values)) == values


def test_the_loaded_config_cannot_be_changed_in_place() -> None:
    config = KioskConfig()
    with pytest.raises(ValidationError, match="frozen"):
        config.printer.port = 1


def test_config_dir_comes_from_the_environment_or_etc() -> None:
    assert config_dir({}) == Path("/etc/anjungan")
    assert config_dir({"ANJUNGAN_CONFIG_DIR": "/tmp/k"}) == Path("/tmp/k")


def test_load_kiosk_config_reads_main_then_dropins_then_env(tmp_path: Path) -> None:
    (tmp_path / "kiosk.d").mkdir()
    (tmp_path / "kiosk.toml").write_text('[printer]\nprofile = "58mm"\nport = 9101\n')
    (tmp_path / "kiosk.d" / "10-enroll.toml").write_text('[kiosk]\nid = "K-0042"\n')
    (tmp_path / "kiosk.d" / "90-local.toml").write_text("[printer]\nport = 9102\n")
    env = {"ANJUNGAN_CONFIG_DIR": str(tmp_path), "ANJUNGAN_KIOSK__LANGUAGE": "en"}
    config = load_kiosk_config(env=env)
    assert (config.printer.profile, config.printer.port) == ("58mm", 9102)
    assert (config.kiosk.id, config.kiosk.language) == ("K-0042", "en")
    explicit = load_kiosk_config(tmp_path / "kiosk.d", env={})
    assert explicit == KioskConfig()  # no kiosk.toml there: defaults


def test_load_kiosk_config_reports_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "kiosk.d").mkdir()
    bad = tmp_path / "kiosk.d" / "50-local.toml"
    bad.write_text('[printer]\ndriver = "network"\n\nprfile = "58mm"\n')
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(tmp_path, env={})
    assert str(caught.value) == (
        f"{bad} line 4: unknown key 'printer.prfile' (did you mean 'printer.profile'?)"
    )


def test_docs_key_reference_matches_the_schema() -> None:
    text = DOCS.read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert generated.strip() == render().strip(), (
        "docs/config.md is stale: run `python -m kiosk.config.reference docs/config.md`"
    )
    for model in _sections():
        for name in model.model_fields:
            assert f"`{name}`" in generated


def test_tracking_url_defaults_to_the_centres_page_and_a_bad_template_is_refused() -> None:
    """Receipt QR codes always open a tracking page (issue 15 item 4): the enrolled one, else
    the centre's own; a template without exactly one {code} is refused at load."""
    from kiosk.config.schema import CentralSection

    assert CentralSection().receipt_tracking_url() == "http://127.0.0.1:8000/lacak/{code}"
    assert CentralSection(url="https://pusat.example.id/").receipt_tracking_url() == (
        "https://pusat.example.id/lacak/{code}"
    )
    given = CentralSection(tracking_url="https://lacak.example.id/l/{code}")
    assert given.receipt_tracking_url() == "https://lacak.example.id/l/{code}"
    for bad in ("https://lacak.example.id/l", "ftp://x/{code}", "https://x/{code}/{nik}"):
        with pytest.raises(ValidationError):
            CentralSection(tracking_url=bad)
