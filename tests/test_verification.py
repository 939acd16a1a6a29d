"""The agency's verification: submitting for review, the staff queue and review page,
document reviews, decisions, suspension, notices and emails, expiring documents, the audit
trail, and who may do each of these."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.notifications.models import Notice
from marketplace.notifications.services import notice_text
from marketplace.producers.models import (
    MemberRole,
    Producer,
    ProducerEvent,
    ProducerMember,
    ProducerStatus,
    ProducerType,
    Sector,
)
from marketplace.producers.services import AccessDenied, record_event
from marketplace.programs.models import Grant, GrantItem
from marketplace.verification import decisions, services
from marketplace.verification.cli import verification_cli
from marketplace.verification.models import (
    DocumentStatus,
    DocumentType,
    DocumentView,
    ProducerDocument,
)
from marketplace.verification.views import EVENT_LABELS
from tests.factories import make_producer, make_program, make_user
from tests.helpers import login, logout, post_form
from tests.test_documents import (
    MASKED_NIK,
    NIK,
    add_document,
    complete_producer,
    jpeg_with_gps,
    media_root,  # noqa: F401 - autouse: files go to a temporary folder
    pdf_bytes,
)

A_YEAR = dt.timedelta(days=365)


def count(model: type, *where: object) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def ready_producer(owner: User | None = None, *, accepted: bool = False,
                   status: ProducerStatus = ProducerStatus.DRAFT, **fields: object) -> Producer:
    """A complete profile with its two documents (KTP and NIB) uploaded."""
    producer = complete_producer(owner, status=status, **fields)
    uploader = owner or make_user(Role.PRODUCER)
    state = DocumentStatus.ACCEPTED if accepted else DocumentStatus.PENDING
    add_document(producer, uploader, DocumentType.KTP, status=state)
    add_document(producer, uploader, DocumentType.NIB, status=state)
    return producer


def submitted(owner: User | None = None, **fields: object) -> Producer:
    producer = ready_producer(owner, status=ProducerStatus.SUBMITTED, **fields)
    producer.submitted_at = dt.datetime(2024, 4, 1, 2, 0, tzinfo=dt.UTC)
    _db.session.commit()
    return producer


def events_of(producer: Producer, action: str | None = None) -> list[ProducerEvent]:
    query = select(ProducerEvent).where(ProducerEvent.producer_id == producer.id)
    if action:
        query = query.where(ProducerEvent.action == action)
    return list(_db.session.scalars(query.order_by(ProducerEvent.id)))


def notices_of(producer: Producer) -> list[Notice]:
    return list(_db.session.scalars(select(Notice).where(Notice.producer_id == producer.id)
                                    .order_by(Notice.id)))


# --- submitting -----------------------------------------------------------------------------

def test_submit_moves_a_complete_profile_to_review(ctx):
    owner = make_user(Role.PRODUCER)
    producer = ready_producer(owner)
    assert services.submission_problems(producer) == []
    services.submit_for_review(owner, producer)
    assert producer.status is ProducerStatus.SUBMITTED and producer.submitted_at is not None
    [event] = events_of(producer, "status")
    assert (event.actor_id, event.from_status, event.to_status) == (owner.id, "draft",
                                                                   "submitted")


@pytest.mark.parametrize("start", [ProducerStatus.CHANGES_NEEDED, ProducerStatus.REJECTED])
def test_submit_again_after_changes_or_rejection(ctx, start):
    owner = make_user(Role.PRODUCER)
    producer = ready_producer(owner, status=start)
    services.submit_for_review(owner, producer)
    assert producer.status is ProducerStatus.SUBMITTED


@pytest.mark.parametrize("status", [ProducerStatus.SUBMITTED, ProducerStatus.VERIFIED,
                                    ProducerStatus.SUSPENDED])
def test_submit_refused_in_other_statuses(ctx, status):
    owner = make_user(Role.PRODUCER)
    producer = ready_producer(owner, status=status)
    with pytest.raises(ServiceError):
        services.submit_for_review(owner, producer)
    assert producer.status is status and events_of(producer) == []


def _without_phone(producer: Producer, owner: User) -> None:
    producer.phone = ""


def _without_nib(producer: Producer, owner: User) -> None:
    producer.nib = None


def _ktp_missing(producer: Producer, owner: User) -> None:
    services.current_documents(producer)[DocumentType.KTP].replaced = True


def _ktp_rejected(producer: Producer, owner: User) -> None:
    services.current_documents(producer)[DocumentType.KTP].status = DocumentStatus.REJECTED


def _nib_expired(producer: Producer, owner: User) -> None:
    document = services.current_documents(producer)[DocumentType.NIB]
    document.expires_on = services.today() - dt.timedelta(days=1)


def _now_a_cooperative(producer: Producer, owner: User) -> None:
    producer.type = ProducerType.COOPERATIVE  # needs its AHU decree too


@pytest.mark.parametrize("spoil", [_without_phone, _without_nib, _ktp_missing, _ktp_rejected,
                                   _nib_expired, _now_a_cooperative])
def test_submit_refused_until_profile_and_documents_are_complete(ctx, spoil):
    owner = make_user(Role.PRODUCER)
    producer = ready_producer(owner)
    spoil(producer, owner)
    _db.session.commit()
    assert services.submission_problems(producer)
    with pytest.raises(ServiceError):
        services.submit_for_review(owner, producer)
    assert producer.status is ProducerStatus.DRAFT and events_of(producer, "status") == []


def test_only_members_submit(ctx):
    producer = ready_producer(make_user(Role.PRODUCER))
    for outsider in (make_user(Role.PRODUCER), make_user(Role.STAFF)):
        with pytest.raises(AccessDenied):
            services.submit_for_review(outsider, producer)
    assert producer.status is ProducerStatus.DRAFT


# --- reviewing documents --------------------------------------------------------------------

def test_staff_accept_and_reject_documents(ctx, outbox):
    staff = make_user(Role.STAFF)
    producer = submitted(make_user(Role.PRODUCER))
    ktp = services.current_documents(producer)[DocumentType.KTP]
    decisions.review_document(staff, ktp, accept=True)
    assert ktp.status is DocumentStatus.ACCEPTED and ktp.reviewed_by_id == staff.id
    assert ktp.reviewed_at is not None
    with pytest.raises(ServiceError) as error:
        decisions.review_document(staff, ktp, accept=False, reason="   ")
    assert error.value.field == "reason" and ktp.status is DocumentStatus.ACCEPTED
    decisions.review_document(staff, ktp, accept=False, reason="Foto KTP buram.")
    assert ktp.status is DocumentStatus.REJECTED and ktp.review_reason == "Foto KTP buram."
    reviews = events_of(producer, "document_review")
    assert [(e.actor_id, e.changes["status"], e.reason) for e in reviews] == [
        (staff.id, ["pending", "accepted"], ""),
        (staff.id, ["accepted", "rejected"], "Foto KTP buram.")]
    assert all(e.changes["document_id"] == ktp.id for e in reviews)
    [notice] = notices_of(producer)
    assert notice.kind == "verification_document_rejected"
    assert "Foto KTP buram." in notice_text(notice)
    assert outbox.messages() == []  # under review: the decision's email will follow


def test_a_rejected_document_of_a_verified_producer_is_emailed(ctx, outbox):
    owner = make_user(Role.PRODUCER, email="penenun@example.test")
    producer = ready_producer(owner, accepted=True, status=ProducerStatus.VERIFIED)
    renewed = add_document(producer, owner, DocumentType.NIB)
    services.current_documents(producer)  # the renewed one is current
    decisions.review_document(make_user(Role.STAFF), renewed, accept=False,
                              reason="Nomor tidak terbaca.")
    [message] = outbox.messages()
    assert message["To"] == "penenun@example.test"
    assert "Nomor tidak terbaca." in outbox.last_body()
    assert f"/produsen/{producer.id}/dokumen" in outbox.last_body()
    assert producer.status is ProducerStatus.VERIFIED


def test_a_replaced_document_cannot_be_reviewed(ctx):
    owner = make_user(Role.PRODUCER)
    producer = submitted(owner)
    old = services.current_documents(producer)[DocumentType.NIB]
    old.replaced = True
    add_document(producer, owner, DocumentType.NIB)
    with pytest.raises(ServiceError):
        decisions.review_document(make_user(Role.STAFF), old, accept=True)
    assert old.status is DocumentStatus.PENDING


def test_only_staff_review_and_decide(ctx):
    owner = make_user(Role.PRODUCER)
    producer = submitted(owner)
    document = services.current_documents(producer)[DocumentType.NIB]
    for user in (owner, make_user(Role.BUYER)):
        with pytest.raises(AccessDenied):
            decisions.review_document(user, document, accept=True)
        with pytest.raises(AccessDenied):
            decisions.decide(user, producer, "rejected", "no")
        with pytest.raises(AccessDenied):
            decisions.suspend(user, producer, "no")
    assert document.status is DocumentStatus.PENDING
    assert producer.status is ProducerStatus.SUBMITTED


# --- decisions ------------------------------------------------------------------------------

def test_verify_when_every_document_is_accepted(ctx, outbox):
    staff = make_user(Role.ADMIN)  # admins count as staff
    owner = make_user(Role.PRODUCER, email="ketua@example.test")
    helper = make_user(Role.PRODUCER, email="staf@example.test", locale="en")
    producer = submitted(owner)
    _db.session.add(ProducerMember(producer_id=producer.id, user_id=helper.id,
                                   role=MemberRole.STAFF))
    for document in services.current_documents(producer).values():
        decisions.review_document(staff, document, accept=True)
    decisions.decide(staff, producer, "verified")
    assert producer.status is ProducerStatus.VERIFIED and producer.is_public
    assert producer.verified_at is not None
    event = events_of(producer, "status")[-1]
    assert (event.actor_id, event.from_status, event.to_status) == (staff.id, "submitted",
                                                                   "verified")
    assert [n.kind for n in notices_of(producer)] == ["verification_verified"]
    assert sorted(m["To"] for m in outbox.messages()) == ["ketua@example.test",
                                                          "staf@example.test"]
    assert all(m["Subject"] for m in outbox.messages())


@pytest.mark.parametrize("state", [DocumentStatus.PENDING, DocumentStatus.REJECTED])
def test_verify_refused_while_a_document_is_not_accepted(ctx, outbox, state):
    staff = make_user(Role.STAFF)
    producer = submitted(make_user(Role.PRODUCER))
    current = services.current_documents(producer)
    current[DocumentType.KTP].status = DocumentStatus.ACCEPTED
    current[DocumentType.NIB].status = state
    _db.session.commit()
    with pytest.raises(ServiceError) as error:
        decisions.decide(staff, producer, "verified")
    assert error.value.field == "decision"
    assert producer.status is ProducerStatus.SUBMITTED
    assert events_of(producer, "status") == [] and notices_of(producer) == []


@pytest.mark.parametrize(("decision", "status"), [
    ("changes_needed", ProducerStatus.CHANGES_NEEDED), ("rejected", ProducerStatus.REJECTED)])
def test_changes_needed_and_rejection_need_a_reason(ctx, outbox, decision, status):
    staff = make_user(Role.STAFF)
    owner = make_user(Role.PRODUCER, email="pemilik@example.test")
    producer = submitted(owner)
    with pytest.raises(ServiceError) as error:
        decisions.decide(staff, producer, decision, "  ")
    assert error.value.field == "reason" and producer.status is ProducerStatus.SUBMITTED
    assert notices_of(producer) == [] and outbox.messages() == []
    decisions.decide(staff, producer, decision, "Unggah ulang NIB yang terbaca.")
    assert producer.status is status
    assert producer.status_reason == "Unggah ulang NIB yang terbaca."
    event = events_of(producer, "status")[-1]
    assert (event.to_status, event.reason) == (status.value, "Unggah ulang NIB yang terbaca.")
    [notice] = notices_of(producer)
    assert notice.kind == f"verification_{decision}"
    assert "Unggah ulang NIB yang terbaca." in notice_text(notice)
    [message] = outbox.messages()
    assert message["To"] == "pemilik@example.test"
    assert "Unggah ulang NIB yang terbaca." in outbox.last_body()


@pytest.mark.parametrize("status", [ProducerStatus.DRAFT, ProducerStatus.VERIFIED,
                                    ProducerStatus.CHANGES_NEEDED, ProducerStatus.REJECTED,
                                    ProducerStatus.SUSPENDED])
def test_no_decision_on_a_profile_that_was_not_submitted(ctx, outbox, status):
    producer = ready_producer(make_user(Role.PRODUCER), accepted=True, status=status)
    for decision in ("verified", "changes_needed", "rejected"):
        with pytest.raises(ServiceError) as error:
            decisions.decide(make_user(Role.STAFF), producer, decision, "alasan")
        assert error.value.field == "decision"
    assert producer.status is status
    assert events_of(producer) == [] and notices_of(producer) == [] and outbox.messages() == []


def test_an_unknown_decision_is_refused(ctx):
    producer = submitted(make_user(Role.PRODUCER))
    with pytest.raises(ServiceError):
        decisions.decide(make_user(Role.STAFF), producer, "approved", "ok")
    assert producer.status is ProducerStatus.SUBMITTED


def test_suspend_and_reinstate_with_a_reason(ctx, outbox):
    staff = make_user(Role.STAFF)
    producer = ready_producer(make_user(Role.PRODUCER), accepted=True,
                              status=ProducerStatus.VERIFIED)
    with pytest.raises(ServiceError) as error:
        decisions.suspend(staff, producer, "")
    assert error.value.field == "reason" and producer.status is ProducerStatus.VERIFIED
    with pytest.raises(ServiceError):
        decisions.reinstate(staff, producer, "Sudah diperbaiki.")  # not suspended
    decisions.suspend(staff, producer, "Produk tidak sesuai foto.")
    assert producer.status is ProducerStatus.SUSPENDED and not producer.is_public
    with pytest.raises(ServiceError):
        decisions.reinstate(staff, producer, " ")
    decisions.reinstate(staff, producer, "Sudah diperbaiki.")
    assert producer.status is ProducerStatus.VERIFIED and producer.is_public
    trail = [(e.from_status, e.to_status, e.reason) for e in events_of(producer, "status")]
    assert trail == [("verified", "suspended", "Produk tidak sesuai foto."),
                     ("suspended", "verified", "Sudah diperbaiki.")]
    assert [n.kind for n in notices_of(producer)] == ["verification_suspended",
                                                      "verification_reinstated"]
    assert len(outbox.messages()) == 2 and "Sudah diperbaiki." in outbox.last_body()


def test_a_draft_cannot_be_suspended(ctx):
    producer = ready_producer(make_user(Role.PRODUCER))
    with pytest.raises(ServiceError):
        decisions.suspend(make_user(Role.STAFF), producer, "alasan")
    assert producer.status is ProducerStatus.DRAFT and events_of(producer) == []


# --- expiring documents ---------------------------------------------------------------------

def _run_flag_expiring(app: Flask, on: dt.date) -> str:
    result = app.test_cli_runner().invoke(verification_cli,
                                          ["flag-expiring", "--today", on.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_flag_expiring_notifies_once_per_stage(app, db, outbox):
    on = dt.date(2024, 4, 3)
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="pangan@example.test")
        producer = complete_producer(owner, sector=Sector.FOOD)
        soon = add_document(producer, owner, DocumentType.PIRT, number="206347101014825",
                            status=DocumentStatus.ACCEPTED, expires_on=on + dt.timedelta(10))
        add_document(producer, owner, DocumentType.NIB, status=DocumentStatus.PENDING,
                     expires_on=on + dt.timedelta(5))  # not accepted yet: not flagged
        add_document(producer, owner, DocumentType.KTP, status=DocumentStatus.ACCEPTED)
        other = complete_producer(make_user(Role.PRODUCER))
        add_document(other, owner, DocumentType.NIB, status=DocumentStatus.ACCEPTED,
                     expires_on=on + A_YEAR)  # far away
        producer_id, soon_id = producer.id, soon.id
    assert "1 document(s) flagged" in _run_flag_expiring(app, on)
    assert "0 document(s) flagged" in _run_flag_expiring(app, on + dt.timedelta(1))
    assert "1 document(s) flagged" in _run_flag_expiring(app, on + dt.timedelta(11))
    assert "0 document(s) flagged" in _run_flag_expiring(app, on + dt.timedelta(12))
    with app.app_context():
        producer = _db.session.get(Producer, producer_id)
        stages = [(e.actor_id, e.changes["document_id"], e.changes["stage"])
                  for e in events_of(producer, "document_expiry")]
        assert stages == [(None, soon_id, "expiring"), (None, soon_id, "expired")]
        assert [n.kind for n in notices_of(producer)] == ["verification_document_expiring",
                                                          "verification_document_expired"]
        texts = [notice_text(n) for n in notices_of(producer)]
        assert all("13 April 2024" in t and "Izin Pangan Industri Rumah Tangga (P-IRT)" in t
                   and "2024-04-13" not in t for t in texts)
    messages = outbox.messages()
    assert [m["To"] for m in messages] == ["pangan@example.test"] * 2
    assert f"http://localhost/produsen/{producer_id}/dokumen" in outbox.last_body()


def test_expiry_notice_shows_the_document_and_date_in_the_readers_language(ctx):
    notice = Notice(kind="verification_document_expiring",
                    params={"stage": "expiring", "document": "pirt", "expires_on": "2026-12-31"})
    assert notice_text(notice) == (
        "Salah satu dokumen Anda akan habis masa berlakunya pada Kamis, 31 Desember 2026: "
        "Izin Pangan Industri Rumah Tangga (P-IRT). Unggah dokumen yang sudah diperpanjang.")
    with force_locale("en"):
        assert notice_text(notice) == (
            "One of your documents expires on Thursday, 31 December 2026: Home-industry food "
            "permit (P-IRT). Upload the renewed document.")
    odd = Notice(kind="verification_document_expired",
                 params={"document": "unknown", "expires_on": "not a date"})
    assert "unknown" in notice_text(odd) and "not a date" in notice_text(odd)


# --- the staff pages: who may open them -----------------------------------------------------

@pytest.fixture
def people(app: Flask, db) -> dict[str, int]:
    """A submitted producer with documents, its owner, another producer, buyer and staff."""
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="owner@example.test", name="Ibu Sari")
        producer = submitted(owner, name="Tenun Sari")
        other_owner = make_user(Role.PRODUCER, email="other@example.test")
        complete_producer(other_owner)
        make_user(Role.BUYER, email="buyer@example.test")
        make_user(Role.STAFF, email="staff@example.test", name="Rina Dinas")
        make_user(Role.ADMIN, email="admin@example.test")
        document = services.current_documents(producer)[DocumentType.NIB]
        return {"producer": producer.id, "document": document.id, "owner": owner.id}


def _staff_urls(people: dict[str, int]) -> list[tuple[str, str]]:
    p, d = people["producer"], people["document"]
    return [("GET", "/dinas/verifikasi"), ("GET", f"/dinas/verifikasi/{p}"),
            ("POST", f"/dinas/verifikasi/dokumen/{d}"),
            ("POST", f"/dinas/verifikasi/{p}/keputusan"),
            ("POST", f"/dinas/verifikasi/{p}/penangguhan")]


def _request(client, method: str, url: str, data: dict[str, object] | None = None):
    if method == "GET":
        return client.get(url)
    return post_form(client, url, data or {}, page="/")


def test_staff_pages_refuse_everyone_else(app, client, people):
    for method, url in _staff_urls(people):
        response = _request(client, method, url)
        assert response.status_code in (302, 400), url  # anonymous: sign in (or no token)
        if response.status_code == 302:
            assert "/masuk" in response.headers["Location"]
    for email in ("owner@example.test", "other@example.test", "buyer@example.test"):
        login(client, email)
        for method, url in _staff_urls(people):
            data = {"verdict": "accept", "decision": "rejected", "reason": "x",
                    "action": "suspend"}
            assert _request(client, method, url, data).status_code == 403, (email, url)
        logout(client)
    with app.app_context():
        producer = _db.session.get(Producer, people["producer"])
        assert producer.status is ProducerStatus.SUBMITTED
        assert events_of(producer, "document_review") == [] and notices_of(producer) == []
    for email in ("staff@example.test", "admin@example.test"):
        login(client, email)
        assert client.get("/dinas/verifikasi").status_code == 200
        assert client.get(f"/dinas/verifikasi/{people['producer']}").status_code == 200
        assert client.get("/dinas/verifikasi/999999").status_code == 404
        logout(client)


def test_anonymous_staff_page_redirects_to_sign_in(client, people):
    response = client.get("/dinas/verifikasi")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


# --- the queue ------------------------------------------------------------------------------

def _row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="producer-(\d+)"', html)]


@pytest.fixture
def queue_data(app: Flask, db) -> dict[str, int]:
    with app.app_context():
        make_user(Role.STAFF, email="staff@example.test")
        program = make_program(name="Bantuan Alat Mesin Jahit 2024")
        newer = submitted(name="Jahit Samarinda", region_code="64.72.01.1001",
                          sector=Sector.TEXTILE)
        newer.submitted_at = dt.datetime(2024, 4, 2, tzinfo=dt.UTC)
        older = submitted(name="Anyaman Biduk-Biduk")
        older.submitted_at = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
        _db.session.add(Grant(program_id=program.id, producer_id=newer.id,
                              items=[GrantItem(name="Mesin jahit portable",
                                               category="Mesin jahit", quantity=2,
                                               unit_value_idr=3_500_000)]))
        verified = ready_producer(accepted=True, status=ProducerStatus.VERIFIED,
                                  name="Kayu Berau")
        expired = services.current_documents(verified)[DocumentType.NIB]
        expired.expires_on = services.today() - dt.timedelta(days=3)
        renewed = ready_producer(accepted=True, status=ProducerStatus.VERIFIED)
        add_document(renewed, make_user(Role.PRODUCER), DocumentType.NIB)  # waiting
        draft = ready_producer()
        _db.session.commit()
        return {"newer": newer.id, "older": older.id, "verified": verified.id,
                "renewed": renewed.id, "draft": draft.id, "program": program.id}


def test_queue_shows_submissions_oldest_first(client, queue_data):
    login(client, "staff@example.test")
    html = client.get("/dinas/verifikasi").get_data(as_text=True)
    assert _row_ids(html) == [queue_data["older"], queue_data["newer"]]
    assert "Bantuan Alat Mesin Jahit 2024" in html and "Rawa Makmur" in html


@pytest.mark.parametrize(("query", "expected"), [
    ("status=verified", ["verified", "renewed"]),
    ("status=draft", ["draft"]),
    ("status=documents", ["renewed"]),
    ("program={program}", ["newer"]),
    ("status=all&program={program}", ["newer"]),
    ("regency=64.72", ["newer"]),
    ("regency=64.03", ["older"]),
    ("sector=tekstil", ["newer"]),
    ("sector=olahan_pangan", []),
    ("status=all&regency=64.03&sector=rotan_anyaman", ["older", "verified", "renewed",
                                                        "draft"]),
])
def test_queue_filters(client, queue_data, query, expected):
    login(client, "staff@example.test")
    url = "/dinas/verifikasi?" + query.format(program=queue_data["program"])
    response = client.get(url)
    assert response.status_code == 200
    assert sorted(_row_ids(response.get_data(as_text=True))) == sorted(
        queue_data[name] for name in expected)


@pytest.mark.parametrize(("query", "error_id"), [
    ("status=approved", "status-error"),
    ("program=abc", "program-error"),
    ("program=999999", "program-error"),
    ("regency=99.99", "regency-error"),
    ("regency=64.03.08", "regency-error"),  # a kecamatan, not a kabupaten/kota
    ("regency=%25", "regency-error"),
    ("sector=batik", "sector-error"),
])
def test_queue_explains_unknown_filters(client, queue_data, query, error_id):
    login(client, "staff@example.test")
    response = client.get("/dinas/verifikasi?" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{error_id}"' in html
    # The unknown filter is ignored: the default list (waiting for review) is shown.
    assert sorted(_row_ids(html)) == sorted([queue_data["older"], queue_data["newer"]])


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999", "7"])
def test_queue_survives_any_page_number(client, queue_data, page):
    login(client, "staff@example.test")
    assert client.get(f"/dinas/verifikasi?page={page}").status_code == 200


def test_queue_flags_expired_documents(client, queue_data):
    login(client, "staff@example.test")
    html = client.get("/dinas/verifikasi?status=verified").get_data(as_text=True)
    row = html.split(f'<tr id="producer-{queue_data["verified"]}"')[1].split("</tr>")[0]
    assert "flag-expired" in row
    other = html.split(f'<tr id="producer-{queue_data["renewed"]}"')[1].split("</tr>")[0]
    assert "flag-expired" not in other


def test_queue_pages_25_at_a_time(app, client, db):
    with app.app_context():
        make_user(Role.STAFF, email="staff@example.test")
        for n in range(26):
            producer = make_producer(status=ProducerStatus.SUBMITTED)
            producer.submitted_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(n)
        _db.session.commit()
    login(client, "staff@example.test")
    first = client.get("/dinas/verifikasi").get_data(as_text=True)
    second = client.get("/dinas/verifikasi?page=2").get_data(as_text=True)
    assert len(_row_ids(first)) == 25 and len(_row_ids(second)) == 1
    assert 'rel="next"' in first and "page=2" in first
    assert set(_row_ids(first)).isdisjoint(_row_ids(second))


# --- the review page ------------------------------------------------------------------------

def test_review_page_shows_profile_grants_documents_and_trail(app, client, people):
    with app.app_context():
        producer = _db.session.get(Producer, people["producer"])
        program = make_program(name="Bantuan Alat Anyam Rotan 2023", fiscal_year=2023)
        _db.session.add(Grant(program_id=program.id, producer_id=producer.id,
                              bast_number="BAST/027/2023",
                              items=[GrantItem(name="Alat anyam", category="Alat anyam rotan",
                                               quantity=1, unit_value_idr=1_500_000)]))
        _db.session.commit()
        ktp = services.current_documents(producer)[DocumentType.KTP]
    login(client, "staff@example.test")
    url = f"/dinas/verifikasi/{people['producer']}"
    post_form(client, f"/dinas/verifikasi/dokumen/{ktp.id}",
              {f"doc{ktp.id}-verdict": "reject", f"doc{ktp.id}-reason": "Foto buram"}, page=url)
    html = client.get(url).get_data(as_text=True)
    assert "Tenun Sari" in html and "Bantuan Alat Anyam Rotan 2023" in html
    assert "BAST/027/2023" in html and "Rp1.500.000" in html
    assert MASKED_NIK in html and NIK not in html
    assert f"/dokumen/{ktp.id}/berkas" in html
    assert f"/dokumen/{people['document']}/berkas" in html
    trail = html.split('id="audit-trail"')[1]
    assert "Rina Dinas" in trail and "Foto buram" in trail and "WITA" in trail


def test_review_page_grants_and_registration_read_as_sentences(app, client, people):
    with app.app_context():
        producer = _db.session.get(Producer, people["producer"])
        producer.created_at = dt.datetime(2024, 5, 14, 2, 0, tzinfo=dt.UTC)
        program = make_program(name="Bantuan Alat Anyam Rotan 2023", fiscal_year=2023)
        _db.session.add(Grant(program_id=program.id, producer_id=producer.id,
                              handover_date=dt.date(2024, 5, 14), handover_place="Tanjung Redeb",
                              bast_number="BAST/027/2023",
                              items=[GrantItem(name="Alat anyam", category="Alat anyam rotan",
                                               quantity=1, unit_value_idr=1_500_000,
                                               serial_number="SN-88")]))
        _db.session.commit()
    login(client, "staff@example.test")
    html = client.get(f"/dinas/verifikasi/{people['producer']}").get_data(as_text=True)
    assert "Oleh produsen sendiri, pada Selasa, 14 Mei 2024" in html
    assert "Diserahkan pada Selasa, 14 Mei 2024 di Tanjung Redeb" in html
    assert "Nomor BAST: BAST/027/2023" in html and "Nomor seri: SN-88" in html


_RECORDED = re.compile(r"record_event\(\s*[^,]+,\s*[^,]+,\s*\"([a-z_]+)\"")


def test_every_recorded_action_has_a_label():
    """Every action written anywhere (record_event, and change_status's "status")."""
    root = Path(__file__).resolve().parent.parent / "marketplace"
    actions = {"status"}
    for path in root.rglob("*.py"):
        actions |= set(_RECORDED.findall(path.read_text(encoding="utf-8")))
    assert {"created", "grant_added", "claim_issued", "member_added"} <= actions
    assert sorted(actions - set(EVENT_LABELS)) == []


def test_audit_trail_shows_labels_not_codes(app, client, people):
    with app.app_context():
        producer = _db.session.get(Producer, people["producer"])
        staff = _db.session.scalar(select(User).where(User.email == "staff@example.test"))
        record_event(producer, staff, "profile_edit", changes={
            "name": ["Tenun Sari", "Tenun Sari Baru"], "phone": [None, "+6281255012299"]})
        record_event(producer, staff, "logo_changed",
                     changes={"logo_key": [None, "public/logos/a.png"]})
        record_event(producer, staff, "created", reason="import",
                     changes={"program_id": 1, "import": "daftar.csv", "rows": [3]})
        record_event(producer, staff, "status", reason="identity changed: name, nib",
                     from_status="verified", to_status="submitted")
        record_event(producer, staff, "future_action", changes={"mystery": [1, 2]})
        producer.status_reason = "identity changed: name, nib"
        _db.session.commit()
    login(client, "staff@example.test")
    html = client.get(f"/dinas/verifikasi/{people['producer']}").get_data(as_text=True)
    trail = html.split('id="audit-trail"')[1]
    for label in ("Profil diubah", "Logo diganti", "Profil dibuat", "Status diubah",
                  "Nama Usaha: Tenun Sari → Tenun Sari Baru", "Telepon:", "Logo: — →",
                  "Diimpor dari daftar penerima bantuan",
                  "Identitas usaha diubah: Nama Usaha, NIB"):
        assert label in trail, label
    compact = re.sub(r"\s+", "", trail)
    for code in ("profile_edit<", "logo_changed<", ">name:", ">phone:", ">logo_key:",
                 ">import<"):
        assert code not in compact, code
    assert "identity changed" not in html
    assert "future_action" in trail and "mystery: 1 → 2" in trail  # unknown: as recorded
    assert "Alasan Terakhir: Identitas usaha diubah: Nama Usaha, NIB" in html


def test_review_a_document_through_the_page(app, client, people, outbox):
    login(client, "staff@example.test")
    page = f"/dinas/verifikasi/{people['producer']}"
    url = f"/dinas/verifikasi/dokumen/{people['document']}"
    prefix = f"doc{people['document']}"
    response = post_form(client, url, {f"{prefix}-verdict": "reject", f"{prefix}-reason": ""},
                         page=page)
    assert response.status_code == 200
    assert f'id="{prefix}-reason-error"' in response.get_data(as_text=True)
    response = post_form(client, url, {f"{prefix}-reason": "x"}, page=page)
    assert f'id="{prefix}-verdict-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(ProducerDocument, people["document"]).status is (
            DocumentStatus.PENDING)
    response = post_form(client, url, {f"{prefix}-verdict": "accept"}, page=page)
    assert response.status_code == 302
    with app.app_context():
        document = _db.session.get(ProducerDocument, people["document"])
        assert document.status is DocumentStatus.ACCEPTED
    assert post_form(client, "/dinas/verifikasi/dokumen/999999", {f"{prefix}-verdict": "accept"},
                     page=page).status_code == 404


