"""A producer's own pages: dashboard, creating and editing the business profile, the logo
and the storefront banner, and who may see which producer."""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.media.photos import store_photo
from marketplace.media.storage import get_storage
from marketplace.notifications.models import Notice
from marketplace.producers import banner as banner_rules
from marketplace.producers import services
from marketplace.producers.models import (
    MemberRole,
    Producer,
    ProducerEvent,
    ProducerMember,
    ProducerStatus,
    Sector,
)
from marketplace.programs.models import Grant, GrantItem
from tests.factories import make_producer, make_program, make_user
from tests.helpers import login, post_form

BIDUK_BIDUK = "64.03.08.2001"  # a desa in Kecamatan Biduk-Biduk, Kabupaten Berau


@dataclass
class World:
    owner: str
    producer_id: int
    other: str
    other_id: int
    buyer: str
    staff: str


@pytest.fixture
def world(app: Flask, db) -> World:
    """Two producers, each with its own owner, plus a buyer and an agency staff member."""
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="owner@example.test", name="Siti Rahmah")
        other = make_user(Role.PRODUCER, email="other@example.test")
        mine = make_producer(owner, status=ProducerStatus.DRAFT, name="Anyaman Biduk")
        theirs = make_producer(other, status=ProducerStatus.DRAFT, name="Tenun Seberang",
                               logo_key="public/logos/theirs.png")
        return World(owner.email, mine.id, other.email, theirs.id,
                     make_user(Role.BUYER, email="buyer@example.test").email,
                     make_user(Role.STAFF, email="staff@example.test").email)


@pytest.fixture
def media(app: Flask, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))


def _producer(app: Flask, producer_id: int) -> Producer:
    with app.app_context():
        producer = _db.session.get(Producer, producer_id)
        assert producer is not None
        _db.session.expunge(producer)
        return producer


def _count(app: Flask, model: type, *where: object) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


PROFILE = {
    "name": "Anyaman Rotan Teluk Sumbang",
    "type": "kub",
    "sector": "rotan_anyaman",
    "owner_name": "Siti Rahmah",
    "story": "Kami menganyam rotan sejak 2010.",
    "kabupaten": "64.03",
    "region_code": BIDUK_BIDUK,
    "street_address": "Jl. Pantai No. 3",
    "postal_code": "",
    "phone": "0812-3456-7890",
    "whatsapp": "0812 3456 7891",
    "nib": "1234567890123",
    "npwp": "",
    "year_started": "2010",
    "workers_total": "12",
    "workers_women": "9",
}


# --- dashboard -------------------------------------------------------------------------------

def test_dashboard_lists_only_the_users_producers(client, world):
    login(client, world.owner)
    html = client.get("/produsen").get_data(as_text=True)
    assert f'id="producer-{world.producer_id}"' in html and "Anyaman Biduk" in html
    assert "Tenun Seberang" not in html and f"producer-{world.other_id}" not in html
    assert f'href="/produsen/{world.producer_id}/dokumen"' in html


def test_dashboard_without_a_producer_offers_to_create_or_claim(app, client):
    with app.app_context():
        email = make_user(Role.PRODUCER).email
    login(client, email)
    html = client.get("/produsen").get_data(as_text=True)
    assert 'id="no-producer"' in html
    assert 'href="/produsen/baru"' in html and 'href="/klaim"' in html


def test_dashboard_shows_the_agencys_reason(app, client, world):
    with app.app_context():
        producer = _db.session.get(Producer, world.producer_id)
        producer.status, producer.status_reason = ProducerStatus.CHANGES_NEEDED, "Foto KTP buram"
        _db.session.commit()
    login(client, world.owner)
    assert "Foto KTP buram" in client.get("/produsen").get_data(as_text=True)


def test_sign_in_sends_producers_to_their_dashboard(client, world):
    response = login(client, world.owner)
    assert response.headers["Location"] == "/produsen"
    assert client.get("/produsen").status_code == 200


# --- creating a producer ---------------------------------------------------------------------

