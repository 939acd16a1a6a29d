"""The security baseline every page inherits. Each test fails if its rule is removed."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

import pytest
from flask import Flask

from marketplace.accounts.models import Role
from marketplace.config import ConfigError, from_environment
from marketplace.security import safe_next_url
from tests.conftest import test_config as make_config
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_fields, login, logout, post_form


@pytest.fixture
def users(app: Flask, db) -> dict[Role, str]:
    with app.app_context():
        return {role: make_user(role, email=f"{role.value}@example.test").email for role in Role}


# --- headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/masuk", "/no-such-page", "/healthz"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # development, plain HTTP


def test_pages_have_no_inline_scripts(client):
    for path in ("/", "/masuk", "/daftar", "/lupa-sandi"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html


def test_hsts_in_production_over_https(app, db, tmp_path, monkeypatch, make_app):
    _production_env(monkeypatch)  # the test config below points the app at the test database
    config = make_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    del config["SECRET_KEY"]
    config["TESTING"] = False
    prod = make_app(config)
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["DEBUG"] is False
    response = prod.test_client().get("/healthz", base_url="https://pasar.example")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_production_refuses_a_database_that_is_not_postgresql(monkeypatch):
    _production_env(monkeypatch, DATABASE_URL="sqlite:////tmp/pasar.sqlite3")
    with pytest.raises(ConfigError):
        from_environment()


@pytest.mark.parametrize(("media_backend", "bucket"), [("s3", None), ("ftp", "b")])
def test_media_backend_misconfiguration_refuses_to_start(monkeypatch, media_backend, bucket):
    monkeypatch.setenv("MEDIA_BACKEND", media_backend)
    if bucket:
        monkeypatch.setenv("MEDIA_S3_BUCKET", bucket)
    else:
        monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    with pytest.raises(ConfigError):
        from_environment()


def test_production_refuses_a_short_secret_key(monkeypatch):
    _production_env(monkeypatch, SECRET_KEY="too-short")
    with pytest.raises(ConfigError):
        from_environment()


def test_production_refuses_the_demo_bank_account(monkeypatch):
    """Buyers would transfer to a made-up account: production needs the real one."""
    _production_env(monkeypatch, BANK_ACCOUNT_NUMBER=None)
    with pytest.raises(ConfigError, match="BANK_ACCOUNT_NUMBER"):
        from_environment()


def test_production_refuses_a_plain_http_public_url(monkeypatch):
    _production_env(monkeypatch, PUBLIC_BASE_URL="http://pasar.example")
    with pytest.raises(ConfigError):
        from_environment()


def test_untrusted_host_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["pasar.example"])
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "pasar.example"}).status_code == 200


def test_production_forces_debug_off(monkeypatch):
    _production_env(monkeypatch, FLASK_DEBUG="1")
    assert from_environment()["DEBUG"] is False


def _production_env(monkeypatch, **overrides):
    values = {"APP_ENV": "production", "SECRET_KEY": "k" * 40,
              "DATABASE_URL": "postgresql+psycopg://db/pasar",
              "PUBLIC_BASE_URL": "https://pasar.example",
              "FIELD_ENCRYPTION_KEY": "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5Zm8=",
              "BANK_ACCOUNT_NUMBER": "1234567890"}
    values.update(overrides)
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL",
                                     "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_required_setting(monkeypatch, missing):
    _production_env(monkeypatch)
    from_environment()  # complete: starts
    _production_env(monkeypatch, **{missing: None})
    with pytest.raises(ConfigError):
        from_environment()


# --- cookies and sessions ------------------------------------------------------------------

def _session_cookie(response) -> SimpleCookie:
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    cookie = SimpleCookie()
    cookie.load(header)
    return cookie


def test_session_cookie_flags(client, users):
    response = login(client, users[Role.BUYER], PASSWORD)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_session_is_renewed_at_login(client, users):
    client.get("/masuk")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
        token_before = session["csrf_token"]
    login(client, users[Role.BUYER], PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before


def test_logout_makes_the_old_session_cookie_useless(app, client, users):
    login(client, users[Role.BUYER], PASSWORD)
    old_cookie = client.get_cookie("session").value
    assert client.get("/akun").status_code == 200
    logout(client)
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    response = replay.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_logout_by_get_is_not_allowed(client, users):
    login(client, users[Role.BUYER], PASSWORD)
    assert client.get("/keluar").status_code == 405
    assert client.get("/akun").status_code == 200


def test_logout_without_csrf_token_is_refused(client, users):
    login(client, users[Role.BUYER], PASSWORD)
    assert client.post("/keluar").status_code == 400
    assert client.get("/akun").status_code == 200


def test_idle_session_expires(client, users, app):
    login(client, users[Role.BUYER], PASSWORD)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    response = client.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_active_session_survives(client, users):
    login(client, users[Role.BUYER], PASSWORD)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 300
    assert client.get("/akun").status_code == 200


# --- redirects -----------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", " //evil"])
def test_next_never_leaves_the_site(client, users, target):
    response = login(client, users[Role.BUYER], PASSWORD, page="/masuk")
    assert response.status_code == 302
    logout(client)
    html = client.get("/masuk").get_data(as_text=True)
    response = client.post("/masuk", data={**csrf_fields(html), "email": users[Role.BUYER],
                                           "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/"


def test_next_inside_the_site_is_followed(client, users):
    html = client.get("/masuk?next=/akun").get_data(as_text=True)
    assert 'value="/akun"' in html
    response = client.post("/masuk", data={**csrf_fields(html), "email": users[Role.BUYER],
                                           "password": PASSWORD, "next": "/akun"})
    assert response.headers["Location"] == "/akun"


def test_safe_next_url_unit():
    assert safe_next_url("/produk?q=rotan") == "/produk?q=rotan"
    for bad in (None, "", "produk", "//x.example", "/\\x.example", "https://x.example",
                "/ok\r\nSet-Cookie: x"):
        assert safe_next_url(bad) is None


# --- login throttling ----------------------------------------------------------------------

def _fail(client, email, ip="10.0.0.1"):
    return post_form(client, "/masuk", {"email": email, "password": "wrong-password-x"},
                     environ_base={"REMOTE_ADDR": ip})


def test_login_is_blocked_after_ten_failures_even_with_right_password(client, users):
    email = users[Role.BUYER]
    for _ in range(10):
        assert _fail(client, email).status_code == 200
    blocked = post_form(client, "/masuk", {"email": email, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert blocked.status_code == 429
    assert "<h1" in blocked.get_data(as_text=True)
    assert client.get("/akun").status_code == 302
    # Another account from the same address, and the same account elsewhere, are not blocked.
    other = post_form(client, "/masuk", {"email": users[Role.PRODUCER], "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert other.status_code == 302
    logout(client)
    elsewhere = post_form(client, "/masuk", {"email": email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert elsewhere.status_code == 302


def test_successful_logins_do_not_count_towards_the_block(client, users):
    email = users[Role.BUYER]
    for _ in range(12):
        assert login(client, email, PASSWORD).status_code == 302
        logout(client)


def test_block_expires(client, users, app, monkeypatch):
    email = users[Role.BUYER]
    for _ in range(10):
        _fail(client, email)
    assert login(client, email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.1"}
                 ).status_code == 429
    from marketplace.extensions import limiter

    with app.app_context():
        storage = limiter.storage
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        # Redis keeps its own clock: let the window pass by expiring the keys it wrote.
        for key in storage.storage.scan_iter(f"*{app.config['RATELIMIT_KEY_PREFIX']}*"):
            storage.storage.delete(key)
    else:
        later = time.time() + app.config["LOGIN_BLOCK_MINUTES"] * 60 + 1
        monkeypatch.setattr("limits.storage.memory.time.time", lambda: later)
    assert login(client, email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.1"}
                 ).status_code == 302


def test_throttle_counters_live_in_redis_when_configured(app, client, users):
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
        return
    from marketplace.extensions import limiter

    _fail(client, users[Role.BUYER])
    with app.app_context():
        keys = list(limiter.storage.storage.scan_iter(f"*{app.config['RATELIMIT_KEY_PREFIX']}*"))
    assert any(b"buyer@example.test" in key for key in keys)


# --- roles ---------------------------------------------------------------------------------

ROLE_PAGES = {
    "/dinas": {Role.STAFF, Role.ADMIN},
    "/produsen": {Role.PRODUCER},
    "/admin/pengguna": {Role.ADMIN},
}


@pytest.mark.parametrize("path", sorted(ROLE_PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_role_pages_refuse_everyone_else(app, users, path, role):
    client = app.test_client()
    login(client, users[role], PASSWORD)
    expected = 200 if role in ROLE_PAGES[path] else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("path", sorted(ROLE_PAGES))
def test_role_pages_send_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


# --- error pages ---------------------------------------------------------------------------

def test_not_found_page_is_in_the_users_language(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="id">' in html and "404" in html


def test_too_large_upload_gets_413_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = post_form(client, "/masuk", {"email": "a@example.test", "password": "x" * 4096})
    assert response.status_code == 413
    assert "<h1" in response.get_data(as_text=True)


def test_server_error_page_hides_details(tmp_path, app, db, make_app):
    fresh = make_app(make_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]))
    fresh.config["PROPAGATE_EXCEPTIONS"] = False

    @fresh.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = fresh.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internal detail" not in html and '<html lang="id">' in html


def test_cdn_origin_is_allowed_for_images_only(app, db, tmp_path, make_app):
    from tests.conftest import test_config as base_config

    config = base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    config["MEDIA_PUBLIC_BASE_URL"] = "https://cdn.pasar.example/media"
    with_cdn = make_app(config)
    csp = with_cdn.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://cdn.pasar.example" in csp
    assert "script-src 'self';" in csp


def test_publicly_cacheable_responses_carry_no_session_cookie(app, client, users):
    login(client, users[Role.BUYER], PASSWORD)

    from flask import make_response

    with app.test_request_context():
        from flask import session

        session["touched"] = True
        response = make_response("x")
        response.cache_control.public = True
        response.cache_control.max_age = 60
        app.session_interface.save_session(app, session, response)
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.vary
