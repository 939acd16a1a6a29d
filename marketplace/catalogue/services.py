"""Product listings: a producer's members create, edit, publish and archive them. Variants
live in catalogue.variants, photos in catalogue.photos, staff moderation in
catalogue.moderation.

The services keep three derived columns of every product up to date: ``price_min_idr``,
``in_stock`` and ``search_text`` (see :func:`refresh`).

Decisions:
- Publishing needs a public producer (``Producer.is_public``), at least one variant (every
  variant has a price) and at least one photo: buyers do not trust a listing without one.
  A published product therefore cannot lose its last variant or its last photo.
- A product unpublished by staff keeps the reason (shown in the producer's list) until the
  producer publishes it again; publishing clears it and writes an audit event, so staff can
  see the product came back. There is no extra approval step.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.catalogue.models import (
    Category,
    ProcessingLevel,
    Product,
    ProductStatus,
)
from marketplace.catalogue.text import regency_word, stem_text
from marketplace.catalogue.variants import VariantData, apply_variants
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.producers.services import record_event, require_member

__all__ = ["VariantData"]

NAME_MAX = 120
DESCRIPTION_MAX = 5000
TEXT_MAX = 120
MAX_WEIGHT_GRAMS = 100_000  # 100 kg
MAX_SIZE_CM = 300
MAX_MIN_ORDER = 10_000
#: The only formatting a description may carry; every attribute is dropped.
DESCRIPTION_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li"})
_BLOCK_TAG = re.compile(r"<(p|ul|ol|li)\b", re.IGNORECASE)
_PERMIT = re.compile(r"^[0-9A-Za-z./ -]*$")

PROCESSING_LABELS = {
    ProcessingLevel.RAW: _l("Raw material (bahan mentah)"),
    ProcessingLevel.SEMI: _l("Semi-finished (setengah jadi)"),
    ProcessingLevel.FINISHED: _l("Finished goods (barang jadi)"),
    ProcessingLevel.BRANDED: _l("Branded finished goods (barang jadi bermerek)"),
}
STATUS_LABELS = {
    ProductStatus.DRAFT: _l("Draft"),
    ProductStatus.PUBLISHED: _l("Published"),
    ProductStatus.ARCHIVED: _l("Archived"),
}


@dataclass
class ProductData:
    """What the product form sends, before cleaning (numbers already parsed)."""

    name: str
    category_id: int | None
    processing_level: str
    weight_grams: int | None
    description: str = ""
    raw_material: str = ""
    raw_material_origin: str = ""
    pirt_number: str = ""
    halal_number: str = ""
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None
    min_order_qty: int | None = 1
    variants: list[VariantData] = field(default_factory=list)


# --- descriptions ----------------------------------------------------------------------------

def sanitize_description(text: str) -> str:
    """Keep only p, br, strong, em, ul, ol and li, without attributes; drop scripts and
    styles with their content; escape everything else. Line breaks are kept as typed."""
    return nh3.clean(text or "", tags=set(DESCRIPTION_TAGS), attributes={}).strip()


def description_html(text: str) -> Markup:
    """A stored description for a page: sanitised again (cheap, and safe whatever wrote the
    row) and, when it is plain text, with its line breaks shown."""
    clean = sanitize_description(text)
    if not _BLOCK_TAG.search(clean):
        clean = clean.replace("\r\n", "\n").replace("\n", "<br>\n")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def description_for_editing(text: str) -> str:
    """What the producer sees in the form: entities back to characters (``&`` not
    ``&amp;``); the form escapes it again, and saving sanitises it again."""
    return html.unescape(text or "")


def plain_text(text: str) -> str:
    return html.unescape(nh3.clean(text or "", tags=set()))


# --- derived columns -------------------------------------------------------------------------

def search_text_for(product: Product) -> str:
    """Stems of the name, description, raw material, category (and its parent) names in
    both languages, and the producer's name; then the word for the producer's
    kabupaten/kota (text.regency_word), which the catalogue's region filter searches."""
    category = product.category or db.session.get(Category, product.category_id)
    names: list[str] = []
    while category is not None:
        names += [category.name_id, category.name_en]
        category = category.parent
    producer = product.producer or db.session.get(Producer, product.producer_id)
    words = stem_text(product.name, plain_text(product.description), product.raw_material,
                      *names, producer.name if producer else "")
    if producer is not None and producer.regency_code:
        words += " " + regency_word(producer.regency_code)
    return words