def test_producer_user_creates_a_business_and_becomes_its_owner(app, client):
    with app.app_context():
        user = make_user(Role.PRODUCER, email="baru@example.test")
        user_id = user.id
    login(client, "baru@example.test")
    response = post_form(client, "/produsen/baru", PROFILE)
    assert response.status_code == 302
    with app.app_context():
        producer = _db.session.scalar(select(Producer).where(Producer.name == PROFILE["name"]))
        assert producer is not None
        assert response.headers["Location"] == f"/produsen/{producer.id}"
        assert producer.status is ProducerStatus.DRAFT
        assert producer.region_code == BIDUK_BIDUK
        assert producer.postal_code == "77373"  # from the village
        assert producer.phone == "+6281234567890" and producer.whatsapp == "+6281234567891"
        assert (producer.workers_total, producer.workers_women) == (12, 9)
        member = _db.session.scalar(select(ProducerMember).where(
            ProducerMember.producer_id == producer.id))
        assert (member.user_id, member.role) == (user_id, MemberRole.OWNER)
        assert _db.session.scalar(select(ProducerEvent.action).where(
            ProducerEvent.producer_id == producer.id)) == "created"


def test_a_buyer_who_creates_a_business_becomes_a_producer_user(app, client):
    with app.app_context():
        make_user(Role.BUYER, email="pembeli@example.test")
    login(client, "pembeli@example.test")
    assert post_form(client, "/produsen/baru", PROFILE).status_code == 302
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "pembeli@example.test"))
        assert user.role is Role.PRODUCER
    assert client.get("/produsen").status_code == 200


def test_staff_do_not_create_producers_here(client, world):
    login(client, world.staff)
    assert client.get("/produsen/baru").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"nib": "12345"}, "nib"),
        ({"npwp": "12.345"}, "npwp"),
        ({"phone": "12ab"}, "phone"),
        ({"whatsapp": "0000"}, "whatsapp"),
        ({"postal_code": "7737"}, "postal_code"),
        ({"region_code": "64.03.08.9999"}, "region_code"),
        ({"region_code": "64.03.08"}, "region_code"),
        ({"kabupaten": "", "region_code": "99.99.99.9999"}, "region_code"),
        ({"region_code": "64.72.01.1001"}, "region_code"),  # not in the chosen Berau
        ({"year_started": "1850"}, "year_started"),
        ({"year_started": "dua ribu"}, "year_started"),
        ({"workers_total": "-3"}, "workers_total"),
        ({"workers_women": "13"}, "workers_women"),
        ({"type": "pt"}, "type"),
    ],
)
def test_create_refuses_bad_input_and_changes_nothing(app, client, world, change, field):
    login(client, world.owner)
    before = _count(app, Producer)
    response = post_form(client, "/produsen/baru", {**PROFILE, **change})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(app, Producer) == before


def test_create_refuses_a_duplicate_nib(app, client, world):
    with app.app_context():
        make_producer(nib="1234567890123")
    login(client, world.owner)
    before = _count(app, Producer)
    response = post_form(client, "/produsen/baru", PROFILE)
    assert 'id="nib-error"' in response.get_data(as_text=True)
    assert _count(app, Producer) == before


# --- choosing the region without JavaScript -----------------------------------------------

def test_kabupaten_parameter_lists_its_villages_by_kecamatan(client, world):
    login(client, world.owner)
    html = client.get("/produsen/baru?kab=64.03").get_data(as_text=True)
    assert f'value="{BIDUK_BIDUK}"' in html
    assert '<optgroup label="Biduk-Biduk">' in html
    assert 'value="64.72.' not in html  # no Samarinda villages
    assert '<option selected value="64.03">' in html


