"""The impact dashboard: its figures against figures computed here from the orders, who may
see it, bad input, and its downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from flask import Flask
from openpyxl import load_workbook

from marketplace.accounts.models import Role
from marketplace.agency import dashboard, filters
from marketplace.catalogue.models import ProcessingLevel
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.orders.models import Order, OrderStatus, PaymentStatus
from marketplace.producers.models import ProducerType, Sector
from marketplace.programs.models import Grant
from tests.factories import make_order, make_producer, make_product, make_program, make_user
from tests.helpers import login

PAID = {"status": OrderStatus.PROCESSING, "payment_status": PaymentStatus.PAID}
TODAY = filters.today_wita()


def _ago(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


@pytest.fixture
def world(app: Flask, db) -> dict[str, object]:
    """Plain values (ids, emails and the expected figures): the test client runs without an
    app context pushed."""
    with app.app_context():
        built = _build()
        start, end = filters.default_range(TODAY)
        return {"program": built["program"].id, "staff": make_user(Role.STAFF).email,
                "staff_en": make_user(Role.STAFF, locale="en").email,
                "expected": _expected(built["orders"], start, end)}


@pytest.fixture
def objects(app: Flask, db, ctx) -> dict[str, object]:
    return _build()


def _build() -> dict[str, object]:
    """Three producers in two kabupaten/kota and two sectors, four buyers, and orders of
    every kind: paid, unpaid, cancelled, refunded, old, to the producer's own regency and
    to others (Samarinda, Balikpapan, Jakarta)."""
    program = make_program()
    berau = make_producer(make_user(Role.PRODUCER), sector=Sector.RATTAN,
                          region_code="64.03.08.2001", type=ProducerType.GROUP)
    smd = make_producer(make_user(Role.PRODUCER), sector=Sector.TEXTILE,
                        region_code="64.72.02.1010")
    paser = make_producer(make_user(Role.PRODUCER), sector=Sector.FOOD,
                          region_code="64.01.01.2009")
    _db.session.add(Grant(program_id=program.id, producer_id=berau.id))
    _db.session.add(Grant(program_id=program.id, producer_id=smd.id))
    _db.session.commit()
    bag = make_product(berau, "Tas Anyam", variants=(("", 350_000, 50),),
                       processing_level=ProcessingLevel.BRANDED).variants[0]
    rattan = make_product(berau, "Rotan Mentah", variants=(("", 40_000, 50),),
                          processing_level=ProcessingLevel.RAW).variants[0]
    sarong = make_product(smd, "Sarung Tenun", variants=(("", 500_000, 50),),
                          processing_level=ProcessingLevel.FINISHED).variants[0]
    chips = make_product(paser, "Keripik", variants=(("", 25_000, 50),),
                         processing_level=ProcessingLevel.SEMI).variants[0]
    a, b, c, d = (make_user() for _ in range(4))
    orders = [
        make_order(a, [(bag, 2), (rattan, 5)], destination="64.72.01.1001",
                   created_at=_ago(10), **PAID),
        make_order(a, [(sarong, 1)], destination="64.72.01.1001", created_at=_ago(40),
                   **PAID),
        make_order(a, [(chips, 4)], destination="64.72.01.1001", created_at=_ago(70),
                   **PAID),
        make_order(b, [(bag, 1)], destination="64.03.08.2001", created_at=_ago(5), **PAID),
        make_order(c, [(sarong, 2)], destination="31.71.01.1001", created_at=_ago(100),
                   **PAID),
        make_order(d, [(chips, 10)], destination="64.01.01.2009", created_at=_ago(3),
                   **PAID),
        # Not sales: unpaid, cancelled before payment, refunded, and too old.
        make_order(b, [(sarong, 3)], destination="64.71.01.1001", created_at=_ago(2)),
        make_order(c, [(bag, 4)], status=OrderStatus.CANCELLED,
                   payment_status=PaymentStatus.VOID, created_at=_ago(20)),
        make_order(d, [(bag, 1)], status=OrderStatus.REFUNDED,
                   payment_status=PaymentStatus.REFUNDED, created_at=_ago(30)),
        make_order(b, [(sarong, 1)], destination="64.71.01.1001", created_at=_ago(800),
                   **PAID),
    ]
    return {"program": program, "producers": (berau, smd, paser), "orders": orders,
            "buyers": (a, b, c, d)}


def _expected(orders: list[Order], start: dt.date, end: dt.date) -> dict[str, object]:
    """The dashboard's figures, computed in Python straight from the order objects."""
    low, high = filters.Filters(start, end).bounds_utc()
    sold = [o for o in orders if o.payment_status is PaymentStatus.PAID
            and low <= o.created_at < high]
    value = sum(sum(line.line_total_idr for line in o.lines) for o in sold)
    outside = [o for o in sold if o.destination_regency_code != o.producer.regency_code]
    checkouts: dict[int, set[int]] = {}
    for o in sold:
        checkouts.setdefault(o.buyer_id, set()).add(o.group_id)
    downstream = sum(line.line_total_idr for o in sold for line in o.lines
                     if line.processing_level in (ProcessingLevel.FINISHED,
                                                  ProcessingLevel.BRANDED))
    return {"orders": len(sold), "sales": value, "buyers": len(checkouts),
            "repeat": sum(1 for groups in checkouts.values() if len(groups) >= 2),
            "outside_buyers": len({o.buyer_id for o in outside}),
            "outside_share": round(100 * sum(o.items_total_idr for o in outside) / value, 1),
            "downstream": round(100 * downstream / value, 1),
            "producers": len({o.producer_id for o in sold})}


