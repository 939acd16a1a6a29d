"""Every domain's models, imported in one place so that Alembic and the app see all tables."""

from marketplace.accounts.models import Role, User
from marketplace.addresses.models import Address
from marketplace.agency.models import MonitoringPhoto, MonitoringVisit
from marketplace.cart.models import Cart, CartItem
from marketplace.catalogue.models import Category, Product, ProductPhoto, Variant
from marketplace.notifications.models import Notice
from marketplace.orders.models import CheckoutGroup, Order, OrderEvent, OrderLine
from marketplace.payments.models import (
    ConnectAccount,
    LedgerEntry,
    Payment,
    Payout,
    PlatformSetting,
    Refund,
    TransferReceipt,
    WebhookEvent,
)
from marketplace.producers.models import (
                                          ClaimCode,
                                          Invitation,
                                          Producer,
                                          ProducerEvent,
                                          ProducerMember,
)
from marketplace.programs.models import AidProgram, Grant, GrantItem, RecipientImport
from marketplace.regions.models import Region
from marketplace.shipping.models import ShippingMethod, ShippingRate
from marketplace.verification.models import DocumentView, ProducerDocument

__all__ = [
    "Address", "AidProgram", "Cart", "CartItem", "Category", "CheckoutGroup", "ClaimCode",
    "DocumentView", "Grant", "GrantItem", "Invitation", "MonitoringPhoto", "MonitoringVisit",
    "Notice", "Order", "OrderEvent", "OrderLine", "Producer", "ProducerDocument",
    "ProducerEvent", "ProducerMember", "Product", "ProductPhoto", "RecipientImport", "Region",
    "Role", "ShippingMethod", "ShippingRate", "User", "Variant", "ConnectAccount", "LedgerEntry",
    "Payment", "Payout", "PlatformSetting", "Refund", "TransferReceipt", "WebhookEvent",
]
