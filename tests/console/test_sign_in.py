"""Sign-in, sign-out, the idle timeout, CSRF, cookies and the audit rows they leave,
against a real centre on loopback."""

from __future__ import annotations

from sqlalchemy import select

from central.models import OperatorAuditEntry
from tests.console.conftest import BOTH_DATABASES, PASSWORD, Accounts, ConsoleClient
from tests.support.central_server import CentralServer

pytestmark = BOTH_DATABASES


def _actions(server: CentralServer) -> list[tuple[str, str | None]]:
    with server.context.sessions() as db:
        rows = db.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id)).all()
        return [(row.action, row.record) for row in rows]


def test_the_centres_address_opens_the_console_and_asks_for_sign_in(console: CentralServer) -> None:
    client = ConsoleClient(console)
    root = client.get("/")
    assert root.status_code == 303 and root.headers["location"] == "/console/"
    home = client.get("/console/")
    assert home.status_code == 303 and home.headers["location"] == "/console/login"
    form = client.get("/console/login")
    assert form.status_code == 200
    assert '<html lang="id">' in form.text and "Nama pengguna" in form.text  # Indonesian first


def test_sign_in_then_out(console: CentralServer) -> None:
    client = ConsoleClient(console)
    signed = client.sign_in(Accounts.admin)
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"
    home = client.get("/console/")
    assert home.status_code == 200 and "Selamat datang, admin" in home.text
    out = client.post("/console/logout", {})
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert client.get("/console/").status_code == 303  # the old cookie no longer works
    assert _actions(console) == [("sign_in", None), ("sign_out", None)]


def test_a_wrong_password_is_answered_in_both_languages_without_saying_which_part(
    console: CentralServer,
) -> None:
    client = ConsoleClient(console)
    wrong = client.sign_in(Accounts.admin, "not the password")
    assert wrong.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in wrong.text
    unknown = client.sign_in("nobody-here")
    assert unknown.status_code == 401 and "Nama pengguna atau kata sandi salah." in unknown.text
    client.get("/console/language/en")
    english = client.sign_in(Accounts.admin, "still not it")
    assert english.status_code == 401 and "Wrong username or password." in english.text
    assert _actions(console) == []


def test_the_operator_throttle_locks_the_sign_in_page(console: CentralServer) -> None:
    client = ConsoleClient(console)
    answers = [client.sign_in(Accounts.admin, f"wrong {n}").status_code for n in range(6)]
    assert answers == [401, 401, 401, 401, 423, 423]
    locked = client.sign_in(Accounts.admin)  # the right password is not even checked now
    assert locked.status_code == 423 and "Coba lagi dalam" in locked.text
    console.clock.advance(console.settings.pin_lockout_base_s + 1)
    assert client.sign_in(Accounts.admin).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(console: CentralServer) -> None:
    client = ConsoleClient(console)
    client.sign_in(Accounts.admin)
    client.get("/console/")
    for fields in ({}, {"csrf": "forged"}):
        refused = client.post("/console/logout", fields, csrf=False)
        assert refused.status_code == 403
        assert "tidak berasal dari konsol ini" in refused.text
    assert client.get("/console/").status_code == 200  # still signed in: nothing happened
    other = ConsoleClient(console)
    other.sign_in(Accounts.technician)
    other.get("/console/")
    # A token from another session is no better than none.
    assert client.post("/console/logout", {"csrf": other.csrf}, csrf=False).status_code == 403


def test_the_sign_in_form_has_its_own_csrf_token(console: CentralServer) -> None:
    client = ConsoleClient(console)
    client.get("/console/login")
    refused = client.post(
        "/console/login", {"username": Accounts.admin, "password": PASSWORD}, csrf=False
    )
    assert refused.status_code == 403 and client.get("/console/").status_code == 303


def test_idle_timeout_sends_the_operator_back_to_sign_in(console: CentralServer) -> None:
    idle = console.settings.console_idle_timeout_s
    client = ConsoleClient(console)
    client.sign_in(Accounts.admin)
    for _ in range(3):  # activity keeps the session: each request starts the wait again
        console.clock.advance(idle - 5)
        assert client.get("/console/").status_code == 200
    console.clock.advance(idle + 1)
    expired = client.get("/console/audit")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/console/login?expired=1&next=%2Fconsole%2Faudit"
    page = client.get(expired.headers["location"])
    assert "tidak ada aktivitas" in page.text
    console.clock.advance(1)
    assert client.get("/console/").status_code == 303  # it stays ended
    assert _actions(console) == [("sign_in", None), ("session_timeout", None)]
    back = client.post(
        "/console/login",
        {"username": Accounts.admin, "password": PASSWORD, "next": "/console/audit"},
    )
    assert back.headers["location"] == "/console/audit"


def test_sign_in_never_redirects_off_the_console(console: CentralServer) -> None:
    client = ConsoleClient(console)
    client.get("/console/login")
    for target in ("https://evil.example/", "//evil.example/console/", "/v1/fleet"):
        reply = client.post(
            "/console/login", {"username": Accounts.admin, "password": PASSWORD, "next": target}
        )
        assert reply.headers["location"] == "/console/"
        client.post("/console/logout", {})
        client.get("/console/login")


def test_cookies_are_http_only_strict_and_secure_over_https(console: CentralServer) -> None:
    plain = ConsoleClient(console)
    plain.get("/console/login")
    cookie = plain.post("/console/login", {"username": Accounts.admin, "password": PASSWORD})
    header = cookie.headers["set-cookie"]
    assert "anjungan_console=" in header and "HttpOnly" in header
    assert "SameSite=strict" in header and "Path=/console" in header and "Secure" not in header
    tls = ConsoleClient(console)
    # Behind the TLS proxy docs/install.md describes (uvicorn trusts loopback's X-Forwarded-*).
    tls.http.headers["X-Forwarded-Proto"] = "https"
    form = tls.get("/console/login")
    assert "Secure" in form.headers["set-cookie"]


def test_pages_forbid_framing_and_foreign_scripts(console: CentralServer) -> None:
    reply = ConsoleClient(console).get("/console/login")
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cache-control"] == "no-store"


def test_the_stylesheet_is_served_from_the_package(console: CentralServer) -> None:
    reply = ConsoleClient(console).get("/console/static/console.css")
    assert reply.status_code == 200 and ":root" in reply.text
