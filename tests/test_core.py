from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.exc import OperationalError

from tests.helpers import post_form


def test_home_page_is_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="id">' in html
    for word in ("Beranda", "Produk", "Toko", "Keranjang", "Masuk", "Daftar"):
        assert f">{word}<" in html
    assert 'role="search"' in html
    assert 'href="#konten"' in html


def test_header_links_follow_the_root_path_the_app_is_served_under(client):
    plain = client.get("/").get_data(as_text=True)
    mounted = client.get("/", environ_overrides={"SCRIPT_NAME": "/pasar"}).get_data(
        as_text=True)
    for path in ("/produk", "/toko", "/keranjang", "/masuk", "/bahasa"):
        assert f'href="{path}"' in plain or f'action="{path}"' in plain
        assert f'href="/pasar{path}"' in mounted or f'action="/pasar{path}"' in mounted
    assert 'href="/produk"' not in mounted


def test_language_switch_is_remembered(client):
    response = post_form(client, "/bahasa", {"lang": "en", "next": "/masuk"}, page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Home<" in html
    post_form(client, "/bahasa", {"lang": "id"}, page="/")
    assert ">Beranda<" in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_language_and_foreign_next(client):
    response = post_form(client, "/bahasa", {"lang": "xx", "next": "https://evil.example/"},
                         page="/")
    assert response.headers["Location"] == "/"
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(app: Flask, client, monkeypatch):
    from marketplace.extensions import db

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_static_files_are_cache_busted(client):
    html = client.get("/").get_data(as_text=True)


    match = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{10})"', html)
    assert match, "stylesheet link carries a content version"
    response = client.get(match.group(1))
    response.close()
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_livez_answers_without_the_database(client, monkeypatch):
    from marketplace.extensions import db

    def broken(*_args, **_kwargs):
        raise AssertionError("livez must not touch the database")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/livez")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert "Set-Cookie" not in response.headers
