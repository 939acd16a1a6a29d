"""Factories: plain functions with overridable keywords."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.extensions import db
from tests.conftest import FAST_HASH

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD, method=FAST_HASH)
_counter = itertools.count(1)


def make_user(role: Role = Role.BUYER, email: str | None = None, name: str | None = None,
              password: str | None = None, **fields: object) -> User:
    n = next(_counter)
    user = User(
        email=(email or f"user{n}@example.test").lower(),
        name=name or f"Pengguna {n}",
        role=role,
        password_hash=hash_password(password) if password else _PASSWORD_HASH,
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user