@pytest.mark.parametrize(("data", "error_id"), [
    ({"decision": "changes_needed", "reason": ""}, "reason-error"),
    ({"decision": "rejected", "reason": "   "}, "reason-error"),
    ({"decision": "verified"}, "decision-error"),  # documents still waiting
    ({"decision": "approved"}, "decision-error"),
    ({"reason": "tanpa keputusan"}, "decision-error"),
])
def test_bad_decisions_through_the_page_change_nothing(app, client, people, outbox, data,
                                                       error_id):
    login(client, "staff@example.test")
    page = f"/dinas/verifikasi/{people['producer']}"
    response = post_form(client, f"{page}/keputusan", data, page=page)
    assert response.status_code == 200
    assert f'id="{error_id}"' in response.get_data(as_text=True)
    with app.app_context():
        producer = _db.session.get(Producer, people["producer"])
        assert producer.status is ProducerStatus.SUBMITTED
        assert events_of(producer, "status") == [] and notices_of(producer) == []
    assert outbox.messages() == []


def test_a_decision_on_a_profile_not_submitted_is_explained(app, client, people):
    with app.app_context():
        draft = ready_producer(accepted=True)
        draft_id = draft.id
    login(client, "staff@example.test")
    page = f"/dinas/verifikasi/{draft_id}"
    response = post_form(client, f"{page}/keputusan", {"decision": "verified"}, page=page)
    assert response.status_code == 200
    assert 'id="decision-error"' in response.get_data(as_text=True)
    with app.app_context():
        draft = _db.session.get(Producer, draft_id)
        assert draft.status is ProducerStatus.DRAFT and events_of(draft) == []


