"""Staff moderation of the catalogue: agency staff list published products and take one
down with a reason (audited on the producer; its members are told)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.catalogue.text import stems
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.links import external_url
from marketplace.notifications.services import notify_producer
from marketplace.producers.services import record_event, require_staff

STAFF_PER_PAGE = 25
REASON_MAX = 1000


def published_products(query: str = "", page: int = 1) -> Pagination:
    """For staff: published products, newest first, optionally matching every word of
    ``query`` (Indonesian word forms, over name, description, category and producer)."""
    stmt = (select(Product).where(Product.status == ProductStatus.PUBLISHED)
            .options(joinedload(Product.producer), joinedload(Product.category))
            .order_by(Product.published_at.desc(), Product.id.desc()))
    for stem in stems(query)[:8]:
        stmt = stmt.where(or_(Product.search_text.contains(stem, autoescape=True),
                              Product.name.ilike(f"%{stem}%")))
    return db.paginate(stmt, page=page, per_page=STAFF_PER_PAGE, error_out=False)


def staff_unpublish(actor: User, product: Product, reason: str) -> Product:
    """Staff take a published product down with a reason: audited on the producer, and its
    members are told (dashboard notice and email)."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise ServiceError(_l("Tell the producer why (at most %(max)d characters).",
                              max=REASON_MAX), "reason")
    if product.status is not ProductStatus.PUBLISHED:
        raise ServiceError(_l("This product is not published."))
    product.status = ProductStatus.DRAFT
    product.unpublished_reason, product.unpublished_by_id = reason, actor.id
    record_event(product.producer, actor, "product_unpublished", reason=reason,
                 changes={"product_id": product.id, "product_name": product.name})
    notify_producer(product.producer, "product_unpublished",
                    email_template="catalogue_unpublished", product=product.name,
                    reason=reason, product_id=product.id,
                    link=external_url("catalogue_manage.products", producer_id=product.producer_id))
    db.session.commit()
    return product
