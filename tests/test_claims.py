"""Claim codes: staff issue, revoke, print and send them; a recipient claims their producer
once, and every refused case changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.producers import claims
from marketplace.producers.models import (
    ClaimCode,
    MemberRole,
    Producer,
    ProducerEvent,
    ProducerMember,
    ProducerStatus,
)
from marketplace.producers.services import AccessDenied
from marketplace.programs.models import Grant, GrantItem
from tests.factories import make_producer, make_program, make_user
from tests.helpers import login, post_form


def _agency_producer(**fields: object) -> Producer:
    """A producer as the recipient import creates it, with a grant and a claim code."""
    values = {"status": ProducerStatus.DRAFT, "name": "KUB Anyaman Rotan Teluk Sumbang",
              "region_code": "64.03.08.2004", "phone": "+6281254321098",
              "whatsapp": "+6281254321098", **fields}
    producer = make_producer(created_by_agency=True, **values)
    producer.owner_name = "Hasnah"
    program = make_program()
    _db.session.add(Grant(program_id=program.id, producer_id=producer.id, items=[
        GrantItem(name="Alat pembelah rotan", category="Alat anyam rotan", quantity=2,
                  unit_value_idr=6_500_000)]))
    claims.add_code(producer, None)
    _db.session.commit()
    return producer


def _members(producer_id: int) -> list[tuple[int, MemberRole]]:
    return [(m.user_id, m.role) for m in _db.session.scalars(
        select(ProducerMember).where(ProducerMember.producer_id == producer_id))]


@pytest.fixture
def world(app: Flask, db) -> dict[str, object]:
    with app.app_context():
        users = {role: make_user(role, email=f"{role.value}@example.test") for role in Role}
        producer = _agency_producer()
        program_id = _db.session.scalar(select(Grant.program_id))
        return {"users": {r: u.email for r, u in users.items()},
                "user_ids": {r: u.id for r, u in users.items()},
                "producer": producer.id, "program": program_id,
                "code": claims.active_code(producer).code}


# --- codes ---------------------------------------------------------------------------------

def test_codes_use_an_unambiguous_alphabet():
    codes = {claims.generate_code() for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
        assert not set(code) & set("01OI")


@pytest.mark.parametrize(("text", "code"), [
    ("K7M3-9QX2", "K7M3-9QX2"), ("k7m39qx2", "K7M3-9QX2"), (" k7m3 9qx2 ", "K7M3-9QX2"),
    ("K7M3-9QX", None), ("K7M3-9QX0", None), ("K7M3-9QXO", None), ("", None), (None, None),
    ("K7M3-9QX2-AAAA", None), ("<script>", None),
])
def test_normalize_code(text, code):
    assert claims.normalize_code(text) == code


def test_import_style_code_expires_in_60_days(ctx):
    producer = _agency_producer()
    row = claims.active_code(producer)
    assert row is not None
    assert dt.timedelta(days=59) < row.expires_at - utcnow() <= dt.timedelta(days=60)


def test_staff_issue_a_new_code_and_the_old_one_stops_working(ctx):
    staff = make_user(Role.STAFF)
    producer = _agency_producer()
    old = claims.active_code(producer)
    new = claims.issue_code(staff, producer)
    assert new.code != old.code and new.created_by_id == staff.id
    _db.session.refresh(old)
    assert old.revoked_at is not None
    assert claims.active_code(producer).id == new.id
    with pytest.raises(claims.ClaimRefused) as refused:
        claims.check_code(old.code)
    assert refused.value.reason == "revoked"
    assert _db.session.scalar(select(ProducerEvent).where(
        ProducerEvent.action == "claim_issued", ProducerEvent.actor_id == staff.id)) is not None


def test_staff_revoke_a_code(ctx):
    staff = make_user(Role.STAFF)
    producer = _agency_producer()
    claims.revoke_code(staff, producer)
    assert claims.active_code(producer) is None
    with pytest.raises(ServiceError):
        claims.revoke_code(staff, producer)  # nothing left to revoke
    assert _db.session.scalar(select(ProducerEvent.action).where(
        ProducerEvent.action == "claim_revoked")) == "claim_revoked"


def test_codes_only_for_unclaimed_agency_producers(ctx):
    staff = make_user(Role.STAFF)
    own = make_producer(make_user(Role.PRODUCER))  # registered by the producer itself
    with pytest.raises(ServiceError):
        claims.issue_code(staff, own)
    claimed = _agency_producer()
    _db.session.add(ProducerMember(producer_id=claimed.id, user_id=make_user().id,
                                   role=MemberRole.OWNER))
    _db.session.commit()
    with pytest.raises(ServiceError):
        claims.issue_code(staff, claimed)
    assert _db.session.scalars(select(ClaimCode).where(
        ClaimCode.producer_id == own.id)).all() == []


@pytest.mark.parametrize("role", [Role.BUYER, Role.PRODUCER])
def test_only_staff_issue_or_revoke(ctx, role):
    producer = _agency_producer()
    user = make_user(role)
    before = claims.active_code(producer).id
    with pytest.raises(AccessDenied):
        claims.issue_code(user, producer)
    with pytest.raises(AccessDenied):
        claims.revoke_code(user, producer)
    assert claims.active_code(producer).id == before


# --- claiming (service) --------------------------------------------------------------------

def test_a_code_is_single_use(ctx):
    producer = _agency_producer()
    code = claims.active_code(producer).code
    first, second = make_user(Role.BUYER), make_user(Role.BUYER)
    claims.claim_producer(first, code)
    with pytest.raises(claims.ClaimRefused) as refused:
        claims.claim_producer(second, code)
    assert refused.value.reason == "used"
    assert _members(producer.id) == [(first.id, MemberRole.OWNER)]


def test_a_claim_that_loses_the_race_changes_nothing(ctx, monkeypatch):
    producer = _agency_producer()
    code = claims.active_code(producer).code
    winner, loser = make_user(Role.BUYER), make_user(Role.BUYER)
    checked = claims.check_code(code)  # the loser checked before the winner finished
    claims.claim_producer(winner, code)
    monkeypatch.setattr(claims, "check_code", lambda _text: checked)
    with pytest.raises(claims.ClaimRefused):
        claims.claim_producer(loser, code)
    _db.session.expire_all()
    assert _members(producer.id) == [(winner.id, MemberRole.OWNER)]
    assert _db.session.get(User, loser.id).role is Role.BUYER


def test_a_member_of_the_producer_becomes_its_owner(ctx):
    producer = _agency_producer()
    helper = make_user(Role.PRODUCER)
    _db.session.add(ProducerMember(producer_id=producer.id, user_id=helper.id,
                                   role=MemberRole.STAFF))
    _db.session.commit()
    claims.claim_producer(helper, claims.active_code(producer).code)
    assert _members(producer.id) == [(helper.id, MemberRole.OWNER)]


# --- claiming (HTTP) -----------------------------------------------------------------------

def test_claim_happy_path(app, client, world):
    login(client, world["users"][Role.BUYER])
    page = client.get(f"/klaim/{world['code']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "KUB Anyaman Rotan Teluk Sumbang" in html and "Teluk Sumbang, Biduk-Biduk" in html
    assert 'id="confirm-claim"' in html
    response = post_form(client, f"/klaim/{world['code']}", {})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/produsen/{world['producer']}"
    with app.app_context():
        buyer_id = world["user_ids"][Role.BUYER]
        assert _members(world["producer"]) == [(buyer_id, MemberRole.OWNER)]
        assert _db.session.get(User, buyer_id).role is Role.PRODUCER
        row = _db.session.scalar(select(ClaimCode).where(ClaimCode.code == world["code"]))
        assert row.used_by_id == buyer_id and row.used_at is not None
        event = _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.action == "claimed"))
        assert event.actor_id == buyer_id and event.producer_id == world["producer"]
        # the profile and the grant the agency recorded are already there
        producer = _db.session.get(Producer, world["producer"])
        assert producer.owner_name == "Hasnah" and producer.status is ProducerStatus.DRAFT
        grant = _db.session.scalar(select(Grant).where(Grant.producer_id == producer.id))
        assert grant.total_value_idr == 13_000_000
    # the used code then shows as used
    again = client.get(f"/klaim/{world['code']}")
    assert again.status_code == 410 and 'data-reason="used"' in again.get_data(as_text=True)


def test_a_producer_user_can_claim_too_and_keeps_the_role(app, client, world):
    login(client, world["users"][Role.PRODUCER])
    assert post_form(client, f"/klaim/{world['code']}", {}).status_code == 302
    with app.app_context():
        user_id = world["user_ids"][Role.PRODUCER]
        assert _members(world["producer"]) == [(user_id, MemberRole.OWNER)]
        assert _db.session.get(User, user_id).role is Role.PRODUCER


def test_visitor_without_account_is_offered_sign_in_and_registration(app, client, world):
    html = client.get(f"/klaim/{world['code']}").get_data(as_text=True)
    path = f"/klaim/{world['code']}"
    assert "KUB Anyaman Rotan Teluk Sumbang" in html
    links = dict(re.findall(r'id="(claim-(?:login|register))" href="([^"]+)"', html))
    for link in links.values():
        assert unquote(parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"][0]) == path
    assert set(links) == {"claim-login", "claim-register"}
    assert 'id="confirm-claim"' not in html
    # posting without an account sends to sign-in and changes nothing (the page itself has
    # no form for a visitor: the session's token comes from the sign-in page)
    response = post_form(client, path, {}, page="/masuk")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    with app.app_context():
        assert _members(world["producer"]) == []
    # signing in with next brings the visitor back to the claim page
    back = post_form(client, f"/masuk?next={path}",
                     {"email": world["users"][Role.BUYER], "password": "correct-horse-battery",
                      "next": path})
    assert back.headers["Location"] == path


def test_claim_start_page(client, world):
    assert client.get("/klaim").status_code == 200
    response = post_form(client, "/klaim", {"code": world["code"].lower().replace("-", " ")})
    assert response.status_code == 302 and response.headers["Location"] == f"/klaim/{world['code']}"
    bad = post_form(client, "/klaim", {"code": "HELLO"})
    assert bad.status_code == 200 and 'id="code-error"' in bad.get_data(as_text=True)


def test_lowercase_code_in_the_link_is_normalised(client, world):
    response = client.get(f"/klaim/{world['code'].lower()}")
    assert response.status_code == 302 and response.headers["Location"] == f"/klaim/{world['code']}"


def _refuse(app: Flask, world: dict[str, object], how: str) -> str:
    """Make the world's code unusable in one way; returns the code to try."""
    with app.app_context():
        row = _db.session.scalar(select(ClaimCode).where(ClaimCode.code == world["code"]))
        if how == "unknown":
            return "ABCD-EFGH"
        if how == "used":
            claims.claim_producer(_db.session.get(User, world["user_ids"][Role.PRODUCER]),
                                  row.code)
        elif how == "expired":
            row.expires_at = utcnow() - dt.timedelta(minutes=1)
        elif how == "revoked":
            row.revoked_at = utcnow()
        elif how == "owned":
            _db.session.add(ProducerMember(producer_id=world["producer"], role=MemberRole.OWNER,
                                           user_id=world["user_ids"][Role.PRODUCER]))
        _db.session.commit()
        return row.code


