"""What shipping costs: chargeable weight and the most specific zone (pure functions)."""

from __future__ import annotations

import pytest

from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate
from marketplace.shipping.rates import Parcel, chargeable_weight_kg, price, rate_for

SAMARINDA_VILLAGE = "64.72.01.1001"  # Rawa Makmur, Palaran, Kota Samarinda
BALIKPAPAN_VILLAGE = "64.71.01.1001"
JAKARTA_VILLAGE = "31.71.01.1001"


def method(kind: ShippingKind, *rates: tuple[str, int, int]) -> ShippingMethod:
    return ShippingMethod(kind=kind, name="Uji", rates=[
        ShippingRate(destination_code=code, first_kg_idr=first, next_kg_idr=further)
        for code, first, further in rates])


@pytest.mark.parametrize(("parcels", "expected"), [
    ([], 1),  # never below one kilogram
    ([Parcel(1, 1000)], 1),  # exactly 1 kg
    ([Parcel(1, 1001)], 2),  # one gram over rounds up
    ([Parcel(3, 500)], 2),  # quantities count: 1.5 kg
    ([Parcel(2, 300), Parcel(1, 450)], 2),  # lines add up: 1.05 kg
    ([Parcel(1, 100, 30, 20, 10)], 1),  # 6000 cm3 = exactly 1 kg volume weight
    ([Parcel(1, 100, 6001, 1, 1)], 2),  # 6001 cm3 = 1.0002 kg: rounds up
    ([Parcel(2, 500, 40, 30, 20)], 8),  # 2 x 24000 cm3 = 8 kg beats 1 kg real
    ([Parcel(1, 5200, 10, 10, 10)], 6),  # real weight beats a small volume
])
def test_chargeable_weight_is_the_larger_weight_rounded_up(parcels, expected) -> None:
    assert chargeable_weight_kg(parcels) == expected


def test_chargeable_weight_reads_a_generator_once() -> None:
    assert chargeable_weight_kg(Parcel(q, 700) for q in (1, 2)) == 3


def test_the_regency_rate_wins_over_the_province_rate() -> None:
    courier = method(ShippingKind.COURIER, ("64", 40_000, 30_000), ("64.72", 15_000, 10_000))
    assert rate_for(courier, SAMARINDA_VILLAGE).destination_code == "64.72"
    assert rate_for(courier, BALIKPAPAN_VILLAGE).destination_code == "64"
    assert rate_for(courier, JAKARTA_VILLAGE) is None
    assert price(courier, SAMARINDA_VILLAGE, 3) == 15_000 + 2 * 10_000
    assert price(courier, BALIKPAPAN_VILLAGE, 1) == 40_000


def test_a_province_code_prefix_is_not_a_match() -> None:
    """Zone "6" must not contain "64..." nor zone "64.7" contain "64.72": whole parts only."""
    courier = method(ShippingKind.COURIER, ("6", 1, 1), ("64.7", 2, 2))
    assert rate_for(courier, SAMARINDA_VILLAGE) is None


def test_a_flat_rate_ignores_the_weight() -> None:
    flat = method(ShippingKind.FLAT, ("64.72", 15_000, 0))
    assert price(flat, SAMARINDA_VILLAGE, 1) == 15_000
    assert price(flat, SAMARINDA_VILLAGE, 25) == 15_000


def test_a_courier_price_grows_per_further_kilogram() -> None:
    courier = method(ShippingKind.COURIER, ("31", 52_000, 48_000))
    assert [price(courier, JAKARTA_VILLAGE, kg) for kg in (1, 2, 5)] == [
        52_000, 100_000, 52_000 + 4 * 48_000]


def test_no_rate_for_the_destination_means_no_price() -> None:
    assert price(method(ShippingKind.FLAT, ("64.72", 10_000, 0)), JAKARTA_VILLAGE, 1) is None
    assert price(method(ShippingKind.COURIER), SAMARINDA_VILLAGE, 1) is None


def test_pickup_is_free_everywhere_without_rates() -> None:
    pickup = method(ShippingKind.PICKUP)
    assert price(pickup, JAKARTA_VILLAGE, 40) == 0
    assert price(pickup, SAMARINDA_VILLAGE, 1) == 0
