"""Password rules: 8 to 128 characters, not one of the passwords everybody tries first."""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

DEFAULT_METHOD = "scrypt"
MIN_LENGTH = 8
MAX_LENGTH = 128

#: zxcvbn's list of the 30,000 most used passwords, plus words people here reach for first.
_COMMON = frozenset(FREQUENCY_LISTS["passwords"]) | {
    "bismillah",
    "indonesia",
    "sayangku",
    "sayang123",
    "kalimantan",
    "samarinda",
    "balikpapan",
    "rahasia123",
    "katasandi",
}
_ANALYSED_PREFIX = 64  # zxcvbn's cost grows with length; the first 64 characters tell enough

#: A valid scrypt hash of a random string, checked when no user matches, so a login for an
#: unknown email takes as long as one for a known email.
DUMMY_HASH = generate_password_hash("pasar-binaan-timing-equaliser", method=DEFAULT_METHOD)


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> object | None:
    """The reason ``password`` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _COMMON or any(lowered == u.lower() for u in user_inputs if u):
        return _l("This password is one of the most common ones. Choose another.")
    if zxcvbn(password[:_ANALYSED_PREFIX], user_inputs=list(user_inputs))["score"] == 0:
        return _l("This password is too easy to guess. Add words or characters.")
    return None


def hash_password(password: str) -> str:
    """scrypt with werkzeug's parameters (N=32768, r=8, p=1) unless PASSWORD_HASH_METHOD says
    otherwise; the test suite uses a cheaper N so that it runs fast."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else DEFAULT_METHOD
    return generate_password_hash(password, method=method)


def verify_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or DUMMY_HASH, password) and bool(password_hash)
