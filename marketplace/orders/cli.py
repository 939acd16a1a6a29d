"""``flask orders expire`` and ``flask orders complete`` (run every few minutes / daily from
a scheduler such as cron or a systemd timer), and ``flask worker`` (sends queued emails)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from marketplace.orders import jobs

orders_cli = AppGroup("orders", help="Order jobs for a scheduler.")


@orders_cli.command("expire")
def expire() -> None:
    """Cancel unpaid orders whose payment time ran out, and return their stock."""
    click.echo(f"{jobs.expire_unpaid()} order(s) expired.")


@orders_cli.command("complete")
def complete() -> None:
    """Complete orders shipped ORDER_AUTO_COMPLETE_DAYS ago that the buyer did not confirm."""
    click.echo(f"{jobs.complete_shipped()} order(s) completed.")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Send the emails queued in Redis (REDIS_URL), inside the app's context."""
    from rq import Worker

    from marketplace.orders.notify import mail_queue

    url = current_app.config.get("REDIS_URL", "")
    if not url:
        raise click.UsageError("REDIS_URL is not set: emails are sent inline, no worker needed.")
    queue = mail_queue(url)
    Worker([queue], connection=queue.connection).work(burst=burst)
