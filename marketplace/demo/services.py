"""The demo data set. Idempotent, and refused on a production configuration."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.services import find_by_email
from marketplace.db import utcnow
from marketplace.demo import documents
from marketplace.demo.catalogue import load_demo_catalogue
from marketplace.demo.orders import load_orders
from marketplace.demo.producers import HANDOVER, PRODUCERS, PROGRAMS, DemoProducer
from marketplace.demo.shipping import load_shipping
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers.models import MemberRole, Producer, ProducerMember, ProducerStatus
from marketplace.producers.services import record_event, unique_slug
from marketplace.producers.validation import clean_phone
from marketplace.programs.models import AidProgram, Grant, GrantItem
from marketplace.regions.models import Region
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
    DemoAccount("produsen@demo.test", "Siti Aminah", Role.PRODUCER),
    DemoAccount("pembeli@demo.test", "Budi Pembeli", Role.BUYER),
)


def load_demo(provinces: tuple[str, ...] | None = None) -> dict[str, int]:
    """Load regions, accounts, programmes and producers that are missing."""
    if current_app.config["PRODUCTION"]:
        raise ServiceError("Refusing to load demo data: APP_ENV is production.")
    added = {"regions": load_regions(provinces), "accounts": 0, "producers": 0, "products": 0,
             "orders": 0}
    for account in DEMO_ACCOUNTS:
        if _ensure_user(account.email, account.name, account.role):
            added["accounts"] += 1
    db.session.commit()
    if db.session.get(Region, "64") is not None:  # producers need Kaltim's villages
        added["producers"] = _load_producers()
        with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
            added["products"] = load_demo_catalogue()
        added["shipping_methods"] = load_shipping()
        added["orders"] = load_orders()
    return added


def _ensure_user(email: str, name: str, role: Role) -> bool:
    if find_by_email(email) is not None:
        return False
    # The demo password is known to everyone, so it skips the strength check on purpose.
    db.session.add(User(email=email, name=name, role=role,
                        password_hash=hash_password(DEMO_PASSWORD)))
    db.session.flush()
    return True


def _load_producers() -> int:
    staff = find_by_email("staf@demo.test")
    programs = {spec["key"]: _ensure_program(spec, staff) for spec in PROGRAMS}
    created = 0
    for index, spec in enumerate(PRODUCERS, start=1):
        if db.session.scalar(select(Producer.id).where(Producer.nib == spec.nib)):
            continue
        producer = _create_producer(spec, staff)
        program = programs[spec.program]
        grant = Grant(program_id=program.id, producer_id=producer.id,
                      handover_date=HANDOVER[spec.program],
                      handover_place="Kantor Dinas Perindagkop dan UKM, Samarinda",
                      bast_number=f"BAST/{program.fiscal_year}/{producer.nib[-4:]}")
        grant.items = [GrantItem(name=n, category=c, quantity=q, unit_value_idr=v)
                       for n, c, q, v in spec.items]
        db.session.add(grant)
        db.session.flush()
        _finish_producer(producer, index, staff)
        created += 1
    db.session.commit()
    return created


def _finish_producer(producer: Producer, index: int, staff: User | None) -> None:
    """Documents for those that went through review; a claim code for the unclaimed."""
    owner = documents.owner_of(producer)
    if owner is None:
        documents.ensure_claim_code(producer, staff)
    elif producer.status is not ProducerStatus.DRAFT:
        documents.add_documents(producer, owner, index, staff)


def _ensure_program(spec: dict[str, object], staff: User | None) -> AidProgram:
    values = {k: v for k, v in spec.items() if k != "key"}
    program = db.session.scalar(select(AidProgram).where(AidProgram.name == values["name"]))
    if program is None:
        program = AidProgram(created_by_id=staff.id if staff else None, **values)
        db.session.add(program)
        db.session.flush()
    return program


def _create_producer(spec: DemoProducer, staff: User | None) -> Producer:
    region = db.session.get(Region, spec.region_code)
    producer = Producer(
        slug=unique_slug(spec.name), name=spec.name, type=spec.type, sector=spec.sector,
        owner_name=spec.owner_name, story=spec.story, region_code=spec.region_code,
        street_address=spec.street_address, postal_code=region.postal_code if region else "",
        phone=clean_phone(spec.phone), whatsapp=clean_phone(spec.phone), nib=spec.nib,
        year_started=spec.year_started, workers_total=spec.workers_total,
        workers_women=spec.workers_women, halal_claimed=spec.halal_claimed,
        created_by_agency=spec.owner_email is None or spec.status is not ProducerStatus.DRAFT,
        status=spec.status, status_reason=spec.reason,
    )
    now = utcnow()
    if spec.status is not ProducerStatus.DRAFT:
        producer.submitted_at = now
    if spec.status in (ProducerStatus.VERIFIED, ProducerStatus.SUSPENDED):
        producer.verified_at = now
    db.session.add(producer)
    db.session.flush()
    if spec.owner_email:
        _ensure_user(spec.owner_email, spec.owner_name, Role.PRODUCER)
        owner = find_by_email(spec.owner_email)
        db.session.add(ProducerMember(producer_id=producer.id, user_id=owner.id,
                                      role=MemberRole.OWNER))
    record_event(producer, staff, "demo_loaded", to_status=spec.status.value,
                 reason=spec.reason)
    return producer
