"""Browser tests: Debian's Chromium, driven by Playwright, against a live server.

One server and one browser per session; a fresh browser context (no cookies) per test.
The server runs the real app on a SQLite file with the demo accounts loaded. Playwright's
own browser download does not work here, so the system's Chromium is launched by path.

Without /usr/bin/chromium the tests are skipped, unless REQUIRE_BROWSER=1 (as in CI),
where a missing browser is a failure.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from marketplace import create_app
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.services import find_by_email
from marketplace.demo.services import DEMO_PASSWORD, load_demo
from marketplace.extensions import db, limiter
from tests.conftest import prepare_database, test_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google's servers through a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
#: Every Playwright wait and action gives up after this long (ms): a broken page fails fast.
TIMEOUT_MS = 5_000
#: The WCAG 2.x level A and AA rules of axe-core.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in this folder carries the ``browser`` marker (``-m "not browser"``)."""
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str

    @property
    def outbox(self) -> Path:
        return Path(self.app.config["MAIL_OUTBOX_DIR"])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a fresh SQLite file with the demo accounts, served on a free local port."""
    base = tmp_path_factory.mktemp("browser")
    app = create_app(test_config(base, f"sqlite:///{base / 'browser.sqlite3'}"))
    prepare_database(app)
    with app.app_context():
        load_demo(("64",))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # links in emails point at this server
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with untouched sign-in and sign-up limits."""
    yield
    if "live_server" in request.fixturenames:
        server: LiveServer = request.getfixturevalue("live_server")
        with server.app.app_context():
            limiter.reset()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: install Debian's Chromium "
                   "(apt-get install chromium) to run the browser tests")
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _context(browser: Browser, live_server: LiveServer, **options: object) -> BrowserContext:
    # An English browser on purpose: the app must ignore Accept-Language and speak Indonesian.
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  timezone_id="Asia/Makassar", **options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A desktop-sized page (1280x800) in a context of its own: no cookies from other tests."""
    context = _context(browser, live_server, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A cheap Android phone: 360x740 CSS pixels, touch, mobile viewport rules."""
    context = _context(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def outbox(live_server: LiveServer) -> Path:
    """The live server's mail folder, emptied."""
    live_server.outbox.mkdir(parents=True, exist_ok=True)
    for message in live_server.outbox.glob("*.eml"):
        message.unlink()
    return live_server.outbox


@pytest.fixture
def restore_demo_password(live_server: LiveServer) -> Iterator[Callable[[str], None]]:
    """For tests that change a demo account's password: call it with the account's email,
    and the demo password is put back after the test, whatever its outcome."""
    changed: list[str] = []
    yield changed.append
    with live_server.app.app_context():
        for email in changed:
            user = find_by_email(email)
            assert user is not None
            user.password_hash = hash_password(DEMO_PASSWORD)
        db.session.commit()


_AXE = Axe()
_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def assert_accessible(page: Page) -> None:
    """Fail listing every WCAG 2.x A/AA violation axe-core finds on the page as it is now.

    The app's Content-Security-Policy allows only the site's own scripts; Playwright's
    evaluate() runs through the DevTools protocol, which the page's CSP does not govern, so
    axe is injected without bypass_csp.
    """
    __tracebackhide__ = True  # a failure points at the test line that called this
    results = _AXE.run(page, options=_AXE_OPTIONS)
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {', '.join(map(str, node['target']))}"
                         for node in violation["nodes"])
        pytest.fail("\n".join(lines))
