"""Shipping choices for one producer's part of a checkout.

A stand-in with the exact signature and behaviour of
``marketplace.shipping.services.options_for`` (written by the shipping-settings work in
parallel): at merge, checkout can import that one instead and this module goes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.shipping.models import ShippingMethod
from marketplace.shipping.rates import Parcel, chargeable_weight_kg, price


@dataclass(frozen=True)
class Option:
    method: ShippingMethod
    price_idr: int
    weight_kg: int


def options_for(producer_id: int, region_code: str, parcels: Iterable[Parcel]) -> list[Option]:
    """The producer's active methods that deliver to ``region_code`` (a kelurahan/desa
    code), priced for ``parcels``; pickup always. Methods and rates load in two queries."""
    weight = chargeable_weight_kg(list(parcels))
    methods = db.session.scalars(
        select(ShippingMethod)
        .where(ShippingMethod.producer_id == producer_id, ShippingMethod.active.is_(True))
        .options(selectinload(ShippingMethod.rates))
        .order_by(ShippingMethod.position, ShippingMethod.id))
    options = []
    for method in methods:
        amount = price(method, region_code, weight)
        if amount is not None:
            options.append(Option(method, amount, weight))
    return options
