"""Demo shipping: every demo producer's methods and rates, and the demo buyer's address.

Prices are plausible for 2026 from Kalimantan Timur (JNE REG style: a price for the first
kilogram and each further one). Only zones present in the region data get a rate, so a demo
loaded with some provinces only still works. Idempotent: a producer that already has
methods, or a buyer who already has an address, is left alone.
"""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.services import find_by_email
from marketplace.addresses.models import Address
from marketplace.demo.producers import PRODUCERS
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.producers.validation import clean_phone
from marketplace.regions.models import Region
from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate

#: JNE REG from a Kaltim shop (first kg, each further kg), by destination kabupaten/kota:
#: the Samarinda–Balikpapan–Bontang corridor, the farther regencies, and Mahakam Ulu upriver.
KALTIM_REGENCY_RATES = {
    "64.71": (22_000, 18_000), "64.72": (22_000, 18_000), "64.74": (24_000, 20_000),
    "64.02": (24_000, 20_000), "64.09": (24_000, 20_000),
    "64.01": (32_000, 27_000), "64.03": (38_000, 32_000), "64.07": (36_000, 30_000),
    "64.08": (34_000, 29_000), "64.11": (68_000, 60_000),
}
#: Within the shop's own kabupaten/kota.
OWN_REGENCY_RATE = (12_000, 10_000)
#: Province-wide fallbacks: the rest of Kaltim, DKI Jakarta and the provinces of Java.
PROVINCE_RATES = {
    "64": (40_000, 34_000),  # Kalimantan Timur
    "31": (56_000, 50_000),  # DKI Jakarta
    "32": (60_000, 54_000),  # Jawa Barat
    "33": (62_000, 56_000),  # Jawa Tengah
    "34": (62_000, 56_000),  # DI Yogyakarta
    "35": (54_000, 48_000),  # Jawa Timur (Surabaya: the nearest port)
    "36": (60_000, 54_000),  # Banten
}
#: The flat "delivered by us" price within the shop's own kabupaten/kota.
LOCAL_DELIVERY_IDR = {"kota": 15_000, "kabupaten": 20_000}

BUYER_EMAIL = "pembeli@demo.test"
#: Budi's home in Samarinda (Kel. Sidodadi, Kec. Samarinda Ulu), the first village of
#: Samarinda when that code is missing from the region data.
BUYER_VILLAGE = "64.72.03.1005"


def load_shipping() -> int:
    """Give every demo producer without methods its pickup, local delivery and JNE table,
    and the demo buyer an address. Returns the number of methods added."""
    nibs = [spec.nib for spec in PRODUCERS]
    producers = db.session.scalars(select(Producer).where(Producer.nib.in_(nibs))
                                   .order_by(Producer.id)).all()
    have = set(db.session.scalars(select(ShippingMethod.producer_id).where(
        ShippingMethod.producer_id.in_([p.id for p in producers]))))
    zones = set(db.session.scalars(select(Region.code).where(Region.level <= 2)))
    added = 0
    for producer in producers:
        if producer.id not in have and producer.region_code:
            added += _add_methods(producer, zones)
    _add_buyer_address()
    db.session.commit()
    return added


def _add_methods(producer: Producer, zones: set[str]) -> int:
    own = producer.regency_code
    regency = db.session.get(Region, own)
    local = LOCAL_DELIVERY_IDR.get(regency.kind if regency else "", 20_000)
    pickup = ShippingMethod(
        producer_id=producer.id, kind=ShippingKind.PICKUP, name="Ambil di tempat", position=1,
        note=f"Senin–Sabtu 08.00–16.00, {producer.street_address}"[:200])
    flat = ShippingMethod(
        producer_id=producer.id, kind=ShippingKind.FLAT, name="Antar dalam kota/kabupaten",
        note="Diantar sendiri, 1–2 hari", position=2,
        rates=[ShippingRate(destination_code=own, first_kg_idr=local, next_kg_idr=0)])
    table = {**PROVINCE_RATES, **KALTIM_REGENCY_RATES, own: OWN_REGENCY_RATE}
    courier = ShippingMethod(
        producer_id=producer.id, kind=ShippingKind.COURIER, name="JNE REG", courier="JNE",
        note="2–4 hari kerja di Kaltim, 3–6 hari ke Jawa", position=3,
        rates=[ShippingRate(destination_code=code, first_kg_idr=first, next_kg_idr=further)
               for code, (first, further) in sorted(table.items()) if code in zones])
    db.session.add_all([pickup, flat, courier])
    return 3


def _add_buyer_address() -> None:
    buyer = find_by_email(BUYER_EMAIL)
    if buyer is None or db.session.scalar(select(Address.id).where(
            Address.user_id == buyer.id).limit(1)):
        return
    village = db.session.get(Region, BUYER_VILLAGE) or db.session.scalar(
        select(Region).where(Region.code.like("64.72.%"), Region.level == 4)
        .order_by(Region.code).limit(1))
    if village is None:
        return
    db.session.add(Address(
        user_id=buyer.id, label="Rumah", recipient_name=buyer.name,
        phone=clean_phone("0812-5500-1234"), street="Jl. Juanda Gg. Sepakat No. 17",
        rt="012", rw="004", region_code=village.code, postal_code=village.postal_code or "75123",
        is_default=True))
