"""The footer's language switch: no session-bound CSRF token (it sits on cached pages), so
other sites' requests are refused from the browser's own headers, and the choice lives in a
``lang`` cookie of its own, never in the session (core.views.set_language)."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace import page_cache
from marketplace.accounts.models import Role, User
from marketplace.extensions import db as _db
from tests.factories import make_user
from tests.helpers import login

PASSWORD = "Rotan-Berau-2024!"


def switch(client, lang: str = "en", next_url: str = "/produk", **headers: str):
    return client.post("/bahasa", data={"lang": lang, "next": next_url}, headers=headers)


def test_anonymous_pages_carry_no_csrf_token(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/bahasa"' in html
    assert "csrf_token" not in html


def test_switch_needs_no_token_and_keeps_the_choice_in_its_own_cookie(client):
    response = switch(client, **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302 and response.headers["Location"] == "/produk"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("lang=en;")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    switch(client, "id")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page"},
])
def test_requests_from_other_sites_are_refused(client, headers):
    response = switch(client, **headers)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost"},  # the request's own host (the test client's)
    {"Referer": "http://localhost/produk?q=rotan"},
    {"Origin": "https://localhost"},  # TLS ended at a proxy: the host decides
    {},  # an old browser or a program: no cookies of the visitor to ride
])
def test_requests_from_this_site_pass(client, headers):
    assert switch(client, **headers).status_code == 302


def test_signed_in_users_choice_is_saved_on_their_account(app: Flask, client, db):
    with app.app_context():
        email = make_user(Role.BUYER, password=PASSWORD).email
    login(client, email, PASSWORD)
    assert switch(client, **{"Sec-Fetch-Site": "same-origin"}).status_code == 302
    with app.app_context():
        assert _db.session.query(User).filter_by(email=email).one().locale == "en"
    assert switch(client, "id", **{"Origin": "https://evil.example"}).status_code == 403
    with app.app_context():
        assert _db.session.query(User).filter_by(email=email).one().locale == "en"


def test_a_forged_switch_cannot_end_a_session(app: Flask, client, db):
    """A cross-site POST arrives without the session cookie (SameSite=Lax): even from a
    browser that sends no Origin, the answer sets only the lang cookie, never the session."""
    with app.app_context():
        email = make_user(Role.BUYER, password=PASSWORD).email
    login(client, email, PASSWORD)
    stranger = app.test_client()  # the same browser's request, minus its session cookie
    response = switch(stranger)
    assert all(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))
    assert "/keluar" in client.get("/").get_data(as_text=True)  # still signed in


def test_switching_on_a_cached_page_shows_the_other_language(app: Flask, client, db):
    app.config["PAGE_CACHE_SECONDS"] = 60
    try:
        with app.app_context():
            page_cache.clear()
        assert client.get("/produk").headers["X-Cache"] == "MISS"
        assert client.get("/produk").headers["X-Cache"] == "HIT"
        switch(client)
        html = client.get("/produk").get_data(as_text=True)
        assert '<html lang="en">' in html
    finally:
        app.config["PAGE_CACHE_SECONDS"] = 0


def test_the_chosen_language_survives_sign_up_and_sign_in(app: Flask, client, db):
    from tests.helpers import logout, post_form
    from tests.test_accounts import REGISTRATION

    switch(client)
    assert post_form(client, "/daftar", REGISTRATION).status_code == 302
    with app.app_context():
        user = _db.session.query(User).filter_by(email=REGISTRATION["email"].lower()).one()
        assert user.locale == "en"  # saved from the choice made before signing up
    logout(client)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


TEMPLATE = ('{{ _("Search: %(query)s", query=query) }}|{{ gettext("Products") }}|'
            '{{ ngettext("%(num)d product", "%(num)d products", 3) }}|{{ plain }}')


@pytest.mark.parametrize(("language", "expected"), [
    ("id", "Cari: &lt;b&gt;rotan&lt;/b&gt;|Produk|3 produk|"),
    ("en", "Search: &lt;b&gt;rotan&lt;/b&gt;|Products|3 products|"),
])
def test_template_translations_follow_the_language_and_escape_their_variables(
        app: Flask, language, expected):
    """Templates get the request's translations once per render (i18n._language_context):
    the right language, escaped variables, and force_locale (emails) still obeyed."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context(headers={"Cookie": f"lang={language}"}):
        html = render_template_string(TEMPLATE, query="<b>rotan</b>", plain="")
        assert html == expected
        other = "en" if language == "id" else "id"
        with force_locale(other):
            forced = render_template_string(TEMPLATE, query="<b>rotan</b>", plain="")
        assert forced != html and forced.split("|")[1] == (
            "Products" if other == "en" else "Produk")
