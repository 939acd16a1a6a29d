"""Addresses as checkout needs them: the buyer's own list, a label text, and a minimal
"new address" for buyers who have none yet (the address book proper lives in
marketplace.addresses; checkout links to it when it is there)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.addresses.models import Address
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers.validation import clean_phone, clean_postal_code, village
from marketplace.regions.models import Region

_PREFIX = {"kelurahan": "Kel.", "desa": "Desa", "desa_adat": "Desa", "kecamatan": "Kec.",
           "distrik": "Distrik", "provinsi": "Provinsi"}


def addresses_of(user: User) -> list[Address]:
    """The buyer's addresses, the default first."""
    return list(db.session.scalars(
        select(Address).where(Address.user_id == user.id)
        .order_by(Address.is_default.desc(), Address.id)))


def region_text(region_code: str) -> str:
    """"Kel. Rawa Makmur, Kec. Palaran, Kota Samarinda, Provinsi Kalimantan Timur" (one
    query)."""
    parts = region_code.split(".")
    codes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    regions = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    names = []
    for code in codes:
        region = regions.get(code)
        if region is not None:
            prefix = _PREFIX.get(region.kind, "")
            names.append(f"{prefix} {region.name}" if prefix else region.name)
    return ", ".join(names)[:300]


def _text(data: dict[str, str], name: str, max_length: int, label: object) -> str:
    value = " ".join((data.get(name) or "").split())
    if not value:
        raise ServiceError(label, name)
    if len(value) > max_length:
        raise ServiceError(_l("At most %(n)d characters.", n=max_length), name)
    return value


def _rt_rw(data: dict[str, str], name: str) -> str:
    value = (data.get(name) or "").strip()
    if value and not re.fullmatch(r"\d{1,3}", value):
        raise ServiceError(_l("RT and RW are numbers of up to 3 digits, e.g. 004."), name)
    return value.zfill(3) if value else ""


def create_address(user: User, data: dict[str, str]) -> Address:
    """A new address for ``user`` from the checkout's short form; the first is the default."""
    recipient = _text(data, "recipient_name", 100, _l("Enter the recipient's name."))
    phone = clean_phone(data.get("phone"), "phone", required=True)
    street = _text(data, "street", 200, _l("Enter the street and house number."))
    rt, rw = _rt_rw(data, "rt"), _rt_rw(data, "rw")
    region = village(data.get("region_code"), "region_code")
    regency = (data.get("kabupaten") or "").strip()
    if regency and not region.code.startswith(regency + "."):
        raise ServiceError(_l("This kelurahan/desa is not in the chosen kabupaten/kota: "
                              "press “Show villages” and choose again."), "region_code")
    postal = region.postal_code or clean_postal_code(data.get("postal_code"))
    if not postal:
        raise ServiceError(_l("Enter the postal code."), "postal_code")
    first = not addresses_of(user)
    address = Address(user_id=user.id, recipient_name=recipient, phone=phone, street=street,
                      rt=rt, rw=rw, region_code=region.code, postal_code=postal,
                      is_default=first, label="")
    db.session.add(address)
    db.session.commit()
    return address
