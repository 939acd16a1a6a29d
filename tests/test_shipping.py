"""A producer's shipping settings (services and pages) and the options checkout offers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.producers.services import AccessDenied
from marketplace.shipping import services
from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate
from marketplace.shipping.rates import Parcel
from marketplace.shipping.services import MethodData
from tests.factories import make_producer, make_user
from tests.helpers import login, post_form

SAMARINDA_VILLAGE = "64.72.01.1001"
BERAU_VILLAGE = "64.03.08.2001"
JAKARTA_VILLAGE = "31.71.01.1001"


# --- services ----------------------------------------------------------------------------------

@pytest.fixture
def shop(app: Flask, db, ctx):
    owner = make_user(Role.PRODUCER)
    return owner, make_producer(owner)


def test_a_member_creates_methods_in_order(shop) -> None:
    owner, producer = shop
    pickup = services.create_method(owner, producer, MethodData(
        "Ambil di toko", "pickup", courier="JNE", note="Senin–Sabtu  08.00–16.00"))
    courier = services.create_method(owner, producer, MethodData(
        "  Paket   reguler ", "courier", courier="Kurir Lokal Berau"))
    assert (pickup.kind, pickup.courier, pickup.note) == (
        ShippingKind.PICKUP, "", "Senin–Sabtu 08.00–16.00")  # no courier on a pickup
    assert (courier.name, courier.courier, courier.active) == (
        "Paket reguler", "Kurir Lokal Berau", True)
    assert [m.id for m in services.methods_of(producer)] == [pickup.id, courier.id]


@pytest.mark.parametrize(("data", "field"), [
    (MethodData("Kirim", "teleport"), "kind"),
    (MethodData("", "flat"), "name"),
    (MethodData("x" * 81, "flat"), "name"),
    (MethodData("JNE", "courier", courier="   "), "courier"),
    (MethodData("Kurir", "courier", courier="x" * 41), "courier_other"),
    (MethodData("Ambil", "pickup", note="x" * 201), "note"),
])
def test_a_bad_method_is_refused_and_nothing_is_saved(shop, data, field) -> None:
    owner, producer = shop
    with pytest.raises(ServiceError) as error:
        services.create_method(owner, producer, data)
    assert error.value.field == field
    _db.session.rollback()
    assert services.methods_of(producer) == []


def test_only_members_manage_methods(shop) -> None:
    owner, producer = shop
    method = services.create_method(owner, producer, MethodData("Kirim", "flat"))
    for stranger in (make_user(Role.PRODUCER), make_user(Role.STAFF), make_user()):
        with pytest.raises(AccessDenied):
            services.create_method(stranger, producer, MethodData("Kirim", "flat"))
        with pytest.raises(AccessDenied):
            services.set_rate(stranger, method, "64", 10_000)
        with pytest.raises(AccessDenied):
            services.set_active(stranger, method, False)
    assert len(services.methods_of(producer)) == 1 and method.active and not method.rates


@pytest.mark.parametrize(("zone", "first", "further", "field"), [
    ("64.72", -1, 0, "first_kg"),
    ("64.72", 5_000_001, 0, "first_kg"),  # absurd
    ("64.72", None, 0, "first_kg"),
    ("64.72", 20_000, -5, "next_kg"),
    ("64.72", 20_000, 10**12, "next_kg"),
    ("99.99", 20_000, 0, "zone"),  # no such kabupaten/kota
    ("64.72.01", 20_000, 0, "zone"),  # a kecamatan is not a zone
    (SAMARINDA_VILLAGE, 20_000, 0, "zone"),
    ("", 20_000, 0, "zone"),
])
def test_a_bad_rate_is_refused_and_nothing_is_saved(shop, zone, first, further, field) -> None:
    owner, producer = shop
    method = services.create_method(owner, producer, MethodData("JNE", "courier", "JNE"))
    with pytest.raises(ServiceError) as error:
        services.set_rate(owner, method, zone, first, further)
    assert error.value.field == field
    _db.session.rollback()
    assert _db.session.scalars(select(ShippingRate)).all() == []


def test_a_rate_to_a_zone_that_has_one_replaces_it(shop) -> None:
    owner, producer = shop
    method = services.create_method(owner, producer, MethodData("JNE", "courier", "JNE"))
    services.set_rate(owner, method, "64.72", 18_000, 12_000)
    services.set_rate(owner, method, "64.72", 20_000, 14_000)
    services.set_rate(owner, method, "64", 35_000, 30_000)
    assert [(r.destination_code, r.first_kg_idr, r.next_kg_idr) for r in method.rates] == [
        ("64", 35_000, 30_000), ("64.72", 20_000, 14_000)]
    services.remove_rate(owner, method, method.rates[0].id)
    assert [r.destination_code for r in method.rates] == ["64.72"]
    assert len(_db.session.scalars(select(ShippingRate)).all()) == 1


def test_flat_rates_have_one_price_and_pickup_none(shop) -> None:
    owner, producer = shop
    flat = services.create_method(owner, producer, MethodData("Kirim", "flat"))
    rate = services.set_rate(owner, flat, "64.72", 15_000, 99_000)
    assert (rate.first_kg_idr, rate.next_kg_idr) == (15_000, 0)
    pickup = services.create_method(owner, producer, MethodData("Ambil", "pickup"))
    with pytest.raises(ServiceError):
        services.set_rate(owner, pickup, "64.72", 5_000)


def test_the_kind_of_a_method_does_not_change(shop) -> None:
    owner, producer = shop
    method = services.create_method(owner, producer, MethodData("JNE", "courier", "JNE"))
    services.update_method(owner, method, MethodData("SiCepat REG", "pickup", "SiCepat", "2 hari"))
    assert (method.kind, method.name, method.courier, method.note) == (
        ShippingKind.COURIER, "SiCepat REG", "SiCepat", "2 hari")


# --- options for checkout ----------------------------------------------------------------------

@pytest.fixture
def priced(shop):
    """Pickup, a flat rate in Samarinda, a JNE table for Kaltim, an inactive courier."""
    owner, producer = shop
    pickup = services.create_method(owner, producer, MethodData("Ambil", "pickup"))
    flat = services.create_method(owner, producer, MethodData("Dalam kota", "flat"))
    services.set_rate(owner, flat, "64.72", 15_000)
    jne = services.create_method(owner, producer, MethodData("JNE REG", "courier", "JNE"))
    services.set_rate(owner, jne, "64", 35_000, 30_000)
    services.set_rate(owner, jne, "64.72", 18_000, 12_000)
    old = services.create_method(owner, producer, MethodData("Pos", "courier", "POS Indonesia"))
    services.set_rate(owner, old, "31", 50_000, 50_000)
    services.set_active(owner, old, False)
    return producer, pickup, flat, jne


def test_options_are_the_active_methods_that_deliver_there(priced) -> None:
    producer, pickup, flat, jne = priced
    parcels = [Parcel(2, 700)]  # 1.4 kg -> 2 kg
    samarinda = services.options_for(producer.id, SAMARINDA_VILLAGE, parcels)
    assert [(o.method.id, o.price_idr, o.weight_kg) for o in samarinda] == [
        (pickup.id, 0, 2), (flat.id, 15_000, 2), (jne.id, 18_000 + 12_000, 2)]
    berau = services.options_for(producer.id, BERAU_VILLAGE, iter(parcels))
    assert [(o.method.id, o.price_idr) for o in berau] == [(pickup.id, 0),
                                                           (jne.id, 65_000)]
    # The inactive POS method priced Jakarta: only pickup is left there.
    assert [o.method.id for o in services.options_for(producer.id, JAKARTA_VILLAGE, parcels)] \
        == [pickup.id]


def test_options_never_include_another_producers_methods(priced) -> None:
    other_owner = make_user(Role.PRODUCER)
    other = make_producer(other_owner)
    assert services.options_for(other.id, SAMARINDA_VILLAGE, [Parcel(1, 100)]) == []
    mine = services.create_method(other_owner, other, MethodData("Ambil", "pickup"))
    assert [o.method.id for o in services.options_for(other.id, SAMARINDA_VILLAGE, [])] == [
        mine.id]


def test_options_load_methods_and_rates_in_two_statements(priced) -> None:
    producer_id = priced[0].id
    _db.session.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        options = services.options_for(producer_id, SAMARINDA_VILLAGE, [Parcel(1, 500)])
        assert len(options) == 3
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


# --- pages -------------------------------------------------------------------------------------

@dataclass
class World:
    owner: str
    producer_id: int
    other: str
    other_id: int
    other_method_id: int
    other_rate_id: int


@pytest.fixture
def world(app: Flask, db) -> World:
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="owner@example.test")
        other = make_user(Role.PRODUCER, email="other@example.test")
        mine, theirs = make_producer(owner), make_producer(other)
        method = services.create_method(other, theirs, MethodData("JNE", "courier", "JNE"))
        rate = services.set_rate(other, method, "64.72", 18_000, 12_000)
        return World(owner.email, mine.id, other.email, theirs.id, method.id, rate.id)


def _methods(app: Flask, producer_id: int) -> list[tuple]:
    with app.app_context():
        return [(m.kind.value, m.name, m.courier, m.note, m.active,
                 [(r.destination_code, r.first_kg_idr, r.next_kg_idr) for r in m.rates])
                for m in _db.session.scalars(select(ShippingMethod).where(
                    ShippingMethod.producer_id == producer_id).order_by(ShippingMethod.id))]


def _method_id(app: Flask, producer_id: int) -> int:
    with app.app_context():
        return _db.session.scalar(select(ShippingMethod.id).where(
            ShippingMethod.producer_id == producer_id).order_by(ShippingMethod.id.desc()))


def test_the_dashboard_links_to_shipping(client, world) -> None:
    login(client, world.owner)
    html = client.get("/produsen").get_data(as_text=True)
    assert f'href="/produsen/{world.producer_id}/pengiriman"' in html


def test_a_member_sets_up_pickup_and_a_courier_table(app, client, world) -> None:
    login(client, world.owner)
    base = f"/produsen/{world.producer_id}/pengiriman"
    response = post_form(client, base + "/baru", {
        "kind": "pickup", "name": "Ambil di toko", "note": "Senin–Sabtu 08.00–16.00"},
        page=base + "/baru?jenis=pickup")
    assert response.status_code == 302 and response.headers["Location"] == base
    response = post_form(client, base + "/baru", {
        "kind": "courier", "name": "Kurir Samarinda", "courier": "lain",
        "courier_other": "Kurir Kilat Mahakam"})
    assert response.status_code == 302
    method_url = f"{base}/{_method_id(app, world.producer_id)}"
    assert response.headers["Location"] == method_url + "#rates"
    page = client.get(method_url).get_data(as_text=True)
    assert "Kalimantan Timur" in page and 'value="64.72"' in page  # zones from the region data
    assert page.index('value="64"') < page.index('value="31"')  # Kaltim first
    for zone, first, further in (("64.72", "Rp18.000", "12.000"), ("64", "35000", "30.000")):
        response = post_form(client, method_url + "/tarif", {
            "rate-zone": zone, "rate-first_kg": first, "rate-next_kg": further},
            page=method_url)
        assert response.status_code == 302
    assert _methods(app, world.producer_id) == [
        ("pickup", "Ambil di toko", "", "Senin–Sabtu 08.00–16.00", True, []),
        ("courier", "Kurir Samarinda", "Kurir Kilat Mahakam", "", True,
         [("64", 35_000, 30_000), ("64.72", 18_000, 12_000)])]
    html = client.get(method_url).get_data(as_text=True)
    assert "Kota Samarinda" in html and "Rp18.000" in html and "Rp30.000" in html


def test_deleting_a_rate_and_deactivating_a_method(app, client, world) -> None:
    login(client, world.other)
    base = f"/produsen/{world.other_id}/pengiriman/{world.other_method_id}"
    response = post_form(client, f"{base}/tarif/{world.other_rate_id}/hapus", {}, page=base)
    assert response.status_code == 302
    response = post_form(client, f"{base}/nonaktifkan", {}, page=base)
    assert response.status_code == 302
    assert _methods(app, world.other_id) == [("courier", "JNE", "JNE", "", False, [])]
    html = client.get(f"/produsen/{world.other_id}/pengiriman").get_data(as_text=True)
    assert "Tidak ditawarkan" in html


@pytest.mark.parametrize(("zone", "first", "message"), [
    ("64.72", "-5.000", "Masukkan harga dalam Rupiah"),
    ("64.72", "12.000.000", "Masukkan harga dari Rp0 sampai Rp5.000.000."),
    ("99.99", "10.000", "Pilih provinsi atau kabupaten/kota dari daftar."),
    ("64.72.01.1001", "10.000", "Pilih provinsi atau kabupaten/kota dari daftar."),
])
def test_a_bad_rate_gets_a_message_and_changes_nothing(app, client, world, zone, first,
                                                       message) -> None:
    login(client, world.other)
    base = f"/produsen/{world.other_id}/pengiriman/{world.other_method_id}"
    response = post_form(client, base + "/tarif", {
        "rate-zone": zone, "rate-first_kg": first, "rate-next_kg": "1.000"}, page=base)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and 'id="rate-errors"' in html
    assert _methods(app, world.other_id)[0][5] == [("64.72", 18_000, 12_000)]


def test_other_producers_methods_are_404(app, client, world) -> None:
    """My own producer in the URL with another producer's method or rate: 404, unchanged."""
    login(client, world.owner)
    mine = f"/produsen/{world.producer_id}/pengiriman"
    theirs = f"{mine}/{world.other_method_id}"
    assert client.get(theirs).status_code == 404
    for url, data in ((theirs, {"name": "Dicuri"}),
                      (theirs + "/tarif", {"rate-zone": "64", "rate-first_kg": "1"}),
                      (f"{theirs}/tarif/{world.other_rate_id}/hapus", {}),
                      (theirs + "/nonaktifkan", {})):
        assert post_form(client, url, data, page=mine).status_code == 404
    assert _methods(app, world.other_id) == [
        ("courier", "JNE", "JNE", "", True, [("64.72", 18_000, 12_000)])]


