"""``flask --app marketplace catalogue seed-categories``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.catalogue.categories import ensure_default_categories

catalogue_cli = AppGroup("catalogue", help="The product catalogue.")


@catalogue_cli.command("seed-categories")
def seed_categories() -> None:
    """Create the province's default category tree where it is missing (safe to run again;
    existing categories are never renamed)."""
    added = ensure_default_categories()
    click.echo(f"Categories ready: {added} added.")
