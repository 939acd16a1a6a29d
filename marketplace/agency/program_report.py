"""A programme's report: who received aid, how far each got on the platform, what they sold
since their handover, the equipment given, and before/after from monitoring visits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select

from marketplace.agency.models import MonitoringVisit
from marketplace.agency.sql import sold
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.producers.models import Producer, ProducerMember, ProducerStatus
from marketplace.programs.models import AidProgram, Grant, GrantItem


@dataclass
class Recipient:
    grant: Grant
    producer: Producer
    claimed: bool
    products: int
    orders: int
    sales_idr: int
    baseline: MonitoringVisit | None = None
    latest: MonitoringVisit | None = None


@dataclass
class ProgramReport:
    program: AidProgram
    recipients: list[Recipient] = field(default_factory=list)
    #: [(category, grants, units, value)]
    equipment: list[tuple[str, int, int, int]] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return sum(1 for r in self.recipients if r.claimed)

    @property
    def verified(self) -> int:
        return sum(1 for r in self.recipients if r.producer.status is ProducerStatus.VERIFIED)

    @property
    def listing(self) -> int:
        return sum(1 for r in self.recipients if r.products)

    @property
    def selling(self) -> int:
        return sum(1 for r in self.recipients if r.orders)

    @property
    def sales_idr(self) -> int:
        return sum(r.sales_idr for r in self.recipients)

    @property
    def orders(self) -> int:
        return sum(r.orders for r in self.recipients)

    @property
    def equipment_value_idr(self) -> int:
        return sum(row[3] for row in self.equipment)

    def before_after(self) -> dict[str, tuple[int, int]]:
        """Sums over recipients with both a baseline and a later visit:
        {"turnover": (before, after), "workers": ..., "women": ..., "paid": ...}."""
        pairs = [(r.baseline, r.latest) for r in self.recipients if r.baseline and r.latest]
        return {name: (sum(getattr(b, attr) for b, _ in pairs),
                       sum(getattr(a, attr) for _, a in pairs))
                for name, attr in (("turnover", "turnover_idr"), ("workers", "workers_total"),
                                   ("paid", "workers_paid"), ("women", "workers_women"))} | {
            "compared": (len(pairs), len(pairs))}


def build(program: AidProgram) -> ProgramReport:
    """Five queries whatever the number of recipients."""
    report = ProgramReport(program)
    grants = list(db.session.execute(
        select(Grant, Producer).join(Producer, Producer.id == Grant.producer_id)
        .where(Grant.program_id == program.id).order_by(Producer.name, Grant.id)).all())
    claimed = exists(select(ProducerMember.id).where(
        ProducerMember.producer_id == Producer.id)).correlate(Producer)
    claimed_ids = set(db.session.scalars(select(Producer.id).join(
        Grant, Grant.producer_id == Producer.id).where(Grant.program_id == program.id,
                                                       claimed)))
    products = dict(db.session.execute(
        select(Product.producer_id, func.count()).join(
            Grant, Grant.producer_id == Product.producer_id)
        .where(Grant.program_id == program.id, Product.status == ProductStatus.PUBLISHED)
        .group_by(Product.producer_id)).all())
    sales = {pid: (n, int(v or 0)) for pid, n, v in db.session.execute(
        select(Order.producer_id, func.count(), func.sum(Order.items_total_idr))
        .join(Grant, Grant.producer_id == Order.producer_id)
        .where(Grant.program_id == program.id, sold(),
               or_(Grant.handover_date.is_(None), Order.created_at >= Grant.handover_date))
        .group_by(Order.producer_id))}
    visits = _visits(program)
    for grant, producer in grants:
        n, value = sales.get(producer.id, (0, 0))
        baseline, latest = visits.get(grant.id, (None, None))
        report.recipients.append(Recipient(grant, producer, producer.id in claimed_ids,
                                           products.get(producer.id, 0), n, value,
                                           baseline, latest))
    report.equipment = [(c, g, int(u or 0), int(v or 0)) for c, g, u, v in db.session.execute(
        select(GrantItem.category, func.count(GrantItem.grant_id.distinct()),
               func.sum(GrantItem.quantity),
               func.sum(GrantItem.quantity * GrantItem.unit_value_idr))
        .join(Grant, Grant.id == GrantItem.grant_id).where(Grant.program_id == program.id)
        .group_by(GrantItem.category).order_by(GrantItem.category))]
    return report


def _visits(program: AidProgram) -> dict[int, tuple[MonitoringVisit | None,
                                                   MonitoringVisit | None]]:
    """{grant id: (baseline visit, latest later visit)}."""
    out: dict[int, tuple[MonitoringVisit | None, MonitoringVisit | None]] = {}
    for visit in db.session.scalars(
            select(MonitoringVisit).join(Grant, Grant.id == MonitoringVisit.grant_id)
            .where(Grant.program_id == program.id)
            .order_by(MonitoringVisit.visit_date, MonitoringVisit.id)):
        baseline, latest = out.get(visit.grant_id, (None, None))
        if visit.is_baseline:
            baseline = visit
        else:
            latest = visit
        out[visit.grant_id] = (baseline, latest)
    return out
