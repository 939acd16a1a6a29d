"""What staff read: the verification queue and the data of a producer's review page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerEvent, ProducerStatus, Sector
from marketplace.programs.models import AidProgram, Grant
from marketplace.regions.models import KALTIM, REGENCY, Region
from marketplace.verification import rules
from marketplace.verification.models import DocumentStatus, ProducerDocument

PER_PAGE = 25
#: The queue's extra status filter: verified (or suspended) producers with renewed documents
#: waiting for review.
DOCUMENTS_WAITING = "documents"
ALL = "all"


@dataclass
class QueueFilters:
    status: str = ProducerStatus.SUBMITTED.value
    program_id: int | None = None
    regency: str | None = None
    sector: str | None = None
    page: int = 1
    #: Filter name -> message, for values that were not understood (and are ignored).
    errors: dict[str, str] = field(default_factory=dict)


def programs() -> list[AidProgram]:
    return list(db.session.scalars(select(AidProgram).order_by(
        AidProgram.fiscal_year.desc(), AidProgram.name)))


def regencies() -> list[Region]:
    """Kaltim's kabupaten/kota (level 2 under "64")."""
    return list(db.session.scalars(select(Region).where(
        Region.parent_code == KALTIM, Region.level == REGENCY).order_by(Region.name)))


def status_choices() -> list[str]:
    return [*(status.value for status in ProducerStatus), DOCUMENTS_WAITING, ALL]


def parse_filters(args: Mapping[str, str]) -> QueueFilters:
    """Filters from the query string. An unknown value is reported and ignored: never a 500."""
    filters = QueueFilters()
    status = (args.get("status") or filters.status).strip()
    if status in status_choices():
        filters.status = status
    else:
        filters.errors["status"] = str(_l("Unknown status: showing profiles waiting for "
                                          "review."))
    program = (args.get("program") or "").strip()
    if program:
        if program.isdigit() and db.session.get(AidProgram, int(program)) is not None:
            filters.program_id = int(program)
        else:
            filters.errors["program"] = str(_l("Unknown programme: showing every programme."))
    regency = (args.get("regency") or "").strip()
    if regency:
        if regency in {region.code for region in regencies()}:
            filters.regency = regency
        else:
            filters.errors["regency"] = str(_l("Unknown kabupaten/kota: showing all of "
                                               "Kalimantan Timur."))
    sector = (args.get("sector") or "").strip()
    if sector:
        if sector in {s.value for s in Sector}:
            filters.sector = sector
        else:
            filters.errors["sector"] = str(_l("Unknown sector: showing every sector."))
    page = (args.get("page") or "1").strip()
    filters.page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    return filters


def _pending_documents() -> Select[tuple[int]]:
    return select(ProducerDocument.producer_id).where(
        ProducerDocument.status == DocumentStatus.PENDING, ProducerDocument.replaced.is_(False))


def queue(filters: QueueFilters) -> Pagination:
    """Producers matching the filters, oldest submission first, PER_PAGE a page."""
    query = select(Producer)
    if filters.status == DOCUMENTS_WAITING:
        query = query.where(
            Producer.status.in_([ProducerStatus.VERIFIED, ProducerStatus.SUSPENDED]),
            Producer.id.in_(_pending_documents()))
    elif filters.status != ALL:
        query = query.where(Producer.status == ProducerStatus(filters.status))
    if filters.program_id is not None:
        query = query.where(Producer.id.in_(select(Grant.producer_id).where(
            Grant.program_id == filters.program_id)))
    if filters.regency:
        query = query.where(Producer.region_code.startswith(filters.regency + ".",
                                                            autoescape=True))
    if filters.sector:
        query = query.where(Producer.sector == Sector(filters.sector))
    query = query.order_by(Producer.submitted_at.is_(None), Producer.submitted_at, Producer.id)
    return db.paginate(query, page=filters.page, per_page=PER_PAGE, error_out=False)


@dataclass
class DocumentFlags:
    pending: int = 0
    expiring: int = 0
    expired: int = 0


def document_flags(producer_ids: list[int], on: dt.date) -> dict[int, DocumentFlags]:
    """For the queue: per producer, current documents waiting, expiring and expired."""
    flags = {producer_id: DocumentFlags() for producer_id in producer_ids}
    if not producer_ids:
        return flags
    documents = db.session.scalars(select(ProducerDocument).where(
        ProducerDocument.producer_id.in_(producer_ids), ProducerDocument.replaced.is_(False)))
    for document in documents:
        flag = flags[document.producer_id]
        flag.pending += document.status is DocumentStatus.PENDING
        state = rules.expiry_state(document, on)
        if state == "expired":
            flag.expired += 1
        elif state == "expiring":
            flag.expiring += 1
    return flags


def grants_of(producer: Producer) -> list[Grant]:
    return list(db.session.scalars(select(Grant).where(Grant.producer_id == producer.id)
                                   .options(selectinload(Grant.program), selectinload(Grant.items))
                                   .order_by(Grant.id)))


def programs_by_producer(producer_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {producer_id: [] for producer_id in producer_ids}
    if producer_ids:
        rows = db.session.execute(select(Grant.producer_id, AidProgram.name).join(AidProgram)
                                  .where(Grant.producer_id.in_(producer_ids))
                                  .order_by(AidProgram.fiscal_year.desc()))
        for producer_id, name in rows:
            names[producer_id].append(name)
    return names


def audit_trail(producer: Producer) -> list[ProducerEvent]:
    return list(db.session.scalars(select(ProducerEvent).where(
        ProducerEvent.producer_id == producer.id).options(selectinload(ProducerEvent.actor))
        .order_by(ProducerEvent.id.desc())))


def region_names(codes: list[str | None]) -> dict[str, str]:
    """Code -> "Desa X, Kec. Y, Kab. Z" parts, for showing where producers are."""
    wanted = {c for c in codes if c}
    for code in list(wanted):
        parts = code.split(".")
        wanted.update(".".join(parts[:n]) for n in (2, 3))
    if not wanted:
        return {}
    rows = db.session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    names = {code: name for code, name in rows}
    result = {}
    for village in filter(None, codes):
        parts = village.split(".")
        chain = [".".join(parts[:n]) for n in (4, 3, 2)]
        result[village] = ", ".join(names[c] for c in chain if c in names)
    return result


def count_waiting() -> int:
    return db.session.scalar(select(func.count()).select_from(Producer).where(
        Producer.status == ProducerStatus.SUBMITTED)) or 0
