"""The demo data set. Idempotent, and refused on a production configuration."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.services import find_by_email
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.regions.services import load_regions

DEMO_PASSWORD = "pasarbinaan-demo"  # noqa: S105 - published in the README on purpose


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.test", "Admin Pasar Binaan", Role.ADMIN),
    DemoAccount("staf@demo.test", "Rina Staf Dinas", Role.STAFF),
    DemoAccount("produsen@demo.test", "Siti Penenun Samarinda", Role.PRODUCER),
    DemoAccount("pembeli@demo.test", "Budi Pembeli", Role.BUYER),
)


def load_demo(provinces: tuple[str, ...] | None = None) -> dict[str, int]:
    """Load regions and the demo accounts that are missing. Returns what was added."""
    if current_app.config["PRODUCTION"]:
        raise ServiceError("Refusing to load demo data: APP_ENV is production.")
    regions = load_regions(provinces)
    accounts = 0
    for account in DEMO_ACCOUNTS:
        if find_by_email(account.email) is None:
            # The demo password is known to everyone, so it skips the strength check on purpose.
            db.session.add(User(email=account.email, name=account.name, role=account.role,
                                password_hash=hash_password(DEMO_PASSWORD)))
            accounts += 1
    db.session.commit()
    return {"regions": regions, "accounts": accounts}
