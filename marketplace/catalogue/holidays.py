"""A shop's holiday: a producer closes its storefront for a few days, with a note to buyers.

Dates are calendar days in Kaltim (WITA), both inclusive. The storefront shows a notice from
a week before the holiday until its last day.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import WITA
from marketplace.producers.models import Producer
from marketplace.producers.services import record_event, require_member

MAX_DAYS = 90
NOTE_MAX = 200
#: How long before a holiday buyers are told about it.
NOTICE_AHEAD = dt.timedelta(days=7)


def today() -> dt.date:
    """Today in Kaltim (WITA)."""
    return utcnow().astimezone(WITA).date()


class HolidayState(NamedTuple):
    closed: bool
    start: dt.date
    until: dt.date
    note: str


def holiday_state(producer: Producer, on: dt.date | None = None) -> HolidayState | None:
    """The holiday to tell buyers about: under way (closed) or starting within a week."""
    start, until = producer.holiday_from, producer.holiday_until
    if start is None or until is None:
        return None
    on = on or today()
    if until < on or start - NOTICE_AHEAD > on:
        return None
    return HolidayState(start <= on, start, until, producer.holiday_note)


def set_holiday(actor: User, producer: Producer, start: dt.date | None, until: dt.date | None,
                note: str = "") -> Producer:
    """Close the shop from ``start`` to ``until`` (inclusive). Members only."""
    require_member(actor, producer)
    note = (note or "").strip()
    _check(producer, start, until, note)
    before = _snapshot(producer)
    producer.holiday_from, producer.holiday_until, producer.holiday_note = start, until, note
    record_event(producer, actor, "holiday", changes={"holiday": [before, _snapshot(producer)]})
    db.session.commit()
    return producer


def clear_holiday(actor: User, producer: Producer) -> Producer:
    """Open the shop again (or cancel a planned holiday). Members only."""
    require_member(actor, producer)
    before = _snapshot(producer)
    producer.holiday_from = producer.holiday_until = None
    producer.holiday_note = ""
    record_event(producer, actor, "holiday", changes={"holiday": [before, None]})
    db.session.commit()
    return producer


def _check(producer: Producer, start: dt.date | None, until: dt.date | None, note: str) -> None:
    if start is None:
        raise ServiceError(_l("Enter the first day of the holiday."), "holiday_from")
    if until is None:
        raise ServiceError(_l("Enter the last day of the holiday."), "holiday_until")
    # A holiday already under way keeps its first day (the note or the end may change).
    if start < today() and start != producer.holiday_from:
        raise ServiceError(_l("The holiday cannot start in the past."), "holiday_from")
    if until < start:
        raise ServiceError(_l("The last day must be on or after the first day."),
                           "holiday_until")
    if (until - start).days + 1 > MAX_DAYS:
        raise ServiceError(_l("A holiday lasts at most %(days)d days.", days=MAX_DAYS),
                           "holiday_until")
    if len(note) > NOTE_MAX:
        raise ServiceError(_l("The note may have at most %(max)d characters.", max=NOTE_MAX),
                           "holiday_note")


def _snapshot(producer: Producer) -> dict[str, str] | None:
    if producer.holiday_from is None:
        return None
    return {"from": producer.holiday_from.isoformat(),
            "until": producer.holiday_until.isoformat() if producer.holiday_until else "",
            "note": producer.holiday_note}
