"""Who acts for a producer: members, their roles, and invitations by email link.

Rules:
- Only an owner invites, revokes invitations, changes roles and removes members; any member
  may see the list and leave. Agency staff may see the list, not change it.
- A producer always keeps at least one owner: the last owner can be neither removed nor
  demoted (the member rows are locked while this is checked).
- An invitation link carries a random token; only its SHA-256 is stored. It works once, for
  INVITATION_DAYS, and only for a signed-in account with the invited email address: a
  forwarded or leaked link alone does not let anyone into a business's account.
- Agency staff accounts cannot become members of a producer (they review producers).
- Every change is an audit event on the producer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.links import external_url
from marketplace.notifications.services import notify_producer, queue_mail_to
from marketplace.producers.models import Invitation, MemberRole, Producer, ProducerMember
from marketplace.producers.services import AccessDenied, record_event, require_member

INVITATION_DAYS = 7

ROLE_LABELS = {
    MemberRole.OWNER: _l("Owner"),
    MemberRole.STAFF: _l("Staff member"),
}


def role_label(role: MemberRole) -> str:
    return str(ROLE_LABELS[role])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_viewer(actor: User, producer: Producer) -> None:
    if not actor.is_staff:
        require_member(actor, producer)


def _lock_members(producer: Producer) -> list[ProducerMember]:
    """This producer's member rows, locked until commit (PostgreSQL) so two owners cannot
    remove each other at the same moment."""
    return list(db.session.scalars(
        select(ProducerMember).where(ProducerMember.producer_id == producer.id)
        .order_by(ProducerMember.id).with_for_update()))


# --- reading -------------------------------------------------------------------------------

def members_of(actor: User, producer: Producer) -> list[ProducerMember]:
    _require_viewer(actor, producer)
    return list(db.session.scalars(
        select(ProducerMember).join(User, ProducerMember.user_id == User.id)
        .where(ProducerMember.producer_id == producer.id)
        .order_by(ProducerMember.role, User.name, ProducerMember.id)))


def pending_invitations(actor: User, producer: Producer) -> list[Invitation]:
    _require_viewer(actor, producer)
    now = utcnow()
    return list(db.session.scalars(
        select(Invitation).where(Invitation.producer_id == producer.id,
                                 Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None),
                                 Invitation.expires_at > now)
        .order_by(Invitation.id.desc())))


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def invitation_state(invitation: Invitation) -> str:
    """"pending", "accepted", "revoked" or "expired"."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= utcnow():
        return "expired"
    return "pending"


# --- inviting ------------------------------------------------------------------------------

