"""Links: absolute ones for emails and messages, built from PUBLIC_BASE_URL, and the
fixed addresses every page's header and footer link to.

Never from the request's Host header: a forged Host would otherwise put an attacker's
address into a password-reset email.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for


def external_url(endpoint: str, **values: object) -> str:
    """Works in a request, a CLI command or a job alike."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, _external=False, **values)
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def page_url(endpoint: str) -> str:
    """url_for(endpoint) for an address without variables (the header's and footer's
    links, on every page), built once per root path instead of at every page."""
    known = current_app.extensions.setdefault("page_urls", {})
    key = (request.script_root, endpoint)
    url = known.get(key)
    if url is None:
        url = known[key] = url_for(endpoint)
    return url


def init_app(app: Flask) -> None:
    app.jinja_env.globals["page_url"] = page_url
