"""The impact dashboard in a real browser, at phone and desktop size, with axe-core: the demo
loader's orders give it figures and charts to show."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo.services import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible


def sign_in(page: Page, address: str) -> None:
    page.goto("/masuk")
    page.fill("#email", address)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site-header form[action='/keluar']")).to_be_visible()


@pytest.mark.parametrize("size", ["page", "phone_page"])
def test_dashboard_shows_figures_and_charts_accessibly(request, size: str) -> None:
    page: Page = request.getfixturevalue(size)
    sign_in(page, "staf@demo.test")
    page.goto("/dinas")
    page.locator("a[href='/dinas/dampak']").click()
    expect(page.locator("h1")).to_have_text("Dasbor Dampak")
    expect(page.locator("#key-figures li").first).to_contain_text("Rp")
    expect(page.locator("svg.chart-svg")).to_have_count(4)
    expect(page.locator("#tabel-per-tingkat-olahan table tbody tr")).to_have_count(4)
    assert_accessible(page)
    # Filters that make no sense get a message, not an error page.
    page.fill("#dari", "2025-06-01")
    page.fill("#sampai", "2025-01-01")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#filter-errors")).to_contain_text("Tanggal mulai setelah")
    assert_accessible(page)


def test_programme_report_and_producer_numbers_are_accessible(page: Page) -> None:
    sign_in(page, "staf@demo.test")
    page.goto("/dinas/program")
    page.locator("main table a[href^='/dinas/program/']").first.click()
    page.locator("a[href^='/dinas/dampak/program/']").click()
    expect(page.locator("#program-figures")).to_be_visible()
    assert_accessible(page)
    page.goto("/keluar")
    page.context.clear_cookies()
    sign_in(page, "produsen@demo.test")
    page.goto("/produsen")
    page.locator("a[href$='/angka']").first.click()
    expect(page.locator("#own-figures")).to_be_visible()
    assert_accessible(page)
