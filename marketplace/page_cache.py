"""A whole-page cache for the anonymous pages that are the same for everyone: home, catalogue,
product pages, shops and storefronts (``@public_page``).

What may be cached, and for whom:
- only GET/HEAD requests of anonymous visitors with no flashed message waiting;
- only a 200 response that set no cookie, left the session unchanged and rendered no CSRF
  token (a token belongs to one session);
- keyed by the page's language and its full path with the query string, so an English
  page is never shown to an Indonesian reader, and a signed-in user's page (never stored)
  is never shown to anyone else.

Entries live ``PAGE_CACHE_SECONDS`` (default 60; 0 turns the cache off) in Redis when
``REDIS_URL`` is set (shared by every worker and server), else in each process's memory.
Every commit that changes what these pages show (products, variants, photos, categories,
producers, programmes, grants, regions) replaces a random generation token stored beside the
pages, which retires every entry at once: with Redis, a change shows at the next request; with the
in-process cache, other processes may show the old page until its entry expires.

HTTP caches: a response to a request that carried none of this site's cookies is marked
``Cache-Control: public, max-age=0, s-maxage=<seconds>``: shared caches (a CDN or reverse
proxy) may keep it; browsers revalidate, so a visitor who signs in or switches language sees
the new page at once. A shared cache must bypass itself for requests carrying the ``session``
or ``lang`` cookie (README, "Caching").
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.wrappers import Response

from marketplace.extensions import cache
from marketplace.i18n import LANGUAGE_COOKIE

log = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "page:generation"
#: Tables whose rows buyers' pages show: a committed change to any of them retires every page.
SHOWN_TABLES = frozenset({"products", "product_variants", "product_photos", "categories",
                          "producers", "aid_programs", "grants", "grant_items", "regions"})
STATUS_HEADER = "X-Cache"


def seconds() -> int:
    return int(current_app.config.get("PAGE_CACHE_SECONDS") or 0)


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve ``view`` from the page cache when the visitor and the response allow it."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not seconds() or not _cacheable_request():
            return view(*args, **kwargs)
        key = _key()
        generation, entry = _read(key)
        if entry is not None and generation and entry[0] == generation:
            return _hit(entry)
        response = make_response(view(*args, **kwargs))
        if generation and _cacheable_response(response):
            _write(key, (generation, response.get_data(), response.mimetype))
            response.headers[STATUS_HEADER] = "MISS"
            _mark_public(response)
        return response

    return wrapper


def _cacheable_request() -> bool:
    return (request.method in ("GET", "HEAD") and not current_user.is_authenticated
            and "_flashes" not in session)


def _cacheable_response(response: Response) -> bool:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return (response.status_code == 200 and not session.modified and field not in g
            and "Set-Cookie" not in response.headers
            and not response.cache_control.private and not response.cache_control.no_store
            and not current_user.is_authenticated)


def _key() -> str:
    return f"page:{get_locale()}:{request.full_path}"


def _read(key: str) -> tuple[str, tuple[str, bytes, str] | None]:
    """(current generation, the entry if any). A missing generation (first use, or evicted)
    gets a new random one, so no entry written before can ever match again."""
    try:
        generation, entry = cache.get_many(GENERATION_KEY, key)
        if generation is None:
            generation = _new_generation()
    except Exception:  # noqa: BLE001 - a cache outage must not take the pages down
        log.warning("Page cache unavailable", exc_info=True)
        return "", None
    return generation, entry


def _new_generation() -> str:
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, timeout=0)
    return generation


def _write(key: str, entry: tuple[str, bytes, str]) -> None:
    try:
        cache.set(key, entry, timeout=seconds())
    except Exception:  # noqa: BLE001
        log.warning("Page cache unavailable", exc_info=True)


def _hit(entry: tuple[str, bytes, str]) -> Response:
    _, body, mimetype = entry
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers[STATUS_HEADER] = "HIT"
    _mark_public(response)
    return response


def _mark_public(response: Response) -> None:
    """Shared caches may keep it when the request carried none of our cookies (so the page
    is the anonymous default-language one); browsers always revalidate."""
    if any(name in request.cookies for name in _site_cookies()):
        return
    response.cache_control.public = True
    response.cache_control.max_age = 0
    response.cache_control.s_maxage = seconds()


def _site_cookies() -> Iterable[str]:
    return (current_app.config.get("SESSION_COOKIE_NAME") or "session", LANGUAGE_COOKIE,
            current_app.config.get("REMEMBER_COOKIE_NAME") or "remember_token")


def invalidate() -> None:
    """Retire every cached page (the next request of each renders it afresh)."""
    try:
        _new_generation()
    except Exception:  # noqa: BLE001
        log.warning("Page cache unavailable: pages may stay stale until they expire",
                    exc_info=True)


def clear() -> None:
    """Drop every cached page (tests, and after a deploy if wanted)."""
    cache.clear()


# --- invalidation on commit ----------------------------------------------------------------

_STALE = "page_cache_stale"


def _table(obj: object) -> str | None:
    table = getattr(obj, "__table__", None)
    return getattr(table, "name", None)


def _after_flush(session: Session, _context: object) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _table(obj) in SHOWN_TABLES:
            session.info[_STALE] = True
            return


def _orm_execute(state: ORMExecuteState) -> None:
    """Bulk UPDATE/DELETE through the ORM (e.g. a stock decrement) counts as a change too."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.local_table.name in SHOWN_TABLES:
        state.session.info[_STALE] = True


#: Bumped by every commit of this process that changes what public pages show: values
#: remembered per process (``remembered``) are read again after it changes.
_local_changes = 0


def _after_commit(session: Session) -> None:
    global _local_changes  # noqa: PLW0603
    if session.info.pop(_STALE, False):
        _local_changes += 1
        if has_app_context() and seconds():
            invalidate()


def remembered(name: str, build: Callable[[], T]) -> T:
    """``build()``, kept in this process for PAGE_CACHE_SECONDS (not at all when the cache
    is off), and built again after a commit here changes what public pages show."""
    ttl = seconds()
    if not ttl:
        return build()
    store = current_app.extensions.setdefault("page_cache_remembered", {})
    now = time.monotonic()
    kept = store.get(name)
    if kept is not None and kept[0] == _local_changes and kept[1] > now:
        return kept[2]
    value = build()
    store[name] = (_local_changes, now + ttl, value)
    return value


def _after_rollback(session: Session) -> None:
    session.info.pop(_STALE, None)


_listening = False


def init_app(app: Flask) -> None:
    global _listening  # noqa: PLW0603 - one set of session listeners per process
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
        app.config.setdefault("CACHE_OPTIONS", {"socket_timeout": 0.5,
                                                "socket_connect_timeout": 0.5})
    app.config.setdefault("CACHE_KEY_PREFIX", "pasarbinaan:")
    app.config.setdefault("CACHE_THRESHOLD", 2000)  # entries per process (in-process cache)
    cache.init_app(app)
    if not _listening:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
