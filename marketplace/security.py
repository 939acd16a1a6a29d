"""What every response and every session inherits: security headers, proxies, idle timeout."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace.extensions import talisman

#: No inline script or style anywhere: pages load only this site's own files.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

_IDLE_SKIP_ENDPOINTS = frozenset({"static", "core.healthz", "core.livez", "media.file"})


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    cleaned = target.replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    if any(ord(ch) < 32 for ch in cleaned):
        return None
    return target


def same_origin_request() -> bool:
    """Whether a request was sent by this site's own pages, judged as OWASP's CSRF guide
    advises from what browsers add by themselves: Fetch Metadata (``Sec-Fetch-Site``, every
    current browser), else ``Origin``, else ``Referer``. A request with none of them comes
    from an old browser or from a program, which cannot ride a visitor's cookies; it passes.
    Hosts are compared without the scheme, so a proxy that ends TLS changes nothing."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    host = urlsplit(source).netloc.lower()
    own = {request.host.lower(), urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc.lower()}
    return bool(host) and host in own


def _enforce_idle_timeout() -> None:
    if request.endpoint in _IDLE_SKIP_ENDPOINTS or not current_user.is_authenticated:
        return
    now = int(time.time())
    idle_seconds = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last_seen = session.get("seen")
    if isinstance(last_seen, int) and now - last_seen > idle_seconds:
        logout_user()
        session.clear()
        flash(_("Your session ended after a period of inactivity. Please sign in again."), "info")
        return
    if not isinstance(last_seen, int) or now - last_seen >= 60:
        session["seen"] = now


class _SessionInterface(SecureCookieSessionInterface):
    """Never attach a session cookie (or ``Vary: Cookie``) to a response that shared caches
    may keep: public images are cached for a year by browsers and CDNs."""

    def save_session(self, app: Flask, session, response) -> None:  # type: ignore[no-untyped-def]
        if response.cache_control.public:
            return
        super().save_session(app, session, response)


def _content_security_policy(app: Flask) -> dict[str, object]:
    policy = dict(CONTENT_SECURITY_POLICY)
    media = urlsplit(app.config.get("MEDIA_PUBLIC_BASE_URL") or "")
    if media.scheme and media.netloc:  # photos served by a CDN or a public bucket
        policy["img-src"] = [*CONTENT_SECURITY_POLICY["img-src"], f"{media.scheme}://{media.netloc}"]
    return policy


def init_app(app: Flask) -> None:
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the load balancer; HSTS tells browsers to stay on it
        strict_transport_security=app.config["HSTS"],
        strict_transport_security_max_age=31536000,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=_content_security_policy(app),
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )
    app.before_request(_enforce_idle_timeout)
    app.session_interface = _SessionInterface()
