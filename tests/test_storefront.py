"""Shops and storefronts: only verified producers are shown, with their region, the aid
they received, WhatsApp, products and holiday notice; a producer's members set the
holiday, nobody else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalogue import holidays
from marketplace.catalogue.models import Category
from marketplace.extensions import db as _db
from marketplace.producers.models import Producer, ProducerEvent, ProducerStatus, Sector
from marketplace.programs.models import Grant, GrantItem
from tests.factories import make_producer, make_program, make_user
from tests.helpers import login, logout, post_form
from tests.test_catalogue import (
    BIDUK_BIDUK,
    PASER,
    SAMARINDA,
    count_statements,
    make_category,
    make_product,
)


@pytest.fixture
def store(app: Flask, db) -> dict[str, object]:
    """A verified producer in Biduk-Biduk with an owner, a grant of sewing machines and two
    products; another producer with its own owner."""
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="pemilik@example.test")
        other_owner = make_user(Role.PRODUCER, email="lain@example.test")
        producer = make_producer(owner, name="Kelompok Anyam Biduk", region_code=BIDUK_BIDUK,
                                 whatsapp="+6281234567890", story="Kami menganyam sejak 1998.\n"
                                 "Rotan dari hutan desa.", sector=Sector.RATTAN)
        other = make_producer(other_owner, name="Tenun Seberang", region_code=SAMARINDA,
                              sector=Sector.TEXTILE)
        program = make_program(name="Bantuan Alat Mesin Jahit 2024")
        grant = Grant(program_id=program.id, producer_id=producer.id,
                      handover_date=dt.date(2024, 8, 17))
        grant.items = [GrantItem(name="Mesin jahit portable", category="Mesin jahit",
                                 quantity=2, unit_value_idr=2_500_000)]
        _db.session.add(grant)
        category = make_category("Tas & Aksesori")
        products = [make_product(producer, category, name) for name in
                    ("Tas Anyam Rotan", "Dompet Anyam Manik")]
        _db.session.commit()
        return {"id": producer.id, "slug": producer.slug, "other_id": other.id,
                "other_slug": other.slug, "products": [p.id for p in products],
                "category_id": category.id}


def storefront(client, store) -> str:
    response = client.get(f"/toko/{store['slug']}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def set_status(app: Flask, producer_id: int, status: ProducerStatus) -> None:
    with app.app_context():
        _db.session.get(Producer, producer_id).status = status
        _db.session.commit()


# --- the shops list --------------------------------------------------------------------------

def test_shops_lists_verified_producers_only(app, client, store):
    with app.app_context():
        hidden = [make_producer(name=f"Tersembunyi {s.value}", status=s).slug
                  for s in (ProducerStatus.SUSPENDED, ProducerStatus.SUBMITTED,
                            ProducerStatus.DRAFT)]
    html = client.get("/toko").get_data(as_text=True)
    assert f"/toko/{store['slug']}" in html and f"/toko/{store['other_slug']}" in html
    for slug in hidden:
        assert f"/toko/{slug}" not in html
    assert re.search(r'id="shop-count">2 ', html)


def test_shops_filter_by_kabupaten_and_sector(client, store):
    berau = client.get("/toko?kab=64.03").get_data(as_text=True)
    assert f"/toko/{store['slug']}" in berau and f"/toko/{store['other_slug']}" not in berau
    textiles = client.get("/toko?sector=tekstil").get_data(as_text=True)
    assert f"/toko/{store['other_slug']}" in textiles and f"/toko/{store['slug']}" not in textiles
    none = client.get("/toko?kab=64.01").get_data(as_text=True)
    assert 'id="no-shops"' in none


@pytest.mark.parametrize("query", ["kab=99", "kab=64.03.08", "sector=emas", "page=abc",
                                   "page=9999", "kab=%3Cb%3E"])
def test_shops_odd_parameters_get_a_page(client, store, query):
    response = client.get(f"/toko?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/toko/{store['slug']}" in html
    assert html.count('class="flash flash-info filter-error"') == (0 if "page" in query else 1)


# --- the storefront --------------------------------------------------------------------------

def test_storefront_shows_region_badge_aid_whatsapp_and_products(client, store):
    html = storefront(client, store)
    assert "<h1>Kelompok Anyam Biduk</h1>" in html
    region = html.split('id="shop-region"', 1)[1].split("</p>", 1)[0]
    assert "Biduk-Biduk" in region and "Kabupaten Berau" in region
    assert 'class="badge badge-verified"' in html
    assert "NIB" in html.split('class="verified-detail"', 1)[1]
    aid = html.split('id="aid"', 1)[1].split("</section>", 1)[0]
    assert "Mesin jahit portable" in aid and "Bantuan Alat Mesin Jahit 2024" in aid
    assert re.search(r'href="https://wa\.me/6281234567890\?text=[^"]*localhost/toko/', html)
    assert "Kami menganyam sejak 1998." in html
    for product_id in store["products"]:
        assert f"/produk/{product_id}/" in html


def test_storefront_uses_at_most_five_queries(app, client, store):
    with app.app_context():
        grant = _db.session.scalars(select(Grant).where(Grant.producer_id == store["id"])).one()
        grant.items.append(GrantItem(name="Mesin obras", category="Mesin jahit", quantity=1,
                                     unit_value_idr=3_000_000))
        _db.session.commit()
    storefront(client, store)  # the first visit reads the region names, kept for the app
    with count_statements(app) as statements:
        html = storefront(client, store)
    assert "Mesin jahit portable" in html and "Mesin obras" in html
    assert "Tas Anyam Rotan" in html and "Dompet Anyam Manik" in html
    assert len(statements) <= 5, statements


@pytest.mark.parametrize("status", [ProducerStatus.SUSPENDED, ProducerStatus.SUBMITTED,
                                    ProducerStatus.DRAFT, ProducerStatus.CHANGES_NEEDED,
                                    ProducerStatus.REJECTED])
def test_storefront_of_a_producer_that_is_not_public_is_404(app, client, store, status):
    set_status(app, store["id"], status)
    assert client.get(f"/toko/{store['slug']}").status_code == 404
    for product_id in store["products"]:
        assert client.get(f"/produk/{product_id}").status_code == 404


def test_unknown_storefront_is_404(client, store):
    assert client.get("/toko/tidak-ada").status_code == 404


def test_storefront_products_are_paginated(app, client, store, monkeypatch):
    monkeypatch.setattr("marketplace.catalogue.views.PER_PAGE", 1)
    first = storefront(client, store)
    assert first.count('class="product-card"') == 1 and 'rel="next"' in first
    second = client.get(f"/toko/{store['slug']}?page=2").get_data(as_text=True)
    assert second.count('class="product-card"') == 1 and 'rel="prev"' in second
    beyond = client.get(f"/toko/{store['slug']}?page=50").get_data(as_text=True)
    assert beyond.count('class="product-card"') == 1


def test_storefront_without_products_says_so(app, client, store):
    with app.app_context():
        empty = make_producer(name="Baru Mulai", region_code=PASER)
        slug = empty.slug
    html = client.get(f"/toko/{slug}").get_data(as_text=True)
    assert 'id="no-products"' in html and 'id="aid"' not in html


# --- holidays --------------------------------------------------------------------------------

def set_holiday(app: Flask, store, start: dt.date, until: dt.date, note: str = "") -> None:
    with app.app_context():
        producer = _db.session.get(Producer, store["id"])
        producer.holiday_from, producer.holiday_until, producer.holiday_note = start, until, note
        _db.session.commit()


def test_holiday_notice_while_closed(app, client, store):
    today = holidays.today()
    set_holiday(app, store, today - dt.timedelta(days=1), today + dt.timedelta(days=3),
                "Libur Idul Fitri, pesanan dikirim setelah libur.")
    html = storefront(client, store)
    notice = html.split('id="holiday-notice"', 1)[1].split("</div>", 1)[0]
    assert "Libur Idul Fitri" in notice


def test_product_pages_show_the_shops_holiday_too(app, client, store):
    today = holidays.today()
    url = f"/produk/{store['products'][0]}"
    assert 'id="holiday-notice"' not in client.get(url, follow_redirects=True).get_data(
        as_text=True)
    set_holiday(app, store, today, today + dt.timedelta(days=3), "Pesanan dikirim tanggal 5.")
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    notice = html.split('id="holiday-notice"', 1)[1].split("</div>", 1)[0]
    assert "sedang libur sampai" in notice and "Pesanan dikirim tanggal 5." in notice
    assert 'id="add-to-cart"' in html  # buyers may still order


def test_holiday_notice_a_week_ahead_but_not_earlier_or_after(app, client, store):
    today = holidays.today()
    set_holiday(app, store, today + dt.timedelta(days=5), today + dt.timedelta(days=8))
    assert 'id="holiday-notice"' in storefront(client, store)
    set_holiday(app, store, today + dt.timedelta(days=20), today + dt.timedelta(days=25))
    assert 'id="holiday-notice"' not in storefront(client, store)
    set_holiday(app, store, today - dt.timedelta(days=9), today - dt.timedelta(days=1))
    assert 'id="holiday-notice"' not in storefront(client, store)


def test_holiday_state_rules(store, ctx):
    producer = _db.session.get(Producer, store["id"])
    day = dt.date(2026, 3, 20)
    producer.holiday_from, producer.holiday_until = day, day + dt.timedelta(days=6)
    assert holidays.holiday_state(producer, day).closed is True
    assert holidays.holiday_state(producer, day + dt.timedelta(days=6)).closed is True
    assert holidays.holiday_state(producer, day - dt.timedelta(days=7)).closed is False
    assert holidays.holiday_state(producer, day - dt.timedelta(days=8)) is None
    assert holidays.holiday_state(producer, day + dt.timedelta(days=7)) is None


def holiday_url(store, key: str = "id") -> str:
    return f"/produsen/{store[key]}/libur"


def test_holiday_form_needs_a_signed_in_member(app, client, store):
    response = client.get(holiday_url(store))
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    with app.app_context():
        buyer = make_user(Role.BUYER, email="pembeli@example.test").email
        staff = make_user(Role.STAFF, email="staf@example.test").email
    for email in (buyer, staff, "lain@example.test"):
        login(client, email)
        assert client.get(holiday_url(store)).status_code == 404
        logout(client)
    assert client.get("/produsen/999999/libur").status_code == 302


def test_another_producers_member_cannot_set_the_holiday(app, client, store):
    login(client, "lain@example.test")
    today = holidays.today()
    # The form of their own producer gives a CSRF token; the post aims at ours.
    response = post_form(client, holiday_url(store), {
        "holiday_from": today.isoformat(), "holiday_until": today.isoformat(),
        "holiday_note": "x", "save": "1"}, page=holiday_url(store, "other_id"))
    assert response.status_code == 404
    with app.app_context():
        assert _db.session.get(Producer, store["id"]).holiday_from is None


def test_member_sets_and_clears_the_holiday(app, client, store):
    login(client, "pemilik@example.test")
    assert client.get(holiday_url(store)).status_code == 200
    start = holidays.today() + dt.timedelta(days=2)
    response = post_form(client, holiday_url(store), {
        "holiday_from": start.isoformat(),
        "holiday_until": (start + dt.timedelta(days=4)).isoformat(),
        "holiday_note": "Tutup untuk Lebaran", "save": "1"})
    assert response.status_code == 302
    with app.app_context():
        producer = _db.session.get(Producer, store["id"])
        assert (producer.holiday_from, producer.holiday_note) == (start, "Tutup untuk Lebaran")
        assert producer.holiday_until == start + dt.timedelta(days=4)
        event = _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.producer_id == store["id"], ProducerEvent.action == "holiday"))
        assert event is not None and event.actor_id is not None
    assert "Tutup untuk Lebaran" in storefront(client, store)
    response = post_form(client, holiday_url(store), {"clear": "1"})
    assert response.status_code == 302
    with app.app_context():
        producer = _db.session.get(Producer, store["id"])
        assert producer.holiday_from is None and producer.holiday_note == ""


@pytest.mark.parametrize("start, until, note, field", [
    (3, 1, "", "holiday_until"),  # last day before the first
    (-2, 3, "", "holiday_from"),  # starts in the past
    (1, 95, "", "holiday_until"),  # longer than 90 days
    (None, 3, "", "holiday_from"),  # missing
    (1, None, "", "holiday_until"),
    (1, 3, "x" * 201, "holiday_note"),
])
def test_holiday_form_refuses_bad_dates_and_changes_nothing(app, client, store, start, until,
                                                            note, field):
    login(client, "pemilik@example.test")
    today = holidays.today()

    def day(offset: int | None) -> str:
        return "" if offset is None else (today + dt.timedelta(days=offset)).isoformat()

    response = post_form(client, holiday_url(store), {
        "holiday_from": day(start), "holiday_until": day(until), "holiday_note": note,
        "save": "1"})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        producer = _db.session.get(Producer, store["id"])
        assert producer.holiday_from is None and producer.holiday_until is None


def test_holiday_form_rejects_a_date_that_is_not_a_date(app, client, store):
    login(client, "pemilik@example.test")
    response = post_form(client, holiday_url(store), {
        "holiday_from": "31-02-2026", "holiday_until": "besok", "save": "1"})
    assert response.status_code == 200
    assert 'id="holiday_from-error"' in response.get_data(as_text=True)


def test_a_holiday_under_way_keeps_its_first_day_when_the_note_changes(app, client, store):
    today = holidays.today()
    set_holiday(app, store, today - dt.timedelta(days=2), today + dt.timedelta(days=2), "Tutup")
    login(client, "pemilik@example.test")
    response = post_form(client, holiday_url(store), {
        "holiday_from": (today - dt.timedelta(days=2)).isoformat(),
        "holiday_until": (today + dt.timedelta(days=3)).isoformat(),
        "holiday_note": "Tutup sampai Senin", "save": "1"})
    assert response.status_code == 302
    with app.app_context():
        producer = _db.session.get(Producer, store["id"])
        assert producer.holiday_until == today + dt.timedelta(days=3)


def test_holiday_service_refuses_non_members(store, ctx):
    from marketplace.producers.services import AccessDenied

    stranger = make_user(Role.PRODUCER)
    producer = _db.session.get(Producer, store["id"])
    with pytest.raises(AccessDenied):
        holidays.set_holiday(stranger, producer, holidays.today(), holidays.today())
    with pytest.raises(AccessDenied):
        holidays.clear_holiday(stranger, producer)
    assert _db.session.get(Category, store["category_id"]) is not None
