"""The health agent's parts, each on its own: the configuration digest, the verdict on the app,
the bounded buffer, the key, the report against the contract, the answer parser, and one ping
with a stand-in for the network (the real centre: test_ping.py)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import kiosk.agent.settings as agent_settings
import kiosk.config as kiosk_config
from central.contract.models import MAX_AGENT_REPORTS, AgentReport, AgentReports, AppDownReason
from central.contract.signing import HEADER_SIGNATURE
from kiosk.agent import cli as agent_cli
from kiosk.agent import ping as agent_ping
from kiosk.agent.deliver import Answer, _answer, http_date
from kiosk.agent.judge import STALE_PERIODS, Verdict, judge
from kiosk.agent.key import KeyUnusable, load_key
from kiosk.agent.settings import AgentSettings, SettingsError, load_settings
from kiosk.agent.spool import Busy, Spool, locked
from kiosk.config.schema import DEFAULT_STATE_DIR
from kiosk.identity import KioskKey
from kiosk.runtime.status import RuntimeStatus, write_status
from kiosk.signing import RequestSigner

pytestmark = pytest.mark.in_process

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC).timestamp()


def test_the_agent_spells_the_config_locations_as_kiosk_config_does() -> None:
    assert agent_settings.DEFAULT_CONFIG_DIR == kiosk_config.DEFAULT_CONFIG_DIR
    assert agent_settings.CONFIG_DIR_ENV == kiosk_config.CONFIG_DIR_ENV
    assert agent_settings.ENV_PREFIX == kiosk_config.ENV_PREFIX
    assert agent_settings.MAIN_FILE == kiosk_config.MAIN_FILE
    assert agent_settings.DROPIN_DIR == kiosk_config.DROPIN_DIR
    assert agent_cli.DEFAULT_STATE_DIR == DEFAULT_STATE_DIR
    assert agent_ping.MAX_REPORTS_PER_DELIVERY == MAX_AGENT_REPORTS


# ---------------------------------------------------------------- the configuration digest


def _config(tmp_path: Path) -> Path:
    root = tmp_path / "etc"
    (root / "kiosk.d").mkdir(parents=True)
    (root / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\n')
    (root / "kiosk.d" / "10-enrollment.toml").write_text(
        '[kiosk]\nid = "KSK-AAAA2222"\noffice_id = "35.10.01.2001"\n'
        '[central]\nurl = "https://pusat.example.go.id"\n'
    )
    return root


def test_the_digest_is_used_while_nothing_changed_and_rebuilt_when_a_layer_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, agent_dir = _config(tmp_path), tmp_path / "agent"
    first = load_settings(root, agent_dir, env={})
    assert first.kiosk_id == "KSK-AAAA2222"
    assert first.central_url == "https://pusat.example.go.id"
    assert first.status_file == tmp_path / "state" / "status.json"
    assert first.key_file == tmp_path / "state" / "identity" / "kiosk.key"
    assert (agent_dir / agent_settings.DIGEST_FILE).exists()

    properly = agent_settings._load_properly
    calls: list[Path] = []

    def counted(root: Path, env: Any) -> AgentSettings:
        calls.append(root)
        return properly(root, env)

    monkeypatch.setattr(agent_settings, "_load_properly", counted)
    assert load_settings(root, agent_dir, env={}) == first
    assert calls == []

    (root / "kiosk.d" / "50-period.toml").write_text("[heartbeat]\nperiod_s = 30.0\n")
    assert load_settings(root, agent_dir, env={}).period_s == 30.0
    assert load_settings(root, agent_dir, env={"ANJUNGAN_HEARTBEAT__PERIOD_S": "20"}).period_s == 20
    assert len(calls) == 2
    (root / "kiosk.d" / "50-period.toml").unlink()
    assert load_settings(root, agent_dir, env={}).period_s == first.period_s
    assert len(calls) == 3


def test_an_invalid_configuration_is_named_and_a_broken_digest_is_not_trusted(
    tmp_path: Path,
) -> None:
    root, agent_dir = _config(tmp_path), tmp_path / "agent"
    agent_dir.mkdir()
    (agent_dir / agent_settings.DIGEST_FILE).write_text("{not json")
    assert load_settings(root, agent_dir, env={}).kiosk_id == "KSK-AAAA2222"
    (root / "kiosk.d" / "60-bad.toml").write_text("[heartbeat]\nperiod_z = 5\n")
    with pytest.raises(SettingsError, match=r"60-bad\.toml"):
        load_settings(root, agent_dir, env={})


# ---------------------------------------------------------------- the verdict


def _status(
    path: Path, *, pid: int | None = None, state: str = "AVAILABLE", at: float = NOW
) -> None:
    write_status(
        path,
        RuntimeStatus(
            kiosk_id="KSK-AAAA2222",
            pid=os.getpid() if pid is None else pid,
            mode="production",
            app_state=state,
            reason=None,
            centre_reachable=True,
            outbox_backlog=0,
            heartbeats_sent=3,
            last_heartbeat_at=None,
            updated_at=datetime.fromtimestamp(at, UTC).isoformat(),
        ),
    )


def _gone_pid() -> int:
    """A process id nothing runs under (the kernel's limit is below 2**22)."""
    pid = 2**22 + 12345
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    return pid


def test_the_verdict(tmp_path: Path) -> None:
    status = tmp_path / "status.json"
    assert judge(status, 60, NOW) == (False, "no_status", None, None)
    _status(status, at=NOW - 5)
    assert judge(status, 60, NOW) == (True, None, "AVAILABLE", 5.0)
    assert judge(status, 60, NOW, unit_failed=lambda: True).reason == "unit_failed"
    _status(status, state="UNAVAILABLE", at=NOW - STALE_PERIODS * 60 + 1)
    assert judge(status, 60, NOW).app_state == "UNAVAILABLE"
    _status(status, at=NOW - STALE_PERIODS * 60 - 1)
    assert judge(status, 60, NOW).reason == "stale"
    _status(status, state="STOPPED", at=NOW)
    assert judge(status, 60, NOW).reason == "stopped"
    _status(status, pid=_gone_pid(), at=NOW)
    assert judge(status, 60, NOW).reason == "stopped"
    status.write_text("[1, 2]")
    assert judge(status, 60, NOW).reason == "no_status"
    assert {"no_status", "stale", "stopped", "unit_failed"} == {r.value for r in AppDownReason}


# ---------------------------------------------------------------- the buffer


def test_the_buffer_keeps_the_newest_in_order_and_drops_what_cannot_be_read(
    tmp_path: Path,
) -> None:
    spool = Spool(tmp_path, limit=3)
    dropped = [spool.keep({"report_id": f"{n:032x}", "n": n}, n) for n in range(5)]
    assert dropped == [0, 0, 0, 1, 1]
    assert [b.report["n"] for b in spool.oldest(10)] == [2, 3, 4]
    (spool.folder / f"{1:020d}-cut.json").write_text('{"report_id": "cut sh')
    assert [b.report["n"] for b in spool.oldest(2)] == [2, 3]
    assert len(spool) == 3
    spool.forget(spool.oldest(2))
    assert [b.report["n"] for b in spool.oldest(10)] == [4]


def test_one_ping_at_a_time(tmp_path: Path) -> None:
    with locked(tmp_path), pytest.raises(Busy), locked(tmp_path):
        pass


# ---------------------------------------------------------------- the key


def test_the_key_is_read_without_the_serialisation_module_and_signs_as_the_kiosk(
    tmp_path: Path,
) -> None:
    key = KioskKey.generate()
    path = tmp_path / "kiosk.key"
    key.save(path)
    loaded = load_key(path)
    assert loaded.sign(b"hello") == key.sign(b"hello")  # Ed25519 signatures are deterministic
    path.write_text("not a key")
    with pytest.raises(KeyUnusable, match="unreadable"):
        load_key(path)
    with pytest.raises(KeyUnusable, match="enrol the kiosk first"):
        load_key(tmp_path / "missing.key")


# ---------------------------------------------------------------- the report and the answer


def _settings(tmp_path: Path, **changes: Any) -> AgentSettings:
    key_file = tmp_path / "kiosk.key"
    if not key_file.exists():
        KioskKey.generate().save(key_file)
    values: dict[str, Any] = {
        "kiosk_id": "KSK-AAAA2222",
        "central_url": "http://127.0.0.1:9/sub",
        "timeout_s": 1.0,
        "key_file": key_file,
        "status_file": tmp_path / "status.json",
        "period_s": 60.0,
        "state_dir": tmp_path,
    }
    return AgentSettings(**{**values, **changes})


def test_reports_read_as_the_contract_says(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    for verdict in (judge(settings.status_file, 60, NOW), (True, None, "ACTIVE", 2.0)):
        report = agent_ping.observe(settings, Verdict(*verdict), NOW, -1.5)
        parsed = AgentReport.model_validate(report)
        assert parsed.observed_at.timestamp() == NOW
        assert parsed.clock_offset_s == -1.5
        assert parsed.disk_total_mb > 0


def test_the_answer_head_and_its_date() -> None:
    answer = _answer(b"HTTP/1.1 202 Accepted\r\ndate: Fri, 04 Dec 2026 08:00:00 GMT\r\nx: y")
    assert answer == Answer(202, "HTTP 202 Accepted", NOW)
    assert _answer(b"SSH-2.0-OpenSSH_9.2").status is None
    assert http_date("Fri, 04 Dec 2026 08:00:00 GMT") == NOW
    assert http_date("Friday, 04-Dec-26 08:00:00 GMT") is None
    assert http_date("Fri, 04 Dec 2026 08:00:00 +0700") is None


# ---------------------------------------------------------------- one ping, network stood in


class Centre:
    """Stands in for ``post_signed``: records each delivery, answers from a script."""

    def __init__(self, *statuses: int | None) -> None:
        self.statuses = list(statuses)
        self.deliveries: list[AgentReports] = []
        self.paths: list[str] = []

    def __call__(
        self, base: str, path: str, body: bytes, signer: RequestSigner, timeout: float
    ) -> Answer:
        status = self.statuses.pop(0) if self.statuses else 202
        assert HEADER_SIGNATURE in signer.headers("POST", path, body)
        self.paths.append(base + path)
        if status is None:
            return Answer(None, "ConnectionRefusedError", None)
        self.deliveries.append(AgentReports.model_validate_json(body))
        return Answer(status, f"HTTP {status}", NOW - 3)


def test_a_ping_keeps_what_it_cannot_deliver_and_sends_it_oldest_first_later(
    tmp_path: Path,
) -> None:
    settings, agent_dir = _settings(tmp_path), tmp_path / "agent"
    centre = Centre(None, None, 503)
    for moment in (NOW, NOW + 60, NOW + 120):
        result = agent_ping.ping(
            settings, agent_dir, units=(), clock=partial(float, moment), send=centre
        )
        assert result.problem is not None and result.delivered == 0
    assert result.waiting == 3
    assert not (agent_dir / agent_ping.CLOCK_FILE).exists()

    result = agent_ping.ping(settings, agent_dir, units=(), clock=lambda: NOW + 180, send=centre)
    assert (result.delivered, result.waiting, result.problem) == (4, 0, None)
    sent = centre.deliveries[-1].reports
    assert [r.observed_at.timestamp() for r in sent] == [NOW, NOW + 60, NOW + 120, NOW + 180]
    assert len({r.report_id for r in sent}) == 4
    assert centre.paths[-1] == "http://127.0.0.1:9/sub/v1/agent/reports"
    offset = json.loads((agent_dir / agent_ping.CLOCK_FILE).read_text())["offset_s"]
    assert offset == 180 + 3 - 0.5
    assert agent_ping.ping(settings, agent_dir, units=(), clock=lambda: NOW, send=centre).delivered
    assert centre.deliveries[-1].reports[0].clock_offset_s == offset


def test_a_long_backlog_goes_in_parts_and_what_the_centre_refuses_for_good_is_dropped(
    tmp_path: Path,
) -> None:
    settings, agent_dir = _settings(tmp_path), tmp_path / "agent"
    spool = Spool(agent_dir)
    for n in range(130):
        report = agent_ping.observe(
            settings, Verdict(True, None, "ACTIVE", 1.0), NOW, None
        )
        spool.keep(report, n)
    centre = Centre(202, 422, 202)
    result = agent_ping.ping(settings, agent_dir, units=(), clock=lambda: NOW, send=centre)
    sizes = [len(d.reports) for d in centre.deliveries]
    assert sizes == [MAX_AGENT_REPORTS, MAX_AGENT_REPORTS, 11]
    assert (result.delivered, result.dropped, result.waiting) == (71, 60, 0)
