"""How money and time look to people: ``Rp150.000`` and ``Rabu, 3 April 2024`` (WITA)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from lokal import format_rupiah

WITA = ZoneInfo("Asia/Makassar")


def rupiah(amount: int | None) -> str:
    """Whole Rupiah with dot thousands and no space: 150000 -> 'Rp150.000'."""
    if amount is None:
        return ""
    if type(amount) is int and amount >= 0:
        # lokal's own digits for whole positive amounts, at a tenth of its cost (a product
        # grid shows 24 prices): Decimal rounding and a regex are for the other cases.
        return f"Rp{amount:,}".replace(",", ".")
    return format_rupiah(int(amount))


def to_wita(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(WITA)


def long_date(value: dt.date | dt.datetime | None, locale: str = "id") -> str:
    """'Rabu, 3 April 2024': a datetime is shown in WITA, a date as it is."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_wita(value).date()
    return format_date(value, "EEEE, d MMMM y", locale=locale)


def long_datetime(value: dt.datetime | None, locale: str = "id") -> str:
    """'Rabu, 3 April 2024 14.05 WITA'."""
    if value is None:
        return ""
    local = to_wita(value)
    return f"{format_datetime(local, 'EEEE, d MMMM y HH.mm', locale=locale)} WITA"
