"""Error pages in the user's language, for every error a user can cause."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
MESSAGES = {
    400: _l("Please check what you entered and try again."),
    403: _l("Your account cannot open this page. Sign in with another account if you have one."),
    404: _l("The page may have moved or no longer exists. Try the search or the home page."),
    405: _l("Go back to the previous page and use its buttons."),
    413: _l("Please choose a smaller file (at most %(mb)s MB) and try again."),
    429: _l("Please wait a few minutes before you try again."),
    500: _l("We have been notified. Please try again in a moment."),
}
CSRF_MESSAGE = _l(
    "This form has expired or was not sent from this site. Reload the page and try again."
)


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    from flask import current_app

    mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    text = message or str(MESSAGES.get(code, MESSAGES[400])) % {"mb": mb}
    title = TITLES.get(code, TITLES[400])
    return render_template("errors/error.html", code=code, title=title, message=text), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # The page template would read the same untrusted Host again: answer in plain text.
        return "400 Bad Request: unknown host", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> tuple[str, int]:
        # A limit declared with error_message carries its own, translated explanation.
        custom = error.limit.error_message if error.limit is not None else None
        return render_error(429, error.description if custom else None)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> object:
        code = error.code or 500
        if code not in TITLES:
            return error
        return render_error(code)

    @app.errorhandler(InternalServerError)
    def _server_error(_error: InternalServerError) -> tuple[str, int]:
        return render_error(500)
