"""Language choice (Bahasa Indonesia by default, English on request) and template filters."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from marketplace import formatting
from marketplace.extensions import babel


def select_locale() -> str:
    """The signed-in user's saved language, else the one chosen in this session, else 'id'.

    The browser's Accept-Language is deliberately ignored: many phones here are set to
    English while their owners read Indonesian, and the province's default is Indonesian.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    return str(get_locale() or "id")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Makassar")
    app.jinja_env.filters["rupiah"] = formatting.rupiah
    app.jinja_env.filters["long_date"] = lambda v: formatting.long_date(v, _locale())
    app.jinja_env.filters["long_datetime"] = lambda v: formatting.long_datetime(v, _locale())

    @app.context_processor
    def _language_context() -> dict[str, object]:
        return {"current_locale": _locale(), "languages": app.config["LANGUAGES"]}
