"""search words carry the producer's kabupaten/kota

Every product's ``search_text`` ends with a word for its producer's kabupaten/kota
("kab6403" for Berau, catalogue.text.regency_word), so that a search with a region filter
is one full-text lookup (the GIN index on PostgreSQL, the FTS5 table on SQLite) instead of
testing each of the region's products for the words. The services add the word from now on
(catalogue.services.search_text_for); this adds it to the products there are. On SQLite the
FTS triggers update products_fts; on PostgreSQL the generated search_vector follows.

Revision ID: 3e5d1c7b9a42
Revises: b7a3337d32ad
Create Date: 2026-11-29 08:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3e5d1c7b9a42'
down_revision = 'b7a3337d32ad'
branch_labels = None
depends_on = None

#: The word of a product's producer: ' kab' and the regency code without its dot.
WORD = ("(SELECT ' kab' || replace(substr(producers.region_code, 1, 5), '.', '') "
        "FROM producers WHERE producers.id = products.producer_id)")
HAS_REGION = ("producer_id IN (SELECT id FROM producers "
              "WHERE region_code IS NOT NULL AND region_code <> '')")


def upgrade():
    op.execute(f"UPDATE products SET search_text = search_text || {WORD} "
               f"WHERE {HAS_REGION} AND search_text NOT LIKE '%' || {WORD}")
    _merge_sqlite_index()


def downgrade():
    op.execute(f"UPDATE products SET search_text = "
               f"substr(search_text, 1, length(search_text) - length({WORD})) "
               f"WHERE {HAS_REGION} AND search_text LIKE '%' || {WORD}")
    _merge_sqlite_index()


def _merge_sqlite_index():
    """Rewriting every row leaves FTS5 with many small index segments, which slowed the
    benchmark's searches by a third until merged."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("INSERT INTO products_fts (products_fts) VALUES ('optimize')")