def test_suspension_through_the_page(app, client, people, outbox):
    with app.app_context():
        verified = ready_producer(make_user(Role.PRODUCER, email="kayu@example.test"),
                                  accepted=True, status=ProducerStatus.VERIFIED)
        verified_id = verified.id
    login(client, "staff@example.test")
    page = f"/dinas/verifikasi/{verified_id}"
    url = f"{page}/penangguhan"
    for data in ({"action": "suspend", "reason": ""}, {"action": "explode", "reason": "x"}):
        response = post_form(client, url, {f"suspension-{k}": v for k, v in data.items()},
                             page=page)
        assert response.status_code == 200
        assert 'id="suspension-reason-error"' in response.get_data(as_text=True)
    assert post_form(client, url, {"suspension-action": "suspend",
                                   "suspension-reason": "Laporan pembeli."},
                     page=page).status_code == 302
    with app.app_context():
        assert _db.session.get(Producer, verified_id).status is ProducerStatus.SUSPENDED
    assert post_form(client, url, {"suspension-action": "reinstate",
                                   "suspension-reason": "Sudah dicek."},
                     page=page).status_code == 302
    with app.app_context():
        producer = _db.session.get(Producer, verified_id)
        assert producer.status is ProducerStatus.VERIFIED
        assert [e.reason for e in events_of(producer, "status")] == ["Laporan pembeli.",
                                                                     "Sudah dicek."]
    assert [m["To"] for m in outbox.messages()] == ["kayu@example.test"] * 2


