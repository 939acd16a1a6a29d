"""Monitoring visits, the programme report, a producer's impact page and a producer's own
numbers (never another producer's)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.agency.models import EquipmentUse, MonitoringPhoto, MonitoringVisit
from marketplace.catalogue.models import ProcessingLevel
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.orders.models import OrderStatus, PaymentStatus
from marketplace.programs.models import Grant, GrantItem
from tests.factories import make_order, make_producer, make_product, make_program, make_user
from tests.helpers import login, post_form

PAID = {"status": OrderStatus.COMPLETED, "payment_status": PaymentStatus.PAID}


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 90, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def setup(app: Flask, db) -> dict[str, object]:
    with app.app_context():
        owner, rival_owner = make_user(Role.PRODUCER), make_user(Role.PRODUCER)
        mine = make_producer(owner, name="Tenun Hj. Siti")
        rival = make_producer(rival_owner, name="Saingan Jaya")
        unclaimed = make_producer(None, name="Belum Klaim")
        program = make_program()
        handover = (utcnow() - dt.timedelta(days=200)).date()
        grants = []
        for producer in (mine, rival, unclaimed):
            grant = Grant(program_id=program.id, producer_id=producer.id,
                          handover_date=handover)
            grant.items = [GrantItem(name="Mesin jahit", category="Mesin jahit", quantity=2,
                                     unit_value_idr=3_500_000)]
            _db.session.add(grant)
            grants.append(grant)
        _db.session.commit()
        sarong = make_product(mine, "Sarung Samarinda", variants=(("", 400_000, 20),),
                              processing_level=ProcessingLevel.BRANDED).variants[0]
        secret = make_product(rival, "Produk Rahasia Saingan", variants=(("", 990_000, 20),),
                              processing_level=ProcessingLevel.FINISHED).variants[0]
        buyer = make_user()
        make_order(buyer, [(sarong, 2)], created_at=utcnow() - dt.timedelta(days=20), **PAID)
        make_order(buyer, [(sarong, 1)], created_at=utcnow() - dt.timedelta(days=300), **PAID)
        make_order(buyer, [(sarong, 1)])  # unpaid
        make_order(buyer, [(secret, 3)], created_at=utcnow() - dt.timedelta(days=10), **PAID)
        return {"staff": make_user(Role.STAFF).email, "owner": owner.email,
                "rival_owner": rival_owner.email, "buyer": buyer.email, "mine": mine.id,
                "rival": rival.id, "program": program.id, "grant": grants[0].id,
                "handover": handover}


VISIT = {"visit_date": "", "equipment_use": "dipakai", "turnover": "4.500.000",
         "workers_total": "5", "workers_paid": "3", "workers_women": "4",
         "production_volume": "120", "production_unit": "lembar", "notes": "Baik"}


def _record(client, grant: int, **fields: object):
    data = {**VISIT, **fields}
    return post_form(client, f"/dinas/hibah/{grant}/monitoring/baru", data)


def test_staff_record_a_baseline_and_a_later_visit(app, client, setup) -> None:
    login(client, setup["staff"])
    base = _record(client, setup["grant"], visit_date=setup["handover"].isoformat(),
                   turnover="1.000.000", workers_total="2", workers_paid="1",
                   workers_women="1", is_baseline="y")
    assert base.status_code == 302
    later = _record(client, setup["grant"], visit_date=dt.date.today().isoformat(),
                    photos=(io.BytesIO(_jpeg()), "foto.jpg"))
    assert later.status_code == 302
    page = client.get(f"/dinas/hibah/{setup['grant']}/monitoring").get_data(as_text=True)
    assert "Rp4.500.000" in page and "Rp1.000.000" in page
    report = client.get(f"/dinas/dampak/program/{setup['program']}").get_data(as_text=True)
    assert "Rp1.000.000 → Rp4.500.000" in report and "2 → 5" in report
    with app.app_context():
        photo = _db.session.scalar(select(MonitoringPhoto))
        assert photo.key_prefix.startswith("private/monitoring/")
        url = f"/dinas/monitoring/foto/{photo.id}/{photo.widths[0]}.webp"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "no-store" in response.headers["Cache-Control"]
    delete = f"/dinas/monitoring/foto/{photo.id}/hapus"
    login(client, setup["owner"])
    assert client.get(url).status_code == 403
    assert post_form(client, delete, {}, page="/").status_code == 403
    login(client, setup["staff"])
    assert post_form(client, delete, {}, page="/").status_code == 302
    assert client.get(url).status_code == 404
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(MonitoringPhoto)) == 0
        media = Path(app.config["MEDIA_ROOT"])
        assert not list(media.glob(f"{photo.key_prefix}-*.webp"))


def test_bad_visit_input_is_refused_and_saves_nothing(app, client, setup) -> None:
    login(client, setup["staff"])
    today = dt.date.today().isoformat()
    for fields in ({"visit_date": today, "workers_paid": "9"},
                   {"visit_date": today, "turnover": "-5"},
                   {"visit_date": today, "equipment_use": "dijual"},
                   {"visit_date": "2999-01-01"},
                   {"visit_date": today, "workers_total": "banyak"},
                   {"visit_date": today, "photos": (io.BytesIO(b"not an image"), "x.jpg")}):
        response = _record(client, setup["grant"], **fields)
        assert response.status_code in (200, 400), fields
        assert 'class="error"' in response.get_data(as_text=True) or \
            "flash-error" in response.get_data(as_text=True), fields
    assert _record(client, setup["grant"], visit_date=today, is_baseline="y").status_code == 302
    second = _record(client, setup["grant"], visit_date=today, is_baseline="y")
    assert "baseline" in second.get_data(as_text=True).lower() or second.status_code == 400
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(MonitoringVisit)) == 1


def test_a_visit_can_be_edited(app, client, setup) -> None:
    login(client, setup["staff"])
    _record(client, setup["grant"], visit_date=dt.date.today().isoformat())
    with app.app_context():
        visit_id = _db.session.scalar(select(MonitoringVisit.id))
    response = post_form(client, f"/dinas/monitoring/{visit_id}/ubah",
                         {**VISIT, "visit_date": dt.date.today().isoformat(),
                          "equipment_use": "rusak", "turnover": "2.000.000"})
    assert response.status_code == 302
    with app.app_context():
        visit = _db.session.get(MonitoringVisit, visit_id)
        assert visit.equipment_use is EquipmentUse.DAMAGED and visit.turnover_idr == 2_000_000


@pytest.mark.parametrize("who", ["owner", "buyer"])
def test_only_staff_reach_monitoring(client, setup, who) -> None:
    login(client, setup[who])
    assert client.get(f"/dinas/hibah/{setup['grant']}/monitoring").status_code == 403
    assert _record(client, setup["grant"], visit_date="2025-01-01").status_code == 403


def test_programme_report_counts_recipients_and_sales_since_handover(client, setup) -> None:
    login(client, setup["staff"])
    page = client.get(f"/dinas/dampak/program/{setup['program']}")
    assert page.status_code == 200
    response = client.get(f"/dinas/dampak/program/{setup['program']}/unduh/"
                          "ringkasan-program.csv")
    rows = dict(list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:])
    assert rows["Penerima"] == "3" and rows["Mengklaim akun"] == "2"
    # The order 300 days ago came before the handover (200 days ago): not counted.
    assert rows["Penjualan sejak serah terima (Rp)"] == str(2 * 400_000 + 3 * 990_000)
    equipment = client.get(f"/dinas/dampak/program/{setup['program']}/unduh/peralatan.xlsx")
    assert equipment.status_code == 200
    assert client.get("/dinas/dampak/program/99999").status_code == 404


def test_producer_impact_page_for_staff(client, setup) -> None:
    login(client, setup["staff"])
    page = client.get(f"/dinas/dampak/produsen/{setup['mine']}").get_data(as_text=True)
    assert "Sarung Samarinda" in page and "<svg" in page
    assert client.get("/dinas/dampak/produsen/99999").status_code == 404
    visits = client.get(f"/dinas/dampak/produsen/{setup['mine']}/unduh/"
                        "kunjungan-monitoring.csv")
    assert visits.status_code == 200


def test_a_producer_sees_only_its_own_numbers(client, setup) -> None:
    login(client, setup["owner"])
    dashboard = client.get("/produsen").get_data(as_text=True)
    assert f"/produsen/{setup['mine']}/angka" in dashboard
    page = client.get(f"/produsen/{setup['mine']}/angka").get_data(as_text=True)
    assert "Sarung Samarinda" in page and "Rp800.000" in page
    assert "Rahasia" not in page and "990.000" not in page
    best = client.get(f"/produsen/{setup['mine']}/angka/unduh/produk-terlaris.csv")
    text = best.get_data().decode("utf-8-sig")
    assert "Sarung Samarinda" in text and "Rahasia" not in text
    assert client.get(f"/produsen/{setup['rival']}/angka").status_code == 404
    assert client.get(f"/produsen/{setup['rival']}/angka/unduh/produk-terlaris.csv"
                      ).status_code == 404


@pytest.mark.parametrize("who", ["staff", "buyer"])
def test_others_cannot_open_a_producers_own_numbers(client, setup, who) -> None:
    login(client, setup[who])
    assert client.get(f"/produsen/{setup['mine']}/angka").status_code == 404


def test_staff_find_visits_and_impact_from_the_producer_page(client, setup) -> None:
    login(client, setup["staff"])
    page = client.get(f"/produsen/{setup['mine']}").get_data(as_text=True)
    assert f"/dinas/hibah/{setup['grant']}/monitoring" in page
    assert f"/dinas/dampak/produsen/{setup['mine']}" in page
    login(client, setup["owner"])
    page = client.get(f"/produsen/{setup['mine']}").get_data(as_text=True)
    assert "/dinas/hibah/" not in page and "/dinas/dampak/" not in page
