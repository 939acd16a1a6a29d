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
    click.echo(f"Demo data ready: {added['regions']} regions, {added['accounts']} accounts "
               f"and {added['producers']} producers added.")
