from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import created_at, intpk, str_enum, utcnow
from marketplace.extensions import db
from marketplace.producers.models import Producer


class ProcessingLevel(enum.StrEnum):
    """How far the goods are processed: the agency measures hilirisasi with it."""

    RAW = "bahan_mentah"
    SEMI = "setengah_jadi"
    FINISHED = "barang_jadi"
    BRANDED = "barang_jadi_bermerek"


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Category(db.Model):
    """A two-level tree: top categories and their subcategories."""

    __tablename__ = "categories"

    id: Mapped[intpk]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_id: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side="Category.id",
                                                    back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent",
                                                    order_by="Category.position")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("min_order_qty >= 1", name="min_order_positive"),
        CheckConstraint("weight_grams > 0", name="weight_positive"),
    )

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: For readable URLs: /produk/<id>/<slug>. Not unique: the id is.
    slug: Mapped[str] = mapped_column(String(140))
    #: Sanitised when saved (plain text with line breaks or a small safe HTML subset).
    description: Mapped[str] = mapped_column(Text, default="")
    processing_level: Mapped[ProcessingLevel] = mapped_column(
        str_enum(ProcessingLevel, "processing_level"), index=True)
    raw_material: Mapped[str] = mapped_column(String(120), default="")
    raw_material_origin: Mapped[str] = mapped_column(String(120), default="")
    pirt_number: Mapped[str] = mapped_column(String(30), default="")
    halal_number: Mapped[str] = mapped_column(String(40), default="")
    #: Shipping needs these: weight in grams, size in whole centimetres.
    weight_grams: Mapped[int]
    length_cm: Mapped[int] = mapped_column(default=0)
    width_cm: Mapped[int] = mapped_column(default=0)
    height_cm: Mapped[int] = mapped_column(default=0)
    min_order_qty: Mapped[int] = mapped_column(default=1)
    status: Mapped[ProductStatus] = mapped_column(
        str_enum(ProductStatus, "product_status"), default=ProductStatus.DRAFT, index=True)
    #: Lowest variant price, kept by the services for sorting and price filters.
    price_min_idr: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    #: Whether any variant has stock, kept by the services.
    in_stock: Mapped[bool] = mapped_column(default=False)
    #: Name, description, category and producer words, stemmed, for full-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Set when staff unpublish a product (audited; the producer is notified).
    unpublished_reason: Mapped[str] = mapped_column(Text, default="")
    unpublished_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship()
    category: Mapped[Category] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position")
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductPhoto.position")


class Variant(db.Model):
    """One buyable option of a product (size, colour, motif, weight). A product without
    options has exactly one variant, named ""."""

    __tablename__ = "product_variants"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_idr > 0", name="price_positive"),
        UniqueConstraint("product_id", "name", name="variant_name"),
    )

    id: Mapped[intpk]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    sku: Mapped[str] = mapped_column(String(40), default="")
    #: Whole Rupiah.
    price_idr: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="variants")


class ProductPhoto(db.Model):
    """A product photo, stored as WebP renditions ``<key_prefix>-<width>.webp``."""

    __tablename__ = "product_photos"

    id: Mapped[intpk]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    key_prefix: Mapped[str] = mapped_column(String(200))
    #: The rendition widths stored, e.g. [320, 640, 1280].
    widths: Mapped[list[int]] = mapped_column(JSON, default=list)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[created_at]

    product: Mapped[Product] = relationship(back_populates="photos")
