"""The foundation in a real browser: the header on a phone, sign-up, sign-in and sign-out,
and a forgotten password, each page checked with axe-core.

Elements are found by what does not depend on the language (field ids, link targets, form
actions); the Indonesian words of DESIGN.md are checked last in each test, all at once, so
that a missing translation is reported as such and does not hide anything else.
"""

from __future__ import annotations

import email
import re
import uuid
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from marketplace.demo.services import DEMO_PASSWORD
from tests.browser.conftest import PHONE, LiveServer, assert_accessible

BUYER = "pembeli@demo.test"
STRONG_PASSWORD = "anyaman-rotan-Berau-77"

#: The menu a visitor sees, by link target, with the word DESIGN.md gives each.
GUEST_MENU = {
    "/": "Beranda",
    "/produk": "Produk",
    "/toko": "Toko",
    "/keranjang": "Keranjang",
    "/masuk": "Masuk",
    "/daftar": "Daftar",
}


class Words:
    """Collects the Indonesian words a test expects, and reports every mismatch at the end."""

    def __init__(self) -> None:
        self.mismatches: list[str] = []

    def expect(self, what: str, locator: Locator, word: str) -> None:
        shown = locator.inner_text().strip()
        if shown != word:
            self.mismatches.append(f"{what}: {word!r} expected, {shown!r} shown")

    def assert_all(self) -> None:
        if self.mismatches:
            pytest.fail("The UI is not in Bahasa Indonesia:\n" + "\n".join(self.mismatches))


def nav(page: Page) -> Locator:
    return page.locator("header.site-header nav")


def sign_out_button(page: Page) -> Locator:
    return nav(page).locator("form[action='/keluar'] button[type=submit]")


def submit(page: Page) -> None:
    """Send the one form of the page's main content."""
    page.locator("main form button[type=submit]").click()


def sign_in(page: Page, address: str, password: str) -> None:
    page.goto("/masuk")
    page.fill("#email", address)
    page.fill("#password", password)
    submit(page)


def expect_signed_in(page: Page) -> None:
    expect(nav(page).locator("a[href='/akun']")).to_be_visible()
    expect(sign_out_button(page)).to_be_visible()
    expect(nav(page).locator("a[href='/masuk'], a[href='/daftar']")).to_have_count(0)


def expect_signed_out(page: Page) -> None:
    expect(nav(page).locator("a[href='/masuk']")).to_be_visible()
    expect(nav(page).locator("a[href='/daftar']")).to_be_visible()
    expect(nav(page).locator("a[href='/akun']")).to_have_count(0)
    expect(sign_out_button(page)).to_have_count(0)


