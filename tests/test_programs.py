"""Aid programmes and grants: staff-only pages, the programme form's rules, grants by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.producers.models import ProducerEvent
from marketplace.programs import services
from marketplace.programs.models import AidProgram, FundingSource, Grant, GrantItem
from marketplace.programs.rules import ItemData, parse_rupiah
from tests.factories import make_producer, make_program, make_user
from tests.helpers import login, post_form


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def setup(app: Flask, db) -> dict[str, object]:
    with app.app_context():
        users = {role: make_user(role, email=f"{role.value}@example.test").email for role in Role}
        program = make_program()
        producer = make_producer(name="Anyaman Rotan Teluk Sumbang")
        return {"users": users, "program": program.id, "producer": producer.id}


PROGRAM = {
    "name": "Bantuan Alat Anyam Rotan 2025",
    "fiscal_year": "2025",
    "funding_source": "did",
    "legal_basis": "SK Kepala Dinas No. 500/88/DPPKUKM/2025",
    "budget": "750.000.000",
    "target_sectors": ["rotan_anyaman", "kerajinan_kayu"],
    "target_regions": ["64.03", "64.01"],
}


# --- access --------------------------------------------------------------------------------

def _staff_pages(setup: dict[str, object]) -> list[str]:
    p = setup["program"]
    return ["/dinas/program", "/dinas/program/baru", f"/dinas/program/{p}",
            f"/dinas/program/{p}/ubah", f"/dinas/program/{p}/hibah/baru",
            f"/dinas/program/{p}/impor", f"/dinas/program/{p}/kode-klaim"]


@pytest.mark.parametrize("role", [Role.BUYER, Role.PRODUCER])
def test_buyers_and_producers_are_refused(client, setup, role):
    login(client, setup["users"][role])
    for url in _staff_pages(setup):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", [Role.BUYER, Role.PRODUCER])
def test_buyers_and_producers_cannot_post(app, client, setup, role):
    login(client, setup["users"][role])
    p = setup["program"]
    assert post_form(client, "/dinas/program/baru", PROGRAM, page="/").status_code == 403
    assert post_form(client, f"/dinas/program/{p}/ubah", PROGRAM, page="/").status_code == 403
    assert post_form(client, f"/dinas/program/{p}/hibah/baru", {"producer_id": 1},
                     page="/").status_code == 403
    assert _count(app, AidProgram) == 1 and _count(app, Grant) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, setup):
    for url in _staff_pages(setup):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], url


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_and_admins_open_every_page(client, setup, role):
    login(client, setup["users"][role])
    for url in _staff_pages(setup):
        assert client.get(url).status_code == 200, url


def test_unknown_programme_is_404(client, setup):
    login(client, setup["users"][Role.STAFF])
    for url in ("/dinas/program/999", "/dinas/program/999/ubah", "/dinas/program/999/hibah/baru",
                "/dinas/program/999/impor", "/dinas/program/999/kode-klaim"):
        assert client.get(url).status_code == 404, url


# --- programmes ----------------------------------------------------------------------------

def test_staff_create_a_programme(app, client, setup):
    login(client, setup["users"][Role.STAFF])
    response = post_form(client, "/dinas/program/baru", PROGRAM)
    assert response.status_code == 302
    with app.app_context():
        program = _db.session.scalar(select(AidProgram).where(
            AidProgram.name == PROGRAM["name"]))
        assert program.budget_idr == 750_000_000
        assert program.fiscal_year == 2025 and program.funding_source is FundingSource.DID
        assert program.target_sectors == ["rotan_anyaman", "kerajinan_kayu"]
        assert program.target_regions == ["64.03", "64.01"]
        assert response.headers["Location"] == f"/dinas/program/{program.id}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rp750.000.000" in html and "Kabupaten Berau" in html
    listing = client.get("/dinas/program").get_data(as_text=True)
    assert PROGRAM["name"] in listing and "Rp750.000.000" in listing


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x" * 161}, "name"),
    ({"fiscal_year": "1999"}, "fiscal_year"),
    ({"fiscal_year": str(utcnow().year + 2)}, "fiscal_year"),
    ({"fiscal_year": "dua"}, "fiscal_year"),
    ({"funding_source": "hibah_asing"}, "funding_source"),
    ({"budget": "-750000"}, "budget"),
    ({"budget": "tujuh ratus"}, "budget"),
    ({"budget": "750.000,5"}, "budget"),
    ({"budget": "1.000.000.000.000.000"}, "budget"),
    ({"budget": ""}, "budget"),
    ({"legal_basis": "x" * 201}, "legal_basis"),
    ({"target_sectors": ["perikanan"]}, "target_sectors"),
    ({"target_regions": ["31.71"]}, "target_regions"),
    ({"target_regions": ["64.03.08"]}, "target_regions"),
])
def test_bad_programme_input_is_refused_and_changes_nothing(app, client, setup, change, field):
    login(client, setup["users"][Role.STAFF])
    response = post_form(client, "/dinas/program/baru", {**PROGRAM, **change})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(app, AidProgram) == 1


def test_next_fiscal_year_and_plain_digits_are_accepted(app, client, setup):
    login(client, setup["users"][Role.STAFF])
    year = str(utcnow().year + 1)
    response = post_form(client, "/dinas/program/baru",
                         {**PROGRAM, "fiscal_year": year, "budget": "750000000",
                          "target_sectors": [], "target_regions": []})
    assert response.status_code == 302
    with app.app_context():
        program = _db.session.scalar(select(AidProgram).order_by(AidProgram.id.desc()))
        assert program.fiscal_year == int(year) and program.budget_idr == 750_000_000
        assert program.target_sectors == [] and program.target_regions == []


def test_staff_edit_a_programme(app, client, setup):
    login(client, setup["users"][Role.STAFF])
    url = f"/dinas/program/{setup['program']}/ubah"
    form = client.get(url).get_data(as_text=True)
    assert 'value="750000000"' in form and 'value="2024"' in form
    response = post_form(client, url, {**PROGRAM, "budget": "Rp 1.250.000.000"})
    assert response.status_code == 302
    with app.app_context():
        program = _db.session.get(AidProgram, setup["program"])
        assert program.name == PROGRAM["name"] and program.budget_idr == 1_250_000_000


def test_edit_refuses_bad_input(app, client, setup):
    login(client, setup["users"][Role.STAFF])
    url = f"/dinas/program/{setup['program']}/ubah"
    response = post_form(client, url, {**PROGRAM, "budget": "-1"})
    assert 'id="budget-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(AidProgram, setup["program"]).budget_idr == 750_000_000


@pytest.mark.parametrize(("text", "amount"), [
    ("750.000.000", 750_000_000), ("750000000", 750_000_000), ("Rp 750.000.000", 750_000_000),
    ("Rp750.000.000,00", 750_000_000), (3250000, 3_250_000), (3250000.0, 3_250_000), ("0", 0),
])
def test_parse_rupiah_accepts(text, amount):
    assert parse_rupiah(text, "budget", 10**12) == amount


@pytest.mark.parametrize("text", ["-5", "75.00.000", "1,5 juta", "", "12.5", 3.5, True, "Rp"])
def test_parse_rupiah_refuses(text):
    with pytest.raises(services.ServiceError):
        parse_rupiah(text, "budget", 10**12)


def test_programmes_list_counts_recipients(ctx):
    staff = make_user(Role.STAFF)
    program = make_program(name="Bantuan Mesin Jahit 2024")
    for n in range(2):
        services.add_grant(staff, program, services.GrantData(
            producer_id=make_producer(name=f"Penjahit {n}").id,
            items=[ItemData(name="Mesin jahit", quantity=1, unit_value="3.250.000")]))
    make_program(name="Kosong 2023", fiscal_year=2023)
    assert [(p.name, n) for p, n in services.list_programs()] == [
        ("Bantuan Mesin Jahit 2024", 2), ("Kosong 2023", 0)]


# --- grants --------------------------------------------------------------------------------

GRANT = {
    "handover_date": "2024-07-22", "handover_place": "Balai Kampung Teluk Sumbang",
    "bast_number": "BAST/061/DPPKUKM/VII/2024",
    "items-0-name": "Alat pembelah rotan", "items-0-category": "Alat anyam rotan",
    "items-0-quantity": "2", "items-0-unit_value": "6.500.000", "items-0-serial_number": "",
    "items-1-name": "Mesin jahit kulit", "items-1-category": "", "items-1-quantity": "1",
    "items-1-unit_value": "4250000", "items-1-serial_number": "MJK-001",
    "items-2-name": "", "items-2-category": "", "items-2-quantity": "",
    "items-2-unit_value": "", "items-2-serial_number": "",
}


def test_staff_add_a_grant_by_hand(app, client, setup):
    login(client, setup["users"][Role.STAFF])
    url = f"/dinas/program/{setup['program']}/hibah/baru"
    response = post_form(client, url, {**GRANT, "producer_id": setup["producer"]})
    assert response.status_code == 302
    with app.app_context():
        grant = _db.session.scalar(select(Grant))
        assert grant.producer_id == setup["producer"]
        assert grant.handover_date == dt.date(2024, 7, 22)
        assert [(i.name, i.category, i.quantity, i.unit_value_idr, i.serial_number)
                for i in grant.items] == [
            ("Alat pembelah rotan", "Alat anyam rotan", 2, 6_500_000, ""),
            ("Mesin jahit kulit", "Mesin jahit kulit", 1, 4_250_000, "MJK-001")]
        assert _db.session.scalar(select(ProducerEvent.action).where(
            ProducerEvent.producer_id == setup["producer"])) == "grant_added"
    html = client.get(f"/dinas/program/{setup['program']}").get_data(as_text=True)
    assert "Rp17.250.000" in html and "BAST/061/DPPKUKM/VII/2024" in html
    assert "Anyaman Rotan Teluk Sumbang" in html


@pytest.mark.parametrize(("change", "field"), [
    ({"producer_id": "0"}, "producer_id"),
    ({"producer_id": "99999"}, "producer_id"),
    ({"items-0-name": "", "items-1-name": "", "items-0-category": "", "items-0-quantity": "",
      "items-0-unit_value": "", "items-1-quantity": "", "items-1-unit_value": "",
      "items-1-serial_number": ""}, "items-0-name"),
    ({"items-0-quantity": "0"}, "items-0-quantity"),
    ({"items-1-quantity": "dua"}, "items-1-quantity"),
    ({"items-0-unit_value": "-6500000"}, "items-0-unit_value"),
    ({"items-1-unit_value": "99.000.000.000"}, "items-1-unit_value"),
    ({"items-1-name": ""}, "items-1-name"),
    ({"handover_date": "1999-12-31"}, "handover_date"),
    ({"handover_date": "kemarin"}, "handover_date"),
])
def test_bad_grant_input_is_refused(app, client, setup, change, field):
    login(client, setup["users"][Role.STAFF])
    url = f"/dinas/program/{setup['program']}/hibah/baru"
    response = post_form(client, url, {**GRANT, "producer_id": setup["producer"], **change})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(app, Grant) == 0 and _count(app, GrantItem) == 0


def test_a_producer_gets_one_grant_per_programme(app, client, setup):
    login(client, setup["users"][Role.STAFF])
    url = f"/dinas/program/{setup['program']}/hibah/baru"
    assert post_form(client, url, {**GRANT, "producer_id": setup["producer"]}).status_code == 302
    # the form no longer offers it, and a forged post is refused
    assert f'value="{setup["producer"]}"' not in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {**GRANT, "producer_id": setup["producer"]})
    assert 'id="producer_id-error"' in response.get_data(as_text=True)
    assert _count(app, Grant) == 1


def test_only_staff_may_add_grants_through_the_service(ctx):
    buyer = make_user(Role.BUYER)
    with pytest.raises(services.ServiceError):
        services.add_grant(buyer, make_program(), services.GrantData(
            producer_id=make_producer().id, items=[ItemData(name="Mesin", quantity=1)]))
    with pytest.raises(services.ServiceError):
        services.create_program(buyer, services.ProgramData(
            name="X", fiscal_year=2024, funding_source="apbd", budget="1"))
    assert _db.session.scalar(select(func.count()).select_from(Grant)) == 0