def test_show_villages_step_keeps_what_was_typed_and_saves_nothing(app, client, world):
    login(client, world.owner)
    before = _count(app, Producer)
    response = post_form(client, "/produsen/baru",
                         {**PROFILE, "kabupaten": "64.72", "region_code": "",
                          "action": "choose_region"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{PROFILE["name"]}"' in html and PROFILE["story"] in html
    assert 'value="64.72.' in html and f'value="{BIDUK_BIDUK}"' not in html
    assert 'class="error"' not in html
    assert _count(app, Producer) == before


def test_an_unknown_kabupaten_parameter_is_ignored(client, world):
    login(client, world.owner)
    response = client.get("/produsen/baru?kab=../../etc")
    assert response.status_code == 200
    assert "<optgroup" not in response.get_data(as_text=True)


# --- editing the profile ---------------------------------------------------------------------

def test_edit_form_is_prefilled_with_the_profile(client, world):
    login(client, world.owner)
    html = client.get(f"/produsen/{world.producer_id}/profil").get_data(as_text=True)
    assert 'value="Anyaman Biduk"' in html
    assert f'<option selected value="{BIDUK_BIDUK}">' in html
    assert 'value="77373"' in html  # postal code suggested from the village


def test_member_edits_the_profile_and_it_is_audited(app, client, world):
    login(client, world.owner)
    url = f"/produsen/{world.producer_id}/profil"
    response = post_form(client, url, {**PROFILE, "sector": "olahan_pangan",
                                       "halal_claimed": "y", "npwp": "09.254.294.3-407.000"})
    assert response.headers["Location"] == f"/produsen/{world.producer_id}"
    producer = _producer(app, world.producer_id)
    assert producer.name == PROFILE["name"] and producer.sector is Sector.FOOD
    assert producer.halal_claimed is True and producer.npwp == "092542943407000"
    assert producer.nib == "1234567890123" and producer.year_started == 2010
    with app.app_context():
        event = _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.producer_id == world.producer_id,
            ProducerEvent.action == "profile_edit"))
        assert event.changes["name"] == ["Anyaman Biduk", PROFILE["name"]]


def test_halal_is_only_for_processed_food(app, client, world):
    login(client, world.owner)
    post_form(client, f"/produsen/{world.producer_id}/profil", {**PROFILE, "halal_claimed": "y"})
    assert _producer(app, world.producer_id).halal_claimed is False


def test_edit_refuses_a_region_that_does_not_exist(app, client, world):
    login(client, world.owner)
    response = post_form(client, f"/produsen/{world.producer_id}/profil",
                         {**PROFILE, "region_code": "64.03.99.9999"})
    assert 'id="region_code-error"' in response.get_data(as_text=True)
    producer = _producer(app, world.producer_id)
    assert producer.region_code == BIDUK_BIDUK and producer.name == "Anyaman Biduk"


def test_staff_may_edit_a_producer_and_the_event_names_them(app, client, world):
    login(client, world.staff)
    assert client.get(f"/produsen/{world.producer_id}/profil").status_code == 200
    response = post_form(client, f"/produsen/{world.producer_id}/profil", PROFILE)
    assert response.status_code == 302
    with app.app_context():
        staff_id = _db.session.scalar(select(User.id).where(User.email == world.staff))
        actors = set(_db.session.scalars(select(ProducerEvent.actor_id).where(
            ProducerEvent.producer_id == world.producer_id,
            ProducerEvent.action == "profile_edit")))
    assert actors == {staff_id}


def test_a_verified_producer_changing_its_nib_goes_back_to_review(app, client, world):
    with app.app_context():
        _db.session.get(Producer, world.producer_id).status = ProducerStatus.VERIFIED
        _db.session.commit()
    login(client, world.owner)
    post_form(client, f"/produsen/{world.producer_id}/profil", PROFILE)
    assert _producer(app, world.producer_id).status is ProducerStatus.SUBMITTED


# --- logo ------------------------------------------------------------------------------------

