"""A buyer's address book: addresses in Indonesia's structure, one of them the default.

The kelurahan/desa is chosen from the region data; kecamatan, kabupaten/kota and province
follow from its code, and so does the postal code when the region data has one. A user sees
and changes only their own addresses: :func:`get_address` answers None for anyone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.addresses.models import Address
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers import validation
from marketplace.regions.models import Region

#: Addresses per user: plenty for home, office and family, bounded against abuse.
MAX_ADDRESSES = 20
#: How a region's kind is written on a label (kinds not listed are written without one).
_KIND_PREFIX = {"kelurahan": "Kel.", "desa": "Desa", "desa_adat": "Desa",
                "kecamatan": "Kec.", "distrik": "Distrik"}


@dataclass
class AddressData:
    """What the address form sends, before cleaning."""

    recipient_name: str
    phone: str
    street: str
    region_code: str
    rt: str = ""
    rw: str = ""
    postal_code: str = ""
    label: str = ""


def _text(value: str, max_length: int, message: object, field: str, *,
          required: bool = True) -> str:
    text = " ".join((value or "").split())
    if (required and not text) or len(text) > max_length:
        raise ServiceError(message, field)
    return text


def _rt_rw(value: str, field: str) -> str:
    """RT or RW: 1 to 3 digits, stored as 3 ("3" -> "003"); empty when not used."""
    text = (value or "").strip()
    if not text:
        return ""
    if not re.fullmatch(r"\d{1,3}", text) or int(text) == 0:
        raise ServiceError(_l("RT and RW are numbers of up to 3 digits, e.g. 003."), field)
    return text.zfill(3)


def clean_address(data: AddressData) -> dict[str, object]:
    """Checked, normalised values for an Address; ServiceError names the first bad field."""
    recipient = _text(data.recipient_name, 100,
                      _l("Enter the recipient's name (at most 100 characters)."),
                      "recipient_name")
    phone = validation.clean_phone(data.phone, "phone", required=True)
    street = _text(data.street, 200,
                   _l("Enter the street, house number and any landmark (at most 200 "
                      "characters)."), "street")
    region = validation.village(data.region_code)
    postal = region.postal_code or validation.clean_postal_code(data.postal_code)
    if not postal:
        raise ServiceError(_l("Enter the postal code (5 digits)."), "postal_code")
    return {
        "label": _text(data.label, 40, _l("The label has at most 40 characters."), "label",
                       required=False),
        "recipient_name": recipient, "phone": phone, "street": street,
        "rt": _rt_rw(data.rt, "rt"), "rw": _rt_rw(data.rw, "rw"),
        "region_code": region.code, "postal_code": postal,
    }


def addresses_of(user: User) -> list[Address]:
    """The user's addresses, the default first, then the newest."""
    return list(db.session.scalars(
        select(Address).where(Address.user_id == user.id)
        .order_by(Address.is_default.desc(), Address.id.desc())))


def default_address(user: User) -> Address | None:
    return db.session.scalar(select(Address).where(
        Address.user_id == user.id, Address.is_default.is_(True)))


def get_address(user: User, address_id: int) -> Address | None:
    """The user's own address with this id; None for anyone else's."""
    address = db.session.get(Address, address_id)
    return address if address is not None and address.user_id == user.id else None


def _require_own(actor: User, address: Address) -> None:
    if address.user_id != actor.id:
        raise ServiceError(_l("This address is not yours."))


def create_address(actor: User, data: AddressData) -> Address:
    """A new address; the user's first address becomes the default."""
    values = clean_address(data)
    count = db.session.scalar(select(func.count()).select_from(Address).where(
        Address.user_id == actor.id)) or 0
    if count >= MAX_ADDRESSES:
        raise ServiceError(_l("An address book holds at most %(count)d addresses: delete "
                              "one you no longer use.", count=MAX_ADDRESSES))
    address = Address(user_id=actor.id, is_default=count == 0, **values)
    db.session.add(address)
    db.session.commit()
    return address


def update_address(actor: User, address: Address, data: AddressData) -> Address:
    _require_own(actor, address)
    for key, value in clean_address(data).items():
        setattr(address, key, value)
    db.session.commit()
    return address


def delete_address(actor: User, address: Address) -> None:
    """Delete an address (orders keep their own copy). When it was the default, the newest
    remaining address becomes the default."""
    _require_own(actor, address)
    was_default = address.is_default
    db.session.delete(address)
    db.session.flush()
    if was_default:
        newest = db.session.scalar(select(Address).where(Address.user_id == actor.id)
                                   .order_by(Address.id.desc()).limit(1))
        if newest is not None:
            newest.is_default = True
    db.session.commit()


def set_default(actor: User, address: Address) -> Address:
    """Make this the address checkout suggests first."""
    _require_own(actor, address)
    for other in addresses_of(actor):
        other.is_default = other.id == address.id
    db.session.commit()
    return address


def region_text(region_code: str) -> str:
    """The region of an address as printed on a label: "Kel. Rawa Makmur, Kec. Palaran, Kota
    Samarinda, Provinsi Kalimantan Timur" (kelurahan/desa, kecamatan, kabupaten/kota,
    province). Empty for an unknown code. Checkout copies it onto the checkout group."""
    parts = (code := (region_code or "").strip()).split(".")
    codes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    regions = {r.code: r for r in db.session.scalars(select(Region).where(
        Region.code.in_(codes)))} if code else {}
    if code not in regions:
        return ""
    return ", ".join(_label(regions[c]) for c in codes if c in regions)


def _label(region: Region) -> str:
    if region.level == 1:
        return region.name if region.name.startswith(("Provinsi", "Daerah")) else (
            f"Provinsi {region.name}")
    prefix = _KIND_PREFIX.get(region.kind)
    return f"{prefix} {region.name}" if prefix else region.name
