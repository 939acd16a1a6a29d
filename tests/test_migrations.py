"""The migrations and the models agree: autogenerate finds nothing to add, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from marketplace.catalogue.search import include_in_autogenerate
from marketplace.extensions import db as _db


def test_models_and_migrations_agree(app, db):
    with app.app_context():
        connection = _db.engine if hasattr(_db.engine, "execute") else _db.engine.connect()
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True,
                              "include_name": include_in_autogenerate},
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"Models differ from migrations; run `flask db migrate`: {diff}"


def test_constraints_have_conventional_names(app, db):
    with app.app_context():
        inspector = inspect(_db.engine)
        assert inspector.get_pk_constraint("users")["name"] in ("pk_users", None)
        unique = {c["name"] for c in inspector.get_unique_constraints("users")}
        assert "uq_users_email" in unique
