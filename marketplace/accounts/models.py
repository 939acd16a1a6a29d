from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import created_at, intpk, str_enum
from marketplace.extensions import db


class Role(enum.StrEnum):
    BUYER = "buyer"  # pembeli
    PRODUCER = "producer"  # anggota produsen
    STAFF = "staff"  # staf dinas
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[intpk]
    #: Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role", length=20), default=Role.BUYER)
    #: Preferred interface language ("id" or "en").
    locale: Mapped[str] = mapped_column(String(5), default="id")
    #: Part of the login cookie: raising it signs out every session of this user.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_staff(self) -> bool:
        """Agency staff and admins: both may act on the agency's pages."""
        return self.role in (Role.STAFF, Role.ADMIN)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles or (self.role is Role.ADMIN and Role.STAFF in roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