# --- the whole path -------------------------------------------------------------------------

def test_producer_to_staff_to_decision(app, client, db, outbox):
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="sari@example.test", name="Ibu Sari")
        producer = complete_producer(owner, name="Tenun Ulap Doyo Sari")
        make_user(Role.STAFF, email="staff@example.test", name="Rina Dinas")
        producer_id, nib = producer.id, producer.nib
    documents_url = f"/produsen/{producer_id}/dokumen"

    # The producer uploads the KTP (a photo) and the NIB (a PDF), then submits.
    login(client, "sari@example.test")
    assert 'id="submit-button"' not in client.get(documents_url).get_data(as_text=True)
    for doc_type, name, data, number in (("ktp", "ktp.jpg", jpeg_with_gps(), NIK),
                                         ("nib", "nib.pdf", pdf_bytes(), nib)):
        response = post_form(client, documents_url, {
            "form_name": f"upload-{doc_type}", f"{doc_type}-number": number,
            f"{doc_type}-file": (io.BytesIO(data), name)})
        assert response.status_code == 302, doc_type
    assert 'id="submit-button"' in client.get(documents_url).get_data(as_text=True)
    assert post_form(client, documents_url, {"form_name": "submit"}).status_code == 302
    logout(client)

    # Staff find it in the queue, open the files, accept both documents and verify.
    login(client, "staff@example.test")
    assert producer_id in _row_ids(client.get("/dinas/verifikasi").get_data(as_text=True))
    review_url = f"/dinas/verifikasi/{producer_id}"
    with app.app_context():
        document_ids = [d.id for d in services.current_documents(
            _db.session.get(Producer, producer_id)).values()]
    for document_id in document_ids:
        assert client.get(f"/dokumen/{document_id}/berkas").status_code == 200
        response = post_form(client, f"/dinas/verifikasi/dokumen/{document_id}",
                             {f"doc{document_id}-verdict": "accept"}, page=review_url)
        assert response.status_code == 302
    response = post_form(client, f"{review_url}/keputusan", {"decision": "verified"},
                         page=review_url)
    assert response.status_code == 302
    trail = client.get(review_url).get_data(as_text=True).split(
        'id="audit-trail"')[1].split("</table>")[0]
    assert trail.count("Rina Dinas") == 3 and trail.count("Ibu Sari") == 3
    logout(client)

    # The producer sees the decision: status, notice and email.
    login(client, "sari@example.test")
    assert 'id="producer-status"' in client.get(documents_url).get_data(as_text=True)
    with app.app_context():
        producer = _db.session.get(Producer, producer_id)
        assert producer.status is ProducerStatus.VERIFIED and producer.is_public
        trail = [(e.action, e.actor.email if e.actor else None, e.from_status, e.to_status)
                 for e in events_of(producer)]
        assert trail == [
            ("document_upload", "sari@example.test", None, None),
            ("document_upload", "sari@example.test", None, None),
            ("status", "sari@example.test", "draft", "submitted"),
            ("document_review", "staff@example.test", None, None),
            ("document_review", "staff@example.test", None, None),
            ("status", "staff@example.test", "submitted", "verified")]
        assert [n.kind for n in notices_of(producer)] == ["verification_verified"]
        assert count(DocumentView) == 2
        assert all(d.status is DocumentStatus.ACCEPTED
                   for d in services.current_documents(producer).values())
    [message] = outbox.messages()
    assert message["To"] == "sari@example.test"
    assert f"http://localhost/produsen/{producer_id}/dokumen" in outbox.last_body()
