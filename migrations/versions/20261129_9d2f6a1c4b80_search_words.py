"""search_words: PostgreSQL's list of every word in the products' search vectors

The last word a buyer types also matches longer words ("rot" finds "rotan"). A GIN prefix
match ("rotan:*") must collect every row of every word it begins before it can intersect
them with the other words' matches, which cost 1.5 to 3 ms a search at 100,000 products;
the same search with the words it begins spelled out ("(rotan | rotanku)") takes 0.5 ms
(catalogue.search._last_word looks them up here). A trigger adds the words of every new or
changed product (catalogue.search_index.reindex_all adds any missing); words that no product
has any more stay, and match nothing. SQLite's FTS5 has prefix indexes of its own
(products_fts, prefix='2 3'): nothing to do there.

Revision ID: 9d2f6a1c4b80
Revises: 3e5d1c7b9a42
Create Date: 2026-11-29 09:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d2f6a1c4b80'
down_revision = '3e5d1c7b9a42'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # COLLATE "C": byte order, so that a word's prefix is a range of the primary key.
    op.execute('CREATE TABLE search_words (word text COLLATE "C" NOT NULL, '
               'CONSTRAINT pk_search_words PRIMARY KEY (word))')
    op.execute("""
        CREATE FUNCTION products_search_words() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            INSERT INTO search_words (word)
            SELECT unnest(tsvector_to_array(NEW.search_vector))
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$""")
    op.execute("CREATE TRIGGER products_search_words AFTER INSERT OR UPDATE OF search_text "
               "ON products FOR EACH ROW EXECUTE FUNCTION products_search_words()")
    op.execute("INSERT INTO search_words (word) SELECT DISTINCT unnest(tsvector_to_array("
               "search_vector)) FROM products ON CONFLICT DO NOTHING")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS products_search_words ON products")
    op.execute("DROP FUNCTION IF EXISTS products_search_words()")
    op.execute("DROP TABLE IF EXISTS search_words")
