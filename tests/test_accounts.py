"""Registration, sign-in, sign-out, password reset and account settings, through HTTP."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts import services
from marketplace.accounts.models import Role, User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from tests.factories import PASSWORD, make_user
from tests.helpers import login, logout, post_form


def _count_users(app: Flask) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(User))


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = services.find_by_email(email)
        assert user is not None
        _db.session.expunge(user)
        return user


@pytest.fixture
def buyer(app: Flask, db) -> str:
    with app.app_context():
        return make_user(Role.BUYER, email="buyer@example.test").email


REGISTRATION = {
    "name": "Ani Pembeli",
    "email": "Ani@Example.test",
    "password": "tenun-samarinda-77",
    "confirm": "tenun-samarinda-77",
    "account_type": "buyer",
}


def test_register_as_buyer_signs_in(app, client):
    response = post_form(client, "/daftar", REGISTRATION)
    assert response.status_code == 302
    user = _user(app, "ani@example.test")
    assert user.role is Role.BUYER
    assert user.email == "ani@example.test"
    assert user.password_hash.startswith("scrypt:")
    assert "tenun-samarinda-77" not in user.password_hash
    assert "/akun" in client.get("/").get_data(as_text=True)


def test_register_as_producer(app, client):
    response = post_form(client, "/daftar", {**REGISTRATION, "account_type": "producer"})
    assert response.headers["Location"] == "/produsen"
    assert _user(app, "ani@example.test").role is Role.PRODUCER


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "short", "confirm": "short"}, "password"),
        ({"password": "password123", "confirm": "password123"}, "password"),
        ({"password": "x" * 129, "confirm": "x" * 129}, "password"),
        ({"confirm": "something-else-1"}, "confirm"),
        ({"account_type": "admin"}, "account_type"),
        ({"account_type": "staff"}, "account_type"),
    ],
)
def test_register_refuses_bad_input_and_changes_nothing(app, client, change, field):
    before = _count_users(app)
    response = post_form(client, "/daftar", {**REGISTRATION, **change})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert _count_users(app) == before


def test_register_accepts_a_128_character_password(app, client):
    long_password = "kain tenun ulap doyo " * 6 + "sa"
    assert len(long_password) == 128
    response = post_form(client, "/daftar", {**REGISTRATION, "password": long_password,
                                             "confirm": long_password})
    assert response.status_code == 302
    logout(client)
    assert login(client, "ani@example.test", long_password).status_code == 302


def test_register_refuses_an_email_already_registered(app, client, buyer):
    before = _count_users(app)
    response = post_form(client, "/daftar", {**REGISTRATION, "email": "BUYER@example.test"})
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert _count_users(app) == before


def test_register_without_csrf_token_is_refused(app, client):
    before = _count_users(app)
    response = client.post("/daftar", data=REGISTRATION)
    assert response.status_code == 400
    assert _count_users(app) == before


def test_register_with_forged_csrf_token_is_refused(app, client):
    client.get("/daftar")
    before = _count_users(app)
    response = client.post("/daftar", data={**REGISTRATION, "csrf_token": "forged.token.value"})
    assert response.status_code == 400
    assert "<h1" in response.get_data(as_text=True)
    assert _count_users(app) == before


def test_login_and_logout(client, buyer):
    response = login(client, buyer, PASSWORD)
    assert response.status_code == 302
    assert client.get("/akun").status_code == 200
    logout(client)
    response = client.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_login_is_case_insensitive_on_email(client, buyer):
    assert login(client, "  BUYER@Example.TEST ", PASSWORD).status_code == 302


def test_wrong_password_shows_error(client, buyer):
    response = login(client, buyer, "wrong-password-1")
    assert response.status_code == 200
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert client.get("/akun").status_code == 302


def test_unknown_email_gets_same_answer_as_wrong_password(client, buyer):
    unknown = login(client, "nobody@example.test", "wrong-password-1")
    wrong = login(client, buyer, "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    error = re.compile(r'<p class="error" id="password-error">(.*?)</p>')
    assert error.search(unknown.get_data(as_text=True)).group(1) == error.search(
        wrong.get_data(as_text=True)).group(1)


def test_inactive_user_cannot_log_in(app, client):
    with app.app_context():
        email = make_user(email="gone@example.test", active=False).email
    assert login(client, email, PASSWORD).status_code == 200
    assert client.get("/akun").status_code == 302


def test_failed_login_is_logged_without_password(client, buyer, caplog):
    caplog.set_level("WARNING")
    login(client, buyer, "my-secret-typo-123")
    assert any("Failed login" in r.getMessage() for r in caplog.records)
    assert "my-secret-typo-123" not in caplog.text


def test_password_reset_flow(app, client, buyer, outbox):
    response = post_form(client, "/lupa-sandi", {"email": buyer})
    assert response.status_code == 302
    body = outbox.last_body()
    link = re.search(r"http://localhost(/atur-ulang-sandi/\S+)", body).group(1)
    assert outbox.messages()[-1]["To"] == buyer

    response = post_form(client, link, {"password": "anyaman-rotan-berau",
                                        "confirm": "anyaman-rotan-berau"})
    assert response.status_code == 302
    assert login(client, buyer, PASSWORD).status_code == 200  # the old one no longer works
    assert login(client, buyer, "anyaman-rotan-berau").status_code == 302
    logout(client)
    # The link works once.
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/lupa-sandi"


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client, outbox,
                                                                          buyer):
    unknown = post_form(client, "/lupa-sandi", {"email": "nobody@example.test"})
    known = post_form(client, "/lupa-sandi", {"email": buyer})
    assert unknown.status_code == known.status_code == 302
    assert len(outbox.messages()) == 1


@pytest.mark.parametrize("token", ["not-a-token", "eyJ1IjoxfQ.forged.sig"])
def test_bad_reset_link_is_refused(client, token):
    response = client.get(f"/atur-ulang-sandi/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/lupa-sandi"
    response = client.get("/lupa-sandi")
    assert 'class="flash flash-error"' in response.get_data(as_text=True)


def test_expired_reset_link_is_refused(app, client, buyer, monkeypatch):
    with app.test_request_context(), app.app_context():
        token = services.make_reset_token(services.find_by_email(buyer))
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = post_form(client, f"/atur-ulang-sandi/{token}",
                         {"password": "anyaman-rotan-berau", "confirm": "anyaman-rotan-berau"},
                         page="/lupa-sandi")
    assert response.headers["Location"] == "/lupa-sandi"
    assert login(client, buyer, PASSWORD).status_code == 302


def test_reset_refuses_weak_new_password(app, client, buyer):
    with app.test_request_context(), app.app_context():
        token = services.make_reset_token(services.find_by_email(buyer))
    response = post_form(client, f"/atur-ulang-sandi/{token}",
                         {"password": "12345678", "confirm": "12345678"})
    assert response.status_code == 200
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert login(client, buyer, PASSWORD).status_code == 302


def test_change_name(app, client, buyer):
    login(client, buyer, PASSWORD)
    response = post_form(client, "/akun", {"form_name": "profile", "profile-name": "Budi Baru"})
    assert response.status_code == 302
    assert _user(app, buyer).name == "Budi Baru"


def test_change_name_refuses_empty(app, client, buyer):
    login(client, buyer, PASSWORD)
    response = post_form(client, "/akun", {"form_name": "profile", "profile-name": "  "})
    assert response.status_code == 200
    assert 'id="profile-name-error"' in response.get_data(as_text=True)


def test_change_password_signs_out_other_sessions(app, client, buyer):
    other_device = app.test_client()
    login(other_device, buyer, PASSWORD)
    login(client, buyer, PASSWORD)
    response = post_form(client, "/akun", {
        "form_name": "password",
        "password-current_password": PASSWORD,
        "password-new_password": "mandau-kayu-ulin-9",
        "password-confirm": "mandau-kayu-ulin-9",
    })
    assert response.status_code == 302
    assert client.get("/akun").status_code == 200  # this device stays signed in
    assert other_device.get("/akun").status_code == 302
    logout(client)
    assert login(client, buyer, "mandau-kayu-ulin-9").status_code == 302


def test_change_password_needs_current_password(app, client, buyer):
    login(client, buyer, PASSWORD)
    response = post_form(client, "/akun", {
        "form_name": "password",
        "password-current_password": "not-my-password",
        "password-new_password": "mandau-kayu-ulin-9",
        "password-confirm": "mandau-kayu-ulin-9",
    })
    assert response.status_code == 200
    assert 'id="password-current_password-error"' in response.get_data(as_text=True)
    logout(client)
    assert login(client, buyer, PASSWORD).status_code == 302


def test_account_page_needs_login(client):
    response = client.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=%2Fakun"


def test_services_refuse_self_registration_as_staff(ctx):
    with pytest.raises(ServiceError) as error:
        services.register("Eve", "eve@example.test", "tenun-samarinda-77", Role.STAFF)
    assert error.value.field == "account_type"
    assert services.find_by_email("eve@example.test") is None


def test_production_hashes_use_full_strength_scrypt(monkeypatch):
    from marketplace.accounts.passwords import hash_password

    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    assert hash_password("tenun-samarinda-77").startswith("scrypt:32768:8:1$")


def test_register_refuses_overlong_name_in_indonesian(app, client):
    before = _count_users(app)
    response = post_form(client, "/daftar", {**REGISTRATION, "name": "N" * 101})
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html
    assert "Field cannot be longer" not in html
    assert _count_users(app) == before


def test_reset_link_ignores_a_forged_host_header(app, client, buyer, outbox):
    post_form(client, "/lupa-sandi", {"email": buyer}, headers={"Host": "evil.example"})
    body = outbox.last_body()
    assert "evil.example" not in body
    assert "http://localhost/atur-ulang-sandi/" in body


def test_register_returns_to_a_safe_next_page(app, client):
    html = client.get("/daftar?next=/klaim/ABCD-EFGH").get_data(as_text=True)
    assert 'value="/klaim/ABCD-EFGH"' in html
    response = post_form(client, "/daftar", {**REGISTRATION, "next": "/klaim/ABCD-EFGH"},
                         page="/daftar?next=/klaim/ABCD-EFGH")
    assert response.headers["Location"] == "/klaim/ABCD-EFGH"


def test_register_ignores_a_foreign_next(app, client):
    response = post_form(client, "/daftar", {**REGISTRATION, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