@pytest.mark.parametrize(("how", "status"), [
    ("unknown", 404), ("used", 410), ("expired", 410), ("revoked", 410), ("owned", 410)])
def test_unusable_codes_are_refused_and_change_nothing(app, client, world, how, status):
    code = _refuse(app, world, how)
    with app.app_context():
        members_before = _members(world["producer"])
    login(client, world["users"][Role.BUYER])
    page = client.get(f"/klaim/{code}")
    assert page.status_code == status
    assert f'data-reason="{how}"' in page.get_data(as_text=True)
    response = post_form(client, f"/klaim/{code}", {}, page="/klaim")
    assert response.status_code == status
    with app.app_context():
        assert _members(world["producer"]) == members_before
        assert _db.session.get(User, world["user_ids"][Role.BUYER]).role is Role.BUYER
        assert _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.actor_id == world["user_ids"][Role.BUYER])) is None


def test_another_producers_member_cannot_claim_a_claimed_producer(app, client, world):
    with app.app_context():
        owner = _db.session.get(User, world["user_ids"][Role.BUYER])
        claims.claim_producer(owner, world["code"])
        other_member = make_user(Role.PRODUCER, email="lain@example.test")
        make_producer(other_member, name="Produsen Lain")
        # even a code issued before the owner arrived by another way stops working
        staff = _db.session.get(User, world["user_ids"][Role.STAFF])
        producer = _db.session.get(Producer, world["producer"])
        with pytest.raises(ServiceError):
            claims.issue_code(staff, producer)
    login(client, "lain@example.test")
    response = post_form(client, f"/klaim/{world['code']}", {}, page="/klaim")
    assert response.status_code == 410
    with app.app_context():
        assert _members(world["producer"]) == [(world["user_ids"][Role.BUYER], MemberRole.OWNER)]


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_may_not_claim(app, client, world, role):
    login(client, world["users"][role])
    html = client.get(f"/klaim/{world['code']}").get_data(as_text=True)
    assert 'id="confirm-claim"' not in html
    response = post_form(client, f"/klaim/{world['code']}", {}, page="/klaim")
    assert response.status_code == 403
    with app.app_context():
        assert _members(world["producer"]) == []
        row = _db.session.scalar(select(ClaimCode).where(ClaimCode.code == world["code"]))
        assert row.used_at is None