def test_a_rate_of_another_method_is_404(app, client, world) -> None:
    login(client, world.owner)
    base = f"/produsen/{world.producer_id}/pengiriman"
    post_form(client, base + "/baru", {"kind": "flat", "name": "Kirim"})
    url = f"{base}/{_method_id(app, world.producer_id)}/tarif/{world.other_rate_id}/hapus"
    assert post_form(client, url, {}, page=base).status_code == 404
    assert _methods(app, world.other_id)[0][5] == [("64.72", 18_000, 12_000)]


@pytest.mark.parametrize("who", ["buyer", "staff", "producer"])
def test_non_members_are_refused(app, client, world, who) -> None:
    with app.app_context():
        role = {"buyer": Role.BUYER, "staff": Role.STAFF, "producer": Role.PRODUCER}[who]
        email = make_user(role).email
    login(client, email)
    base = f"/produsen/{world.other_id}/pengiriman"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{world.other_method_id}").status_code == 404
    assert post_form(client, base + "/baru", {"kind": "pickup", "name": "X"},
                     page="/").status_code == 404
    assert len(_methods(app, world.other_id)) == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, world) -> None:
    response = client.get(f"/produsen/{world.other_id}/pengiriman")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def test_forms_need_the_csrf_token(app, client, world) -> None:
    login(client, world.other)
    base = f"/produsen/{world.other_id}/pengiriman"
    assert client.post(base + "/baru", data={"kind": "pickup", "name": "X"}).status_code == 400
    method = f"{base}/{world.other_method_id}"
    assert client.post(method + "/tarif", data={"rate-zone": "64", "rate-first_kg": "1"}
                       ).status_code == 400
    assert client.post(method + "/nonaktifkan").status_code == 400
    assert client.post(f"{method}/tarif/{world.other_rate_id}/hapus").status_code == 400
    assert _methods(app, world.other_id) == [
        ("courier", "JNE", "JNE", "", True, [("64.72", 18_000, 12_000)])]


