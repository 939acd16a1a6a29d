"""The cart: a buyer's (by account) or a guest's (by a random token kept in the session).

Only the token's SHA-256 is stored. Prices are never stored or taken from a form: they are
read from the variants every time the cart is shown or checked out. Whatever a buyer types
as a quantity is checked here (whole number, 1 to MAX_QUANTITY, within stock, at least the
product's minimum order) and refused with a message that changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.cart.models import Cart, CartItem
from marketplace.catalogue.holidays import HolidayState, holiday_state
from marketplace.catalogue.models import Product, ProductStatus, Variant
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers.models import Producer

#: More than any one buyer orders online at once; also keeps totals far from overflow.
MAX_QUANTITY = 999
#: Different variants in one cart.
MAX_ITEMS = 50
#: Where the views keep a guest's token in the session (read by the sign-in view too).
GUEST_SESSION_KEY = "cart_token"
#: A guest cart untouched this long is deleted by ``flask cart clean`` (its session, and so
#: its token, is long gone by then for most visitors).
GUEST_CART_DAYS = 30


def new_guest_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner_filter(user: User | None, token: str | None):  # type: ignore[no-untyped-def]
    if user is not None:
        return Cart.user_id == user.id
    if token:
        return Cart.token_hash == hash_token(token)
    return None


def find_cart(user: User | None, token: str | None) -> Cart | None:
    """The cart of ``user`` (or of the guest holding ``token``) with its items, variants,
    products and producers: two queries."""
    condition = _owner_filter(user, token)
    if condition is None:
        return None
    return db.session.scalars(
        select(Cart).where(condition).options(
            selectinload(Cart.items).joinedload(CartItem.variant).joinedload(Variant.product)
            .joinedload(Product.producer))).first()


def _get_or_create(user: User | None, token: str | None) -> Cart:
    cart = find_cart(user, token)
    if cart is None:
        if user is None and not token:
            raise ServiceError(_l("Your cart could not be found. Please try again."))
        cart = Cart(user_id=user.id if user else None,
                    token_hash=None if user else hash_token(token or ""))
        db.session.add(cart)
    return cart


def parse_quantity(raw: object, field_name: str = "quantity") -> int:
    """A quantity as typed: a whole number from 1 to MAX_QUANTITY, or ServiceError."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ServiceError(_l("Enter a quantity."), field_name)
    if not text.isdigit() or len(text) > 6:
        raise ServiceError(_l("Enter the quantity as a whole number, e.g. 2."), field_name)
    quantity = int(text)
    if quantity < 1:
        raise ServiceError(_l("The quantity must be at least 1. To take an item out, "
                              "press “Remove”."), field_name)
    if quantity > MAX_QUANTITY:
        raise ServiceError(_l("At most %(n)d of one item can be ordered online at once. For "
                              "a bigger order, contact the producer.", n=MAX_QUANTITY),
                           field_name)
    return quantity


def _parse_id(raw: object) -> int | None:
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _check_quantity(variant: Variant, quantity: int, field_name: str) -> None:
    product = variant.product
    if quantity < product.min_order_qty:
        raise ServiceError(_l("The minimum order for “%(product)s” is %(n)d.",
                              product=product.name, n=product.min_order_qty), field_name)
    if variant.stock < quantity:
        if variant.stock <= 0:
            raise ServiceError(_l("“%(product)s” is out of stock.", product=product.name),
                               field_name)
        raise ServiceError(_l("Only %(n)d of “%(product)s” left.", n=variant.stock,
                              product=product.name), field_name)


def _buyable_variant(variant_id: object) -> Variant:
    """A variant of a public product (or ServiceError)."""
    vid = _parse_id(variant_id)
    variant = db.session.scalars(
        select(Variant).where(Variant.id == vid)
        .options(joinedload(Variant.product).joinedload(Product.producer))).first() \
        if vid is not None else None
    if variant is None or not is_on_sale(variant.product):
        raise ServiceError(_l("This product is not available."), "variant_id")
    return variant


def is_on_sale(product: Product) -> bool:
    return product.status is ProductStatus.PUBLISHED and product.producer.is_public


def add_item(user: User | None, token: str | None, variant_id: object,
             quantity: object) -> CartItem:
    """Put ``quantity`` units of a variant in the cart (added to any already there)."""
    qty = parse_quantity(quantity)
    variant = _buyable_variant(variant_id)
    cart = _get_or_create(user, token)
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    total = qty + (item.quantity if item else 0)
    if total > MAX_QUANTITY:
        raise ServiceError(_l("At most %(n)d of one item can be ordered online at once. For "
                              "a bigger order, contact the producer.", n=MAX_QUANTITY),
                           "quantity")
    _check_quantity(variant, total, "quantity")
    if item is None:
        if len(cart.items) >= MAX_ITEMS:
            raise ServiceError(_l("Your cart is full: check out or remove something first."))
        item = CartItem(variant=variant, quantity=qty)
        cart.items.append(item)
    else:
        item.quantity = total
    cart.updated_at = utcnow()
    db.session.commit()
    return item


