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

Kept pages are served twice over: by :class:`FrontDoor`, a WSGI layer in front of Flask, to
visitors who carry no session or remember-me cookie (nearly every buyer reading the
catalogue), without building a Flask request at all; and by the view's decorator to the
rest (anonymous visitors with a session cookie). An entry keeps the page's final headers
(security headers included), recorded after every other after-request function has run.

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
from typing import Any, NamedTuple, TypeVar

from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_host

from marketplace.db import reads_only
from marketplace.extensions import cache, db
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


class Entry(NamedTuple):
    generation: str
    #: Whether the request was https (_secure): headers such as HSTS differ.
    secure: bool
    body: bytes
    #: The response's final headers but Cache-Control and X-Cache (set at each serving).
    headers: list[tuple[str, str]]


#: Headers set afresh whenever a kept page is served.
_PER_SERVING = frozenset({"cache-control", STATUS_HEADER.lower()})
_PENDING = "page_cache_pending"
_GENERATION = "page_cache_generation"


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve ``view`` from the page cache when the visitor and the response allow it (the
    response is kept by :func:`_keep`, once every after-request function has run).
    ``view`` must only read: on PostgreSQL it runs without a transaction (_render)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not seconds() or not _cacheable_request():
            return _render(view, args, kwargs)
        key = _key()
        generation, entry = _looked_up_at_the_door(key) or _read(key)
        if entry is not None and generation and entry.generation == generation:
            return _hit(entry)
        if generation:
            g.setdefault(_PENDING, (key, generation))
            g.setdefault(_GENERATION, generation)
        return _render(view, args, kwargs)

    wrapper.public_page = True  # type: ignore[attr-defined] - FrontDoor looks for it
    return wrapper


def _render(view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The page itself. Public pages only read, so on PostgreSQL their statements run without
    a transaction (db.reads_only)."""
    if request.method in ("GET", "HEAD"):
        reads_only(db.session())
    return view(*args, **kwargs)


def _keep(response: Response) -> Response:
    """The last after-request function: keep the page a public view asked to keep."""
    pending = g.pop(_PENDING, None)
    if pending is not None and _cacheable_response(response):
        key, generation = pending
        headers = [(name, value) for name, value in response.headers.items()
                   if name.lower() not in _PER_SERVING]
        _write(key, Entry(generation, _secure(request), response.get_data(), headers))
        response.headers[STATUS_HEADER] = "MISS"
        _mark_public(response)
    return response


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
    return page_key(str(get_locale()), request)


def page_key(language: str, visitor: Request) -> str:
    """The page's language and address. The query string as sent (latin-1, as WSGI gives
    it): bytes that are not UTF-8 must not break the lookup."""
    return f"page:{language}:{visitor.path}?{visitor.query_string.decode('latin-1')}"


def _secure(visitor: Request) -> bool:
    """Whether the app's headers for this request are those of https, as Talisman judges
    it (HSTS): the scheme, or a proxy's X-Forwarded-Proto."""
    return visitor.is_secure or visitor.headers.get("X-Forwarded-Proto", "http") == "https"


def _read(key: str) -> tuple[str, Entry | None]:
    """(current generation, the entry if any). A missing generation (first use, or evicted)
    gets a new random one, so no entry written before can ever match again."""
    try:
        generation, entry = cache.get_many(GENERATION_KEY, key)
        if generation is None:
            generation = _new_generation()
    except Exception:  # noqa: BLE001 - a cache outage must not take the pages down
        log.warning("Page cache unavailable", exc_info=True)
        return "", None
    return generation, entry if isinstance(entry, Entry) else None


#: Where FrontDoor leaves (key, generation) of a page it looked up and did not find.
_DOOR_MISS = "pasarbinaan.page_cache_miss"


def _looked_up_at_the_door(key: str) -> tuple[str, None] | None:
    """(generation, no entry) when FrontDoor just looked ``key`` up in vain: the page is
    not read from the cache a second time."""
    looked = request.environ.get(_DOOR_MISS)
    if looked is None or looked[0] != key:
        return None
    try:
        return looked[1] or _new_generation(), None
    except Exception:  # noqa: BLE001 - as _read
        log.warning("Page cache unavailable", exc_info=True)
        return "", None


def _new_generation() -> str:
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, timeout=0)
    return generation


def _write(key: str, entry: Entry) -> None:
    try:
        cache.set(key, entry, timeout=seconds())
    except Exception:  # noqa: BLE001
        log.warning("Page cache unavailable", exc_info=True)


