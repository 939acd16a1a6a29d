"""Every domain's models, imported in one place so that Alembic and the app see all tables."""

from marketplace.accounts.models import Role, User
from marketplace.catalogue.models import Category, Product, ProductPhoto, Variant
from marketplace.notifications.models import Notice
from marketplace.producers.models import (
                                          ClaimCode,
                                          Invitation,
                                          Producer,
                                          ProducerEvent,
                                          ProducerMember,
)
from marketplace.programs.models import AidProgram, Grant, GrantItem, RecipientImport
from marketplace.regions.models import Region
from marketplace.verification.models import DocumentView, ProducerDocument

__all__ = [
    "AidProgram", "Category", "ClaimCode", "DocumentView", "Grant", "GrantItem", "Invitation",
    "Notice", "Producer", "ProducerDocument", "ProducerEvent", "ProducerMember", "Product",
    "ProductPhoto", "RecipientImport", "Region", "Role", "User", "Variant",
]