def invite(actor: User, producer: Producer, email: str, role: str) -> tuple[Invitation, str]:
    """Invite ``email`` with ``role``; the link is emailed after commit. Returns the invitation
    and its token (the token is not stored: tests and the email are the only places it goes).

    Inviting the same address again replaces its pending invitation (a fresh link)."""
    require_member(actor, producer, owner=True)
    address, member_role = _clean_invitee(producer, email, role)
    now = utcnow()
    db.session.execute(update(Invitation).where(
        Invitation.producer_id == producer.id, Invitation.email == address,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(producer_id=producer.id, email=address, role=member_role,
                            token_hash=hash_token(token), invited_by_id=actor.id,
                            expires_at=now + dt.timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    record_event(producer, actor, "invitation_sent",
                 changes={"email": address, "role": member_role.value})
    invitee = _user_by_email(address)
    queue_mail_to(address, invitee.locale if invitee else actor.locale, "invitation",
                  producer_name=producer.name, inviter_name=actor.name, role=member_role.value,
                  link=external_url("producers.accept_invitation", token=token),
                  days=INVITATION_DAYS)
    db.session.commit()
    return invitation, token


def _clean_invitee(producer: Producer, email: str, role: str) -> tuple[str, MemberRole]:
    address = (email or "").strip().lower()
    if not address or len(address) > 254 or "@" not in address:
        raise ServiceError(_l("Enter a valid email address."), "email")
    try:
        member_role = MemberRole(role)
    except ValueError as error:
        raise ServiceError(_l("Choose owner or staff member."), "role") from error
    user = _user_by_email(address)
    if user is not None and user.is_staff:
        raise ServiceError(_l("Agency staff accounts cannot join a producer."), "email")
    if user is not None and db.session.scalar(select(ProducerMember.id).where(
            ProducerMember.producer_id == producer.id, ProducerMember.user_id == user.id)):
        raise ServiceError(_l("This person is already a member."), "email")
    return address, member_role


def _user_by_email(address: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))


def revoke_invitation(actor: User, producer: Producer, invitation_id: int) -> Invitation:
    require_member(actor, producer, owner=True)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.producer_id != producer.id:
        raise AccessDenied(_l("This invitation does not exist."))
    if invitation_state(invitation) != "pending":
        raise ServiceError(_l("This invitation has already been used, revoked or has expired."))
    invitation.revoked_at = utcnow()
    record_event(producer, actor, "invitation_revoked",
                 changes={"email": invitation.email, "role": invitation.role.value})
    db.session.commit()
    return invitation


# --- accepting -----------------------------------------------------------------------------

def check_acceptable(user: User, invitation: Invitation) -> None:
    """ServiceError unless ``user`` may accept ``invitation`` now. Changes nothing."""
    state = invitation_state(invitation)
    if state != "pending":
        raise ServiceError(INVITATION_STATE_MESSAGES[state])
    if user.is_staff:
        raise ServiceError(_l("Agency staff accounts cannot join a producer."))
    if user.email.lower() != invitation.email.lower():
        raise ServiceError(_l("This invitation was sent to another email address. Sign in "
                              "with the account that uses that address."))
    if db.session.scalar(select(ProducerMember.id).where(
            ProducerMember.producer_id == invitation.producer_id,
            ProducerMember.user_id == user.id)):
        raise ServiceError(_l("You are already a member of this producer."))


def accept_invitation(user: User, token: str) -> ProducerMember:
    """Make ``user`` a member with the invitation's role; a buyer becomes a producer user."""
    invitation = find_invitation(token)
    if invitation is None:
        raise ServiceError(INVITATION_STATE_MESSAGES["unknown"])
    check_acceptable(user, invitation)
    now = utcnow()
    # Single use even when the link is opened twice at once: only one UPDATE matches.
    used = db.session.execute(update(Invitation).where(
        Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).values(accepted_at=now))
    if used.rowcount != 1:
        db.session.rollback()
        raise ServiceError(INVITATION_STATE_MESSAGES["accepted"])
    producer = db.session.get(Producer, invitation.producer_id)
    assert producer is not None
    member = ProducerMember(producer_id=producer.id, user_id=user.id, role=invitation.role)
    db.session.add(member)
    if user.role is Role.BUYER:
        user.role = Role.PRODUCER
    record_event(producer, user, "member_added",
                 changes={"user_id": user.id, "email": user.email, "role": invitation.role.value,
                          "invitation_id": invitation.id})
    notify_producer(producer, "member_joined", name=user.name)
    db.session.commit()
    return member


INVITATION_STATE_MESSAGES = {
    "unknown": _l("This invitation link is not valid. Check that you opened the whole link "
                  "from the email."),
    "accepted": _l("This invitation has already been used."),
    "revoked": _l("This invitation was cancelled by the producer. Ask them for a new one."),
    "expired": _l("This invitation has expired. Ask the producer to send a new one."),
}


# --- changing members ----------------------------------------------------------------------

def _target(producer: Producer, member_id: int, members: list[ProducerMember]) -> ProducerMember:
    for member in members:
        if member.id == member_id:
            return member
    raise AccessDenied(_l("This member does not exist."))


def _owners(members: list[ProducerMember]) -> int:
    return sum(1 for member in members if member.role is MemberRole.OWNER)


def remove_member(actor: User, producer: Producer, member_id: int) -> ProducerMember:
    """An owner removes a member; any member may remove themself (leave)."""
    members = _lock_members(producer)
    target = _target(producer, member_id, members)
    require_member(actor, producer, owner=target.user_id != actor.id)
    if target.role is MemberRole.OWNER and _owners(members) <= 1:
        raise ServiceError(_l("A producer needs at least one owner. Make another member an "
                              "owner first."))
    record_event(producer, actor, "member_removed",
                 changes={"user_id": target.user_id, "email": target.user.email,
                          "role": target.role.value})
    db.session.delete(target)
    db.session.commit()
    return target


def change_role(actor: User, producer: Producer, member_id: int, role: str) -> ProducerMember:
    members = _lock_members(producer)
    target = _target(producer, member_id, members)
    require_member(actor, producer, owner=True)
    try:
        new_role = MemberRole(role)
    except ValueError as error:
        raise ServiceError(_l("Choose owner or staff member."), "role") from error
    if new_role is target.role:
        return target
    if target.role is MemberRole.OWNER and _owners(members) <= 1:
        raise ServiceError(_l("A producer needs at least one owner. Make another member an "
                              "owner first."), "role")
    record_event(producer, actor, "member_role_changed",
                 changes={"user_id": target.user_id, "email": target.user.email,
                          "role": [target.role.value, new_role.value]})
    target.role = new_role
    db.session.commit()
    return target
