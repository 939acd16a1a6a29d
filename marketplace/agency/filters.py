"""The dashboard's filters: a date range and who is counted, read from a query string.

Bad input never reaches a query: every value is checked here and each problem becomes a
translated message for the page (dates reversed or out of range, a huge range, an unknown
programme, kabupaten/kota, sector or producer type).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.formatting import WITA
from marketplace.producers.models import ProducerType, Sector
from marketplace.programs.models import AidProgram
from marketplace.regions.models import KALTIM, REGENCY, Region

#: No sales happened on the platform before this day.
EARLIEST = dt.date(2020, 1, 1)
#: The widest range one page may ask for (the monthly chart stays readable).
MAX_DAYS = 5 * 366


def today_wita() -> dt.date:
    return utcnow().astimezone(WITA).date()


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months: the first day of the month eleven months ago, to today."""
    month = today.year * 12 + today.month - 1 - 11
    return dt.date(month // 12, month % 12 + 1, 1), today


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    program_id: int | None = None
    regency: str | None = None
    sector: Sector | None = None
    producer_type: ProducerType | None = None

    def bounds_utc(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00 WITA, the day after end 00:00 WITA) as UTC datetimes."""
        start = dt.datetime.combine(self.start, dt.time(), WITA)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), WITA)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def query_args(self) -> dict[str, str]:
        """The filters as the page's query string (for links and downloads)."""
        args = {"dari": self.start.isoformat(), "sampai": self.end.isoformat()}
        if self.program_id is not None:
            args["program"] = str(self.program_id)
        if self.regency:
            args["wilayah"] = self.regency
        if self.sector is not None:
            args["sektor"] = self.sector.value
        if self.producer_type is not None:
            args["jenis"] = self.producer_type.value
        return args

    def file_label(self) -> str:
        """The filters in a download's file name: "2025-01-01_2025-12-31_program-2"."""
        parts = [self.start.isoformat(), self.end.isoformat()]
        if self.program_id is not None:
            parts.append(f"program-{self.program_id}")
        if self.regency:
            parts.append(f"wilayah-{self.regency}")
        if self.sector is not None:
            parts.append(f"sektor-{self.sector.value}")
        if self.producer_type is not None:
            parts.append(f"jenis-{self.producer_type.value}")
        return "_".join(parts)


@dataclass
class Parsed:
    filters: Filters | None
    errors: list[object] = field(default_factory=list)


def parse(args: Mapping[str, str], today: dt.date | None = None) -> Parsed:
    """Filters from query arguments, or the messages that explain what is wrong."""
    today = today or today_wita()
    default_start, default_end = default_range(today)
    errors: list[object] = []
    start = _date(args.get("dari"), default_start, _l("start date"), errors)
    end = _date(args.get("sampai"), default_end, _l("end date"), errors)
    _check_range(start, end, today, errors)
    program_id = _program(args.get("program", ""), errors)
    regency = _regency(args.get("wilayah", ""), errors)
    sector = _choice(Sector, args.get("sektor", ""), _l("Choose a sector from the list."),
                     errors)
    kind = _choice(ProducerType, args.get("jenis", ""),
                   _l("Choose a producer type from the list."), errors)
    if errors:
        return Parsed(None, errors)
    return Parsed(Filters(start, end, program_id, regency, sector, kind))


def _date(raw: str | None, default: dt.date, name: object, errors: list[object]) -> dt.date:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(_l("The %(name)s is not a valid date: use the form YYYY-MM-DD.",
                         name=name))
        return default


def _check_range(start: dt.date, end: dt.date, today: dt.date, errors: list[object]) -> None:
    latest = dt.date(today.year + 1, 12, 31)
    if start < EARLIEST or end < EARLIEST or start > latest or end > latest:
        errors.append(_l("Dates must lie between %(first)s and %(last)s.",
                         first=EARLIEST.isoformat(), last=latest.isoformat()))
    elif start > end:
        errors.append(_l("The start date is after the end date: swap them."))
    elif (end - start).days > MAX_DAYS:
        errors.append(_l("Choose a range of at most five years."))


def _program(raw: str, errors: list[object]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw.isdigit() and len(raw) < 10 and db.session.get(AidProgram, int(raw)) is not None:
        return int(raw)
    errors.append(_l("There is no such aid programme: choose one from the list."))
    return None


def _regency(raw: str, errors: list[object]) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) == 5 and raw in kaltim_regency_codes():
        return raw
    errors.append(_l("There is no such kabupaten/kota in East Kalimantan: choose one from "
                     "the list."))
    return None


def kaltim_regency_codes() -> set[str]:
    return set(db.session.scalars(select(Region.code).where(
        Region.parent_code == KALTIM, Region.level == REGENCY)))


def _choice(kind: type[Any], raw: str, message: object, errors: list[object]) -> Any:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        errors.append(message)
        return None