def test_claim_needs_the_csrf_token(app, client, world):
    login(client, world["users"][Role.BUYER])
    assert client.post(f"/klaim/{world['code']}").status_code == 400
    with app.app_context():
        assert _members(world["producer"]) == []


# --- the staff's list ----------------------------------------------------------------------

def test_staff_print_the_claim_list_with_whatsapp_links(app, client, world):
    login(client, world["users"][Role.STAFF])
    response = client.get(f"/dinas/program/{world['program']}/kode-klaim")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert world["code"] in html and "Hasnah" in html and "0812-5432-1098" in html
    assert f"http://localhost/klaim/{world['code']}" in html
    link = re.search(r'href="(https://wa\.me/6281254321098\?text=[^"]+)"', html).group(1)
    message = unquote(link.split("text=", 1)[1].replace("&amp;", "&"))
    assert f"http://localhost/klaim/{world['code']}" in message and world["code"] in message
    css = re.search(r'href="(/static/programs/claims\.css)"', html).group(1)
    stylesheet = client.get(css)
    assert stylesheet.status_code == 200 and b"@media print" in stylesheet.data
    stylesheet.close()


def test_whatsapp_message_is_in_indonesian(ctx):
    producer = _agency_producer()
    url = claims.whatsapp_url(claims.active_code(producer))
    assert url is not None and url.startswith("https://wa.me/6281254321098?text=")
    assert "Pasar Binaan" in unquote(url)


