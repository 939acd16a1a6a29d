"""Absolute links for emails and messages, built from PUBLIC_BASE_URL.

Never from the request's Host header: a forged Host would otherwise put an attacker's
address into a password-reset email.
"""

from __future__ import annotations

from flask import current_app, url_for


def external_url(endpoint: str, **values: object) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, _external=False, **values)
