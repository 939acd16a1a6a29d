"""``flask --app marketplace create-staff EMAIL``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.accounts import services
from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError


@click.command("create-staff")
@click.argument("email")
@click.option("--name", prompt="Name", help="Full name shown in audit trails.")
@click.option("--admin", is_flag=True, help="Create an admin instead of agency staff.")
@click.password_option("--password", help="At least 8 characters; prompted when omitted.")
@with_appcontext
def create_staff(email: str, name: str, admin: bool, password: str) -> None:
    """Create an agency staff (staf dinas) or admin account."""
    role = Role.ADMIN if admin else Role.STAFF
    try:
        user = services.create_staff(email, name, password, role)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created {user.role.value} account {user.email}")
