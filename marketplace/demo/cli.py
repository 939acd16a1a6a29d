"""``flask --app marketplace demo load``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.demo.services import load_demo
from marketplace.exceptions import ServiceError

demo_cli = AppGroup("demo", help="Demo data for trying Pasar Binaan.")


@demo_cli.command("load")
def load() -> None:
    """Load the demo data (safe to run again; refused when APP_ENV=production)."""
    try:
        added = load_demo()
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Demo data ready: {added['regions']} regions, {added['accounts']} accounts, "
               f"{added['producers']} producers and {added['products']} products added.")


@click.command("seed-bench")
@click.option("--products", default=100_000, show_default=True, help="Products in all.")
@click.option("--producers", default=1000, show_default=True, help="Producers in all.")
@click.option("--order-lines", default=200_000, show_default=True,
              help="Order lines in all, over the last two years.")
@click.option("--no-orders", is_flag=True, help="Seed no orders.")
def seed_bench(products: int, producers: int, order_lines: int, no_orders: bool) -> None:
    """Fill the database with benchmark data (refused when APP_ENV=production)."""
    from marketplace.demo.bench import seed

    try:
        added = seed(products, producers, order_lines=0 if no_orders else order_lines)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Benchmark data ready: {added['producers']} producers, "
               f"{added['products_added']} products and {added['order_lines_added']} order "
               "lines added.")
