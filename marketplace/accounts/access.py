"""Who may open which page: the login loader and the role check every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from marketplace.accounts.models import Role, User
from marketplace.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to open this page.")
login_manager.login_message_category = "info"

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    """The cookie holds "<id>:<session_version>": an old version means a signed-out session."""
    user_id, _, version = cookie_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def role_required(*roles: Role) -> Callable[[F], F]:
    """Signed-in users with one of ``roles`` (admins count as staff); others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in_user() -> User:
    """The signed-in user behind ``current_user`` (views call it after ``login_required``),
    to hand to services, which never read ``current_user`` themselves."""
    return current_user._get_current_object()  # type: ignore[no-any-return]
