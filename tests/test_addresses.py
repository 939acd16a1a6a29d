"""A buyer's address book: Indonesia's address structure from the region data, one default,
and nobody else's addresses."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.addresses import services
from marketplace.addresses.models import Address
from marketplace.addresses.services import AddressData
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.regions.models import Region
from tests.factories import make_user
from tests.helpers import login, post_form

RAWA_MAKMUR = "64.72.01.1001"  # Kel. Rawa Makmur, Kec. Palaran, Kota Samarinda; 75243
BIDUK_BIDUK = "64.03.08.2001"  # Desa Biduk-Biduk, Kabupaten Berau; 77373


def data(**overrides: str) -> AddressData:
    values = {"recipient_name": "Budi Santoso", "phone": "0812-3456-7890",
              "street": "Jl. Pangeran Antasari No. 12", "region_code": RAWA_MAKMUR,
              "rt": "3", "rw": "12", "postal_code": "", "label": "Rumah"}
    values.update(overrides)
    return AddressData(**values)


@pytest.fixture
def buyer(app: Flask, db, ctx):
    return make_user()


# --- services ----------------------------------------------------------------------------------

def test_an_address_is_cleaned_and_the_first_is_the_default(buyer) -> None:
    home = services.create_address(buyer, data(street="  Jl.  Antasari   12 "))
    assert (home.recipient_name, home.phone, home.street, home.rt, home.rw, home.postal_code,
            home.is_default) == ("Budi Santoso", "+6281234567890", "Jl. Antasari 12", "003",
                                 "012", "75243", True)
    office = services.create_address(buyer, data(label="Kantor", region_code=BIDUK_BIDUK,
                                                 rt="", rw=""))
    assert (office.is_default, office.rt, office.postal_code) == (False, "", "77373")
    assert [a.id for a in services.addresses_of(buyer)] == [home.id, office.id]
    assert services.default_address(buyer) is home


def test_the_postal_code_comes_from_the_region_data(buyer) -> None:
    address = services.create_address(buyer, data(postal_code="11111"))
    assert address.postal_code == "75243"


def test_a_region_without_postal_code_needs_five_typed_digits(buyer) -> None:
    _db.session.add(Region(code="64.72.01.9999", name="Kampung Uji", level=4, kind="desa",
                           parent_code="64.72.01", postal_code=None))
    _db.session.flush()
    with pytest.raises(ServiceError) as error:
        services.create_address(buyer, data(region_code="64.72.01.9999"))
    assert error.value.field == "postal_code"
    with pytest.raises(ServiceError) as error:
        services.create_address(buyer, data(region_code="64.72.01.9999", postal_code="7524"))
    assert error.value.field == "postal_code"
    address = services.create_address(buyer, data(region_code="64.72.01.9999",
                                                  postal_code="75249"))
    assert address.postal_code == "75249"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"recipient_name": "  "}, "recipient_name"),
    ({"recipient_name": "x" * 101}, "recipient_name"),
    ({"phone": ""}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"street": ""}, "street"),
    ({"rt": "1234"}, "rt"),
    ({"rt": "0"}, "rt"),
    ({"rw": "1a"}, "rw"),
    ({"region_code": "64.72.01.9998"}, "region_code"),  # no such kelurahan/desa
    ({"region_code": "64.72.01"}, "region_code"),  # a kecamatan is not enough
    ({"region_code": ""}, "region_code"),
    ({"label": "x" * 41}, "label"),
])
def test_bad_input_is_refused_and_nothing_is_saved(buyer, overrides, field) -> None:
    with pytest.raises(ServiceError) as error:
        services.create_address(buyer, data(**overrides))
    assert error.value.field == field
    _db.session.rollback()
    assert services.addresses_of(buyer) == []


def test_the_default_moves_and_survives_a_deletion(buyer) -> None:
    first = services.create_address(buyer, data())
    second = services.create_address(buyer, data(label="Kantor"))
    third = services.create_address(buyer, data(label="Orang tua"))
    services.set_default(buyer, second)
    assert [a.is_default for a in (first, second, third)] == [False, True, False]
    services.delete_address(buyer, second)
    assert services.default_address(buyer).id == third.id  # the newest remaining
    services.delete_address(buyer, first)
    assert [a.id for a in services.addresses_of(buyer)] == [third.id]


def test_nobody_changes_another_users_address(buyer) -> None:
    address = services.create_address(buyer, data())
    other = make_user()
    assert services.get_address(other, address.id) is None
    for change in (lambda: services.update_address(other, address, data(street="Jl. Lain")),
                   lambda: services.set_default(other, address),
                   lambda: services.delete_address(other, address)):
        with pytest.raises(ServiceError):
            change()
    _db.session.rollback()
    assert services.get_address(buyer, address.id).street == "Jl. Pangeran Antasari No. 12"


def test_an_address_book_is_bounded(buyer, monkeypatch) -> None:
    monkeypatch.setattr(services, "MAX_ADDRESSES", 2)
    services.create_address(buyer, data())
    services.create_address(buyer, data())
    with pytest.raises(ServiceError):
        services.create_address(buyer, data())


@pytest.mark.parametrize(("code", "text"), [
    (RAWA_MAKMUR, "Kel. Rawa Makmur, Kec. Palaran, Kota Samarinda, "
                  "Provinsi Kalimantan Timur"),
    (BIDUK_BIDUK, "Desa Biduk-Biduk, Kec. Biduk-Biduk, Kabupaten Berau, "
                  "Provinsi Kalimantan Timur"),
    ("31.71.01.1001", "Kel. Gambir, Kec. Gambir, Kota Administrasi Jakarta Pusat, "
                      "Daerah Khusus Ibukota Jakarta"),
    ("64.72", "Kota Samarinda, Provinsi Kalimantan Timur"),
    ("64.72.01.9998", ""),
    ("", ""),
])
def test_region_text_is_what_a_label_prints(app, db, ctx, code, text) -> None:
    assert services.region_text(code) == text


# --- pages -------------------------------------------------------------------------------------

@dataclass
class World:
    buyer: str
    address_id: int
    other: str
    other_address_id: int


@pytest.fixture
def world(app: Flask, db) -> World:
    with app.app_context():
        buyer, other = make_user(email="buyer@example.test"), make_user(Role.PRODUCER)
        mine = services.create_address(buyer, data())
        theirs = services.create_address(other, data(recipient_name="Rahasia Orang Lain",
                                                     region_code=BIDUK_BIDUK))
        return World(buyer.email, mine.id, other.email, theirs.id)


def _addresses(app: Flask, email: str) -> list[tuple]:
    with app.app_context():
        rows = _db.session.scalars(select(Address).join(User, User.id == Address.user_id)
                                   .where(User.email == email).order_by(Address.id))
        return [(a.label, a.recipient_name, a.phone, a.street, a.rt, a.rw, a.region_code,
                 a.postal_code, a.is_default) for a in rows]


MINE = ("Rumah", "Budi Santoso", "+6281234567890", "Jl. Pangeran Antasari No. 12", "003", "012",
        RAWA_MAKMUR, "75243", True)
THEIRS = ("Rumah", "Rahasia Orang Lain", "+6281234567890", "Jl. Pangeran Antasari No. 12",
          "003", "012", BIDUK_BIDUK, "77373", True)


def test_the_account_page_links_to_the_address_book(client, world) -> None:
    login(client, world.buyer)
    html = client.get("/akun").get_data(as_text=True)
    assert 'href="/akun/alamat"' in html


def test_the_list_shows_only_my_addresses(client, world) -> None:
    login(client, world.buyer)
    html = client.get("/akun/alamat").get_data(as_text=True)
    assert "Budi Santoso" in html and "Rahasia Orang Lain" not in html
    assert "Kel. Rawa Makmur, Kec. Palaran, Kota Samarinda" in html and "Alamat Utama" in html


def test_adding_an_address_in_two_steps_without_javascript(app, client, world) -> None:
    login(client, world.buyer)
    form = {"label": "Kantor", "recipient_name": "Budi di Kantor", "phone": "0541 123456",
            "street": "Jl. Gajah Mada No. 1", "rt": "7", "rw": "", "postal_code": "",
            "kabupaten": "64.03", "region_code": ""}
    # Step 1: "Show villages" lists Berau's villages grouped by kecamatan, and saves nothing.
    response = post_form(client, "/akun/alamat/baru", {**form, "action": "choose_region"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'label="Biduk-Biduk"' in html
    assert f'value="{BIDUK_BIDUK}"' in html and 'value="64.72.01.1001"' not in html
    assert len(_addresses(app, world.buyer)) == 1
    # Step 2: save with the village chosen.
    response = post_form(client, "/akun/alamat/baru", {**form, "region_code": BIDUK_BIDUK})
    assert response.status_code == 302 and response.headers["Location"] == "/akun/alamat"
    assert _addresses(app, world.buyer)[1] == (
        "Kantor", "Budi di Kantor", "+62541123456", "Jl. Gajah Mada No. 1", "007", "",
        BIDUK_BIDUK, "77373", False)


def test_the_region_list_covers_indonesia_with_kaltim_first(client, world) -> None:
    login(client, world.buyer)
    html = client.get("/akun/alamat/baru").get_data(as_text=True)
    assert 'label="Kalimantan Timur"' in html and 'value="31.71"' in html
    assert html.index('value="64.72"') < html.index('value="31.71"')


@pytest.mark.parametrize(("overrides", "message"), [
    ({"phone": "12"}, "Masukkan nomor telepon Indonesia"),
    ({"rt": "ab"}, "RT dan RW berupa angka maksimal 3 digit"),
    ({"kabupaten": "64.72", "region_code": "64.72.01.9998"}, "Pilih kelurahan/desa dari daftar."),
    ({"kabupaten": "64.03", "region_code": RAWA_MAKMUR}, "tidak berada di kabupaten/kota"),
    ({"recipient_name": ""}, "Masukkan nama penerima"),
])
def test_bad_input_gets_a_message_and_changes_nothing(app, client, world, overrides,
                                                      message) -> None:
    login(client, world.buyer)
    url = f"/akun/alamat/{world.address_id}/ubah"
    form = {"label": "Rumah", "recipient_name": "Budi", "phone": "081234567890",
            "street": "Jl. Baru", "rt": "1", "rw": "2", "postal_code": "",
            "kabupaten": "64.72", "region_code": RAWA_MAKMUR, **overrides}
    response = post_form(client, url, form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and 'id="form-errors"' in html
    assert _addresses(app, world.buyer) == [MINE]


def test_editing_my_address(app, client, world) -> None:
    login(client, world.buyer)
    url = f"/akun/alamat/{world.address_id}/ubah"
    page = client.get(url).get_data(as_text=True)
    assert f'<option selected value="{RAWA_MAKMUR}">' in page  # the saved village is preselected
    response = post_form(client, url, {
        "label": "Rumah", "recipient_name": "Budi Santoso", "phone": "+62 812 3456 7890",
        "street": "Jl. Pangeran Antasari No. 14", "rt": "003", "rw": "012",
        "postal_code": "", "kabupaten": "64.72", "region_code": RAWA_MAKMUR})
    assert response.status_code == 302
    assert _addresses(app, world.buyer)[0][3] == "Jl. Pangeran Antasari No. 14"


def test_deleting_and_choosing_the_main_address(app, client, world) -> None:
    login(client, world.buyer)
    post_form(client, "/akun/alamat/baru", {
        "recipient_name": "Ibu", "phone": "081298765432", "street": "Jl. Juanda 3",
        "kabupaten": "64.72", "region_code": RAWA_MAKMUR})
    second = _addresses(app, world.buyer)[1]
    assert second[8] is False
    with app.app_context():
        second_id = max(a.id for a in services.addresses_of(
            _db.session.scalar(select(User).where(User.email == world.buyer))))
    response = post_form(client, f"/akun/alamat/{second_id}/utama", {}, page="/akun/alamat")
    assert response.status_code == 302
    assert [a[8] for a in _addresses(app, world.buyer)] == [False, True]
    url = f"/akun/alamat/{second_id}/hapus"
    assert "Hapus alamat ini?" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {}).status_code == 302
    assert _addresses(app, world.buyer) == [MINE]  # the remaining one is the main again


def test_another_users_address_is_404(app, client, world) -> None:
    login(client, world.buyer)
    theirs = f"/akun/alamat/{world.other_address_id}"
    assert client.get(theirs + "/ubah").status_code == 404
    assert client.get(theirs + "/hapus").status_code == 404
    for url, form in ((theirs + "/ubah", {"recipient_name": "Diubah", "phone": "081234567890",
                                         "street": "Jl. X", "kabupaten": "64.72",
                                         "region_code": RAWA_MAKMUR}),
                      (theirs + "/hapus", {}), (theirs + "/utama", {})):
        assert post_form(client, url, form, page="/akun/alamat").status_code == 404
    assert _addresses(app, world.other) == [THEIRS]


def test_anonymous_visitors_are_sent_to_sign_in(client, world) -> None:
    for url in ("/akun/alamat", "/akun/alamat/baru", f"/akun/alamat/{world.address_id}/ubah"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def test_forms_need_the_csrf_token(app, client, world) -> None:
    login(client, world.buyer)
    mine = f"/akun/alamat/{world.address_id}"
    assert client.post("/akun/alamat/baru", data={
        "recipient_name": "X", "phone": "081234567890", "street": "Jl. X",
        "kabupaten": "64.72", "region_code": RAWA_MAKMUR}).status_code == 400
    assert client.post(mine + "/hapus").status_code == 400
    assert client.post(mine + "/utama").status_code == 400
    assert client.post(mine + "/ubah", data={"street": "Jl. Lain"}).status_code == 400
    assert _addresses(app, world.buyer) == [MINE]