def refresh(product: Product) -> None:
    """Recompute price_min_idr, in_stock and search_text from the product's rows."""
    prices = [v.price_idr for v in product.variants]
    product.price_min_idr = min(prices) if prices else 0
    product.in_stock = any(v.stock > 0 for v in product.variants)
    product.search_text = search_text_for(product)


def refresh_category_products(category: Category) -> int:
    """After a category is renamed: the search words of its products (and of its
    subcategories' products). Does not commit."""
    ids = [category.id, *(child.id for child in category.children)]
    products = db.session.scalars(select(Product).where(Product.category_id.in_(ids))
                                  .options(joinedload(Product.producer)))
    count = 0
    for product in products:
        product.search_text = search_text_for(product)
        count += 1
    return count


def refresh_producer_products(producer: Producer) -> int:
    """After a producer is renamed or moves: its products' search words. Does not commit (call it
    from the service that renames the producer, before its commit)."""
    count = 0
    for product in db.session.scalars(select(Product).where(Product.producer_id == producer.id)):
        product.search_text = search_text_for(product)
        count += 1
    return count


# --- cleaning --------------------------------------------------------------------------------

def _text(value: str, max_length: int, field_name: str, message: object) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ServiceError(message, field_name)
    return value


def _number(value: int | None, low: int, high: int, field_name: str, message: object,
            default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if value is None or not low <= value <= high:
        raise ServiceError(message, field_name)
    return value


def _permit(value: str, max_length: int, field_name: str) -> str:
    value = _text(value, max_length, field_name,
                  _l("At most %(max)d characters.", max=max_length))
    if not _PERMIT.match(value):
        raise ServiceError(_l("Use letters, digits, dots, slashes and dashes only."),
                           field_name)
    return value


def clean_product(data: ProductData) -> dict[str, object]:
    """Checked values for a Product's own columns; ServiceError names the first bad field."""
    name = (data.name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise ServiceError(_l("Enter the product name (at most %(max)d characters).",
                              max=NAME_MAX), "name")
    if len(data.description or "") > DESCRIPTION_MAX:
        raise ServiceError(_l("The description is too long: at most %(max)d characters.",
                              max=DESCRIPTION_MAX), "description")
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if category is None:
        raise ServiceError(_l("Choose a category from the list."), "category_id")
    try:
        level = ProcessingLevel(data.processing_level)
    except ValueError as error:
        raise ServiceError(_l("Choose how far the product is processed."),
                           "processing_level") from error
    size = _l("Enter a size from 1 to %(max)d cm, or leave it empty.", max=MAX_SIZE_CM)
    return {
        "name": name, "category_id": category.id, "processing_level": level,
        "description": sanitize_description(data.description),
        "raw_material": _text(data.raw_material, TEXT_MAX, "raw_material",
                              _l("At most %(max)d characters.", max=TEXT_MAX)),
        "raw_material_origin": _text(data.raw_material_origin, TEXT_MAX, "raw_material_origin",
                                     _l("At most %(max)d characters.", max=TEXT_MAX)),
        "pirt_number": _permit(data.pirt_number, 30, "pirt_number"),
        "halal_number": _permit(data.halal_number, 40, "halal_number"),
        "weight_grams": _number(data.weight_grams, 1, MAX_WEIGHT_GRAMS, "weight_grams", _l(
            "Enter the weight in grams, from 1 to %(max)d (100 kg).", max=MAX_WEIGHT_GRAMS)),
        "length_cm": _number(data.length_cm, 1, MAX_SIZE_CM, "length_cm", size, default=0),
        "width_cm": _number(data.width_cm, 1, MAX_SIZE_CM, "width_cm", size, default=0),
        "height_cm": _number(data.height_cm, 1, MAX_SIZE_CM, "height_cm", size, default=0),
        "min_order_qty": _number(data.min_order_qty, 1, MAX_MIN_ORDER, "min_order_qty", _l(
            "Enter a minimum order from 1 to %(max)d.", max=MAX_MIN_ORDER), default=1),
    }


# --- producers' products ---------------------------------------------------------------------

def products_of(producer: Producer) -> list[Product]:
    """Every product of a producer (any status), newest first, with variants and photos."""
    return list(db.session.scalars(
        select(Product).where(Product.producer_id == producer.id)
        .options(selectinload(Product.variants), selectinload(Product.photos),
                 joinedload(Product.category))
        .order_by(Product.status == ProductStatus.ARCHIVED, Product.id.desc())))


def get_product(producer: Producer, product_id: int) -> Product | None:
    """The product, only if it belongs to ``producer``."""
    product = db.session.get(Product, product_id)
    return product if product is not None and product.producer_id == producer.id else None


def create_product(actor: User, producer: Producer, data: ProductData) -> Product:
    """A new draft product of ``producer``; the actor must be one of its members."""
    require_member(actor, producer)
    values = clean_product(data)
    try:
        product = Product(producer_id=producer.id, producer=producer,
                          slug=_slug(str(values["name"])), status=ProductStatus.DRAFT, **values)
        db.session.add(product)
        db.session.flush()
        apply_variants(product, data.variants)
    except ServiceError:
        db.session.rollback()  # nothing of a refused product stays
        raise
    refresh(product)
    db.session.commit()
    return product


def update_product(actor: User, product: Product, data: ProductData) -> Product:
    require_member(actor, product.producer)
    values = clean_product(data)
    try:
        for name, value in values.items():
            setattr(product, name, value)
        product.slug = _slug(product.name)
        apply_variants(product, data.variants)
        if product.status is ProductStatus.PUBLISHED and not product.variants:
            raise ServiceError(_l("A published product needs at least one price: fill in a "
                                  "row, or unpublish the product first."), "variants-0-price")
    except ServiceError:
        db.session.rollback()  # the edit is refused as a whole
        raise
    db.session.expire(product, ["category"])
    refresh(product)
    db.session.commit()
    return product


def _slug(name: str) -> str:
    return slugify(name, max_length=140) or "produk"


# --- status ----------------------------------------------------------------------------------

def publish_problem(product: Product) -> object | None:
    """Why this product cannot be published now (a message), or None."""
    if not product.producer.is_public:
        return _l("Your business must be verified by the agency (and not suspended) before "
                  "its products can be published.")
    if not product.variants:
        return _l("Add a price (at least one option with its price and stock) first.")
    if not product.photos:
        return _l("Add at least one photo first: buyers want to see the product.")
    return None


def publish(actor: User, product: Product) -> Product:
    require_member(actor, product.producer)
    if product.status is ProductStatus.PUBLISHED:
        return product
    problem = publish_problem(product)
    if problem is not None:
        raise ServiceError(problem)
    if product.unpublished_reason:
        record_event(product.producer, actor, "product_republished",
                     reason=product.unpublished_reason,
                     changes={"product_id": product.id, "product_name": product.name})
    product.status = ProductStatus.PUBLISHED
    product.published_at = utcnow()
    product.unpublished_reason, product.unpublished_by_id = "", None
    db.session.commit()
    return product


def unpublish(actor: User, product: Product) -> Product:
    """Back to draft (from published or archived), hidden from buyers."""
    require_member(actor, product.producer)
    product.status = ProductStatus.DRAFT
    db.session.commit()
    return product


def archive(actor: User, product: Product) -> Product:
    require_member(actor, product.producer)
    product.status = ProductStatus.ARCHIVED
    db.session.commit()
    return product
