"""Absolute links for emails and messages, built from PUBLIC_BASE_URL.

Never from the request's Host header: a forged Host would otherwise put an attacker's
address into a password-reset email.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: object) -> str:
    """Works in a request, a CLI command or a job alike."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, _external=False, **values)
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