def _upload(client, producer_id: int, data: bytes, filename: str, **changes: str):
    return post_form(client, f"/produsen/{producer_id}/profil",
                     {**PROFILE, **changes, "logo": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def test_logo_upload_is_re_encoded_stored_and_served(app, client, world, media):
    login(client, world.owner)
    assert _upload(client, world.producer_id, _png(), "logo.png").status_code == 302
    producer = _producer(app, world.producer_id)
    assert producer.logo_key.startswith("public/logos/") and producer.logo_key.endswith(".png")
    response = client.get(f"/produsen/{world.producer_id}/logo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(response.data)).size == (40, 30)
    assert "private" in response.headers["Cache-Control"]  # a draft: not for caches
    with app.app_context():
        assert _count(app, ProducerEvent, ProducerEvent.action == "logo_changed") == 1


def test_a_new_logo_replaces_and_deletes_the_old_file(app, client, world, media):
    login(client, world.owner)
    _upload(client, world.producer_id, _png(), "a.png")
    first = _producer(app, world.producer_id).logo_key
    _upload(client, world.producer_id, _png((20, 20)), "b.png")
    second = _producer(app, world.producer_id).logo_key
    assert second != first
    with app.test_request_context():
        assert get_storage().exists(second) and not get_storage().exists(first)


@pytest.mark.parametrize(("data", "filename"), [
    (b"%PDF-1.4 not an image at all", "logo.png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.svg"),
    (_png()[:60], "broken.png"),
])
def test_a_file_that_is_not_an_image_changes_nothing(app, client, world, media, data, filename):
    login(client, world.owner)
    response = _upload(client, world.producer_id, data, filename, name="Nama Baru")
    assert response.status_code == 200
    assert 'id="logo-error"' in response.get_data(as_text=True)
    producer = _producer(app, world.producer_id)
    assert producer.logo_key is None and producer.name == "Anyaman Biduk"


def test_a_logo_over_the_size_limit_is_refused(app, client, world, media, monkeypatch):
    # (werkzeug's test client leaks a temporary file for bodies over 500 kB: lower the limit)
    monkeypatch.setattr(services, "LOGO_MAX_BYTES", 1000)
    login(client, world.owner)
    noise = Image.frombytes("RGB", (60, 60), os.urandom(60 * 60 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    response = _upload(client, world.producer_id, out.getvalue(), "big.png")
    assert 'id="logo-error"' in response.get_data(as_text=True)
    assert _producer(app, world.producer_id).logo_key is None


def test_the_logo_limit_is_2_mb(ctx):
    assert services.LOGO_MAX_BYTES == 2 * 1024 * 1024
    with pytest.raises(ServiceError) as refused:
        services.prepare_logo(_png() + b"\0" * (2 * 1024 * 1024))
    assert refused.value.field == "logo"
    assert services.prepare_logo(_png())[1] == "image/png"


def test_public_logos_for_everyone_draft_logos_only_for_members_and_staff(app, world, media):
    with app.app_context():
        get_storage().save("public/logos/theirs.png", _png(), "image/png")
    url = f"/produsen/{world.other_id}/logo"
    assert app.test_client().get(url).status_code == 404  # anonymous, draft
    for email, expected in ((world.owner, 404), (world.buyer, 404), (world.staff, 200),
                            (world.other, 200)):
        client = app.test_client()
        login(client, email)
        assert client.get(url).status_code == expected, email
    with app.app_context():
        _db.session.get(Producer, world.other_id).status = ProducerStatus.VERIFIED
        _db.session.commit()
    response = app.test_client().get(url)
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]


def test_no_logo_is_404(client, world):
    login(client, world.owner)
    assert client.get(f"/produsen/{world.producer_id}/logo").status_code == 404


# --- banner ----------------------------------------------------------------------------------

def _upload_banner(client, producer_id: int, data: bytes, filename: str = "banner.png",
                   **changes: str):
    return post_form(client, f"/produsen/{producer_id}/profil",
                     {**PROFILE, **changes, "banner": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def _banner_files(app: Flask) -> list[str]:
    folder = Path(app.config["MEDIA_ROOT"]) / "public" / "banners"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_banner_upload_stores_its_renditions_and_is_audited(app, client, world, media):
    login(client, world.owner)
    response = _upload_banner(client, world.producer_id, _png((800, 250)))
    assert response.status_code == 302
    producer = _producer(app, world.producer_id)
    assert producer.banner_key.startswith("public/banners/")
    assert producer.banner_widths == [320, 640, 800]
    root = Path(app.config["MEDIA_ROOT"])
    for width in (320, 640, 800):
        path = root / f"{producer.banner_key}-{width}.webp"
        with Image.open(path) as image:
            assert image.format == "WEBP" and image.width == width
    assert len(_banner_files(app)) == 3
    with app.app_context():
        event = _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.action == "banner_changed"))
        assert event.changes == {"banner_key": [None, producer.banner_key]}
        assert event.actor.email == world.owner


def test_the_storefront_shows_the_banner_with_srcset(app, client, world, media):
    login(client, world.owner)
    _upload_banner(client, world.producer_id, _jpeg((1600, 500)), "banner.jpg")
    with app.app_context():
        _db.session.get(Producer, world.producer_id).status = ProducerStatus.VERIFIED
        _db.session.commit()
    producer = _producer(app, world.producer_id)
    assert producer.banner_widths == [320, 640, 1280]
    html = app.test_client().get(f"/toko/{producer.slug}").get_data(as_text=True)
    banner = html.split('id="shop-banner"')[1].split("</div>")[0]
    url = f"/media/{producer.banner_key}"
    assert f'src="{url}-640.webp"' in banner
    assert (f'srcset="{url}-320.webp 320w, {url}-640.webp 640w, {url}-1280.webp 1280w"'
            in banner)
    response = app.test_client().get(f"{url}-320.webp", buffered=True)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/webp"


def test_a_storefront_without_a_banner_shows_none(app, client, world):
    with app.app_context():
        producer = _db.session.get(Producer, world.producer_id)
        producer.status = ProducerStatus.VERIFIED
        _db.session.commit()
        slug = producer.slug
    assert 'id="shop-banner"' not in client.get(f"/toko/{slug}").get_data(as_text=True)


def test_a_new_banner_replaces_and_deletes_the_old_files(app, client, world, media):
    login(client, world.owner)
    _upload_banner(client, world.producer_id, _png((700, 200)))
    first = _producer(app, world.producer_id).banner_key
    _upload_banner(client, world.producer_id, _jpeg((2000, 600)), "b.jpg")
    second = _producer(app, world.producer_id).banner_key
    assert second != first
    files = _banner_files(app)
    assert files == sorted(f"{second.rsplit('/', 1)[1]}-{w}.webp" for w in (320, 640, 1280))


@pytest.mark.parametrize(("data", "filename", "message"), [
    (_png((639, 400)), "narrow.png",
     "Banner terlalu sempit: lebarnya minimal 640 piksel (gambar ini 639 piksel)."),
    (_png((300, 100)), "small.png",
     "Banner terlalu sempit: lebarnya minimal 640 piksel (gambar ini 300 piksel)."),
    (b"%PDF-1.4 not an image at all", "banner.jpg",
     "Banner harus berupa gambar JPEG, PNG, WebP, atau HEIC."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "banner.svg",
     "Banner harus berupa gambar JPEG, PNG, WebP, atau HEIC."),
])
def test_a_narrow_or_non_image_banner_changes_nothing(app, client, world, media, data,
                                                       filename, message):
    login(client, world.owner)
    response = _upload_banner(client, world.producer_id, data, filename, name="Nama Baru")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = html.split('id="banner-error"')[1].split("</p>")[0]
    assert message in error
    producer = _producer(app, world.producer_id)
    assert producer.banner_key is None and producer.name == "Anyaman Biduk"
    assert _banner_files(app) == []  # a narrow image's renditions are deleted again
    assert _count(app, ProducerEvent, ProducerEvent.action == "banner_changed") == 0


def test_a_banner_over_the_size_limit_is_refused(app, client, world, media, monkeypatch):
    # (werkzeug's test client leaks a temporary file for bodies over 500 kB: lower the limit)
    monkeypatch.setattr(banner_rules, "BANNER_MAX_BYTES", 1000)
    login(client, world.owner)
    noise = Image.frombytes("RGB", (700, 60), os.urandom(700 * 60 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    response = _upload_banner(client, world.producer_id, out.getvalue())
    assert "Ukuran banner terlalu besar: maksimal 5 MB." in response.get_data(as_text=True)
    assert _producer(app, world.producer_id).banner_key is None
    assert _banner_files(app) == []


def test_the_banner_limit_is_5_mb(ctx, media):
    assert banner_rules.BANNER_MAX_BYTES == 5 * 1024 * 1024
    with pytest.raises(ServiceError) as refused:
        banner_rules.prepare_banner(_png((800, 200)) + b"\0" * (5 * 1024 * 1024))
    assert refused.value.field == "banner"


def test_a_bad_profile_edit_deletes_the_banner_it_stored(app, client, world, media):
    login(client, world.owner)
    response = _upload_banner(client, world.producer_id, _png((800, 200)), name="")
    assert response.status_code == 200
    assert _producer(app, world.producer_id).banner_key is None
    assert _banner_files(app) == []


def test_the_edit_page_offers_the_banner_field_and_its_removal(app, client, world, media):
    login(client, world.owner)
    html = client.get(f"/produsen/{world.producer_id}/profil").get_data(as_text=True)
    assert 'name="banner"' in html and "image/heic" in html
    assert html.count('id="banner"') == 1  # the input's, for its label
    assert 'id="remove-banner-form"' not in html
    _upload_banner(client, world.producer_id, _png((800, 200)))
    html = client.get(f"/produsen/{world.producer_id}/profil").get_data(as_text=True)
    assert 'id="current-banner"' in html and 'form="remove-banner-form"' in html
    assert f'action="/produsen/{world.producer_id}/banner/hapus"' in html


def test_a_member_removes_the_banner_and_its_files(app, client, world, media):
    login(client, world.owner)
    _upload_banner(client, world.producer_id, _png((800, 200)))
    key = _producer(app, world.producer_id).banner_key
    response = post_form(client, f"/produsen/{world.producer_id}/banner/hapus", {},
                         page=f"/produsen/{world.producer_id}/profil")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/produsen/{world.producer_id}/profil"
    producer = _producer(app, world.producer_id)
    assert producer.banner_key is None and producer.banner_widths is None
    assert _banner_files(app) == []
    with app.app_context():
        events = _db.session.scalars(select(ProducerEvent).where(
            ProducerEvent.action == "banner_changed").order_by(ProducerEvent.id)).all()
        assert [e.changes["banner_key"] for e in events] == [[None, key], [key, None]]


def test_removing_needs_a_csrf_token(app, client, world, media):
    login(client, world.owner)
    _upload_banner(client, world.producer_id, _png((800, 200)))
    response = client.post(f"/produsen/{world.producer_id}/banner/hapus")
    assert response.status_code == 400
    assert _producer(app, world.producer_id).banner_key is not None


def _give_banner(app: Flask, producer_id: int) -> str:
    with app.test_request_context():
        stored = store_photo(_png((800, 200)), "banners")
        producer = _db.session.get(Producer, producer_id)
        producer.banner_key, producer.banner_widths = stored.key_prefix, stored.widths
        _db.session.commit()
        return stored.key_prefix


@pytest.mark.parametrize("who", ["owner", "buyer"])
def test_another_producers_member_or_a_buyer_cannot_set_or_remove_its_banner(
        app, client, world, media, who):
    key = _give_banner(app, world.other_id)
    login(client, getattr(world, who))
    page = "/" if who == "buyer" else f"/produsen/{world.producer_id}/profil"
    response = post_form(client, f"/produsen/{world.other_id}/profil",
                         {**PROFILE, "banner": (io.BytesIO(_png((800, 200))), "b.png")},
                         page=page, content_type="multipart/form-data")
    assert response.status_code == 404
    response = post_form(client, f"/produsen/{world.other_id}/banner/hapus", {}, page=page)
    assert response.status_code == 404
    assert _producer(app, world.other_id).banner_key == key
    assert len(_banner_files(app)) == 3  # theirs only: nothing stored, nothing deleted


def test_staff_may_set_a_producers_banner(app, client, world, media):
    login(client, world.staff)
    assert _upload_banner(client, world.producer_id, _png((800, 200))).status_code == 302
    assert _producer(app, world.producer_id).banner_key is not None
    with app.app_context():
        event = _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.action == "banner_changed"))
        assert event.actor.email == world.staff


def test_set_banner_refuses_a_non_member_and_deletes_the_files(app, world, media):
    with app.test_request_context():
        stored = banner_rules.prepare_banner(_png((800, 200)))
        assert len(_banner_files(app)) == 3
        producer = _db.session.get(Producer, world.producer_id)
        for email in (world.other, world.buyer):
            stranger = _db.session.scalar(select(User).where(User.email == email))
            with pytest.raises(services.AccessDenied):
                banner_rules.remove_banner(stranger, producer)
        with pytest.raises(services.AccessDenied):
            banner_rules.set_banner(stranger, producer, stored)
        assert _banner_files(app) == [] and producer.banner_key is None


# --- the producer's page -----------------------------------------------------------------

def _grant(producer_id: int) -> None:
    program = make_program()
    grant = Grant(program_id=program.id, producer_id=producer_id,
                  handover_date=dt.date(2024, 4, 3), handover_place="Tanjung Redeb",
                  bast_number="BAST/027/2024")
    grant.items = [GrantItem(name="Mesin jahit portable", category="Mesin jahit",
                             quantity=2, unit_value_idr=1_500_000, serial_number="SN-88")]
    _db.session.add(grant)
    _db.session.commit()


def test_detail_shows_status_reason_notices_and_grants(app, client, world):
    with app.app_context():
        producer = _db.session.get(Producer, world.producer_id)
        producer.status, producer.status_reason = ProducerStatus.CHANGES_NEEDED, "NIB tidak jelas"
        older = Notice(producer_id=producer.id, kind="documents_reviewed", params={})
        _db.session.add(older)
        _db.session.flush()
        newer = Notice(producer_id=producer.id, kind="member_joined", params={"name": "Rudi"})
        _db.session.add(newer)
        _db.session.commit()
        ids = older.id, newer.id
        _grant(producer.id)
    login(client, world.owner)
    html = client.get(f"/produsen/{world.producer_id}").get_data(as_text=True)
    assert 'id="status-reason"' in html and "NIB tidak jelas" in html
    assert "Rudi" in html
    assert html.index(f'id="notice-{ids[1]}"') < html.index(f'id="notice-{ids[0]}"')
    assert "Mesin jahit portable" in html and "Rp1.500.000" in html and "Rp3.000.000" in html
    assert "BAST/027/2024" in html and "Bantuan Alat Mesin Jahit 2024" in html
    for link in ("/dokumen", "/profil", "/anggota"):
        assert f'href="/produsen/{world.producer_id}{link}"' in html
    assert "Biduk-Biduk" in html and "Kabupaten Berau" in html


def test_detail_of_a_draft_shows_no_reason(client, world):
    login(client, world.owner)
    html = client.get(f"/produsen/{world.producer_id}").get_data(as_text=True)
    assert 'id="status-reason"' not in html and 'id="status"' in html


def test_staff_may_open_a_producers_page(client, world):
    login(client, world.staff)
    assert client.get(f"/produsen/{world.producer_id}").status_code == 200


# --- who may see which producer ----------------------------------------------------------

def _pages(producer_id: int) -> list[str]:
    return [f"/produsen/{producer_id}", f"/produsen/{producer_id}/profil",
            f"/produsen/{producer_id}/anggota"]


def test_another_producers_member_cannot_see_or_change_it(app, client, world):
    login(client, world.owner)
    for url in _pages(world.other_id):
        assert client.get(url).status_code == 404, url
    page = f"/produsen/{world.producer_id}/profil"  # a page of ours, for a CSRF token
    response = post_form(client, f"/produsen/{world.other_id}/profil",
                         {**PROFILE, "name": "Diambil alih"}, page=page)
    assert response.status_code == 404
    assert _producer(app, world.other_id).name == "Tenun Seberang"


def test_buyers_cannot_reach_producer_pages(client, world):
    login(client, world.buyer)
    assert client.get("/produsen").status_code == 403
    for url in _pages(world.producer_id):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in ["/produsen", "/produsen/baru", *_pages(world.producer_id)]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def test_unknown_producer_is_404(client, world):
    login(client, world.staff)
    assert client.get("/produsen/999999").status_code == 404
