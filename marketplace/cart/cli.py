"""``flask cart clean``: delete guests' abandoned carts (run daily from a scheduler)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.cart import services

cart_cli = AppGroup("cart", help="Cart housekeeping.")


@cart_cli.command("clean")
@click.option("--days", type=click.IntRange(min=1), default=services.GUEST_CART_DAYS,
              show_default=True, help="Delete guest carts untouched for longer than this.")
def clean(days: int) -> None:
    """Delete guests' carts nobody has touched for DAYS days (accounts' carts stay)."""
    click.echo(f"{services.discard_stale_guest_carts(days)} guest cart(s) deleted.")
