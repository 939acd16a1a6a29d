"""The search index's upkeep: recomputing products' stems and rebuilding SQLite's FTS table,
and keeping Alembic's autogenerate away from the hand-made full-text objects."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Category, Product
from marketplace.extensions import db

#: The autogenerate filter leaves these out (made by hand in the migration).
FULL_TEXT_OBJECTS = frozenset({"products_fts", "products_fts_data", "products_fts_idx",
                               "products_fts_docsize", "products_fts_config",
                               "search_vector", "ix_products_search_vector",
                               "search_words", "pk_search_words"})


def reindex_all(batch: int = 1000) -> int:
    """Recompute every product's search_text (catalogue.services.search_text_for), then
    rebuild SQLite's FTS table from it, or complete PostgreSQL's list of words (which its
    trigger keeps). For demo and benchmark data; commits per batch. Returns how many
    products changed."""
    from marketplace.catalogue.services import search_text_for

    changed, last_id = 0, 0
    while products := db.session.scalars(
            select(Product).where(Product.id > last_id).order_by(Product.id).limit(batch)
            .options(joinedload(Product.producer),
                     joinedload(Product.category).joinedload(Category.parent))).all():
        for product in products:
            words = search_text_for(product)
            changed += words != product.search_text
            product.search_text = words
        last_id = products[-1].id
        db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO products_fts (products_fts) VALUES ('rebuild')"))
    else:
        db.session.execute(text(ALL_WORDS))
    db.session.commit()
    return changed


#: PostgreSQL: every word of every product into search_words (migration 9d2f6a1c4b80).
ALL_WORDS = ("INSERT INTO search_words (word) SELECT DISTINCT unnest(tsvector_to_array("
             "search_vector)) FROM products ON CONFLICT DO NOTHING")


def include_in_autogenerate(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic include_name filter: the full-text objects are made by hand in a migration
    and are not in the models, so autogenerate must not see them."""
    return name not in FULL_TEXT_OBJECTS
