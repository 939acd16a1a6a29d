"""A producer's shipping settings: its methods (pickup, flat rates, courier tables) and their
rates per destination zone, and :func:`options_for`, the prices checkout offers a buyer.

Members of the producer manage its methods. A method is never deleted (orders point at it):
it is deactivated, and an inactive method is offered to nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import rupiah
from marketplace.producers.models import Producer
from marketplace.producers.services import require_member
from marketplace.regions.models import PROVINCE, REGENCY, Region
from marketplace.shipping import rates
from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate
from marketplace.shipping.rates import Parcel

#: The couriers offered in the list; producers may type any other name.
COURIERS = ("JNE", "J&T", "SiCepat", "POS Indonesia")
#: The highest price a rate may have (Rupiah): anything above is a typing mistake.
MAX_RATE_IDR = 5_000_000
#: Methods per producer, and zones per method: generous, but bounded.
MAX_METHODS = 20
MAX_RATES = 600

KIND_LABELS = {
    ShippingKind.PICKUP: _l("Pickup at the shop (ambil di tempat)"),
    ShippingKind.FLAT: _l("Flat rate by destination"),
    ShippingKind.COURIER: _l("Courier rate table"),
}


@dataclass(frozen=True)
class Option:
    """A way one producer can deliver to one address, with its price for the parcels."""

    method: ShippingMethod
    price_idr: int
    weight_kg: int


@dataclass
class MethodData:
    """What the method form sends, before cleaning."""

    name: str
    kind: str = ""
    courier: str = ""
    note: str = ""


# --- reading -----------------------------------------------------------------------------------

def methods_of(producer: Producer) -> list[ShippingMethod]:
    """All of a producer's methods (inactive ones too), with their rates."""
    return list(db.session.scalars(
        select(ShippingMethod).where(ShippingMethod.producer_id == producer.id)
        .options(selectinload(ShippingMethod.rates))
        .order_by(ShippingMethod.position, ShippingMethod.id)))


def get_method(producer: Producer, method_id: int) -> ShippingMethod | None:
    """The producer's method with this id; None for another producer's."""
    method = db.session.get(ShippingMethod, method_id)
    return method if method is not None and method.producer_id == producer.id else None


def zone_names(codes: Iterable[str]) -> dict[str, str]:
    """{zone code: name} for the given province and kabupaten/kota codes (one query)."""
    wanted = set(codes)
    if not wanted:
        return {}
    rows = db.session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    return {code: name for code, name in rows}


def options_for(producer_id: int, region_code: str,
                parcels: Iterable[Parcel]) -> list[Option]:
    """The shipping options of one producer for a delivery to ``region_code`` (a
    kelurahan/desa code such as "64.72.01.1001"), priced for ``parcels`` (the producer's
    lines in the cart).

    Only active methods that deliver there are returned, in the producer's order; an active
    pickup method is always there, at Rp0. Each option carries the chargeable weight used
    for its price (see :func:`marketplace.shipping.rates.chargeable_weight_kg`). Nothing is
    written.
    """
    return options_for_many({producer_id: parcels}, region_code)[producer_id]


def options_for_many(parcels_by_producer: dict[int, Iterable[Parcel]],
                     region_code: str) -> dict[int, list[Option]]:
    """:func:`options_for` for several producers at once (a checkout with one order per
    producer): methods and their rates load in two SQL statements in all (selectinload),
    whatever the number of producers and methods."""
    found: dict[int, list[Option]] = {producer_id: [] for producer_id in parcels_by_producer}
    weights = {producer_id: rates.chargeable_weight_kg(list(parcels))
               for producer_id, parcels in parcels_by_producer.items()}
    methods = db.session.scalars(
        select(ShippingMethod)
        .where(ShippingMethod.producer_id.in_(list(parcels_by_producer)),
               ShippingMethod.active.is_(True))
        .options(selectinload(ShippingMethod.rates))
        .order_by(ShippingMethod.position, ShippingMethod.id))
    for method in methods:
        weight = weights[method.producer_id]
        price = rates.price(method, region_code, weight)
        if price is not None:
            found[method.producer_id].append(
                Option(method=method, price_idr=price, weight_kg=weight))
    return found


# --- methods -----------------------------------------------------------------------------------

