"""Figures turned into what pages show and files carry: tables (agency.tables) and charts.

The same table definition feeds the page and its CSV/XLSX download.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from marketplace.agency import charts
from marketplace.agency.dashboard import Figures
from marketplace.agency.models import MonitoringVisit
from marketplace.agency.monitoring import USE_LABELS
from marketplace.agency.producer_report import ProducerFigures
from marketplace.agency.program_report import ProgramReport
from marketplace.agency.tables import COUNT, IDR, PERCENT, Column, Table
from marketplace.agency.tables import MONTH as MONTH_KIND
from marketplace.catalogue.services import PROCESSING_LABELS
from marketplace.formatting import rupiah
from marketplace.orders.models import OrderStatus
from marketplace.producers.models import Sector
from marketplace.producers.services import SECTOR_LABELS, STATUS_LABELS

MONTH, ORDERS, SALES = _l("Month"), _l("Orders"), _l("Sales value (Rp)")
SHARE = _l("Share of value (%)")
#: Order statuses as buyers know them from Indonesian marketplaces.
ORDER_STATUS_LABELS = {
    OrderStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PROCESSING: _l("Processing"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REFUNDED: _l("Refunded"),
}
LEVEL_CLASSES = ["level-raw", "level-semi", "level-finished", "level-branded"]


def month_label(month: str, short: bool = False) -> str:
    day = dt.date(int(month[:4]), int(month[5:7]), 1)
    return format_date(day, "MMM yy" if short else "MMMM y", locale=str(get_locale() or "id"))


def _pct_text(value: float) -> str:
    return f"{format_decimal(value, '0.0', locale=str(get_locale() or 'id'))}%"


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def summary_table(f: Figures) -> Table:
    rows = [
        (_l("Verified producers"), f.verified_producers, COUNT),
        (_l("Producers who sold at least once"), f.selling_producers, COUNT),
        (_l("Orders (paid)"), f.orders, COUNT),
        (_l("Sales value (Rp)"), f.sales_idr, IDR),
        (_l("Average order value (Rp)"), f.average_order_idr, IDR),
        (_l("Distinct buyers"), f.buyers, COUNT),
        (_l("Repeat buyers (two checkouts or more)"), f.repeat_buyers, COUNT),
        (_l("Buyers from outside the producer's kabupaten/kota"), f.outside_buyers, COUNT),
        (_l("Sales to other kabupaten/kota (%)"), f.outside_share, PERCENT),
        (_l("Finished and branded goods share of sales (%)"), f.downstream_share, PERCENT),
    ]
    return _figure_table("ringkasan", _l("Summary"), rows)


def _figure_table(key: str, title: object, rows: list[tuple[object, object, str]]) -> Table:
    return Table(key, title, [Column(_l("Figure")), Column(_l("Value"))],
                 [[label, value] for label, value, _ in rows],
                 row_kinds=[kind for _, _, kind in rows])


def month_table(key: str, months: list[tuple[str, int, int]]) -> Table:
    return Table(key, _l("Sales by month"),
                 [Column(MONTH, MONTH_KIND), Column(ORDERS, COUNT), Column(SALES, IDR)],
                 [[m, n, v] for m, n, v in months])


def regency_table(f: Figures) -> Table:
    return Table("per-wilayah", _l("Sales by kabupaten/kota"),
                 [Column(_l("Kabupaten/kota")), Column(_l("Code")), Column(ORDERS, COUNT),
                  Column(SALES, IDR), Column(SHARE, PERCENT)],
                 [[name, code, n, v, _pct(v, f.sales_idr)] for code, name, n, v in f.regencies])


def sector_table(f: Figures) -> Table:
    return Table("per-sektor", _l("Sales by sector"),
                 [Column(_l("Sector")), Column(ORDERS, COUNT), Column(SALES, IDR),
                  Column(SHARE, PERCENT)],
                 [[SECTOR_LABELS.get(Sector(s), s) if s in set(Sector) else s, n, v,
                   _pct(v, f.sales_idr)] for s, n, v in f.sectors])


def level_table(f: Figures) -> Table:
    total = sum(v for _, _, v in f.levels)
    return Table("per-tingkat-olahan", _l("Sales by processing level"),
                 [Column(_l("Processing level")), Column(_l("Units sold"), COUNT),
                  Column(SALES, IDR), Column(SHARE, PERCENT)],
                 [[PROCESSING_LABELS[lv], u, v, _pct(v, total)] for lv, u, v in f.levels])


def dashboard_tables(f: Figures) -> dict[str, Table]:
    tables = [summary_table(f), month_table("per-bulan", f.months), regency_table(f),
              sector_table(f), level_table(f)]
    return {t.key: t for t in tables}


def dashboard_charts(f: Figures) -> dict[str, charts.Chart]:
    every = max(1, -(-len(f.months) // 6))  # at most six month labels under the axis
    return {
        "per-bulan": charts.column_chart(
            "per-bulan", str(_l("Monthly sales")),
            [(month_label(m, short=True), v, rupiah(v)) for m, _, v in f.months],
            tick_every=every, max_text=rupiah(max((v for _, _, v in f.months), default=0))),
        "per-wilayah": charts.bar_chart(
            "per-wilayah", str(_l("Sales by kabupaten/kota")),
            [(name, v, rupiah(v)) for _, name, _, v in f.regencies]),
        "per-sektor": charts.bar_chart(
            "per-sektor", str(_l("Sales by sector")),
            [(str(SECTOR_LABELS.get(Sector(s), s)) if s in set(Sector) else s, v, rupiah(v))
             for s, _, v in f.sectors]),
        "per-tingkat-olahan": charts.bar_chart(
            "per-tingkat-olahan", str(_l("Sales by processing level")),
            [(str(PROCESSING_LABELS[lv]), v, f"{rupiah(v)} ({_pct_text(f.level_share(lv))})")
             for lv, _, v in f.levels], classes=LEVEL_CLASSES),
    }


# --- one producer ----------------------------------------------------------------------------

def producer_tables(p: ProducerFigures, *, staff: bool) -> dict[str, Table]:
    tables = [
        month_table("penjualan-per-bulan", p.months),
        Table("produk-terlaris", _l("Best-selling products"),
              [Column(_l("Product")), Column(_l("Units sold"), COUNT), Column(SALES, IDR)],
              [list(row) for row in p.best]),
        Table("pesanan-per-status", _l("Orders by status"),
              [Column(_l("Status")), Column(ORDERS, COUNT)],
              [[ORDER_STATUS_LABELS[s], n] for s, n in p.statuses]),
        Table("tingkat-olahan", _l("Products by processing level"),
              [Column(_l("Processing level")), Column(_l("Products listed"), COUNT),
               Column(_l("Units sold"), COUNT), Column(SALES, IDR)],
              [[PROCESSING_LABELS[lv], n, u, v] for lv, n, u, v in p.levels]),
    ]
    if not staff:
        tables = [t for t in tables if t.key != "tingkat-olahan"]
    return {t.key: t for t in tables}


def producer_month_chart(p: ProducerFigures) -> charts.Chart:
    every = max(1, -(-len(p.months) // 6))
    return charts.column_chart(
        "penjualan-per-bulan", str(_l("Monthly sales")),
        [(month_label(m, short=True), v, rupiah(v)) for m, _, v in p.months], tick_every=every,
        max_text=rupiah(max((v for _, _, v in p.months), default=0)))

# --- programmes and visits -------------------------------------------------------------------

def program_tables(report: ProgramReport) -> dict[str, Table]:
    ba = report.before_after()
    summary = [
        (_l("Recipients"), len(report.recipients), COUNT),
        (_l("Claimed their account"), report.claimed, COUNT),
        (_l("Verified"), report.verified, COUNT),
        (_l("With listed products"), report.listing, COUNT),
        (_l("Sold since handover"), report.selling, COUNT),
        (_l("Orders since handover (paid)"), report.orders, COUNT),
        (_l("Sales since handover (Rp)"), report.sales_idr, IDR),
        (_l("Equipment value (Rp)"), report.equipment_value_idr, IDR),
        (_l("Monthly turnover at baseline (Rp)"), ba["turnover"][0], IDR),
        (_l("Monthly turnover at latest visit (Rp)"), ba["turnover"][1], IDR),
        (_l("Workers at baseline"), ba["workers"][0], COUNT),
        (_l("Workers at latest visit"), ba["workers"][1], COUNT),
        (_l("Recipients compared (baseline and later visit)"), ba["compared"][0], COUNT),
    ]
    tables = [
        _figure_table("ringkasan-program", _l("Programme summary"), summary),
        Table("penerima", _l("Recipients"),
              [Column(_l("Producer")), Column(_l("Status")), Column(_l("Claimed")),
               Column(_l("Products listed"), COUNT), Column(_l("Orders since handover"), COUNT),
               Column(_l("Sales since handover (Rp)"), IDR)],
              [[r.producer.name, STATUS_LABELS[r.producer.status],
                _l("yes") if r.claimed else _l("no"), r.products, r.orders, r.sales_idr]
               for r in report.recipients]),
        Table("peralatan", _l("Equipment by category"),
              [Column(_l("Category")), Column(_l("Grants"), COUNT), Column(_l("Units"), COUNT),
               Column(_l("Value (Rp)"), IDR)], [list(row) for row in report.equipment]),
        Table("sebelum-sesudah", _l("Before and after (baseline and latest visit)"),
              [Column(_l("Producer")), Column(_l("Turnover before (Rp)"), IDR),
               Column(_l("Turnover after (Rp)"), IDR), Column(_l("Workers before"), COUNT),
               Column(_l("Workers after"), COUNT), Column(_l("Equipment now"))],
              [[r.producer.name, r.baseline.turnover_idr, r.latest.turnover_idr,
                r.baseline.workers_total, r.latest.workers_total,
                USE_LABELS[r.latest.equipment_use]]
               for r in report.recipients if r.baseline and r.latest]),
    ]
    return {t.key: t for t in tables}


def visit_table(visits: list[MonitoringVisit]) -> Table:
    return Table(
        "kunjungan-monitoring", _l("Monitoring visits"),
        [Column(_l("Date")), Column(_l("Baseline")), Column(_l("Officer")),
         Column(_l("Equipment")), Column(_l("Monthly turnover (Rp)"), IDR),
         Column(_l("Workers"), COUNT), Column(_l("Paid workers"), COUNT),
         Column(_l("Women workers"), COUNT), Column(_l("Production")), Column(_l("Notes"))],
        [[v.visit_date.isoformat(), _l("yes") if v.is_baseline else _l("no"),
          v.officer.name, USE_LABELS[v.equipment_use], v.turnover_idr, v.workers_total,
          v.workers_paid, v.workers_women, f"{v.production_volume} {v.production_unit}".strip(),
          v.notes] for v in visits])
