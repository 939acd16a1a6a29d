"""``flask programs ...``: housekeeping for the agency's programmes (run daily from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.programs import services

programs_cli = AppGroup("programs", help="Aid programme jobs.")


@programs_cli.command("clean-imports")
@click.option("--hours", type=click.IntRange(min=1), default=24, show_default=True,
              help="Delete uploads previewed but not confirmed for longer than this.")
def clean_imports(hours: int) -> None:
    """Delete recipient lists that were uploaded and previewed but never confirmed."""
    click.echo(f"{services.discard_stale_uploads(hours)} stale upload(s) deleted.")
