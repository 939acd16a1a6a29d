"""Format checks for the identifiers a verifier reads. Each returns the cleaned value or
raises ServiceError with a message for the named field."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from lokal import parse_npwp, parse_phone

from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.regions.models import VILLAGE, Region

_DIGITS = re.compile(r"\D")


def digits(value: str | None) -> str:
    return _DIGITS.sub("", value or "")


def clean_nib(value: str | None, field: str = "nib") -> str | None:
    """NIB: exactly 13 digits (spaces and dots allowed while typing)."""
    if not (value or "").strip():
        return None
    number = digits(value)
    if len(number) != 13 or len(number) != len(re.sub(r"[\s.-]", "", value or "")):
        raise ServiceError(_l("An NIB has exactly 13 digits."), field)
    return number


def clean_npwp(value: str | None, field: str = "npwp") -> str | None:
    """NPWP: 16 digits, or the old 15-digit form (kept as its 15 digits)."""
    if not (value or "").strip():
        return None
    info = parse_npwp(value.strip())
    if not info.valid or info.digits is None or len(info.digits) not in (15, 16):
        raise ServiceError(_l("An NPWP has 16 digits (or 15 for an old number)."), field)
    return info.digits


def clean_phone(value: str | None, field: str = "phone", required: bool = False) -> str:
    """An Indonesian phone number, stored as E.164 (+62...)."""
    if not (value or "").strip():
        if required:
            raise ServiceError(_l("Enter a phone number."), field)
        return ""
    info = parse_phone(value.strip())
    if not info.valid or not info.e164:
        raise ServiceError(_l("Enter an Indonesian phone number, e.g. 0812-3456-7890."), field)
    return info.e164


def clean_postal_code(value: str | None, field: str = "postal_code") -> str:
    if not (value or "").strip():
        return ""
    code = (value or "").strip()
    if not re.fullmatch(r"\d{5}", code):
        raise ServiceError(_l("A postal code has 5 digits."), field)
    return code


def village(code: str | None, field: str = "region_code") -> Region:
    """The kelurahan/desa with this Kemendagri code, or ServiceError."""
    region = db.session.get(Region, (code or "").strip()) if code else None
    if region is None or region.level != VILLAGE:
        raise ServiceError(_l("Choose a kelurahan/desa from the list."), field)
    return region


def whatsapp_link(e164: str, text: str = "") -> str:
    """https://wa.me/62812... with an optional prefilled message."""
    from urllib.parse import quote

    number = e164.lstrip("+")
    return f"https://wa.me/{number}" + (f"?text={quote(text)}" if text else "")
