"""A product's variants (options such as size, colour, motif or weight), each with its own
price, stock and SKU. A product without options has one variant named "".

Variants keep their ids when edited (orders will point at them): the form sends each
existing variant's id with its row; a row that is emptied removes that variant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.catalogue.models import Product, Variant
from marketplace.exceptions import ServiceError
from marketplace.extensions import db

MAX_PRICE_IDR = 1_000_000_000  # Rp1.000.000.000
MAX_STOCK = 1_000_000
MAX_VARIANTS = 20
NAME_MAX = 80
SKU_MAX = 40
_SKU = re.compile(r"^[0-9A-Za-z._/-]+$")


@dataclass
class VariantData:
    """One row of the variants form (numbers already parsed; None when left empty)."""

    name: str = ""
    price_idr: int | None = None
    stock: int | None = None
    sku: str = ""
    variant_id: int | None = None

    @property
    def blank(self) -> bool:
        return (not self.name.strip() and self.price_idr is None and self.stock is None
                and not self.sku.strip())


@dataclass
class _Row:
    index: int
    variant_id: int | None
    name: str
    price_idr: int
    stock: int
    sku: str


def _field(index: int, name: str) -> str:
    return f"variants-{index}-{name}"


def _clean_row(index: int, row: VariantData) -> _Row:
    name, sku = row.name.strip(), row.sku.strip()
    if len(name) > NAME_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=NAME_MAX), _field(index, "name"))
    if row.price_idr is None or not 1 <= row.price_idr <= MAX_PRICE_IDR:
        raise ServiceError(_l("Enter a price in whole Rupiah, from Rp1 to Rp1.000.000.000."),
                           _field(index, "price"))
    stock = 0 if row.stock is None else row.stock
    if not 0 <= stock <= MAX_STOCK:
        raise ServiceError(_l("Enter the stock, from 0 to 1.000.000."), _field(index, "stock"))
    if sku and (len(sku) > SKU_MAX or not _SKU.match(sku)):
        raise ServiceError(_l("An SKU has at most %(max)d letters, digits, dots, dashes or "
                              "slashes, without spaces.", max=SKU_MAX), _field(index, "sku"))
    return _Row(index, row.variant_id, name, row.price_idr, stock, sku)


def clean_variants(product: Product, rows: list[VariantData]) -> list[_Row]:
    """Checked rows (blank ones dropped); ServiceError names the first bad row's field."""
    own_ids = {variant.id for variant in product.variants}
    kept: list[_Row] = []
    for index, row in enumerate(rows):
        if row.variant_id is not None and row.variant_id not in own_ids:
            raise ServiceError(_l("This option does not belong to this product. Reload the "
                                  "page and try again."), _field(index, "name"))
        if not row.blank:
            kept.append(_clean_row(index, row))
    if len(kept) > MAX_VARIANTS:
        raise ServiceError(_l("At most %(max)d options per product.", max=MAX_VARIANTS),
                           _field(kept[MAX_VARIANTS].index, "name"))
    _check_names(kept)
    _check_skus(product, kept)
    return kept


def _check_names(rows: list[_Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        if len(rows) > 1 and not row.name:
            raise ServiceError(_l("Name every option (e.g. M, Merah, 250 g) when the product "
                                  "has more than one."), _field(row.index, "name"))
        if row.name.lower() in seen:
            raise ServiceError(_l("Two options have the same name."), _field(row.index, "name"))
        seen.add(row.name.lower())


def _check_skus(product: Product, rows: list[_Row]) -> None:
    """An SKU is unique within the producer (across all its products)."""
    seen: set[str] = set()
    for row in rows:
        if not row.sku:
            continue
        key = row.sku.lower()
        taken = db.session.scalar(
            select(Variant.id).join(Product).where(
                Product.producer_id == product.producer_id, Product.id != product.id,
                func.lower(Variant.sku) == key).limit(1))
        if key in seen or taken:
            raise ServiceError(_l("This SKU is already used by another option or product of "
                                  "yours."), _field(row.index, "sku"))
        seen.add(key)


def apply_variants(product: Product, rows: list[VariantData]) -> None:
    """Replace the product's variants by ``rows`` (ids kept where given). Flushes, in an
    order that never trips the unique (product, name) constraint. Does not commit."""
    kept = clean_variants(product, rows)
    by_id = {variant.id: variant for variant in product.variants}
    keep_ids = {row.variant_id for row in kept if row.variant_id is not None}
    for variant in [v for v in product.variants if v.id not in keep_ids]:
        product.variants.remove(variant)  # delete-orphan
    db.session.flush()
    renamed = [row for row in kept
               if row.variant_id is not None and by_id[row.variant_id].name != row.name]
    for row in renamed:  # free the old names first: options may swap names
        by_id[row.variant_id].name = f"~{row.variant_id}~renaming"  # type: ignore[index]
    if renamed:
        db.session.flush()
    for position, row in enumerate(kept):
        variant = by_id[row.variant_id] if row.variant_id is not None else Variant()
        variant.name, variant.price_idr, variant.stock = row.name, row.price_idr, row.stock
        variant.sku, variant.position = row.sku, position
        if row.variant_id is None:
            product.variants.append(variant)
    product.variants.sort(key=lambda v: v.position)
    db.session.flush()
