"""Language choice (Bahasa Indonesia by default, English on request) and template filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import support
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from flask_wtf import FlaskForm
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.wrappers import Response

from marketplace import formatting
from marketplace.extensions import babel

#: The language a visitor chose with the switch in the footer (signed-in users: their account).
#: A cookie of its own, not the session: switching needs no session, so pages stay cacheable
#: and a forged switch can neither replace nor end anyone's session (core.views.set_language).
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """The signed-in user's saved language, else the one this browser chose, else 'id'.

    The browser's Accept-Language is deliberately ignored: many phones here are set to
    English while their owners read Indonesian, and the province's default is Indonesian.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language(response: Response, lang: str) -> Response:
    """Keep this browser's language choice for a year."""
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_MAX_AGE,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                        samesite="Lax")
    return response


def _locale() -> str:
    return str(get_locale() or "id")


class _WTFormsTranslations:
    """WTForms' own messages ("This field is required.", "Not a valid date value.") in the
    user's language. WTForms ships no Indonesian catalogue, so ours is in
    translations/<locale>/LC_MESSAGES/wtforms.po."""

    _cache: dict[str, support.Translations] = {}

    def _translations(self) -> support.Translations | support.NullTranslations:
        locale = _locale()
        if locale not in self._cache:
            directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
            self._cache[locale] = support.Translations.load(directory, [locale], "wtforms")
        return self._cache[locale]

    def gettext(self, string: str) -> str:
        return self._translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations().ungettext(singular, plural, n)


_wtforms_translations = _WTFormsTranslations()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Makassar")
    # Every Flask-WTF form takes WTForms' messages from our catalogue (see above).
    FlaskForm.Meta.get_translations = lambda _meta, _form: _wtforms_translations
    app.jinja_env.filters["rupiah"] = formatting.rupiah
    app.jinja_env.filters["long_date"] = lambda v: formatting.long_date(v, _locale())
    app.jinja_env.filters["long_datetime"] = lambda v: formatting.long_datetime(v, _locale())

    @app.context_processor
    def _language_context() -> dict[str, object]:
        translations = get_translations()
        gettext = _template_gettext(translations.ugettext)
        # "_" too: Jinja's i18n extension makes it an alias that looks "gettext" up in the
        # context at every call (half the cost of the call itself).
        return {"current_locale": _locale(), "languages": app.config["LANGUAGES"],
                "gettext": gettext, "_": gettext,
                "ngettext": _template_ngettext(translations.ungettext)}


# A page calls _() some thirty times; Flask-Babel's template functions look up the request's
# translations at each call (a tenth of a catalogue page's time). A template's context gets
# them looked up once instead, when it is rendered (so inside force_locale too), as Jinja's
# own newstyle gettext does: the text is escaped in autoescaped templates and always
# formatted with the variables (Markup of our own catalogue's text, whose %-formatting
# escapes them). Macros imported without context use the global ones.
def _template_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    @pass_context
    def gettext(context: Context, string: str, **variables: Any) -> str:
        text = translate(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704

    return gettext


def _template_ngettext(translate: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int,
                 **variables: Any) -> str:
        variables.setdefault("num", num)
        text = translate(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704

    return ngettext