def expect_field_error(page: Page, field_id: str) -> None:
    """The field's error message is shown, tied to the field, and the field is marked invalid."""
    error = page.locator(f"#{field_id}-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))


def path_is(path: str) -> re.Pattern[str]:
    """For expect(page).to_have_url: this path, without a query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def reset_link(outbox: Path, address: str) -> str:
    """The reset link of the one email in the outbox, which must be addressed to ``address``."""
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 1, f"one email expected in {outbox}, found {len(files)}"
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == address
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    links = re.findall(r"https?://\S+/atur-ulang-sandi/\S+", body.get_content())
    assert len(links) == 1, body.get_content()
    return links[0]


def test_home_page_on_a_phone(phone_page: Page) -> None:
    page = phone_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")

    header = page.locator("header.site-header")
    logo = header.locator("a.logo")
    expect(logo).to_have_attribute("href", "/")
    expect(logo.locator("img")).to_be_visible()
    expect(logo).to_contain_text("Pasar Binaan")
    search = header.get_by_role("searchbox")
    expect(search).to_be_in_viewport(ratio=1)
    expect(header.locator("form[role=search] button[type=submit]")).to_be_in_viewport(ratio=1)
    for href in GUEST_MENU:
        expect(nav(page).locator(f"a[href='{href}']")).to_be_in_viewport(ratio=1)
    expect(sign_out_button(page)).to_have_count(0)

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"

    # The skip link hides off-screen until the first Tab, and then leads into the content.
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport(ratio=1)
    page.keyboard.press("Enter")
    expect(page.locator("main#konten")).to_be_focused()

    page.goto("/")
    assert_accessible(page)

    words = Words()
    for href, word in GUEST_MENU.items():
        words.expect(f"menu link {href}", nav(page).locator(f"a[href='{href}']"), word)
    words.assert_all()


@pytest.mark.parametrize("path", ["/daftar", "/masuk", "/lupa-sandi"])
def test_account_pages_fit_a_phone(phone_page: Page, path: str) -> None:
    phone_page.goto(path)
    expect(phone_page.locator("main form button[type=submit]")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px wide"
    assert_accessible(phone_page)


def test_register_a_buyer(page: Page) -> None:
    address = f"ani-{uuid.uuid4().hex[:8]}@contoh.test"
    page.goto("/")
    nav(page).locator("a[href='/daftar']").click()
    expect(page).to_have_url(path_is("/daftar"))
    expect(page.locator("input[name=account_type][value=buyer]")).to_be_checked()
    assert_accessible(page)

    page.fill("#name", "Ani Pembeli Baru")
    page.fill("#email", address)
    page.fill("#password", "pendek")
    page.fill("#confirm", "pendek")
    page.locator("input[name=account_type][value=buyer]").check()
    submit(page)
    expect_field_error(page, "password")
    expect(page).to_have_url(path_is("/daftar"))
    expect(page.locator("#email")).to_have_value(address)
    expect_signed_out(page)
    assert_accessible(page)

    page.fill("#password", STRONG_PASSWORD)
    page.fill("#confirm", STRONG_PASSWORD)
    submit(page)
    expect(page).to_have_url(path_is("/"))  # a buyer lands on the home page
    expect(page.locator(".flashes [role=status]")).to_contain_text("Ani Pembeli Baru")
    expect_signed_in(page)

    nav(page).locator("a[href='/akun']").click()
    expect(page.locator("main")).to_contain_text(address)
    expect(page.locator("#profile-name")).to_have_value("Ani Pembeli Baru")

    words = Words()
    words.expect("sign-out button", sign_out_button(page), "Keluar")
    words.assert_all()


def test_sign_out_and_in_again(page: Page) -> None:
    words = Words()
    sign_in(page, BUYER, DEMO_PASSWORD)
    expect_signed_in(page)
    words.expect("sign-out button", sign_out_button(page), "Keluar")

    sign_out_button(page).click()
    expect(page).to_have_url(path_is("/"))
    expect(page.locator(".flashes [role=status]")).to_be_visible()
    expect_signed_out(page)
    words.expect("menu link /masuk", nav(page).locator("a[href='/masuk']"), "Masuk")
    words.expect("menu link /daftar", nav(page).locator("a[href='/daftar']"), "Daftar")

    # Signed out for real: the account page asks for a sign-in, and comes back after it.
    page.goto("/akun")
    expect(page).to_have_url(re.compile(r"/masuk\?next=%2Fakun$"))

    page.fill("#email", BUYER)
    page.fill("#password", "bukan-sandi-yang-benar")
    submit(page)
    expect_field_error(page, "password")
    expect(page.locator("#email")).to_have_value(BUYER)
    expect_signed_out(page)
    assert_accessible(page)

    page.fill("#password", DEMO_PASSWORD)
    submit(page)
    expect(page).to_have_url(path_is("/akun"))
    expect_signed_in(page)
    expect(page.locator("main")).to_contain_text(BUYER)
    words.assert_all()


def test_forgotten_password(page: Page, live_server: LiveServer, outbox: Path,
                            restore_demo_password: Callable[[str], None]) -> None:
    restore_demo_password(BUYER)
    new_password = "tenun-sarung-Samarinda-88"

    page.goto("/masuk")
    page.locator("main a[href='/lupa-sandi']").click()
    expect(page).to_have_url(path_is("/lupa-sandi"))
    page.fill("#email", BUYER)
    submit(page)
    expect(page).to_have_url(path_is("/masuk"))
    expect(page.locator(".flashes [role=status]")).to_be_visible()

    link = reset_link(outbox, BUYER)
    assert link.startswith(f"{live_server.url}/atur-ulang-sandi/")
    page.goto(link)
    page.fill("#password", new_password)
    page.fill("#confirm", new_password + "x")
    submit(page)
    expect_field_error(page, "confirm")
    assert_accessible(page)

    page.fill("#password", new_password)
    page.fill("#confirm", new_password)
    submit(page)
    expect(page).to_have_url(path_is("/masuk"))
    expect(page.locator(".flashes [role=status]")).to_be_visible()

    # The link works once.
    page.goto(link)
    expect(page).to_have_url(path_is("/lupa-sandi"))
    expect(page.locator(".flashes [role=alert]")).to_be_visible()

    sign_in(page, BUYER, DEMO_PASSWORD)
    expect_field_error(page, "password")
    expect_signed_out(page)
    sign_in(page, BUYER, new_password)
    expect(page).to_have_url(path_is("/"))
    expect_signed_in(page)
