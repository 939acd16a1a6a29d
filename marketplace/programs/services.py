"""Aid programmes, their grants and recipient imports: the agency's units of work.

Each public function takes the acting user, checks, and commits once. Reading and checking
a recipient file lives in importer.py; this module turns a checked file into producers,
claim codes and grants in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.media.storage import get_storage, new_key
from marketplace.producers import claims
from marketplace.producers.models import Producer, ProducerStatus, Sector
from marketplace.producers.services import record_event, require_staff, unique_slug
from marketplace.programs import importer, rules
from marketplace.programs.importer import ImportPreview, Recipient
from marketplace.programs.models import (
    AidProgram,
    FundingSource,
    Grant,
    GrantItem,
    RecipientImport,
)
from marketplace.regions.models import KALTIM, REGENCY, Region

# --- programmes ----------------------------------------------------------------------------


@dataclass
class ProgramData:
    """What the programme form sends, before cleaning."""

    name: str
    fiscal_year: object
    funding_source: str
    budget: object
    legal_basis: str = ""
    target_sectors: list[str] = field(default_factory=list)
    target_regions: list[str] = field(default_factory=list)


def kaltim_regencies() -> list[Region]:
    return list(db.session.scalars(select(Region).where(
        Region.parent_code == KALTIM, Region.level == REGENCY).order_by(Region.code)))


def clean_program(data: ProgramData) -> dict[str, object]:
    name = rules.clean_text(data.name, 1000)
    if not name or len(name) > 160:
        raise ServiceError(_l("Enter the programme's name (at most 160 characters)."), "name")
    try:
        funding = FundingSource(data.funding_source)
    except ValueError as error:
        raise ServiceError(_l("Choose a funding source from the list."),
                           "funding_source") from error
    legal_basis = rules.clean_text(data.legal_basis, 1000)
    if len(legal_basis) > 200:
        raise ServiceError(_l("Use at most 200 characters."), "legal_basis")
    sectors = list(dict.fromkeys(data.target_sectors))
    if any(value not in {s.value for s in Sector} for value in sectors):
        raise ServiceError(_l("Choose sectors from the list."), "target_sectors")
    regions = list(dict.fromkeys(data.target_regions))
    if not set(regions) <= {r.code for r in kaltim_regencies()}:
        raise ServiceError(_l("Choose kabupaten/kota from the list."), "target_regions")
    return {"name": name, "fiscal_year": rules.clean_fiscal_year(data.fiscal_year),
            "funding_source": funding, "legal_basis": legal_basis,
            "budget_idr": rules.parse_rupiah(data.budget, "budget", rules.MAX_BUDGET_IDR),
            "target_sectors": sectors, "target_regions": regions}


def create_program(actor: User, data: ProgramData) -> AidProgram:
    require_staff(actor)
    program = AidProgram(created_by_id=actor.id, **clean_program(data))
    db.session.add(program)
    db.session.commit()
    return program


def update_program(actor: User, program: AidProgram, data: ProgramData) -> AidProgram:
    require_staff(actor)
    for name, value in clean_program(data).items():
        setattr(program, name, value)
    db.session.commit()
    return program


def list_programs() -> list[tuple[AidProgram, int]]:
    """Every programme with its number of recipients, newest fiscal year first."""
    rows = db.session.execute(
        select(AidProgram, func.count(Grant.id)).outerjoin(Grant).group_by(AidProgram.id)
        .order_by(AidProgram.fiscal_year.desc(), AidProgram.name))
    return [(program, count) for program, count in rows]


def get_program(program_id: int) -> AidProgram | None:
    return db.session.get(AidProgram, program_id)


def program_grants(program: AidProgram) -> list[Grant]:
    return list(db.session.scalars(
        select(Grant).join(Producer).where(Grant.program_id == program.id)
        .options(selectinload(Grant.items), selectinload(Grant.producer))
        .order_by(Producer.name, Grant.id)))


def program_imports(program: AidProgram) -> list[RecipientImport]:
    return list(db.session.scalars(select(RecipientImport).where(
        RecipientImport.program_id == program.id).order_by(RecipientImport.id.desc())))


def region_labels(codes: set[str]) -> dict[str, str]:
    """{village code: "Teluk Sumbang, Biduk-Biduk, Kabupaten Berau"} for display."""
    wanted = {".".join(code.split(".")[:n]) for code in codes if code for n in (2, 3, 4)}
    rows = db.session.execute(select(Region.code, Region.name).where(
        Region.code.in_(wanted))) if wanted else []
    names = {code: name for code, name in rows}
    return {code: ", ".join(names[part] for part in (
        code, ".".join(code.split(".")[:3]), ".".join(code.split(".")[:2])) if part in names)
        for code in codes if code}


# --- grants --------------------------------------------------------------------------------


@dataclass
class GrantData:
    producer_id: int | None
    items: list[rules.ItemData]
    handover_date: dt.date | None = None
    handover_place: str = ""
    bast_number: str = ""


def grant_candidates(program: AidProgram) -> list[Producer]:
    """Producers that have no grant in this programme yet."""
    taken = select(Grant.producer_id).where(Grant.program_id == program.id)
    return list(db.session.scalars(select(Producer).where(Producer.id.not_in(taken))
                                   .order_by(Producer.name)))


def add_grant(actor: User, program: AidProgram, data: GrantData) -> Grant:
    """Staff record by hand what an existing producer received in this programme."""
    require_staff(actor)
    producer = db.session.get(Producer, data.producer_id) if data.producer_id else None
    if producer is None:
        raise ServiceError(_l("Choose a producer from the list."), "producer_id")
    if _grant_of(program, producer) is not None:
        raise ServiceError(_l("This producer already has a grant in this programme."),
                           "producer_id")
    items = [rules.clean_item(item, f"items-{n}-") for n, item in enumerate(data.items)
             if any(str(v or "").strip() for v in vars(item).values())]
    if not items:
        raise ServiceError(_l("Enter at least one equipment item."), "items-0-name")
    grant = _new_grant(program, producer, items, rules.clean_handover_date(data.handover_date),
                       rules.clean_text(data.handover_place, 160),
                       rules.clean_text(data.bast_number, 100))
    record_event(producer, actor, "grant_added", changes={
        "program_id": program.id, "program": program.name, "items": len(items)})
    db.session.commit()
    return grant


def _grant_of(program: AidProgram, producer: Producer) -> Grant | None:
    return db.session.scalar(select(Grant).where(Grant.program_id == program.id,
                                                 Grant.producer_id == producer.id))


def _new_grant(program: AidProgram, producer: Producer, items: list[dict[str, object]],
               date: dt.date | None, place: str, bast: str) -> Grant:
    grant = Grant(program_id=program.id, producer_id=producer.id, handover_date=date,
                  handover_place=place, bast_number=bast,
                  items=[GrantItem(**item) for item in items])
    db.session.add(grant)
    return grant


# --- recipient import ----------------------------------------------------------------------

#: The documented example list (docs/impor-penerima.md); the demo data imports it.
EXAMPLE_FILE = Path(__file__).resolve().parent / "examples" / "contoh-penerima-bantuan.csv"



def preview_recipients(actor: User, program: AidProgram, data: bytes,
                       filename: str) -> ImportPreview:
    """Every row checked, nothing written. FileRefused (a ServiceError) for a bad file."""
    require_staff(actor)
    return importer.check_file(data, filename, program)


def import_recipients(actor: User, program: AidProgram, data: bytes,
                      filename: str) -> RecipientImport:
    """Check the file again and import its valid recipients, skipping bad rows: new
    producers (draft, created by the agency, each with a claim code) and their grants, in
    one transaction. Recipients already here, and grants already recorded, are not created
    twice, so importing the same file again adds nothing."""
    preview = preview_recipients(actor, program, data, filename)
    if not preview.importable:
        raise ServiceError(_l("No row can be imported. Fix the file and upload it again."),
                           "file")
    try:
        record = _apply(actor, program, preview)
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        raise ServiceError(_l("The import failed and nothing was saved. Please try again."),
                           "file") from error
    except Exception:
        db.session.rollback()
        raise
    return record


def _apply(actor: User, program: AidProgram, preview: ImportPreview) -> RecipientImport:
    producers = grants = 0
    for recipient in preview.importable:
        producer = recipient.existing
        if producer is None:
            producer = _new_producer(actor, program, recipient, preview.filename)
            producers += 1
        if _grant_of(program, producer) is None:
            _new_grant(program, producer, recipient.items, recipient.handover_date,
                       recipient.handover_place, recipient.bast_number)
            record_event(producer, actor, "grant_added", changes={
                "program_id": program.id, "program": program.name,
                "items": len(recipient.items), "import": preview.filename})
            grants += 1
    record = RecipientImport(
        program_id=program.id, filename=preview.filename, sha256=preview.sha256,
        rows_total=preview.rows_total, producers_created=producers, grants_created=grants,
        rows_skipped=preview.rows_skipped, imported_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    return record


def _new_producer(actor: User, program: AidProgram, recipient: Recipient,
                  filename: str) -> Producer:
    values = recipient.values
    producer = Producer(slug=unique_slug(str(values["name"])), status=ProducerStatus.DRAFT,
                        created_by_agency=True, **values)
    db.session.add(producer)
    db.session.flush()
    record_event(producer, actor, "created", reason="import",
                 changes={"program_id": program.id, "import": filename,
                          "rows": recipient.rows})
    claims.add_code(producer, actor)
    return producer


# --- the uploaded file between preview and confirm -----------------------------------------

_IMPORTS = "private/imports/"


def stash_upload(data: bytes) -> tuple[str, str]:
    """Keep an uploaded list privately until it is confirmed: (storage key, sha256)."""
    xlsx = data.startswith(b"PK\x03\x04")
    key = new_key("private", "imports", "xlsx" if xlsx else "csv")
    get_storage().save(key, data, "application/octet-stream")
    return key, hashlib.sha256(data).hexdigest()


def read_stashed(key: str, sha256: str) -> bytes:
    """The stashed file, if it is still there and unchanged."""
    storage = get_storage()
    if not key.startswith(_IMPORTS) or not storage.exists(key):
        raise ServiceError(_l("The uploaded file is no longer available. Upload it again."),
                           "file")
    data = storage.read(key)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ServiceError(_l("The uploaded file has changed. Upload it again."), "file")
    return data


def discard_stale_uploads(hours: int = 24) -> int:
    """Delete stashed lists older than ``hours``: previews nobody confirmed (a confirmed
    list is discarded at once). A preview older than that must be uploaded again."""
    return get_storage().delete_older_than(_IMPORTS, utcnow() - dt.timedelta(hours=hours))


def discard_stashed(key: str) -> None:
    if key.startswith(_IMPORTS):
        get_storage().delete(key)