def test_no_whatsapp_link_without_a_mobile_number(ctx):
    producer = _agency_producer(whatsapp="", phone="+62541741234")
    assert claims.whatsapp_url(claims.active_code(producer)) is None


def test_staff_issue_and_revoke_through_http(app, client, world):
    login(client, world["users"][Role.STAFF])
    page = f"/dinas/program/{world['program']}/kode-klaim"
    url = f"/dinas/produsen/{world['producer']}/kode-klaim"
    response = post_form(client, url, {"program_id": world["program"]}, page=page)
    assert response.status_code == 302 and response.headers["Location"] == page
    with app.app_context():
        new = claims.active_code(_db.session.get(Producer, world["producer"]))
        assert new.code != world["code"]
    assert client.get(f"/klaim/{world['code']}").status_code == 410
    response = post_form(client, url + "/cabut", {"program_id": world["program"]}, page=page)
    assert response.status_code == 302
    with app.app_context():
        assert claims.active_code(_db.session.get(Producer, world["producer"])) is None
    assert client.get(url).status_code == 405  # no state change on GET
    assert post_form(client, "/dinas/produsen/99999/kode-klaim", {}, page=page).status_code == 404


@pytest.mark.parametrize("role", [Role.BUYER, Role.PRODUCER])
def test_buyers_and_producers_cannot_issue_or_revoke(app, client, world, role):
    login(client, world["users"][role])
    url = f"/dinas/produsen/{world['producer']}/kode-klaim"
    assert post_form(client, url, {}, page="/klaim").status_code == 403
    assert post_form(client, url + "/cabut", {}, page="/klaim").status_code == 403
    assert client.get(f"/dinas/program/{world['program']}/kode-klaim").status_code == 403
    with app.app_context():
        assert claims.active_code(_db.session.get(Producer, world["producer"])).code == \
            world["code"]