def test_figures_match_the_orders(objects) -> None:
    start, end = filters.default_range(TODAY)
    figures = dashboard.compute(filters.Filters(start, end))
    want = _expected(objects["orders"], start, end)
    assert figures.orders == want["orders"] == 6
    assert figures.sales_idr == want["sales"]
    assert figures.average_order_idr == round(want["sales"] / 6)
    assert figures.buyers == want["buyers"] == 4
    assert figures.repeat_buyers == want["repeat"] == 1
    assert figures.outside_buyers == want["outside_buyers"] == 2
    assert figures.outside_share == want["outside_share"]
    assert figures.downstream_share == want["downstream"]
    assert figures.selling_producers == want["producers"] == 3
    assert figures.verified_producers == 3
    assert sum(v for _, _, v in figures.months) == want["sales"]
    assert sum(v for _, _, _, v in figures.regencies) == want["sales"]
    assert {code for code, *_ in figures.regencies} == {"64.03", "64.72", "64.01"}
    levels = {level: value for level, _, value in figures.levels}
    assert levels[ProcessingLevel.RAW] == 5 * 40_000
    assert levels[ProcessingLevel.SEMI] == 14 * 25_000


def test_filters_narrow_the_figures(objects) -> None:
    start, end = filters.default_range(TODAY)
    berau, smd, _ = objects["producers"]
    by_program = dashboard.compute(filters.Filters(start, end,
                                                   program_id=objects["program"].id))
    mine = [o for o in objects["orders"] if o.producer_id in (berau.id, smd.id)]
    assert by_program.sales_idr == _expected(mine, start, end)["sales"]
    assert by_program.verified_producers == 2
    textile = dashboard.compute(filters.Filters(start, end, sector=Sector.TEXTILE))
    assert textile.orders == 2 and textile.sales_idr == 3 * 500_000
    kub = dashboard.compute(filters.Filters(start, end, producer_type=ProducerType.GROUP))
    assert kub.orders == 2
    paser = dashboard.compute(filters.Filters(start, end, regency="64.01"))
    assert paser.orders == 2 and paser.outside_buyers == 1
    narrow = dashboard.compute(filters.Filters(TODAY - dt.timedelta(days=7), TODAY))
    assert narrow.orders == 2 and narrow.sales_idr == 350_000 + 250_000


def test_the_page_shows_the_figures(client, world) -> None:
    login(client, world["staff"])
    page = client.get("/dinas/dampak").get_data(as_text=True)
    assert 'id="key-figures"' in page and "<svg" in page
    want = world["expected"]
    assert f"Rp{want['sales']:,}".replace(",", ".") in page


@pytest.mark.parametrize("role", [Role.BUYER, Role.PRODUCER])
def test_buyers_and_producers_are_refused(app, client, role) -> None:
    with app.app_context():
        email = make_user(role).email
    login(client, email)
    assert client.get("/dinas/dampak").status_code == 403
    assert client.get("/dinas/dampak/unduh/ringkasan.csv").status_code == 403
    assert client.get("/dinas/dampak/program/1").status_code == 403
    assert client.get("/dinas/dampak/produsen/1").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get("/dinas/dampak")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


