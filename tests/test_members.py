"""Members of a producer: invitations by email link, accepting them, roles, removal, and who
may do which."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.notifications.models import Notice
from marketplace.producers import members as member_rules
from marketplace.producers.models import (
    Invitation,
    MemberRole,
    Producer,
    ProducerEvent,
    ProducerMember,
    ProducerStatus,
)
from tests.factories import make_producer, make_user
from tests.helpers import login, logout, post_form

LINK = re.compile(r"http://localhost/undangan/([A-Za-z0-9_-]+)")


@dataclass
class Team:
    producer_id: int
    owner: str
    helper: str  # a staff member of the producer
    helper_member_id: int
    owner_member_id: int
    outsider: str  # owner of another producer
    other_id: int
    buyer: str
    agency: str


@pytest.fixture
def team(app: Flask, db) -> Team:
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="ketua@example.test", name="Ketua Koperasi")
        helper = make_user(Role.PRODUCER, email="staf@example.test", name="Staf Koperasi")
        producer = make_producer(owner, status=ProducerStatus.DRAFT, name="Koperasi Tenun")
        member = ProducerMember(producer_id=producer.id, user_id=helper.id,
                                role=MemberRole.STAFF)
        _db.session.add(member)
        _db.session.commit()
        outsider = make_user(Role.PRODUCER, email="luar@example.test")
        other = make_producer(outsider, name="Produsen Lain")
        owner_member = _db.session.scalar(select(ProducerMember.id).where(
            ProducerMember.user_id == owner.id))
        return Team(producer.id, owner.email, helper.email, member.id, owner_member,
                    outsider.email, other.id,
                    make_user(Role.BUYER, email="calon@example.test").email,
                    make_user(Role.STAFF, email="dinas@example.test").email)


def _members(app: Flask, producer_id: int) -> dict[str, MemberRole]:
    with app.app_context():
        rows = _db.session.execute(select(User.email, ProducerMember.role).join(
            ProducerMember, ProducerMember.user_id == User.id).where(
            ProducerMember.producer_id == producer_id))
        return {email: role for email, role in rows}


def _events(app: Flask, producer_id: int, action: str) -> list[ProducerEvent]:
    with app.app_context():
        events = list(_db.session.scalars(select(ProducerEvent).where(
            ProducerEvent.producer_id == producer_id, ProducerEvent.action == action)))
        for event in events:
            _db.session.expunge(event)
        return events


def _invitations(app: Flask, producer_id: int) -> list[Invitation]:
    with app.app_context():
        rows = list(_db.session.scalars(select(Invitation).where(
            Invitation.producer_id == producer_id).order_by(Invitation.id)))
        for row in rows:
            _db.session.expunge(row)
        return rows


def _invite(client, team: Team, email: str, role: str = "staff"):
    return post_form(client, f"/produsen/{team.producer_id}/anggota",
                     {"email": email, "role": role})


def _invite_token(app: Flask, client, team: Team, outbox, email: str, role: str = "staff"
                  ) -> str:
    login(client, team.owner)
    assert _invite(client, team, email, role).status_code == 302
    logout(client)
    match = LINK.search(outbox.last_body())
    assert match is not None
    return match.group(1)


# --- the list --------------------------------------------------------------------------------

def test_members_page_lists_members_and_pending_invitations(app, client, team, outbox):
    login(client, team.owner)
    _invite(client, team, "baru@example.test")
    html = client.get(f"/produsen/{team.producer_id}/anggota").get_data(as_text=True)
    assert team.owner in html and team.helper in html and "baru@example.test" in html
    assert 'id="invite"' in html and "/hapus" in html


def test_staff_members_see_the_list_but_cannot_invite(app, client, team, outbox):
    login(client, team.helper)
    html = client.get(f"/produsen/{team.producer_id}/anggota").get_data(as_text=True)
    assert team.owner in html and 'id="invite"' not in html
    assert _invite(client, team, "baru@example.test").status_code == 403
    assert _invitations(app, team.producer_id) == [] and outbox.messages() == []


def test_another_producers_owner_cannot_see_or_invite(app, client, team, outbox):
    login(client, team.outsider)
    assert client.get(f"/produsen/{team.producer_id}/anggota").status_code == 404
    response = post_form(client, f"/produsen/{team.producer_id}/anggota",
                         {"email": "x@example.test", "role": "owner"},
                         page=f"/produsen/{team.other_id}/anggota")
    assert response.status_code == 404
    assert _invitations(app, team.producer_id) == [] and outbox.messages() == []


def test_agency_staff_may_view_members_but_not_change_them(app, client, team):
    login(client, team.agency)
    assert client.get(f"/produsen/{team.producer_id}/anggota").status_code == 200
    assert _invite(client, team, "x@example.test").status_code == 403
    url = f"/produsen/{team.producer_id}/anggota/{team.helper_member_id}/hapus"
    assert post_form(client, url, {}, page="/").status_code == 403
    assert team.helper in _members(app, team.producer_id)


# --- inviting --------------------------------------------------------------------------------

def test_owner_invites_by_email_and_only_the_tokens_hash_is_stored(app, client, team, outbox):
    login(client, team.owner)
    response = _invite(client, team, "  Baru@Example.test ", "owner")
    assert response.headers["Location"] == f"/produsen/{team.producer_id}/anggota"
    [invitation] = _invitations(app, team.producer_id)
    assert invitation.email == "baru@example.test" and invitation.role is MemberRole.OWNER
    message = outbox.messages()[-1]
    assert message["To"] == "baru@example.test"
    token = LINK.search(outbox.last_body()).group(1)
    assert len(token) >= 43 and token not in invitation.token_hash
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    expires = invitation.expires_at - utcnow()
    assert dt.timedelta(days=6, hours=23) < expires <= dt.timedelta(days=7)
    [event] = _events(app, team.producer_id, "invitation_sent")
    assert event.changes == {"email": "baru@example.test", "role": "owner"}


@pytest.mark.parametrize("email", ["not-an-email", "", "staf@example.test",
                                   "ketua@example.test", "dinas@example.test"])
def test_invite_refuses_bad_addresses_members_and_agency_staff(app, client, team, outbox,
                                                              email):
    login(client, team.owner)
    response = _invite(client, team, email)
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert _invitations(app, team.producer_id) == [] and outbox.messages() == []


def test_invite_refuses_an_unknown_role(app, client, team, outbox):
    login(client, team.owner)
    response = _invite(client, team, "baru@example.test", "admin")
    assert 'id="role-error"' in response.get_data(as_text=True)
    assert _invitations(app, team.producer_id) == []


def test_inviting_again_replaces_the_pending_invitation(app, client, team, outbox):
    first = _invite_token(app, client, team, outbox, "baru@example.test")
    second = _invite_token(app, client, team, outbox, "baru@example.test")
    assert first != second
    old, new = _invitations(app, team.producer_id)
    assert old.revoked_at is not None and new.revoked_at is None
    assert client.get(f"/undangan/{first}").status_code == 410
    assert client.get(f"/undangan/{second}").status_code == 200


# --- accepting -------------------------------------------------------------------------------

def test_anonymous_visitor_is_asked_to_sign_in_and_comes_back(app, client, team, outbox):
    token = _invite_token(app, client, team, outbox, team.buyer)
    url = f"/undangan/{token}"
    html = client.get(url).get_data(as_text=True)
    assert "Koperasi Tenun" in html and "c****@example.test" in html
    assert f"/masuk?next=/undangan/{token}" in html
    response = post_form(client, url, {}, page="/masuk")  # the page has no form for visitors
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert team.buyer not in _members(app, team.producer_id)
    response = post_form(client, f"/masuk?next=/undangan/{token}",
                         {"email": team.buyer, "password": "correct-horse-battery",
                          "next": url})
    assert response.headers["Location"] == url


def test_a_buyer_accepts_and_becomes_a_producer_member(app, client, team, outbox):
    token = _invite_token(app, client, team, outbox, team.buyer, "staff")
    login(client, team.buyer)
    response = post_form(client, f"/undangan/{token}", {})
    assert response.headers["Location"] == f"/produsen/{team.producer_id}"
    assert _members(app, team.producer_id)[team.buyer] is MemberRole.STAFF
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.email == team.buyer))
        assert user.role is Role.PRODUCER
        assert _db.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.producer_id == team.producer_id, Notice.kind == "member_joined")) == 1
    [invitation] = _invitations(app, team.producer_id)
    assert invitation.accepted_at is not None
    [event] = _events(app, team.producer_id, "member_added")
    assert event.changes["email"] == team.buyer and event.changes["role"] == "staff"
    assert client.get(f"/produsen/{team.producer_id}").status_code == 200
    assert client.get(f"/undangan/{token}").status_code == 410  # used


def test_the_invitation_is_for_its_email_address_only(app, client, team, outbox):
    token = _invite_token(app, client, team, outbox, "someone-else@example.test")
    login(client, team.buyer)
    html = client.get(f"/undangan/{token}").get_data(as_text=True)
    assert 'id="invitation-problem"' in html and "Accept" not in html
    response = post_form(client, f"/undangan/{token}", {})
    assert response.status_code == 409
    assert team.buyer not in _members(app, team.producer_id)
    assert _invitations(app, team.producer_id)[0].accepted_at is None


def test_email_matching_ignores_case(app, client, team, outbox):
    token = _invite_token(app, client, team, outbox, "CALON@example.test")
    login(client, team.buyer)
    assert post_form(client, f"/undangan/{token}", {}).status_code == 302
    assert team.buyer in _members(app, team.producer_id)


def test_agency_staff_cannot_accept_an_invitation(app, client, team):
    with app.app_context():
        producer = _db.session.get(Producer, team.producer_id)
        owner = _db.session.scalar(select(User).where(User.email == team.owner))
        token = "t" * 43
        _db.session.add(Invitation(producer_id=producer.id, email=team.agency,
                                   role=MemberRole.OWNER, invited_by_id=owner.id,
                                   token_hash=member_rules.hash_token(token),
                                   expires_at=utcnow() + dt.timedelta(days=1)))
        _db.session.commit()
    login(client, team.agency)
    assert post_form(client, f"/undangan/{token}", {}).status_code == 409
    assert team.agency not in _members(app, team.producer_id)


@pytest.mark.parametrize("state", ["expired", "revoked", "accepted"])
def test_used_expired_or_revoked_invitations_get_a_clear_page(app, client, team, outbox, state):
    token = _invite_token(app, client, team, outbox, team.buyer)
    with app.app_context():
        invitation = _db.session.scalar(select(Invitation))
        past = utcnow() - dt.timedelta(minutes=1)
        field = {"expired": "expires_at", "revoked": "revoked_at",
                 "accepted": "accepted_at"}[state]
        setattr(invitation, field, past)
        _db.session.commit()
    login(client, team.buyer)
    response = client.get(f"/undangan/{token}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert f'data-state="{state}"' in html and 'id="invitation-message"' in html
    assert post_form(client, f"/undangan/{token}", {}, page="/").status_code == 410
    assert team.buyer not in _members(app, team.producer_id)


def test_an_unknown_token_is_404(client, team):
    assert client.get("/undangan/not-a-real-token").status_code == 404


def test_an_invitation_works_once(app, ctx, team, outbox):
    owner = _db.session.scalar(select(User).where(User.email == team.owner))
    buyer = _db.session.scalar(select(User).where(User.email == team.buyer))
    producer = _db.session.get(Producer, team.producer_id)
    _invitation, token = member_rules.invite(owner, producer, team.buyer, "staff")
    member_rules.accept_invitation(buyer, token)
    with pytest.raises(ServiceError):
        member_rules.accept_invitation(buyer, token)
    assert _db.session.scalar(select(func.count()).select_from(ProducerMember).where(
        ProducerMember.user_id == buyer.id)) == 1


# --- revoking --------------------------------------------------------------------------------

def test_owner_revokes_a_pending_invitation_after_confirming(app, client, team, outbox):
    token = _invite_token(app, client, team, outbox, team.buyer)
    [invitation] = _invitations(app, team.producer_id)
    url = f"/produsen/{team.producer_id}/undangan/{invitation.id}/batal"
    login(client, team.owner)
    assert client.get(url).status_code == 200  # the confirmation page
    assert _invitations(app, team.producer_id)[0].revoked_at is None
    assert post_form(client, url, {}).status_code == 302
    assert _invitations(app, team.producer_id)[0].revoked_at is not None
    assert len(_events(app, team.producer_id, "invitation_revoked")) == 1
    assert client.get(f"/undangan/{token}").status_code == 410


def test_only_the_producers_owners_revoke_invitations(app, client, team, outbox):
    _invite_token(app, client, team, outbox, team.buyer)
    [invitation] = _invitations(app, team.producer_id)
    url = f"/produsen/{team.producer_id}/undangan/{invitation.id}/batal"
    login(client, team.helper)
    assert client.get(url).status_code == 403
    assert post_form(client, url, {}, page="/").status_code == 403
    logout(client)
    login(client, team.outsider)
    assert post_form(client, url, {}, page="/").status_code == 404
    other_url = f"/produsen/{team.other_id}/undangan/{invitation.id}/batal"
    assert post_form(client, other_url, {}, page="/").status_code == 404
    assert _invitations(app, team.producer_id)[0].revoked_at is None


# --- removing and roles ----------------------------------------------------------------------

def _remove_url(team: Team, member_id: int) -> str:
    return f"/produsen/{team.producer_id}/anggota/{member_id}/hapus"


def test_owner_removes_a_member_after_confirming(app, client, team):
    login(client, team.owner)
    url = _remove_url(team, team.helper_member_id)
    assert client.get(url).status_code == 200
    assert team.helper in _members(app, team.producer_id)
    assert post_form(client, url, {}).status_code == 302
    assert team.helper not in _members(app, team.producer_id)
    [event] = _events(app, team.producer_id, "member_removed")
    assert event.changes["email"] == team.helper
    logout(client)
    login(client, team.helper)
    assert client.get(f"/produsen/{team.producer_id}").status_code == 404


def test_a_staff_member_cannot_remove_others(app, client, team):
    login(client, team.helper)
    url = _remove_url(team, team.owner_member_id)
    assert client.get(url).status_code == 403
    assert post_form(client, url, {}, page="/").status_code == 403
    assert team.owner in _members(app, team.producer_id)


def test_another_producers_owner_cannot_remove_members(app, client, team):
    login(client, team.outsider)
    assert post_form(client, _remove_url(team, team.helper_member_id), {},
                     page="/").status_code == 404
    with app.app_context():
        outsider_member = _db.session.scalar(select(ProducerMember.id).where(
            ProducerMember.producer_id == team.other_id))
    # a member id of one producer under another producer's address
    url = f"/produsen/{team.other_id}/anggota/{team.helper_member_id}/hapus"
    assert post_form(client, url, {}, page="/").status_code == 404
    assert outsider_member is not None
    assert team.helper in _members(app, team.producer_id)


def test_a_member_may_leave(app, client, team):
    login(client, team.helper)
    response = post_form(client, _remove_url(team, team.helper_member_id), {})
    assert response.headers["Location"] == "/produsen"
    assert team.helper not in _members(app, team.producer_id)


def test_the_last_owner_can_be_neither_removed_nor_demoted(app, client, team):
    login(client, team.owner)
    post_form(client, _remove_url(team, team.owner_member_id), {})
    role_url = f"/produsen/{team.producer_id}/anggota/{team.owner_member_id}/peran"
    post_form(client, role_url, {"role": "staff"}, page=f"/produsen/{team.producer_id}/anggota")
    assert _members(app, team.producer_id)[team.owner] is MemberRole.OWNER
    assert _events(app, team.producer_id, "member_removed") == []


def test_with_two_owners_one_may_be_demoted_or_removed(app, client, team):
    login(client, team.owner)
    page = f"/produsen/{team.producer_id}/anggota"
    role_url = f"{page}/{team.helper_member_id}/peran"
    assert post_form(client, role_url, {"role": "owner"}, page=page).status_code == 302
    assert _members(app, team.producer_id)[team.helper] is MemberRole.OWNER
    [event] = _events(app, team.producer_id, "member_role_changed")
    assert event.changes["role"] == ["staff", "owner"]
    demote = f"{page}/{team.owner_member_id}/peran"
    assert post_form(client, demote, {"role": "staff"}, page=page).status_code == 302
    assert _members(app, team.producer_id)[team.owner] is MemberRole.STAFF


def test_a_staff_member_cannot_change_roles(app, client, team):
    login(client, team.helper)
    page = f"/produsen/{team.producer_id}/anggota"
    response = post_form(client, f"{page}/{team.helper_member_id}/peran", {"role": "owner"},
                         page=page)
    assert response.status_code == 403
    assert _members(app, team.producer_id)[team.helper] is MemberRole.STAFF


def test_services_refuse_non_owners(app, ctx, team):
    helper = _db.session.scalar(select(User).where(User.email == team.helper))
    producer = _db.session.get(Producer, team.producer_id)
    with pytest.raises(ServiceError):
        member_rules.invite(helper, producer, "x@example.test", "owner")
    with pytest.raises(ServiceError):
        member_rules.change_role(helper, producer, team.helper_member_id, "owner")
    with pytest.raises(ServiceError):
        member_rules.remove_member(helper, producer, team.owner_member_id)
