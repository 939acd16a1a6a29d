"""Every domain's models, imported in one place so that Alembic and the app see all tables."""

from marketplace.accounts.models import Role, User
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
    "AidProgram", "ClaimCode", "DocumentView", "Grant", "GrantItem", "Invitation", "Notice",
    "Producer", "ProducerDocument", "ProducerEvent", "ProducerMember", "RecipientImport",
    "Region", "Role", "User",
]
