from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalogue.models import Variant
from marketplace.db import created_at, intpk, utcnow
from marketplace.extensions import db


class Cart(db.Model):
    """A buyer's cart, or a guest's (found by a random token kept in the session). A guest's
    cart joins the account's cart at login. Prices are never stored here: they always come
    from the variants."""

    __tablename__ = "carts"

    id: Mapped[intpk]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    #: SHA-256 of the guest's token; the token itself lives only in the guest's session.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id")


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="one_line_per_variant"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[intpk]
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id"), index=True)
    quantity: Mapped[int]
    added_at: Mapped[created_at]

    cart: Mapped[Cart] = relationship(back_populates="items")
    variant: Mapped[Variant] = relationship()
