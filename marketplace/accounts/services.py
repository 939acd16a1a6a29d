"""Account rules. Each function is one unit of work: it validates, then commits once."""

from __future__ import annotations

import hashlib
import logging

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password, password_problem, verify_password
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.links import external_url
from marketplace.notifications.mail import render_mail, send_mail

log = logging.getLogger(__name__)

SELF_SERVICE_ROLES = (Role.BUYER, Role.PRODUCER)
_RESET_SALT = "password-reset"


def normalise_email(email: str) -> str:
    """Lower-cased, checked address; raises ServiceError when it is not an email address."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ServiceError(_l("Enter a valid email address."), "email") from error


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _check_new_password(password: str, email: str, name: str, field: str = "password") -> None:
    problem = password_problem(password, (email, email.split("@")[0], name))
    if problem:
        raise ServiceError(problem, field)


def _new_user(name: str, email: str, password: str, role: Role, locale: str) -> User:
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError(_l("Enter your name (at most 100 characters)."), "name")
    email = normalise_email(email)
    _check_new_password(password, email, name)
    if find_by_email(email) is not None:
        raise ServiceError(_l("An account with this email already exists. Sign in instead."),
                           "email")
    user = User(name=name, email=email, password_hash=hash_password(password), role=role,
                locale=locale if locale in ("id", "en") else "id")
    db.session.add(user)
    return user


def register(name: str, email: str, password: str, role: Role | str = Role.BUYER,
             locale: str = "id") -> User:
    """Self-registration as a buyer or a producer; staff and admins are created by command."""
    if role not in SELF_SERVICE_ROLES:  # StrEnum: "buyer" == Role.BUYER
        raise ServiceError(_l("Choose whether you buy or sell."), "account_type")
    user = _new_user(name, email, password, Role(role), locale)
    db.session.commit()
    return user


def create_staff(email: str, name: str, password: str, role: Role = Role.STAFF) -> User:
    """Create an agency staff member or admin (from the command line)."""
    if role not in (Role.STAFF, Role.ADMIN):
        raise ServiceError(_l("Staff accounts are either staff or admin."), "role")
    user = _new_user(name, email, password, role, "id")
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Never logs the password."""
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        log.warning("Failed login for %r", email.strip().lower()[:254])
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def end_all_sessions(user: User) -> None:
    """Make every existing login cookie of this user useless (logout, password change)."""
    user.session_version += 1
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Changes when the password changes, so a reset link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account probing)."""
    user = find_by_email(email)
    if user is None or not user.active:
        log.info("Password reset asked for an unknown or inactive address")
        return
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    subject, body = render_mail("password_reset", user.locale, user=user, link=link,
                                minutes=minutes)
    send_mail(user.email, subject, body)


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ServiceError(_l("This reset link has expired. Ask for a new one.")) from error
    except BadSignature as error:
        raise ServiceError(_l("This reset link is not valid. Ask for a new one.")) from error
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _password_fingerprint(user):
        raise ServiceError(_l("This reset link has already been used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _check_new_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ServiceError(_l("Your current password is not correct."), "current_password")
    _check_new_password(new_password, user.email, user.name, "new_password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # other devices are signed out; the view signs this one in again
    db.session.commit()


def update_profile(user: User, name: str) -> None:
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError(_l("Enter your name (at most 100 characters)."), "name")
    user.name = name
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceError(_l("This language is not available."))
    user.locale = locale
    db.session.commit()


def list_users(limit: int = 500) -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email).limit(limit)))


def count_by_role() -> dict[Role, int]:
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role))
    counts = {role: 0 for role in Role}
    counts.update({role: n for role, n in rows})
    return counts
