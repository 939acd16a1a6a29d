"""Checks shared by the programme form, the grant form and the recipient import: money in
whole Rupiah, equipment items, handover details. Each returns cleaned values or raises
ServiceError naming the field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from marketplace.db import utcnow
from marketplace.exceptions import ServiceError

#: A programme budget above Rp1 triliun is a typing mistake, not a programme.
MAX_BUDGET_IDR = 1_000_000_000_000
#: One piece of equipment above Rp10 miliar is a typing mistake too.
MAX_UNIT_VALUE_IDR = 10_000_000_000
MAX_QUANTITY = 10_000
FIRST_FISCAL_YEAR = 2000

#: "750000000", "750.000.000", "Rp 750.000.000", "Rp750.000.000,00".
_RUPIAH = re.compile(r"(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0{1,2})?", re.IGNORECASE)


def parse_rupiah(value: object, field: str, maximum: int) -> int:
    """Whole Rupiah from what people type; negative, fractional or absurd amounts refused."""
    if isinstance(value, bool):
        raise ServiceError(_l("Enter an amount in whole Rupiah, e.g. 750.000.000."), field)
    if isinstance(value, int | float):
        amount = int(value) if float(value).is_integer() else -1
    else:
        match = _RUPIAH.fullmatch(str(value or "").strip())
        amount = int(match.group(1).replace(".", "")) if match else -1
    if amount < 0:
        raise ServiceError(_l("Enter an amount in whole Rupiah, e.g. 750.000.000."), field)
    if amount > maximum:
        raise ServiceError(_l("This amount is too large: check the number of zeros."), field)
    return amount


def clean_fiscal_year(value: object, field: str = "fiscal_year") -> int:
    last = utcnow().year + 1
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = 0
    if not FIRST_FISCAL_YEAR <= year <= last:
        raise ServiceError(_l("Enter a fiscal year between %(first)d and %(last)d.",
                              first=FIRST_FISCAL_YEAR, last=last), field)
    return year


def clean_quantity(value: object, field: str = "quantity") -> int:
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else value
        quantity = int(number) if float(number).is_integer() else 0
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ServiceError(_l("Enter a whole number of at least 1."), field)
    return quantity


@dataclass
class ItemData:
    name: str
    category: str = ""
    quantity: object = 1
    unit_value: object = 0
    serial_number: str = ""


def clean_item(item: ItemData, prefix: str = "") -> dict[str, object]:
    """One equipment item; ``prefix`` names the form fields (e.g. "items-0-")."""
    name = (item.name or "").strip()
    if not name or len(name) > 160:
        raise ServiceError(_l("Enter the equipment's name (at most 160 characters)."),
                           prefix + "name")
    category = (item.category or "").strip() or name
    return {
        "name": name,
        "category": category[:80],
        "quantity": clean_quantity(item.quantity, prefix + "quantity"),
        "unit_value_idr": parse_rupiah(item.unit_value, prefix + "unit_value",
                                       MAX_UNIT_VALUE_IDR),
        "serial_number": (item.serial_number or "").strip()[:100],
    }


def clean_handover_date(value: dt.date | None, field: str = "handover_date") -> dt.date | None:
    if value is None:
        return None
    today = utcnow().date()
    if not dt.date(FIRST_FISCAL_YEAR, 1, 1) <= value <= today + dt.timedelta(days=366):
        raise ServiceError(_l("Enter a handover date between %(first)d and next year.",
                              first=FIRST_FISCAL_YEAR), field)
    return value


def clean_text(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]