def _clean_method(data: MethodData, kind: ShippingKind) -> dict[str, object]:
    name = " ".join(data.name.split())
    if not name or len(name) > 80:
        raise ServiceError(_l("Enter a name for the method (at most 80 characters)."), "name")
    courier = " ".join(data.courier.split()) if kind is ShippingKind.COURIER else ""
    if kind is ShippingKind.COURIER and not courier:
        raise ServiceError(_l("Choose the courier, or type its name."), "courier")
    if len(courier) > 40:
        raise ServiceError(_l("A courier name has at most 40 characters."), "courier_other")
    note = " ".join(data.note.split())
    if len(note) > 200:
        raise ServiceError(_l("The note has at most 200 characters."), "note")
    return {"name": name, "courier": courier, "note": note}


def create_method(actor: User, producer: Producer, data: MethodData) -> ShippingMethod:
    """A new active method, placed after the producer's others."""
    require_member(actor, producer)
    try:
        kind = ShippingKind(data.kind)
    except ValueError as error:
        raise ServiceError(_l("Choose how you deliver."), "kind") from error
    values = _clean_method(data, kind)
    count, last = db.session.execute(
        select(func.count(), func.max(ShippingMethod.position))
        .where(ShippingMethod.producer_id == producer.id)).one()
    if count >= MAX_METHODS:
        raise ServiceError(_l("A shop can have at most %(count)d shipping methods: "
                              "deactivate or edit one instead.", count=MAX_METHODS))
    method = ShippingMethod(producer_id=producer.id, kind=kind, position=(last or 0) + 1,
                            **values)
    db.session.add(method)
    db.session.commit()
    return method


def _owner(actor: User, method: ShippingMethod) -> Producer:
    producer = db.session.get(Producer, method.producer_id)
    require_member(actor, producer)
    return producer


def update_method(actor: User, method: ShippingMethod, data: MethodData) -> ShippingMethod:
    """Name, courier and note; the kind of a method does not change (its rates mean
    different things for each kind)."""
    _owner(actor, method)
    for key, value in _clean_method(data, method.kind).items():
        setattr(method, key, value)
    db.session.commit()
    return method


def set_active(actor: User, method: ShippingMethod, active: bool) -> ShippingMethod:
    """Offer the method to buyers again, or stop offering it (orders keep their copy)."""
    _owner(actor, method)
    method.active = active
    db.session.commit()
    return method


# --- rates -------------------------------------------------------------------------------------

def _zone(code: str) -> Region:
    region = db.session.get(Region, code.strip()) if code and code.strip() else None
    if region is None or region.level not in (PROVINCE, REGENCY):
        raise ServiceError(_l("Choose a province or kabupaten/kota from the list."), "zone")
    return region


def _amount(value: int | None, field: str) -> int:
    if value is None or not 0 <= value <= MAX_RATE_IDR:
        raise ServiceError(_l("Enter a price from Rp0 to %(max)s.", max=rupiah(MAX_RATE_IDR)),
                           field)
    return value


def set_rate(actor: User, method: ShippingMethod, zone_code: str, first_kg_idr: int | None,
             next_kg_idr: int | None = None) -> ShippingRate:
    """The price to a zone (a province or a kabupaten/kota): added, or replaced when the
    method already has one there. Flat methods have one price (``first_kg_idr``); courier
    methods a price for the first kilogram and for each further one."""
    _owner(actor, method)
    if method.kind is ShippingKind.PICKUP:
        raise ServiceError(_l("Pickup at the shop is free and has no prices."), "zone")
    zone = _zone(zone_code)
    first = _amount(first_kg_idr, "first_kg")
    further = (_amount(next_kg_idr, "next_kg") if method.kind is ShippingKind.COURIER else 0)
    rate = next((r for r in method.rates if r.destination_code == zone.code), None)
    if rate is None:
        if len(method.rates) >= MAX_RATES:
            raise ServiceError(_l("A method can have at most %(count)d zones.",
                                  count=MAX_RATES), "zone")
        rate = ShippingRate(destination_code=zone.code)
        method.rates.append(rate)
    rate.first_kg_idr, rate.next_kg_idr = first, further
    db.session.commit()
    return rate


def remove_rate(actor: User, method: ShippingMethod, rate_id: int) -> None:
    """Stop delivering to one zone with this method."""
    _owner(actor, method)
    rate = next((r for r in method.rates if r.id == rate_id), None)
    if rate is None:
        raise ServiceError(_l("This price no longer exists."))
    method.rates.remove(rate)
    db.session.commit()
