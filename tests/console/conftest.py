"""The console under test: a real centre on loopback (uvicorn in this process, so tests hold
its ManualClock), operators of each role, an HTTP client that signs in like a browser does,
and a real headless Chromium (Debian's, driven by its own chromedriver through Selenium).

Screenshots go to ``$CONSOLE_SHOTS_DIR`` (default ``build/test-artefacts/console``): CI keeps
them as artefacts; docs/console/ holds a few chosen ones for the README.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from central.security.operators import create_operator
from central.security.roles import Role
from central.settings import CentralSettings
from tests.central.conftest import (  # noqa: F401 - shared session fixtures
    Template,
    postgres,
    postgres_template,
    sqlite_template,
)
from tests.support.central_server import CentralServer
from tests.support.postgres import PostgresServer, clone_database

ROOT = Path(__file__).resolve().parents[2]
SHOTS_DIR = Path(os.environ.get("CONSOLE_SHOTS_DIR", ROOT / "build" / "test-artefacts" / "console"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PASSWORD = "correct horse battery"
NAVIGATION_WAIT_S = 10
OFFICE_A = "35.10.01.2001"  # a desa in Kecamatan Pesanggaran
OFFICE_B = "35.10.02.2001"  # a desa in another kecamatan
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Accounts:
    """One operator of each role; ``village`` works for OFFICE_A, ``village_b`` for OFFICE_B."""

    admin: str = "admin"
    technician: str = "tech"
    village: str = "desa-a"
    village_b: str = "desa-b"


BOTH_DATABASES = pytest.mark.parametrize(
    "console_backend",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)
"""For a module whose queries differ by database: ``pytestmark = BOTH_DATABASES``."""


@pytest.fixture
def console_backend(request: pytest.FixtureRequest) -> str:
    """SQLite unless a module asks for both (``BOTH_DATABASES``)."""
    return str(getattr(request, "param", "sqlite"))


def _database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "central.sqlite3"
        shutil.copyfile(Path(template.url.removeprefix("sqlite:///")), target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return clone_database(server, request.getfixturevalue("postgres_template").url)


@pytest.fixture
def console(
    request: pytest.FixtureRequest, console_backend: str, tmp_path: Path
) -> Iterator[CentralServer]:
    """A fresh copy of the seeded database behind a running centre, with the four accounts."""
    url = _database_url(request, console_backend, tmp_path)
    server = CentralServer(CentralSettings(database_url=url)).start()
    accounts = Accounts()
    with server.context.sessions() as db:
        now = server.clock.now()
        create_operator(db, accounts.admin, PASSWORD, now, Role.DISTRICT_ADMIN)
        create_operator(db, accounts.technician, PASSWORD, now, Role.TECHNICIAN)
        create_operator(db, accounts.village, PASSWORD, now, Role.VILLAGE_OPERATOR, OFFICE_A)
        create_operator(db, accounts.village_b, PASSWORD, now, Role.VILLAGE_OPERATOR, OFFICE_B)
    yield server
    server.stop()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class ConsoleClient:
    """Speaks to the console as a browser would: cookies, forms with their CSRF tokens,
    redirects not followed (tests look at where they point)."""

    def __init__(self, server: CentralServer) -> None:
        self.base = server.url
        self.http = requests.Session()
        self.csrf = ""

    def get(self, path: str, **kwargs: object) -> requests.Response:
        reply = self.http.get(self.base + path, allow_redirects=False, timeout=10, **kwargs)  # type: ignore[arg-type]
        if reply.headers.get("content-type", "").startswith("text/html") and "csrf" in reply.text:
            self.csrf = csrf_of(reply.text)
        return reply

    def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> requests.Response:
        fields = {"csrf": self.csrf, **data} if csrf else data
        return self.http.post(self.base + path, data=fields, allow_redirects=False, timeout=10)

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        self.get("/console/login")
        return self.post("/console/login", {"username": username, "password": password})


@pytest.fixture
def signed_in(console: CentralServer) -> dict[str, ConsoleClient]:
    """A signed-in client per role: ``admin``, ``technician``, ``village``, ``village_b``."""
    clients = {}
    for role, username in vars(Accounts()).items():
        client = ConsoleClient(console)
        assert client.sign_in(username).status_code == 303
        client.get("/console/")  # picks up the session's CSRF token
        clients[role] = client
    return clients


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Debian's headless Chromium through its matching chromedriver: no browser download.
    One per module (about a second to start): a session-wide one would be shut down in the
    teardown of whichever test ran last, which may be a unit test that must open no socket."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium and chromium-driver are missing: run `make system-packages`")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        "--disable-gpu",
        "--lang=id",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


class Browser:
    """A test's view of the shared browser: fresh cookies, its server, screenshots by name."""

    def __init__(self, driver: WebDriver, server: CentralServer) -> None:
        self.driver = driver
        self.base = server.url
        driver.delete_all_cookies()

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def fill(self, field_id: str, text: str) -> None:
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(text)

    def press(self, text: str) -> None:
        """Clicks the button (or link) that reads ``text`` and waits for the next page."""
        self._navigate(f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']")

    def _navigate(self, xpath: str) -> None:
        """Every button and link of the console loads a page: wait until the old one is gone
        and the new one parsed, so what the test reads next is the new page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.XPATH, xpath).click()
        wait = WebDriverWait(
            self.driver, NAVIGATION_WAIT_S, ignored_exceptions=(WebDriverException,)
        )
        wait.until(lambda _driver: _gone(old))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.open("/console/login")
        self.fill("username", username)
        self.fill("password", password)
        self.press("Masuk")

    def row(self, text: str) -> str:
        """The text of the table row that mentions ``text``."""
        return str(self.driver.find_element(By.XPATH, f"//tr[td[contains(., '{text}')]]").text)

    def press_in_row(self, row_text: str, button: str) -> None:
        self._navigate(f"//tr[td[contains(., '{row_text}')]]//button[normalize-space()='{button}']")

    @property
    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    @property
    def path(self) -> str:
        return str(self.driver.current_url).removeprefix(self.base)

    def screenshot(self, name: str) -> Path:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        path = SHOTS_DIR / f"{name}.png"
        assert self.driver.save_screenshot(str(path)), "the browser took no screenshot"
        return path


def _gone(element: WebElement) -> bool:
    """The element's document has been replaced. Selenium's ``staleness_of`` only knows the
    stale-element error; while Chrome swaps documents it may instead answer "Node with given
    id does not belong to the document" (a plain WebDriverException), which failed two
    clean-clone CI runs. Either answer means the old page is gone."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


@pytest.fixture
def page(browser: WebDriver, console: CentralServer) -> Browser:
    return Browser(browser, console)
