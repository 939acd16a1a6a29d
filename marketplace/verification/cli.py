"""``flask verification ...``: jobs for the agency's verification (run daily from cron)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.verification import decisions

verification_cli = AppGroup("verification", help="Verification jobs.")


@verification_cli.command("flag-expiring")
@click.option("--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check as of this date (YYYY-MM-DD); default: today in WITA.")
def flag_expiring(on: dt.datetime | None) -> None:
    """Notify producers whose accepted documents expire within 30 days or have expired.

    Each document is flagged once per stage (expiring, expired): running it again, or
    daily, sends nothing twice.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # The emails' links are built with url_for, which needs a request; POST makes SQLite
    # take the write lock at BEGIN, as every writing request does.
    with app.test_request_context("/", method="POST",
                                  base_url=app.config["PUBLIC_BASE_URL"]):
        count = decisions.flag_expiring(on.date() if on else None)
    click.echo(f"{count} document(s) flagged.")