@pytest.mark.parametrize("query, message", [
    ("dari=2025-06-01&sampai=2025-01-01", "start date is after the end date"),
    ("dari=2025-02-30", "not a valid date"),
    ("dari=kemarin", "not a valid date"),
    ("dari=1999-01-01&sampai=2000-01-01", "Dates must lie between"),
    ("dari=2020-01-01&sampai=2026-12-31", "at most five years"),
    ("sampai=9999-12-31", "Dates must lie between"),
    ("program=999999", "no such aid programme"),
    ("program=abc", "no such aid programme"),
    ("program=99999999999999999999", "no such aid programme"),
    ("wilayah=31.71", "no such kabupaten/kota"),
    ("wilayah=64.72%25", "no such kabupaten/kota"),
    ("sektor=batu_bara", "Choose a sector"),
    ("jenis=pt", "Choose a producer type"),
])
def test_bad_input_gets_a_clear_message(client, world, query, message) -> None:
    login(client, world["staff_en"])
    for url in (f"/dinas/dampak?{query}", f"/dinas/dampak/unduh/per-bulan.csv?{query}"):
        response = client.get(url)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_unknown_table_or_format_is_not_found(client, world) -> None:
    login(client, world["staff"])
    assert client.get("/dinas/dampak/unduh/rahasia.csv").status_code == 404
    assert client.get("/dinas/dampak/unduh/ringkasan.pdf").status_code == 404


def test_csv_download_has_indonesian_headers_and_the_figures(client, world) -> None:
    login(client, world["staff_en"])  # the file's headers are in Indonesian anyway
    program = world["program"]
    response = client.get(f"/dinas/dampak/unduh/per-tingkat-olahan.csv?program={program}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    start, end = filters.default_range(TODAY)
    assert f"dampak_{start}_{end}_program-{program}_per-tingkat-olahan.csv" in disposition
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Tingkat Pengolahan", "Unit terjual", "Nilai penjualan (Rp)",
                       "Porsi nilai (%)"]
    values = {row[0]: int(row[2]) for row in rows[1:]}
    assert values["Bahan Mentah"] == 200_000
    assert sum(values.values()) == 2 * 350_000 + 200_000 + 500_000 + 350_000 + 1_000_000


def test_xlsx_download_matches_the_table(client, world) -> None:
    login(client, world["staff"])
    response = client.get("/dinas/dampak/unduh/per-wilayah.xlsx?sektor=tekstil")
    assert response.status_code == 200
    assert "sektor-tekstil_per-wilayah.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Kabupaten/Kota", "Kode", "Pesanan", "Nilai penjualan (Rp)")
    assert rows[1][1:4] == ("64.72", 2, 1_500_000)


def test_cells_that_look_like_formulas_are_defused(app, db, ctx) -> None:
    from marketplace.agency.tables import Column, Table, to_csv

    table = Table("x", "X", [Column("Nama")], [["=HYPERLINK(\"http://x\")"], ["Biasa"]])
    text = to_csv(table).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\nBiasa" in text.replace("\r", "")


def test_months_are_wita_months_on_every_database(app, db, ctx) -> None:
    """01:00 WITA on 1 February is still 31 January in UTC: it counts in February."""
    from sqlalchemy import select

    from marketplace.agency.sql import month_of

    producer = make_producer()
    variant = make_product(producer, variants=(("", 10_000, 5),)).variants[0]
    buyer = make_user()
    late = dt.datetime(2025, 1, 31, 17, 0, tzinfo=dt.UTC)
    early = dt.datetime(2025, 1, 31, 15, 59, tzinfo=dt.UTC)
    for when in (late, early):
        make_order(buyer, [(variant, 1)], created_at=when, **PAID)
    months = list(_db.session.scalars(select(month_of(Order.created_at)).order_by(
        Order.created_at)))
    assert months == ["2025-01", "2025-02"]
    figures = dashboard.compute(filters.Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
    assert figures.orders == 1 and figures.months == [("2025-02", 1, 10_000)]
