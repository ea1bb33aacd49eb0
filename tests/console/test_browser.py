"""The console in a real headless Chromium: sign in, move around, switch language, sign out."""

from __future__ import annotations

from tests.console.conftest import Accounts, Browser


def test_an_admin_signs_in_reads_the_audit_log_in_english_and_signs_out(page: Browser) -> None:
    page.open("/")
    assert page.path == "/console/login"
    page.screenshot("sign-in")
    page.sign_in(Accounts.admin)
    assert page.path == "/console/" and "Selamat datang, admin" in page.text
    page.press("Log audit")
    assert page.path == "/console/audit" and "sign_in" in page.text
    page.press("EN")
    assert page.path == "/console/audit" and "Every operator action" in page.text
    page.screenshot("audit-log")
    page.press("Sign out")
    assert page.path == "/console/login" and "Username" in page.text
    page.open("/console/audit")
    assert page.path.startswith("/console/login")


def test_a_technician_is_told_the_audit_log_is_not_for_their_role(page: Browser) -> None:
    page.sign_in(Accounts.technician)
    assert "Log audit" not in page.text
    page.open("/console/audit")
    assert "Halaman ini tidak terbuka untuk peran Anda." in page.text
