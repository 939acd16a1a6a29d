"""The category tree: the province's defaults, and admins creating, renaming, reordering
and deleting categories."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.catalogue import categories
from marketplace.catalogue.categories import DEFAULT_TREE, by_slug, ensure_default_categories
from marketplace.catalogue.cli import catalogue_cli
from marketplace.catalogue.models import Category, Product
from marketplace.catalogue.text import stems
from marketplace.extensions import db as _db
from marketplace.producers.services import AccessDenied
from tests.factories import make_producer, make_user
from tests.helpers import login, post_form
from tests.test_products import make_product

URL = "/admin/kategori"


def _count(app: Flask) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(Category)) or 0


def _category(app: Flask, slug: str) -> Category:
    with app.app_context():
        category = by_slug(slug)
        assert category is not None
        _ = category.children
        _db.session.expunge(category)
        return category


@pytest.fixture
def admin(app: Flask, db) -> str:
    with app.app_context():
        ensure_default_categories()
        return make_user(Role.ADMIN, email="admin@example.test").email


# --- the default tree --------------------------------------------------------------------------

def test_default_tree_is_two_levels_with_english_names(app, ctx):
    assert ensure_default_categories() == sum(1 + len(children) for *_, children in DEFAULT_TREE)
    tops = categories.tree()
    assert [c.name_id for c in tops][:3] == ["Kain & Tenun", "Pakaian & Fashion Muslim",
                                             "Tas & Aksesori"]
    assert len(tops) == 10
    for top in tops:
        assert top.parent_id is None and 2 <= len(top.children) <= 4 and top.name_en
        for child in top.children:
            assert child.name_en and not child.children
    tenun = by_slug("kain-tenun")
    assert [c.name_id for c in tenun.children] == ["Sarung Tenun Samarinda", "Kain Ulap Doyo",
                                                   "Batik Kaltim"]
    assert tenun.name("en") == "Fabrics & Woven Cloth"


def test_default_tree_is_idempotent_and_keeps_admin_changes(app, ctx):
    ensure_default_categories()
    total = _db.session.scalar(select(func.count()).select_from(Category))
    tenun = by_slug("kain-tenun")
    tenun.name_id = "Kain Tenun Kaltim"
    _db.session.commit()
    assert ensure_default_categories() == 0
    assert _db.session.scalar(select(func.count()).select_from(Category)) == total
    assert by_slug("kain-tenun").name_id == "Kain Tenun Kaltim"


def test_seed_categories_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(catalogue_cli, ["seed-categories"])
    assert result.exit_code == 0, result.output
    assert _count(app) > 30
    again = runner.invoke(catalogue_cli, ["seed-categories"])
    assert again.exit_code == 0 and "0 added" in again.output


# --- who may manage ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.STAFF, Role.PRODUCER, Role.BUYER])
def test_only_admins_manage_categories(app, client, admin, role):
    with app.app_context():
        email = make_user(role).email
        top_id = by_slug("kain-tenun").id
        unused_id = by_slug("kain-ulap-doyo").id
    before = _count(app)
    login(client, email)
    assert client.get(URL).status_code == 403
    assert post_form(client, URL, {"name_id": "Baru", "name_en": "New"},
                     page="/akun").status_code == 403
    assert post_form(client, f"{URL}/{top_id}", {f"c{top_id}-name_id": "X",
                                                  f"c{top_id}-name_en": "X"},
                     page="/akun").status_code == 403
    assert post_form(client, f"{URL}/{unused_id}/hapus", {}, page="/akun").status_code == 403
    assert _count(app) == before
    assert _category(app, "kain-tenun").name_id == "Kain & Tenun"


def test_signed_out_visitors_are_sent_to_sign_in(client, admin):
    response = client.get(URL)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_services_refuse_non_admins(app, ctx, admin):
    staff = make_user(Role.STAFF)
    with pytest.raises(AccessDenied):
        categories.create_category(staff, "Baru", "New")
    with pytest.raises(AccessDenied):
        categories.delete_category(staff, by_slug("kain-ulap-doyo"))


# --- admin changes -----------------------------------------------------------------------------

def test_admin_sees_the_tree(client, admin):
    login(client, admin)
    html = client.get(URL).get_data(as_text=True)
    assert 'id="categories"' in html and "Sarung Tenun Samarinda" in html
    assert "Woven Bags" in html


def test_admin_adds_a_top_category_and_a_subcategory(app, client, admin):
    login(client, admin)
    response = post_form(client, URL, {"name_id": "Kerajinan Manik", "name_en": "Beadwork",
                                       "parent_id": "", "position": ""})
    assert response.status_code == 302
    top = _category(app, "kerajinan-manik")
    assert top.parent_id is None and top.position == len(DEFAULT_TREE)  # at the end
    response = post_form(client, URL, {"name_id": "Kalung Manik", "name_en": "Bead Necklaces",
                                       "parent_id": str(top.id), "position": "0"})
    assert response.status_code == 302
    child = _category(app, "kalung-manik")
    assert child.parent_id == top.id and child.position == 0


@pytest.mark.parametrize(("data", "field"), [
    ({"name_id": "", "name_en": "New"}, "name_id"),
    ({"name_id": "Baru", "name_en": ""}, "name_en"),
    ({"name_id": "x" * 81, "name_en": "New"}, "name_id"),
    ({"name_id": "Baru", "name_en": "New", "position": "1000"}, "position"),
    ({"name_id": "Baru", "name_en": "New", "position": "-1"}, "position"),
    ({"name_id": "Baru", "name_en": "New", "parent_id": "99999"}, "parent_id"),
    ({"name_id": "Baru", "name_en": "New", "parent_id": "sub"}, "parent_id"),
])
def test_bad_category_input_changes_nothing(app, client, admin, data, field):
    login(client, admin)
    before = _count(app)
    response = post_form(client, URL, {"parent_id": "", "position": "", **data})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(app) == before


def test_no_third_level(app, client, admin):
    subcategory = _category(app, "sarung-tenun-samarinda")
    login(client, admin)
    before = _count(app)
    response = post_form(client, URL, {"name_id": "Sarung Sutra", "name_en": "Silk Sarongs",
                                       "parent_id": str(subcategory.id), "position": ""})
    assert 'id="parent_id-error"' in response.get_data(as_text=True)
    assert _count(app) == before


def test_rename_and_reorder_keep_the_slug_and_refresh_search_words(app, client, admin):
    with app.app_context():
        producer = make_producer(make_user(Role.PRODUCER))
        product = make_product(producer, name="Tas Mini", category=by_slug("tas-anyaman"))
        product_id = product.id
        category_id = by_slug("tas-anyaman").id
    login(client, admin)
    prefix = f"c{category_id}"
    response = post_form(client, f"{URL}/{category_id}", {
        f"{prefix}-name_id": "Tas Purun", f"{prefix}-name_en": "Purun Bags",
        f"{prefix}-position": "7"}, page=URL)
    assert response.status_code == 302
    category = _category(app, "tas-anyaman")
    assert (category.name_id, category.name_en, category.position) == ("Tas Purun",
                                                                       "Purun Bags", 7)
    with app.app_context():
        words = _db.session.get(Product, product_id).search_text.split()
    assert set(stems("Tas Purun Purun Bags")) <= set(words)
    assert "woven" not in words


def test_renaming_a_top_category_refreshes_its_subcategories_products(app, client, admin):
    with app.app_context():
        product = make_product(make_producer(make_user(Role.PRODUCER)),
                               category=by_slug("tas-anyaman"))
        product_id, top_id = product.id, by_slug("tas-aksesori").id
    login(client, admin)
    post_form(client, f"{URL}/{top_id}", {f"c{top_id}-name_id": "Tas & Dompet",
                                           f"c{top_id}-name_en": "Bags & Wallets",
                                           f"c{top_id}-position": "2"}, page=URL)
    with app.app_context():
        words = _db.session.get(Product, product_id).search_text.split()
    assert set(stems("dompet wallets")) <= set(words)


def test_bad_rename_changes_nothing(app, client, admin):
    category_id = _category(app, "tas-anyaman").id
    login(client, admin)
    response = post_form(client, f"{URL}/{category_id}", {
        f"c{category_id}-name_id": "", f"c{category_id}-name_en": "Bags",
        f"c{category_id}-position": ""}, page=URL)
    assert response.status_code == 200
    assert f'id="c{category_id}-name_id-error"' in response.get_data(as_text=True)
    assert _category(app, "tas-anyaman").name_id == "Tas Anyaman"


def test_delete_only_unused_categories(app, client, admin):
    with app.app_context():
        make_product(make_producer(make_user(Role.PRODUCER)), category=by_slug("tikar-rotan"))
        used_id, unused_id = by_slug("tikar-rotan").id, by_slug("kain-ulap-doyo").id
        parent_id = by_slug("kerajinan-kayu").id
    login(client, admin)
    before = _count(app)
    for category_id in (used_id, parent_id):
        response = post_form(client, f"{URL}/{category_id}/hapus", {}, page=URL)
        assert response.status_code == 302
        assert 'class="flash flash-error"' in client.get(URL).get_data(as_text=True)
    assert _count(app) == before
    assert post_form(client, f"{URL}/{unused_id}/hapus", {}, page=URL).status_code == 302
    assert _count(app) == before - 1
    with app.app_context():
        assert _db.session.get(Category, unused_id) is None


def test_unknown_category_is_404(client, admin):
    login(client, admin)
    assert post_form(client, f"{URL}/99999/hapus", {}, page=URL).status_code == 404
    assert post_form(client, f"{URL}/99999", {}, page=URL).status_code == 404
