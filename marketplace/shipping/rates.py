"""What shipping costs: chargeable weight and the price of a method to a destination.

Pure functions over rows already loaded, so checkout can price every producer's options
without extra queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate

#: Couriers count a parcel's volume weight as length x width x height (cm) / 6000 kg.
VOLUME_DIVISOR = 6000


@dataclass(frozen=True)
class Parcel:
    """One line of goods: units of a product with its weight (g) and size (cm)."""

    quantity: int
    weight_grams: int
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0


def chargeable_weight_kg(parcels: Iterable[Parcel]) -> int:
    """The larger of the real weight and the volume weight, rounded up to whole kilograms
    (at least 1)."""
    grams = 0
    volume_cm3 = 0
    for p in parcels:
        grams += p.quantity * p.weight_grams
        volume_cm3 += p.quantity * p.length_cm * p.width_cm * p.height_cm
    # Whole-gram arithmetic: volume weight in grams is cm3 * 1000 / 6000.
    volume_grams = math.ceil(volume_cm3 * 1000 / VOLUME_DIVISOR)
    return max(1, math.ceil(max(grams, volume_grams) / 1000))


def rate_for(method: ShippingMethod, region_code: str) -> ShippingRate | None:
    """The most specific rate whose zone contains ``region_code`` (a kelurahan/desa code):
    the kabupaten/kota's rate before the province's."""
    parts = region_code.split(".")
    regency, province = ".".join(parts[:2]), parts[0]
    by_zone = {rate.destination_code: rate for rate in method.rates}
    return by_zone.get(regency) or by_zone.get(province)


def price(method: ShippingMethod, region_code: str, weight_kg: int) -> int | None:
    """Rupiah to deliver ``weight_kg`` to ``region_code`` with ``method``; None when the
    method does not deliver there. Pickup is free and available everywhere."""
    if method.kind is ShippingKind.PICKUP:
        return 0
    rate = rate_for(method, region_code)
    if rate is None:
        return None
    if method.kind is ShippingKind.FLAT:
        return rate.first_kg_idr
    return rate.first_kg_idr + (weight_kg - 1) * rate.next_kg_idr