def _hit(entry: Entry) -> Response:
    response = current_app.response_class(entry.body, headers=entry.headers)
    response.headers[STATUS_HEADER] = "HIT"
    _mark_public(response)
    return response


class FrontDoor:
    """WSGI middleware: a kept page for a visitor who carries neither a session nor a
    remember-me cookie (so is anonymous, with no message waiting), served without Flask:
    the same key (language from the ``lang`` cookie, full path), generation check and
    headers as the decorator's, for about what the trivial /livez route costs (two thirds of
    a hit through Flask). Anything else, a miss and a cache outage go on to the app."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = app.extensions["cache"][cache]
        self._first_segments: frozenset[str] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        served = self._serve(environ)
        if served is None:
            return self.wsgi_app(environ, start_response)
        headers, body = served
        start_response("200 OK", headers)
        return [body]

    def _serve(self, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes] | None:
        config = self.app.config
        ttl = int(config.get("PAGE_CACHE_SECONDS") or 0)
        if not ttl or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") \
                or not self._public(environ):
            return None
        visitor = Request(environ)
        if config.get("TRUSTED_HOSTS") is not None:
            try:  # as Flask does: another host is refused there (400), never served here
                get_host(environ, config["TRUSTED_HOSTS"])
            except SecurityError:
                return None
        cookies = visitor.cookies
        signed_in = (config.get("SESSION_COOKIE_NAME") or "session",
                     config.get("REMEMBER_COOKIE_NAME") or "remember_token")
        if any(name in cookies for name in signed_in):
            return None
        chosen = cookies.get(LANGUAGE_COOKIE)
        language = chosen if chosen in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
        key = page_key(language, visitor)
        try:
            generation, entry = self.store.get_many(GENERATION_KEY, key)
        except Exception:  # noqa: BLE001 - the app serves the page (and logs the outage)
            return None
        if not (isinstance(entry, Entry) and generation and entry.generation == generation
                and entry.secure == _secure(visitor)):
            if not isinstance(entry, Entry) or entry.generation != generation:
                environ[_DOOR_MISS] = (key, generation)  # the view need not look again
            return None
        headers = [*entry.headers, (STATUS_HEADER, "HIT")]
        if chosen is None:  # none of this site's cookies: as _mark_public
            headers.append(("Cache-Control", f"public, max-age=0, s-maxage={ttl}"))
        return headers, b"" if visitor.method == "HEAD" else entry.body

    def _public(self, environ: dict[str, Any]) -> bool:
        """Whether the address is one of a @public_page view's (other requests must not pay
        for a look into the cache): its first segment first, then the URL map. (A public
        address starting with a variable would simply never be served here.)"""
        if self._first_segments is None:
            self._first_segments = frozenset(
                rule.rule.split("/")[1] for rule in self.app.url_map.iter_rules()
                if getattr(self.app.view_functions.get(rule.endpoint), "public_page", False))
        first = environ.get("PATH_INFO", "/").split("/", 2)[1:2] or [""]
        if first[0] not in self._first_segments:
            return False
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, a redirect, another method: the app answers
            return False
        view = self.app.view_functions.get(endpoint)
        return bool(getattr(view, "public_page", False))


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


#: Values kept per name by :func:`per_generation` (beyond, the oldest half is dropped).
PER_GENERATION_MAX = 10_000


def per_generation(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()`` for ``key``, kept in this process for as long as the cached pages'
    generation stays the one this request read (any committed change to what public pages
    show, in any process, retires it with the pages), and at most PAGE_CACHE_SECONDS, like
    the pages themselves (a change the generation missed: a write while Redis was away, or
    the in-process cache of another process). Outside a cacheable page's request (or with
    the cache off), simply ``build()``."""
    generation = g.get(_GENERATION) if has_app_context() else None
    if not generation:
        return build()
    store = current_app.extensions.setdefault("page_cache_per_generation", {})
    now = time.monotonic()
    kept = store.get(name)
    if kept is None or kept[0] != generation or kept[1] <= now:
        kept = store[name] = (generation, now + seconds(), {})
    values: dict[str, Any] = kept[2]
    if key in values:
        return values[key]
    if len(values) >= PER_GENERATION_MAX:
        for old in list(values)[:PER_GENERATION_MAX // 2]:
            values.pop(old, None)
    value = values[key] = build()
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
    # First in the list, so that Flask, which runs them in reverse, runs it after them all.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep)
    app.wsgi_app = FrontDoor(app, app.wsgi_app)  # type: ignore[method-assign]
    if not _listening:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
