"""The page cache (marketplace.page_cache): what it keeps, for whom, and when pages change.

The suite runs with the cache off (conftest); the ``cached`` fixture turns it on here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, flash, render_template_string, request, session
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from marketplace import page_cache
from marketplace.accounts.models import Role, User
from marketplace.catalogue import services as catalogue_services
from marketplace.catalogue.models import Category, Product, ProductStatus, Variant
from marketplace.db import reads_only
from marketplace.extensions import cache
from marketplace.extensions import db as _db
from marketplace.page_cache import public_page
from marketplace.producers.models import Producer, ProducerStatus
from tests import conftest
from tests.factories import make_user
from tests.helpers import login
from tests.test_catalogue import make_product, make_shop, product_url

PASSWORD = "Rotan-Berau-2024!"


@pytest.fixture
def cached(app: Flask, db: object) -> Iterator[None]:
    app.config["PAGE_CACHE_SECONDS"] = 60
    with app.app_context():
        page_cache.clear()
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    with app.app_context():
        page_cache.clear()


@pytest.fixture
def shop(app: Flask, cached: None) -> dict[str, object]:
    return make_shop(app)


@pytest.fixture
def buyer(app: Flask, db: object) -> str:
    with app.app_context():
        return make_user(Role.BUYER, name="Bu Ratna Pembeli", password=PASSWORD).email


PUBLIC_PAGES = ["/", "/produk", "/produk?q=rotan", "/toko"]


def public_paths(shop: dict[str, object]) -> list[str]:
    return [*PUBLIC_PAGES, product_url(shop), f"/toko/{shop['producer_slug']}"]


# --- what is kept ------------------------------------------------------------------------------

def test_anonymous_pages_are_cached_and_marked_for_shared_caches(client, shop):
    for path in public_paths(shop):
        first, second = client.get(path), client.get(path)
        assert first.status_code == second.status_code == 200, path
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT"), path
        assert first.get_data() == second.get_data()
        for response in (first, second):
            assert "Set-Cookie" not in response.headers
            assert response.cache_control.public and response.cache_control.s_maxage == 60
            assert response.cache_control.max_age == 0  # browsers revalidate
            assert "csrf_token" not in response.get_data(as_text=True)
            assert "Content-Security-Policy" in response.headers  # headers still added


@pytest.fixture
def served_by_the_app(monkeypatch) -> list[str]:
    """The paths whose kept page the app served (the view's decorator), not the front door."""
    served: list[str] = []
    hit = page_cache._hit

    def counted(entry: page_cache.Entry):
        from flask import request

        served.append(request.full_path)
        return hit(entry)

    monkeypatch.setattr(page_cache, "_hit", counted)
    return served


def test_the_front_door_serves_kept_pages_as_the_app_would(app, client, shop,
                                                           served_by_the_app):
    """Visitors without a session cookie get kept pages before Flask runs, with the very
    headers the app sent (security headers included), and HEAD without the body."""
    for path in public_paths(shop):
        first, second = client.get(path), client.get(path)
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert second.get_data() == first.get_data()
        assert sorted((k, v) for k, v in second.headers.items() if k != "X-Cache") == \
            sorted((k, v) for k, v in first.headers.items() if k != "X-Cache"), path
        head = client.head(path)
        assert head.headers["X-Cache"] == "HIT" and head.get_data() == b""
        assert head.headers["Content-Length"] == first.headers["Content-Length"]
    assert served_by_the_app == []


def test_the_app_serves_kept_pages_to_visitors_with_a_session_or_remember_cookie(
        app, client, shop, served_by_the_app):
    assert client.get("/produk").headers["X-Cache"] == "MISS"
    client.get("/masuk")  # an anonymous session (the sign-in form's CSRF token)
    assert client.get_cookie("session") is not None
    assert client.get("/produk").headers["X-Cache"] == "HIT"
    remembered = app.test_client()
    remembered.set_cookie("remember_token", "1|not-a-valid-token")
    response = remembered.get("/produk")
    assert response.headers["X-Cache"] == "HIT" and "/masuk" in response.get_data(as_text=True)
    assert served_by_the_app == ["/produk?", "/produk?"]


def test_the_key_takes_a_query_string_that_is_not_utf8():
    """gunicorn refuses such bytes, other servers may pass them on: the front door must not
    fail on them before the app can answer."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    environ = EnvironBuilder(path="/produk").get_environ()
    environ["QUERY_STRING"] = "q=rotan\xff"  # WSGI: the bytes as latin-1
    assert page_cache.page_key("id", Request(environ)) == "page:id:/produk?q=rotan\xff"


def test_a_page_kept_for_a_plain_request_is_not_served_behind_a_tls_proxy(
        app, client, shop, served_by_the_app):
    """Talisman adds HSTS for X-Forwarded-Proto: https; the app answers those itself."""
    assert client.get("/produk").headers["X-Cache"] == "MISS"
    behind = client.get("/produk", headers={"X-Forwarded-Proto": "https"})
    assert behind.headers["X-Cache"] == "HIT" and served_by_the_app == ["/produk?"]


def test_a_page_kept_over_http_is_not_served_over_https_by_the_front_door(
        app, client, shop, served_by_the_app):
    """Headers such as HSTS depend on the scheme: the app adds them afresh."""
    assert client.get("/produk").headers["X-Cache"] == "MISS"
    secure = client.get("/produk", base_url="https://localhost")
    assert secure.headers["X-Cache"] == "HIT" and served_by_the_app == ["/produk?"]


def test_the_front_door_leaves_untrusted_hosts_to_the_app(app, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["pasar.example"])
    own = {"Host": "pasar.example"}
    assert client.get("/produk", headers=own).headers["X-Cache"] == "MISS"
    assert client.get("/produk", headers=own).headers["X-Cache"] == "HIT"
    assert client.get("/produk", headers={"Host": "evil.example"}).status_code == 400


def front_door(app: Flask) -> page_cache.FrontDoor:
    door = app.wsgi_app
    while not isinstance(door, page_cache.FrontDoor):
        door = door.app  # ProxyFix, when configured
    return door


@pytest.mark.parametrize("cookies", [{}, {"lang": "en"}])
def test_a_page_the_front_door_missed_is_looked_up_once(app, client, shop, monkeypatch,
                                                        cookies):
    """The view takes the front door's miss (and its generation) instead of asking the
    cache again: one lookup a miss, and the page is still kept."""
    store = front_door(app).store
    lookups: list[tuple[str, ...]] = []
    get_many = store.get_many

    def counted(*keys):
        lookups.append(keys)
        return get_many(*keys)

    monkeypatch.setattr(store, "get_many", counted)
    for name, value in cookies.items():
        client.set_cookie(name, value)
    for path in ("/produk?q=rotan", "/produk?q=rotan"):  # the second after a new generation
        assert client.get(path).headers["X-Cache"] == "MISS"
        assert len(lookups) == 1
        assert client.get(path).headers["X-Cache"] == "HIT"
        assert len(lookups) == 2
        lookups.clear()
        with app.app_context():
            page_cache.invalidate()
    with app.app_context():
        cache.delete(page_cache.GENERATION_KEY)  # evicted: the view starts a new generation
    assert client.get("/produk").headers["X-Cache"] == "MISS"
    assert client.get("/produk").headers["X-Cache"] == "HIT"


def test_a_cache_outage_at_the_front_door_lets_the_app_answer(app, client, shop,
                                                               monkeypatch):
    assert client.get("/produk").headers["X-Cache"] == "MISS"

    def broken(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    door = front_door(app)
    monkeypatch.setattr(door.store, "get_many", broken)
    monkeypatch.setattr(cache, "get_many", broken)
    response = client.get("/produk")
    assert response.status_code == 200 and "Tas Anyam Rotan" in response.get_data(as_text=True)
    assert "X-Cache" not in response.headers


def test_the_cache_is_off_at_zero_seconds(app, client, db):
    make_shop(app)
    assert "X-Cache" not in client.get("/produk").headers
    assert "X-Cache" not in client.get("/produk").headers


def test_query_string_is_part_of_the_key(client, shop):
    assert client.get("/produk?q=rotan").headers["X-Cache"] == "MISS"
    empty = client.get("/produk?q=zzzzqqq")
    assert empty.headers["X-Cache"] == "MISS"
    assert "Tas Anyam Rotan" not in empty.get_data(as_text=True)


def test_errors_and_redirects_are_not_cached(client, shop):
    for _ in range(2):
        assert "X-Cache" not in client.get("/produk/999999/apa-saja").headers
        redirect = client.get(f"/produk/{shop['product_id']}/nama-lama")
        assert redirect.status_code == 301 and "X-Cache" not in redirect.headers


# --- never across users --------------------------------------------------------------------

def test_signed_in_pages_are_never_stored_nor_served_from_the_cache(app, shop, buyer):
    anonymous, member = app.test_client(), app.test_client()
    assert anonymous.get("/produk").headers["X-Cache"] == "MISS"  # the anonymous page, kept
    login(member, buyer, PASSWORD)
    for path in public_paths(shop):
        response = member.get(path)
        html = response.get_data(as_text=True)
        assert "X-Cache" not in response.headers, path
        assert not response.cache_control.public
        assert "/keluar" in html and "/masuk" not in html.split("<main", 1)[0]
    for path in public_paths(shop):
        html = anonymous.get(path).get_data(as_text=True)
        assert "/keluar" not in html and "/masuk" in html, path
        assert "Bu Ratna" not in html and "csrf_token" not in html


def test_a_waiting_flash_message_bypasses_the_cache(app, client, shop):
    client.get("/produk")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Pesan khusus untuk Anda")]
    response = client.get("/produk")
    assert "X-Cache" not in response.headers
    assert "Pesan khusus untuk Anda" in response.get_data(as_text=True)
    assert "Pesan khusus untuk Anda" not in app.test_client().get("/produk").get_data(
        as_text=True)


def test_each_language_has_its_own_entry_and_chosen_languages_are_not_public(app, shop):
    indonesian, english = app.test_client(), app.test_client()
    assert indonesian.get("/produk").headers["X-Cache"] == "MISS"
    english.set_cookie("lang", "en")
    response = english.get("/produk")
    assert response.headers["X-Cache"] == "MISS"
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert not response.cache_control.public  # a CDN keying on the URL must not keep it
    again = english.get("/produk")
    assert again.headers["X-Cache"] == "HIT" and '<html lang="en">' in again.get_data(
        as_text=True)
    assert '<html lang="id">' in indonesian.get("/produk").get_data(as_text=True)


# --- responses that must not be kept (a small app with odd views) ----------------------------

@pytest.fixture
def odd_app(make_app, tmp_path) -> Flask:
    config = {**conftest.test_config(tmp_path, f"sqlite:///{tmp_path / 'odd.sqlite3'}"),
              "PAGE_CACHE_SECONDS": 60}
    extra = make_app(config)

    @extra.get("/token")
    @public_page
    def token():
        return render_template_string("<input name=csrf_token value='{{ csrf_token() }}'>")

    @extra.get("/cookie")
    @public_page
    def cookie():
        response = extra.make_response("hello")
        response.set_cookie("tracking", "1")
        return response

    @extra.get("/session")
    @public_page
    def writes_session():
        session["seen_promo"] = True
        return "hello"

    @extra.get("/flash")
    @public_page
    def flashes():
        flash("Once only")
        return "hello"

    @extra.get("/private")
    @public_page
    def private():
        response = extra.make_response("mine")
        response.cache_control.private = True
        return response

    @extra.get("/plain")
    @public_page
    def plain():
        return "same for everyone"

    @extra.after_request
    def late(response):  # registered after create_app: the kept page must still have it
        response.headers["X-Late"] = "yes"
        return response

    builds: list[str] = []
    extra.config["BUILDS"] = builds

    @extra.get("/built")
    @public_page
    def built():
        return page_cache.per_generation("test", "key", lambda: builds.append("built") or
                                         str(len(builds)))

    with extra.app_context():
        page_cache.clear()
    return extra


@pytest.mark.parametrize("path", ["/token", "/cookie", "/session", "/flash", "/private"])
def test_responses_with_tokens_cookies_or_session_changes_are_not_kept(odd_app, path):
    client = odd_app.test_client()
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        assert "X-Cache" not in response.headers
        assert not response.cache_control.public


def test_a_plain_page_of_the_small_app_is_kept(odd_app):
    client = odd_app.test_client()
    assert [client.get("/plain").headers["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]


def test_a_page_is_kept_with_the_headers_of_every_after_request_function(odd_app):
    client = odd_app.test_client()
    first, second = client.get("/plain"), client.get("/plain")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert first.headers["X-Late"] == second.headers["X-Late"] == "yes"
    # Flask runs them last to first: the page is kept after the extensions' too (Flask-Login
    # and Flask-Limiter register theirs before the page cache is set up).
    assert odd_app.after_request_funcs[None][0] is page_cache._keep


def test_values_kept_per_generation_expire_with_the_pages(odd_app, monkeypatch):
    client = odd_app.test_client()
    assert client.get("/built?page=1").get_data(as_text=True) == "1"
    later = page_cache.time.monotonic() + 61
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert client.get("/built?page=2").get_data(as_text=True) == "2"


def test_values_kept_per_generation_are_built_again_after_a_change(odd_app):
    client = odd_app.test_client()
    assert client.get("/built?page=1").get_data(as_text=True) == "1"
    assert client.get("/built?page=2").get_data(as_text=True) == "1"  # another page, kept
    with odd_app.app_context():
        page_cache.invalidate()  # what a commit to a shown table does
    assert client.get("/built?page=3").get_data(as_text=True) == "2"
    assert odd_app.config["BUILDS"] == ["built", "built"]


def test_a_new_word_is_found_at_once_by_a_search_for_its_beginning(app, client, shop):
    assert "Roti Gambang" not in client.get("/produk?q=rot").get_data(as_text=True)
    assert client.get("/produk?q=rot").headers["X-Cache"] == "HIT"
    with app.app_context():
        make_product(_db.session.get(Producer, shop["producer_id"]),
                     _db.session.get(Category, shop["woven_id"]), "Roti Gambang")
    html = client.get("/produk?q=rot&sort=newest").get_data(as_text=True)
    assert "Roti Gambang" in html and "Tas Anyam Rotan" in html


def test_a_cache_outage_serves_the_page_uncached(app, client, shop, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    store = front_door(app).store  # the backend both the front door and the app use
    monkeypatch.setattr(store, "get_many", broken)
    monkeypatch.setattr(store, "set", broken)
    response = client.get("/produk")
    assert response.status_code == 200 and "Tas Anyam Rotan" in response.get_data(as_text=True)
    assert "X-Cache" not in response.headers


# --- changes show at once ------------------------------------------------------------------

def _owner_of(app: Flask, shop: dict[str, object]) -> int:
    with app.app_context():
        owner = make_user(Role.PRODUCER)
        from marketplace.producers.models import MemberRole, ProducerMember

        _db.session.add(ProducerMember(producer_id=shop["producer_id"], user_id=owner.id,
                                       role=MemberRole.OWNER))
        _db.session.commit()
        return owner.id


def test_unpublishing_and_publishing_show_at_once(app, client, shop):
    owner_id = _owner_of(app, shop)
    assert "Tas Anyam Rotan" in client.get("/produk").get_data(as_text=True)
    assert client.get(product_url(shop)).headers["X-Cache"] == "MISS"
    assert client.get(product_url(shop)).headers["X-Cache"] == "HIT"
    with app.app_context():
        catalogue_services.unpublish(_db.session.get(User, owner_id),
                                     _db.session.get(Product, shop["product_id"]))
    assert "Tas Anyam Rotan" not in client.get("/produk").get_data(as_text=True)
    assert client.get(product_url(shop)).status_code == 404
    with app.app_context():
        catalogue_services.publish(_db.session.get(User, owner_id),
                                   _db.session.get(Product, shop["product_id"]))
    assert "Tas Anyam Rotan" in client.get("/produk").get_data(as_text=True)
    assert client.get(product_url(shop)).status_code == 200


def test_price_changes_and_new_products_show_at_once(app, client, shop):
    assert "Rp350.000" in client.get(product_url(shop)).get_data(as_text=True)
    assert client.get("/").headers["X-Cache"] == "MISS"
    with app.app_context():
        variant = _db.session.query(Variant).filter_by(product_id=shop["product_id"]).one()
        variant.price_idr = 325_000
        _db.session.get(Product, shop["product_id"]).price_min_idr = 325_000
        _db.session.commit()
    assert "Rp325.000" in client.get(product_url(shop)).get_data(as_text=True)
    with app.app_context():
        make_product(_db.session.get(Producer, shop["producer_id"]),
                     _db.session.get(Category, shop["woven_id"]), "Keranjang Rotan Baru")
    home = client.get("/")
    assert home.headers["X-Cache"] == "MISS"
    assert "Keranjang Rotan Baru" in home.get_data(as_text=True)


def test_a_suspended_producer_disappears_at_once(app, client, shop):
    storefront = f"/toko/{shop['producer_slug']}"
    assert client.get(storefront).status_code == 200
    assert client.get(storefront).headers["X-Cache"] == "HIT"
    with app.app_context():
        _db.session.get(Producer, shop["producer_id"]).status = ProducerStatus.SUSPENDED
        _db.session.commit()
    assert client.get(storefront).status_code == 404
    assert "Tas Anyam Rotan" not in client.get("/produk").get_data(as_text=True)


def test_a_bulk_update_counts_as_a_change(app, client, shop):
    from sqlalchemy import update

    client.get("/produk")
    with app.app_context():
        _db.session.execute(update(Product).where(Product.id == shop["product_id"])
                            .values(status=ProductStatus.ARCHIVED))
        _db.session.commit()
    assert "Tas Anyam Rotan" not in client.get("/produk").get_data(as_text=True)


def test_a_rolled_back_change_keeps_the_pages(app, client, shop):
    client.get("/produk")
    with app.app_context():
        _db.session.get(Product, shop["product_id"]).name = "Nama Sementara"
        _db.session.flush()
        _db.session.rollback()
        _db.session.get(Producer, shop["producer_id"])  # an unrelated read, then a commit
        _db.session.commit()
    assert client.get("/produk").headers["X-Cache"] == "HIT"


def test_the_category_tree_is_kept_and_read_again_after_a_change(app, client, shop):
    from tests.test_catalogue import make_category

    assert "Kain &amp; Tenun Baru" not in client.get("/produk").get_data(as_text=True)
    with app.app_context():
        make_category("Kain & Tenun Baru")
    html = client.get("/produk?sort=newest").get_data(as_text=True)  # another page: a miss
    assert "Kain &amp; Tenun Baru" in html


def test_kept_category_options_mark_each_pages_own_choice_in_its_language(client, shop):
    def chosen(path: str) -> list[str]:
        html = client.get(path).get_data(as_text=True)
        select = html.split('id="f-category"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="([^"]*)" selected>', select)

    assert chosen("/produk") == []
    assert chosen(f"/produk?category={shop['woven']}") == [shop["woven"]]
    assert chosen(f"/produk?category={shop['bags']}") == [shop["bags"]]
    assert chosen("/produk?category=tidak-ada") == []
    assert chosen(f"/produk?category={shop['woven']}&sort=price") == [shop["woven"]]
    client.post("/bahasa", data={"lang": "en"}, headers={"Origin": "http://localhost"})
    english = client.get(f"/produk?category={shop['woven']}&sort=newest").get_data(
        as_text=True)
    assert '<option value="tas-anyaman" selected>Woven Bags</option>' in english.replace(
        shop["woven"], "tas-anyaman")


def test_product_path_is_what_url_for_gives(app, shop):
    from flask import url_for

    from marketplace.catalogue.views import product_path

    with app.test_request_context("/", base_url="http://localhost/pasar/"):
        product = _db.session.get(Product, shop["product_id"])
        assert product_path(product) == url_for("catalogue.product", product_id=product.id,
                                                slug=product.slug)
        assert product_path(product).startswith("/pasar/produk/")


# --- public pages read without a transaction (PostgreSQL) -------------------------------------

def _autocommits(session: Session) -> bool:
    """Whether the session's connection autocommits (psycopg; Python 3.11's sqlite3 has no
    such attribute)."""
    return bool(getattr(session.connection().connection.dbapi_connection, "autocommit", False))


def test_reads_only_drops_the_transaction_on_postgresql_only(app):
    with app.app_context():
        postgresql = _db.engine.dialect.name == "postgresql"
        with Session(_db.engine) as session:
            reads_only(session)
            assert session.execute(select(literal(1))).scalar() == 1
            assert _autocommits(session) is postgresql
        with Session(_db.engine) as session:  # the pooled connection is back to normal
            assert session.execute(select(literal(1))).scalar() == 1
            assert not _autocommits(session)
        with Session(_db.engine) as session:  # once begun, the session keeps its transaction
            session.execute(select(literal(1)))
            reads_only(session)
            assert not _autocommits(session)


def test_public_pages_and_only_they_ask_to_read_without_a_transaction(app, client, shop,
                                                                      buyer, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(page_cache, "reads_only",
                        lambda session: asked.append(request.path))
    for path in public_paths(shop):
        assert client.get(path).status_code == 200
    assert asked == [path.split("?")[0] for path in public_paths(shop)]
    asked.clear()
    login(client, buyer, PASSWORD)
    assert client.get("/akun").status_code == 200 and asked == []
