"""Factories for cart and checkout tests: shipping methods, addresses, a two-shop cart."""

from __future__ import annotations

from marketplace.accounts.models import Role, User
from marketplace.addresses.models import Address
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate
from tests.factories import make_producer, make_product, make_user

#: Kel. Rawa Makmur, Kec. Palaran, Kota Samarinda (postal code 75243).
SAMARINDA_VILLAGE = "64.72.01.1001"


def make_method(producer: Producer, kind: ShippingKind = ShippingKind.FLAT,
                name: str = "Kirim dalam kota", rates: dict[str, tuple[int, int]] | None = None,
                **fields: object) -> ShippingMethod:
    """A shipping method with rates {zone: (first kg, next kg)}."""
    method = ShippingMethod(producer_id=producer.id, kind=kind, name=name, **fields)
    method.rates = [ShippingRate(destination_code=zone, first_kg_idr=first, next_kg_idr=nxt)
                    for zone, (first, nxt) in (rates or {}).items()]
    db.session.add(method)
    db.session.commit()
    return method


def make_address(user: User, region_code: str = SAMARINDA_VILLAGE, **fields: object) -> Address:
    values: dict[str, object] = {"recipient_name": user.name, "phone": "+6281234567890",
                                 "street": "Jl. Pahlawan No. 5", "postal_code": "75243",
                                 "is_default": True, **fields}
    address = Address(user_id=user.id, region_code=region_code, **values)
    db.session.add(address)
    db.session.commit()
    return address


def two_shops() -> dict[str, object]:
    """Two verified shops, each with a product, a flat rate to Samarinda and pickup."""
    shops = {}
    for key, name, price in (("a", "Anyaman Biduk", 150_000), ("b", "Amplang Keledang", 25_000)):
        producer = make_producer(make_user(Role.PRODUCER), name=name)
        product = make_product(producer, f"Produk {name}", variants=(("", price, 10),))
        flat = make_method(producer, rates={"64.72": (20_000, 0), "64": (35_000, 0)})
        courier = make_method(producer, ShippingKind.COURIER, "JNE REG", courier="JNE",
                              rates={"64": (30_000, 10_000)})
        pickup = make_method(producer, ShippingKind.PICKUP, "Ambil di tempat")
        shops[key] = {"producer": producer, "product": product, "variant": product.variants[0],
                      "flat": flat, "courier": courier, "pickup": pickup}
    return shops
