"""What a checkout would cost: the cart by producer, each producer's shipping options to the
chosen address, the buyer's choices and the totals. Prices always come from the database;
the page shows a quote and placing recomputes it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.addresses.models import Address
from marketplace.addresses.services import addresses_of
from marketplace.cart import services as cart_services
from marketplace.cart.services import ProducerGroup, Summary
from marketplace.exceptions import ServiceError
from marketplace.payments import methods
from marketplace.shipping.rates import Parcel
from marketplace.shipping.services import Option, options_for_many

NOTE_MAX = 500


@dataclass
class Choice:
    """What the buyer chose on the checkout page, as sent (every value is checked)."""

    address_id: object = None
    #: producer id -> shipping method id
    shipping: dict[int, object] = field(default_factory=dict)
    #: producer id -> note
    notes: dict[int, str] = field(default_factory=dict)
    payment_method: str = "bank_transfer"
    idempotency_key: str = ""
    #: The total the buyer saw (and agreed to) when pressing "Bayar".
    expected_total: object = None


@dataclass
class ProducerQuote:
    group: ProducerGroup
    options: list[Option]
    chosen: Option | None
    note: str = ""

    @property
    def shipping_idr(self) -> int:
        return self.chosen.price_idr if self.chosen else 0

    @property
    def total_idr(self) -> int:
        return self.group.subtotal_idr + self.shipping_idr


@dataclass
class Quote:
    summary: Summary
    addresses: list[Address]
    address: Address | None
    producers: list[ProducerQuote]
    payment_method: str

    @property
    def items_total_idr(self) -> int:
        return sum(p.group.subtotal_idr for p in self.producers)

    @property
    def shipping_total_idr(self) -> int:
        return sum(p.shipping_idr for p in self.producers)

    @property
    def total_idr(self) -> int:
        return self.items_total_idr + self.shipping_total_idr

    @property
    def ready(self) -> bool:
        return (self.address is not None and not self.summary.blocked and not self.summary.empty
                and all(p.chosen for p in self.producers))


def payment_methods() -> list[str]:
    """The keys of the payment methods on offer (bank transfer always; Stripe when it is
    configured): the payments domain decides."""
    return [method.key.value for method in methods.available()]


def _as_int(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _address(addresses: list[Address], address_id: object, strict: bool) -> Address | None:
    wanted = _as_int(address_id)
    found = next((a for a in addresses if a.id == wanted), None)
    if found is None and strict:
        raise ServiceError(_l("Choose one of your addresses for delivery."), "address_id")
    return found or (addresses[0] if addresses and not strict else None)


def parcels(group: ProducerGroup) -> list[Parcel]:
    return [Parcel(line.quantity, line.product.weight_grams, line.product.length_cm,
                   line.product.width_cm, line.product.height_cm) for line in group.lines]


def _producer_quote(group: ProducerGroup, options: list[Option], choice: Choice,
                    strict: bool) -> ProducerQuote:
    producer = group.producer
    wanted = _as_int(choice.shipping.get(producer.id))
    chosen = next((o for o in options if o.method.id == wanted), None)
    note = (choice.notes.get(producer.id) or "").strip()
    if strict:
        if not options:
            raise ServiceError(_l("%(shop)s does not deliver to this address. Choose another "
                                  "address or remove its items.", shop=producer.name))
        if chosen is None:
            raise ServiceError(_l("Choose one of the shipping options of %(shop)s.",
                                  shop=producer.name), f"ship-{producer.id}")
        if len(note) > NOTE_MAX:
            raise ServiceError(_l("A note has at most %(n)d characters.", n=NOTE_MAX),
                               f"note-{producer.id}")
    elif chosen is None and options:
        chosen = options[0]
    return ProducerQuote(group, options, chosen, note[:NOTE_MAX])


def build_quote(user: User, choice: Choice, strict: bool = False) -> Quote:
    """The checkout for ``user``'s cart and ``choice``. ``strict`` (placing): anything the
    buyer did not choose, or chose but may not have, is a ServiceError; otherwise sensible
    defaults fill the gaps (for showing the page)."""
    summary = cart_services.summarise(cart_services.find_cart(user, None))
    addresses = addresses_of(user)
    address = _address(addresses, choice.address_id, strict)
    methods = payment_methods()
    method = choice.payment_method if choice.payment_method in methods else None
    if strict and method is None:
        raise ServiceError(_l("Choose a payment method."), "payment_method")
    options = options_for_many({g.producer.id: parcels(g) for g in summary.groups},
                               address.region_code) if address else {}
    producers = [_producer_quote(group, options.get(group.producer.id, []), choice, strict)
                 for group in summary.groups]
    return Quote(summary, addresses, address, producers, method or methods[0])
