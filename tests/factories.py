"""Factories: plain functions with overridable keywords."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.extensions import db
from marketplace.producers.models import (
    MemberRole,
    Producer,
    ProducerMember,
    ProducerStatus,
    ProducerType,
    Sector,
)
from marketplace.programs.models import AidProgram, FundingSource
from tests.conftest import FAST_HASH

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD, method=FAST_HASH)
_counter = itertools.count(1)


def make_user(role: Role = Role.BUYER, email: str | None = None, name: str | None = None,
              password: str | None = None, **fields: object) -> User:
    n = next(_counter)
    user = User(
        email=(email or f"user{n}@example.test").lower(),
        name=name or f"Pengguna {n}",
        role=role,
        password_hash=hash_password(password) if password else _PASSWORD_HASH,
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_producer(owner: User | None = None, *, status: ProducerStatus = ProducerStatus.VERIFIED,
                  name: str | None = None, sector: Sector = Sector.RATTAN,
                  type: ProducerType = ProducerType.INDIVIDUAL,
                  region_code: str = "64.03.08.2001", **fields: object) -> Producer:
    """A producer (verified by default) with ``owner`` as its owner member, if given."""
    n = next(_counter)
    producer = Producer(
        slug=f"produsen-{n}", name=name or f"Produsen {n}", type=type, sector=sector,
        region_code=region_code, owner_name=owner.name if owner else f"Pemilik {n}",
        status=status, **fields,
    )
    db.session.add(producer)
    db.session.flush()
    if owner is not None:
        db.session.add(ProducerMember(producer_id=producer.id, user_id=owner.id,
                                      role=MemberRole.OWNER))
    db.session.commit()
    return producer


def make_program(**fields: object) -> AidProgram:
    values = {"name": "Bantuan Alat Mesin Jahit 2024", "fiscal_year": 2024,
              "funding_source": FundingSource.APBD, "legal_basis": "SK 500/123/2024",
              "budget_idr": 750_000_000, **fields}
    program = AidProgram(**values)
    db.session.add(program)
    db.session.commit()
    return program