def update_quantities(user: User | None, token: str | None,
                      quantities: dict[str, object]) -> None:
    """Set several items' quantities at once ({item id: quantity as typed}); all or none."""
    cart = find_cart(user, token)
    items = {str(i.id): i for i in cart.items} if cart else {}
    new: dict[str, int] = {}
    for item_id, raw in quantities.items():
        item = items.get(item_id)
        if item is None:
            raise ServiceError(_l("That item is no longer in your cart."))
        field_name = f"qty-{item_id}"
        new[item_id] = parse_quantity(raw, field_name)
        if new[item_id] != item.quantity:
            _check_quantity(item.variant, new[item_id], field_name)
    for item_id, qty in new.items():
        items[item_id].quantity = qty
    if cart is not None:
        cart.updated_at = utcnow()
    db.session.commit()


def remove_item(user: User | None, token: str | None, item_id: object) -> None:
    cart = find_cart(user, token)
    item = next((i for i in cart.items if str(i.id) == str(item_id)), None) if cart else None
    if item is None:
        raise ServiceError(_l("That item is no longer in your cart."))
    cart.items.remove(item)  # type: ignore[union-attr]
    cart.updated_at = utcnow()  # type: ignore[union-attr]
    db.session.commit()


def merge_guest_cart(user: User, token: str | None) -> None:
    """At sign-in: the guest's cart joins the account's (quantities of the same variant add
    up, capped at MAX_QUANTITY); the guest cart is then gone."""
    guest = find_cart(None, token) if token else None
    if guest is None or guest.user_id is not None:
        return
    own = find_cart(user, None)
    if own is None:
        guest.token_hash = None
        guest.user_id = user.id
    else:
        by_variant = {item.variant_id: item for item in own.items}
        for item in guest.items:
            if item.variant_id in by_variant:
                mine = by_variant[item.variant_id]
                mine.quantity = min(MAX_QUANTITY, mine.quantity + item.quantity)
            elif len(own.items) < MAX_ITEMS:
                own.items.append(CartItem(variant_id=item.variant_id, quantity=item.quantity))
        db.session.delete(guest)  # and its items (cascade)
    db.session.commit()


def discard_stale_guest_carts(days: int = GUEST_CART_DAYS, now: dt.datetime | None = None) -> int:
    """Delete guests' carts (and their items) untouched for ``days`` days; accounts' carts
    stay. Returns how many carts went."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    stale = select(Cart.id).where(Cart.user_id.is_(None), Cart.updated_at < cutoff)
    db.session.execute(delete(CartItem).where(CartItem.cart_id.in_(stale.scalar_subquery())))
    count = db.session.execute(delete(Cart).where(Cart.id.in_(stale.scalar_subquery()))).rowcount
    db.session.commit()
    return count or 0


# --- what the cart page and checkout show -------------------------------------------------

@dataclass
class Line:
    item: CartItem
    unit_price_idr: int
    #: Why this line cannot be checked out now (None: it can).
    problem: object | None = None

    @property
    def variant(self) -> Variant:
        return self.item.variant

    @property
    def product(self) -> Product:
        return self.item.variant.product

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def total_idr(self) -> int:
        return self.unit_price_idr * self.item.quantity


@dataclass
class ProducerGroup:
    producer: Producer
    lines: list[Line] = field(default_factory=list)

    @property
    def subtotal_idr(self) -> int:
        return sum(line.total_idr for line in self.lines)

    @property
    def blocked(self) -> bool:
        return any(line.problem for line in self.lines)

    @property
    def holiday(self) -> HolidayState | None:
        """The shop's holiday, under way or within a week: shown, not blocking (a buyer
        may order before or during it; the producer's note says when orders are sent)."""
        return holiday_state(self.producer)


@dataclass
class Summary:
    cart: Cart | None
    groups: list[ProducerGroup]

    @property
    def total_idr(self) -> int:
        return sum(group.subtotal_idr for group in self.groups)

    @property
    def count(self) -> int:
        return sum(line.quantity for group in self.groups for line in group.lines)

    @property
    def blocked(self) -> bool:
        return any(group.blocked for group in self.groups)

    @property
    def empty(self) -> bool:
        return not self.groups


def problem_of(item: CartItem) -> object | None:
    """Why an item cannot be checked out now, as a message for the buyer."""
    variant, product = item.variant, item.variant.product
    if product.status is not ProductStatus.PUBLISHED:
        return _l("This product is no longer on sale.")
    if not product.producer.is_public:
        return _l("This shop is not selling at the moment.")
    if variant.stock <= 0:
        return _l("Out of stock.")
    if variant.stock < item.quantity:
        return _l("Only %(n)d left: lower the quantity.", n=variant.stock)
    if item.quantity < product.min_order_qty:
        return _l("The minimum order is %(n)d.", n=product.min_order_qty)
    return None


def summarise(cart: Cart | None) -> Summary:
    """The cart grouped by producer (in the order first added), prices from the variants."""
    groups: dict[int, ProducerGroup] = {}
    for item in cart.items if cart else []:
        producer = item.variant.product.producer
        group = groups.setdefault(producer.id, ProducerGroup(producer))
        group.lines.append(Line(item, item.variant.price_idr, problem_of(item)))
    return Summary(cart, list(groups.values()))
