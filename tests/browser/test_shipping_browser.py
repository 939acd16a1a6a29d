"""Shipping settings and the address book in a real browser, on a 360 px phone, without
JavaScript doing any of the work: a producer adds a courier and edits its rate table one row
at a time; a buyer adds an address by choosing the kabupaten/kota, pressing "Show villages"
and choosing the kelurahan/desa. axe-core checks each page, and no page scrolls sideways.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from marketplace.demo.services import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_catalogue_browser import (
    flash_ok,
    indonesian,
    no_sideways_scroll,
    path_is,
    sign_in,
)

PRODUCER = "Tenun Sarung Samarinda Hj. Siti"


def check(page: Page) -> None:
    no_sideways_scroll(page)
    assert_accessible(page)


def test_a_producer_edits_a_courier_rate_table(phone_page: Page,
                                               live_server: LiveServer) -> None:
    page = phone_page
    sign_in(page, "produsen@demo.test", DEMO_PASSWORD)
    card = page.locator("#my-producers li.card").filter(has_text=PRODUCER)
    card.locator("a[href$='/pengiriman']").click()
    expect(page).to_have_url(re.compile(r"/produsen/\d+/pengiriman$"))
    expect(page.locator("#methods li.card")).to_have_count(3)  # the demo's methods
    check(page)

    page.locator("#add-methods a[href$='jenis=courier']").click()
    expect(page.locator("input[name=kind][value=courier]")).to_be_checked()
    page.fill("#name", "SiCepat REG")
    page.select_option("#courier", "SiCepat")
    page.fill("#note", "2–3 hari kerja")
    page.locator("#method-form button.button").click()
    expect(flash_ok(page)).to_contain_text(indonesian(
        live_server, "The shipping method has been added. Now add its prices."))
    expect(page.locator("#no-rates")).to_be_visible()
    check(page)

    page.select_option("#rate-zone", "64.72")
    page.fill("#rate-first_kg", "19.000")
    page.fill("#rate-next_kg", "15000")
    page.locator("#rate-form button").click()
    row = page.locator("#rate-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kota Samarinda")
    expect(row).to_contain_text("Rp19.000")
    expect(row).to_contain_text("Rp15.000")

    page.select_option("#rate-zone", "64")
    page.fill("#rate-first_kg", "-1")
    page.locator("#rate-form button").click()
    expect(page.locator("#rate-errors")).to_be_visible()
    expect(page.locator("#rate-table tbody tr")).to_have_count(1)
    check(page)  # the page with an error

    row.locator("button").click()
    expect(page.locator("#no-rates")).to_be_visible()
    page.locator("a", has_text=indonesian(live_server, "Shipping of %(name)s",
                                          name=PRODUCER)).click()
    method = page.locator("#methods li.card").filter(has_text="SiCepat REG")
    method.locator("form button").click()
    expect(page.locator("#methods li.card").filter(has_text="SiCepat REG")).to_contain_text(
        indonesian(live_server, "Not offered"))


def test_a_buyer_adds_an_address_without_javascript(phone_page: Page,
                                                    live_server: LiveServer) -> None:
    page = phone_page
    sign_in(page, "pembeli@demo.test", DEMO_PASSWORD)
    page.goto("/akun")
    page.locator("#address-book-link").click()
    expect(page).to_have_url(path_is("/akun/alamat"))
    expect(page.locator("#addresses li.card")).to_have_count(1)  # the demo address
    expect(page.locator("#addresses")).to_contain_text("Kel. Sidodadi, Kec. Samarinda Ulu")
    check(page)

    page.locator("#new-address").click()
    page.fill("#label", "Kantor Berau")
    page.fill("#recipient_name", "Budi Pembeli")
    page.fill("#phone", "0812 5500 9876")
    page.fill("#street", "Jl. Poros Biduk-Biduk No. 3")
    page.fill("#rt", "2")
    page.select_option("#kabupaten", "64.03")
    page.locator("button[value=choose_region]").click()
    expect(page.locator("#region_code optgroup[label='Biduk-Biduk']")).to_have_count(1)
    expect(page.locator("#label")).to_have_value("Kantor Berau")  # nothing typed is lost
    check(page)

    page.select_option("#region_code", "64.03.08.2001")
    page.locator("#address-form .actions button").click()
    expect(page).to_have_url(path_is("/akun/alamat"))
    card = page.locator("#addresses li.card").filter(has_text="Kantor Berau")
    expect(card).to_contain_text("Desa Biduk-Biduk, Kec. Biduk-Biduk, Kabupaten Berau")
    expect(card).to_contain_text("77373")
    expect(card).to_contain_text("RT 002/RW -")
    check(page)