# --- demo data ---------------------------------------------------------------------------------

def test_demo_shipping_gives_demo_producers_methods_and_the_buyer_an_address(app, db, ctx):
    from marketplace.addresses.services import addresses_of, region_text
    from marketplace.demo.shipping import load_shipping

    samarinda = make_producer(make_user(Role.PRODUCER), nib="9120001234561",
                              region_code="64.72.02.1010", street_address="Jl. Tenun 12")
    berau = make_producer(make_user(Role.PRODUCER), nib="9120001234564",
                          region_code="64.03.08.2004")
    stranger = make_producer(make_user(Role.PRODUCER), nib="9999999999999")
    buyer = make_user(email="pembeli@demo.test")
    assert load_shipping() == 6
    assert load_shipping() == 0  # idempotent
    assert services.methods_of(stranger) == []
    kinds = [(m.kind, m.name) for m in services.methods_of(samarinda)]
    assert [k for k, _ in kinds] == [ShippingKind.PICKUP, ShippingKind.FLAT, ShippingKind.COURIER]
    parcels = [Parcel(1, 1500)]  # 2 kg
    home = services.options_for(samarinda.id, "64.72.01.1001", parcels)
    assert [o.price_idr for o in home] == [0, 15_000, 12_000 + 10_000]
    jakarta = services.options_for(berau.id, "31.71.01.1001", parcels)
    assert [o.price_idr for o in jakarta] == [0, 56_000 + 50_000]
    to_samarinda = services.options_for(berau.id, "64.72.01.1001", parcels)
    assert [o.price_idr for o in to_samarinda] == [0, 22_000 + 18_000]
    assert [o.price_idr for o in services.options_for(berau.id, "64.03.08.2001", parcels)] == [
        0, 20_000, 12_000 + 10_000]  # own kabupaten: local delivery and the cheap JNE rate
    [address] = addresses_of(buyer)
    assert address.is_default and address.phone == "+6281255001234"
    assert region_text(address.region_code) == (
        "Kel. Sidodadi, Kec. Samarinda Ulu, Kota Samarinda, Provinsi Kalimantan Timur")
