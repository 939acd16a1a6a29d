"""Impact pages: the staff dashboard, programme reports, a producer's impact page, and a
producer's own numbers for its members. Every table also downloads as CSV and XLSX."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required
from sqlalchemy import select

from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.agency import (
    dashboard,
    filters,
    monitoring_views,  # noqa: F401 - adds the monitoring routes
    pages,
    producer_report,
    program_report,
)
from marketplace.agency.blueprint import bp
from marketplace.agency.monitoring import USE_LABELS
from marketplace.agency.tables import Table, download
from marketplace.extensions import db
from marketplace.producers.access import member_producer_or_404
from marketplace.producers.models import Producer, ProducerType, Sector
from marketplace.producers.services import SECTOR_LABELS, TYPE_LABELS, get_producer
from marketplace.programs.models import AidProgram
from marketplace.programs.services import kaltim_regencies

__all__ = ["bp"]

FORMATS = "any(csv, xlsx)"


def _table(tables: dict[str, Table], key: str) -> Table:
    if key not in tables:
        abort(404)
    return tables[key]


def _filter_choices() -> dict[str, object]:
    return {
        "programs": list(db.session.scalars(select(AidProgram).order_by(
            AidProgram.fiscal_year.desc(), AidProgram.name))),
        "regencies": kaltim_regencies(),
        "sectors": [(s.value, SECTOR_LABELS[s]) for s in Sector],
        "types": [(t.value, TYPE_LABELS[t]) for t in ProducerType],
    }


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"use_labels": USE_LABELS}


# --- dashboard -------------------------------------------------------------------------------

@bp.get("/dinas/dampak")
@role_required(Role.STAFF)
def index():
    parsed = filters.parse(request.args)
    if parsed.filters is None:
        return render_template("agency/dashboard.html", errors=parsed.errors,
                               args=request.args, figures=None, **_filter_choices()), 400
    figures = dashboard.compute(parsed.filters)
    return render_template(
        "agency/dashboard.html", errors=[], args=parsed.filters.query_args(),
        filters=parsed.filters, figures=figures, tables=pages.dashboard_tables(figures),
        charts=pages.dashboard_charts(figures), **_filter_choices())


@bp.get(f"/dinas/dampak/unduh/<key>.<{FORMATS}:fmt>")
@role_required(Role.STAFF)
def index_download(key: str, fmt: str):
    parsed = filters.parse(request.args)
    if parsed.filters is None:
        return render_template("agency/dashboard.html", errors=parsed.errors,
                               args=request.args, figures=None, **_filter_choices()), 400
    table = _table(pages.dashboard_tables(dashboard.compute(parsed.filters)), key)
    return download(table, fmt, f"dampak_{parsed.filters.file_label()}")


# --- programme report ------------------------------------------------------------------------

def _program(program_id: int) -> AidProgram:
    program = db.session.get(AidProgram, program_id)
    if program is None:
        abort(404)
    return program


@bp.get("/dinas/dampak/program/<int:program_id>")
@role_required(Role.STAFF)
def program(program_id: int):
    report = program_report.build(_program(program_id))
    return render_template("agency/program.html", report=report,
                           tables=pages.program_tables(report),
                           before_after=report.before_after(), today=filters.today_wita())


@bp.get(f"/dinas/dampak/program/<int:program_id>/unduh/<key>.<{FORMATS}:fmt>")
@role_required(Role.STAFF)
def program_download(program_id: int, key: str, fmt: str):
    report = program_report.build(_program(program_id))
    table = _table(pages.program_tables(report), key)
    return download(table, fmt, f"laporan-program-{program_id}_{filters.today_wita()}")


# --- one producer (staff) --------------------------------------------------------------------

def _producer_tables(producer: Producer) -> tuple[producer_report.ProducerFigures,
                                                  dict[str, Table], list[object]]:
    today = filters.today_wita()
    figures = producer_report.figures(producer, producer_report.since_grant(producer, today),
                                      today, staff=True)
    visits = producer_report.visits_of(producer)
    tables = pages.producer_tables(figures, staff=True)
    tables["kunjungan-monitoring"] = pages.visit_table(visits)
    return figures, tables, visits


@bp.get("/dinas/dampak/produsen/<int:producer_id>")
@role_required(Role.STAFF)
def producer(producer_id: int):
    found = get_producer(producer_id) or abort(404)
    figures, tables, visits = _producer_tables(found)
    return render_template("agency/producer.html", producer=found, figures=figures,
                           tables=tables, visits=visits, grants=producer_report.grants_of(found),
                           chart=pages.producer_month_chart(figures))


@bp.get(f"/dinas/dampak/produsen/<int:producer_id>/unduh/<key>.<{FORMATS}:fmt>")
@role_required(Role.STAFF)
def producer_download(producer_id: int, key: str, fmt: str):
    found = get_producer(producer_id) or abort(404)
    figures, tables, _ = _producer_tables(found)
    return download(_table(tables, key), fmt,
                    f"dampak-produsen-{producer_id}_{figures.start}_{figures.end}")


# --- a producer's own numbers (its members only) ---------------------------------------------

def _own(producer_id: int) -> tuple[Producer, producer_report.ProducerFigures]:
    """The producer, for its members only: 404 for everyone else, staff included (staff
    have the impact page)."""
    found = member_producer_or_404(producer_id)
    start, end = filters.default_range(filters.today_wita())
    return found, producer_report.figures(found, start, end, staff=False)


@bp.get("/produsen/<int:producer_id>/angka")
@login_required
def own(producer_id: int):
    found, figures = _own(producer_id)
    return render_template("agency/own.html", producer=found, figures=figures,
                           tables=pages.producer_tables(figures, staff=False),
                           chart=pages.producer_month_chart(figures))


@bp.get(f"/produsen/<int:producer_id>/angka/unduh/<key>.<{FORMATS}:fmt>")
@login_required
def own_download(producer_id: int, key: str, fmt: str):
    found, figures = _own(producer_id)
    table = _table(pages.producer_tables(figures, staff=False), key)
    return download(table, fmt, f"angka-{found.slug}_{figures.start}_{figures.end}")


@bp.app_template_filter("impact_cell")
def _cell(value: object, kind: str) -> str:
    """A table cell as people read it: Rp150.000, 12,5%, 1.234, Januari 2025."""
    from babel.numbers import format_decimal
    from flask_babel import get_locale

    from marketplace.formatting import rupiah

    locale = str(get_locale() or "id")
    if kind == "idr" and isinstance(value, int):
        return rupiah(value)
    if kind == "percent" and isinstance(value, int | float):
        return f"{format_decimal(value, '0.0', locale=locale)}%"
    if kind == "count" and isinstance(value, int):
        return format_decimal(value, "#,##0", locale=locale)
    if kind == "month" and isinstance(value, str):
        return pages.month_label(value)
    return "" if value is None else str(value)
