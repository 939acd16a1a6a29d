"""Bank transfer through HTTP (pay page, receipt upload, confirmation by the group's producer
or staff, rejection), refunds of cancelled paid orders, and the producers' ledger."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.orders.models import Order, OrderStatus, PaymentStatus
from marketplace.payments import bank, ledger, refunds, services
from marketplace.payments.models import (
    LedgerEntry,
    Payment,
    PaymentState,
    Refund,
    RefundStatus,
    TransferReceipt,
)
from marketplace.producers.models import Producer
from tests.helpers import csrf_fields, login, logout, post_form
from tests.payment_fixtures import (
    Group,
    cancel_paid,
    complete,
    make_two_producer_group,
    orders,
    payment,
    photo,
)


@pytest.fixture
def group(app: Flask, db, tmp_path, monkeypatch) -> Group:
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    return make_two_producer_group(app)


def _upload(client: FlaskClient, number: str, data: bytes, name: str = "bukti.jpg"):
    page = client.get(f"/bayar/{number}").get_data(as_text=True)
    return client.post(f"/bayar/{number}/bukti",
                       data={**csrf_fields(page), "receipt": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _pay(client: FlaskClient, group: Group) -> None:
    login(client, group.buyer)
    assert _upload(client, group.number, photo()).status_code == 302
    logout(client)


def test_pay_page_shows_account_exact_amount_and_deadline(app, client, group) -> None:
    login(client, group.buyer)
    html = client.get(f"/bayar/{group.number}").get_data(as_text=True)
    row = payment(app, group)
    assert row is not None and 1 <= row.transfer_code <= 999
    assert row.amount_idr == 315_000 + row.transfer_code
    assert app.config["BANK_ACCOUNT_NUMBER"] in html
    assert f"Rp{row.amount_idr:,}".replace(",", ".") in html
    assert 'id="deadline"' in html
    client.get(f"/bayar/{group.number}")  # the same code on every visit
    assert payment(app, group).transfer_code == row.transfer_code  # type: ignore[union-attr]


def test_only_the_buyer_sees_the_pay_page(client, group) -> None:
    assert client.get(f"/bayar/{group.number}").status_code == 302  # sign in first
    login(client, group.other_buyer)
    assert client.get(f"/bayar/{group.number}").status_code == 404
    assert _upload(client, group.number, photo()).status_code == 404


def test_open_transfers_get_different_codes(app, db, group) -> None:
    other = make_two_producer_group(app)
    with app.app_context():
        from tests.payment_fixtures import group_row

        first = bank.start(group_row(group.number))
        second = bank.start(group_row(other.number))
        assert first.transfer_code != second.transfer_code
        assert first.amount_idr != second.amount_idr


def test_a_file_that_is_not_an_image_is_refused_with_a_message(app, client, group) -> None:
    login(client, group.buyer)
    response = _upload(client, group.number, b"%PDF-1.4 not a photo", "bukti.jpg")
    assert response.status_code == 400
    assert "bukan foto" in response.get_data(as_text=True)
    assert payment(app, group).status is PaymentState.OPEN  # type: ignore[union-attr]
    with app.app_context():
        assert _db.session.scalar(select(TransferReceipt.id)) is None


def test_receipt_then_producer_confirms_and_every_order_is_processing(app, client,
                                                                     group) -> None:
    _pay(client, group)
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.PENDING}
    login(client, group.owners[1])
    page = client.get(f"/pembayaran/{group.number}")
    assert page.status_code == 200 and "bukti-transfer" in page.get_data(as_text=True)
    receipt = client.get(page.get_data(as_text=True).split('src="')[-1].split('"')[0])
    assert receipt.status_code == 200 and receipt.mimetype == "image/jpeg"
    response = post_form(client, f"/pembayaran/{group.number}/konfirmasi", {},
                         page=f"/pembayaran/{group.number}")
    assert response.status_code == 302
    rows = orders(app, group)
    assert {(o.status, o.payment_status) for o in rows} == {
        (OrderStatus.PROCESSING, PaymentStatus.PAID)}
    assert rows[0].events[-1].actor_id is not None
    paid = payment(app, group)
    assert paid is not None and paid.status is PaymentState.PAID
    assert paid.open_transfer_code is None


def test_someone_elses_transfer_cannot_be_confirmed(app, client, group) -> None:
    _pay(client, group)
    for email in (group.other_owner, group.other_buyer, group.buyer):
        login(client, email)
        assert client.get(f"/pembayaran/{group.number}").status_code == 404
        page = client.get("/").get_data(as_text=True)
        response = client.post(f"/pembayaran/{group.number}/konfirmasi",
                               data=csrf_fields(page))
        assert response.status_code == 404
        logout(client)
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.PENDING}


def test_staff_reject_with_a_reason_and_the_buyer_uploads_again(app, client, group) -> None:
    _pay(client, group)
    login(client, group.staff)
    url = f"/pembayaran/{group.number}"
    empty = post_form(client, f"{url}/tolak", {"reason": ""}, page=url)
    assert empty.status_code == 400
    assert post_form(client, f"{url}/tolak", {"reason": "Dana belum masuk"},
                     page=url).status_code == 302
    rows = orders(app, group)
    assert {o.payment_status for o in rows} == {PaymentStatus.UNPAID}
    assert rows[0].events[-1].reason == "Dana belum masuk"
    logout(client)
    login(client, group.buyer)
    assert "Dana belum masuk" in client.get(url.replace("pembayaran", "bayar")).get_data(
        as_text=True)
    assert _upload(client, group.number, photo("PNG"), "bukti.png").status_code == 302
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.PENDING}


def test_staff_queue_is_for_staff_only(client, group) -> None:
    _pay(client, group)
    login(client, group.owners[0])
    assert client.get("/dinas/pembayaran").status_code == 403
    logout(client)
    login(client, group.staff)
    assert group.number in client.get("/dinas/pembayaran").get_data(as_text=True)


# --- refunds of bank transfers -----------------------------------------------------------------

def _paid(app: Flask, client: FlaskClient, group: Group) -> None:
    _pay(client, group)
    with app.app_context():
        row = _db.session.scalar(select(Payment).where(Payment.group_id == group.group_id))
        staff = _db.session.scalar(select(Payment.id))  # any query keeps the session warm
        assert row is not None and staff is not None
        from marketplace.accounts.models import User

        user = _db.session.scalar(select(User).where(User.email == group.staff))
        assert user is not None
        bank.confirm(user, row)


def test_cancelled_paid_order_gets_a_manual_refund_that_staff_complete(app, client,
                                                                      group) -> None:
    _paid(app, client, group)
    with app.app_context():
        cancel_paid(group.order_ids[0])
        refund = _db.session.scalar(select(Refund))
        assert refund is not None and refund.status is RefundStatus.PENDING
        assert refund.amount_idr == 220_000
        refund_id = refund.id
    login(client, group.staff)
    queue = client.get("/dinas/pembayaran").get_data(as_text=True)
    assert f'id="refund-{refund_id}"' in queue
    prefix = f"refund{refund_id}-"
    bad = client.post(f"/dinas/refund/{refund_id}", content_type="multipart/form-data",
                      data={**csrf_fields(queue), f"{prefix}reference": "TRF-1",
                            f"{prefix}proof": (io.BytesIO(b"not an image"), "x.jpg")})
    assert bad.status_code == 400
    good = client.post(f"/dinas/refund/{refund_id}", content_type="multipart/form-data",
                       data={**csrf_fields(queue), f"{prefix}reference": "TRF-1",
                             f"{prefix}proof": (io.BytesIO(photo()), "x.jpg")})
    assert good.status_code == 302
    first, second = orders(app, group)
    assert (first.status, first.payment_status) == (OrderStatus.REFUNDED,
                                                    PaymentStatus.REFUNDED)
    assert [(e.from_value, e.to_value, e.reason) for e in first.events
            if e.field == "refund"] == [("", "pending", "Rp220.000"),
                                        ("pending", "completed", "Rp220.000")]
    assert second.status is OrderStatus.PROCESSING


def test_refund_larger_than_paid_or_twice_is_refused(app, client, group) -> None:
    _paid(app, client, group)
    with app.app_context():
        cancel_paid(group.order_ids[0])
        order = _db.session.get(Order, group.order_ids[0])
        assert order is not None
        with pytest.raises(ServiceError, match="sudah|already"):
            refunds.request_refund(None, order, 1_000)
        _db.session.delete(_db.session.scalar(select(Refund)))
        _db.session.commit()
        with pytest.raises(ServiceError):
            refunds.request_refund(None, order, order.total_idr + 1)
        assert _db.session.scalar(select(Refund.id)) is None


def test_refund_pages_are_for_staff_only(app, client, group) -> None:
    _paid(app, client, group)
    with app.app_context():
        cancel_paid(group.order_ids[0])
        refund_id = _db.session.scalar(select(Refund.id))
    login(client, group.owners[0])
    page = client.get("/").get_data(as_text=True)
    assert client.post(f"/dinas/refund/{refund_id}", data=csrf_fields(page)).status_code == 403


# --- ledger and payouts ------------------------------------------------------------------------

def test_completed_order_credits_the_producer_minus_the_fee(app, client, group) -> None:
    _paid(app, client, group)
    with app.app_context():
        from marketplace.accounts.models import Role
        from tests.factories import make_user

        ledger.set_fee(make_user(Role.ADMIN), "2,5")
        complete(group.order_ids[0])
        order = _db.session.get(Order, group.order_ids[0])
        assert order is not None
        assert not ledger.credit(order)  # once only
        producer = _db.session.get(Producer, order.producer_id)
        assert producer is not None
        assert ledger.balance(producer) == 220_000 - 5_500
        kinds = sorted(e.kind.value for e in _db.session.scalars(select(LedgerEntry)))
        assert kinds == ["credit", "fee"]
        producer_id = producer.id
    login(client, group.owners[0])
    page = client.get(f"/produsen/{producer_id}/saldo").get_data(as_text=True)
    assert "Rp214.500" in page
    logout(client)
    login(client, group.owners[1])
    assert client.get(f"/produsen/{producer_id}/saldo").status_code == 404


def test_staff_record_a_payout_never_above_the_balance(app, client, group) -> None:
    _paid(app, client, group)
    with app.app_context():
        complete(group.order_ids[0])
        producer_id = _db.session.get(Order, group.order_ids[0]).producer_id  # type: ignore
    login(client, group.staff)
    csv = client.get("/dinas/saldo.csv")
    assert csv.mimetype == "text/csv" and "220000" in csv.get_data(as_text=True)
    url = f"/dinas/saldo/{producer_id}/pembayaran"
    prefix = f"payout{producer_id}-"
    too_much = post_form(client, url, {f"{prefix}amount": "220001",
                                       f"{prefix}reference": "BKT-1"}, page="/dinas/saldo")
    assert too_much.status_code == 400
    ok = post_form(client, url, {f"{prefix}amount": "200000", f"{prefix}reference": "BKT-1"},
                   page="/dinas/saldo")
    assert ok.status_code == 302
    with app.app_context():
        producer = _db.session.get(Producer, producer_id)
        assert producer is not None and ledger.balance(producer) == 20_000
    logout(client)
    login(client, group.owners[0])
    assert client.get("/dinas/saldo").status_code == 403
    assert client.get("/dinas/saldo.csv").status_code == 403


def test_producer_sees_its_transfers_to_confirm(app, client, group) -> None:
    _pay(client, group)
    with app.app_context():
        producer_id = _db.session.get(Order, group.order_ids[0]).producer_id  # type: ignore
    login(client, group.owners[0])
    page = client.get(f"/produsen/{producer_id}/pembayaran")
    assert group.number in page.get_data(as_text=True)
    logout(client)
    login(client, group.other_owner)
    assert client.get(f"/produsen/{producer_id}/pembayaran").status_code == 404


def test_codes_of_expired_transfers_are_used_again(app, db, group, monkeypatch) -> None:
    import datetime as dt

    from marketplace.db import utcnow
    from tests.payment_fixtures import group_row

    with app.app_context():
        old = group_row(group.number)
        first = bank.start(old)
        old.expires_at = utcnow() - dt.timedelta(minutes=1)
        _db.session.commit()
        monkeypatch.setattr(bank, "CODE_RANGE", range(first.transfer_code,
                                                      first.transfer_code + 1))
        other = make_two_producer_group(app)
        second = bank.start(group_row(other.number))
        assert second.transfer_code == first.transfer_code
        _db.session.refresh(first)
        assert first.open_transfer_code is None


def test_a_payment_not_started_yet_is_started_by_post_only(app, client, db) -> None:
    from tests.payment_fixtures import group_row

    group = make_two_producer_group(app, method="bank_transfer")
    with app.app_context():
        _db.session.delete(_db.session.scalar(select(Payment)))
        _db.session.commit()
    login(client, group.buyer)
    page = client.get(f"/bayar/{group.number}").get_data(as_text=True)
    assert 'id="start-transfer"' in page and payment(app, group) is None
    response = client.post(f"/bayar/{group.number}/mulai", data=csrf_fields(page))
    assert response.status_code == 303
    assert payment(app, group) is not None
    with app.app_context():
        assert group_row(group.number).id == group.group_id


def test_only_admins_set_the_platform_fee(app, client, group) -> None:
    login(client, group.staff)
    page = client.get("/dinas/saldo").get_data(as_text=True)
    assert client.post("/dinas/saldo/biaya", data={**csrf_fields(page), "percent": "5"}
                       ).status_code == 403
    with app.app_context():
        from marketplace.accounts.models import Role
        from tests.factories import make_user

        admin = make_user(Role.ADMIN).email
        assert ledger.fee_basis_points() == 0
    logout(client)
    login(client, admin)
    bad = post_form(client, "/dinas/saldo/biaya", {"percent": "150"}, page="/dinas/saldo")
    assert bad.status_code == 400
    assert post_form(client, "/dinas/saldo/biaya", {"percent": "2.5"},
                     page="/dinas/saldo").status_code == 302
    with app.app_context():
        assert ledger.fee_basis_points() == 250


# --- flagged payments ------------------------------------------------------------------------

def _flag(app: Flask, group: Group) -> None:
    with app.app_context():
        row = _db.session.scalar(select(Payment).where(Payment.group_id == group.group_id))
        services.flag(row, "amount_mismatch", 300_000, "IDR", 315_000, "IDR")
        _db.session.commit()


def test_staff_close_a_flagged_payment_with_a_note_on_every_order(app, client, group) -> None:
    _flag(app, group)
    login(client, group.staff)
    url = f"/pembayaran/{group.number}"
    assert 'id="resolve-flag"' in client.get(url).get_data(as_text=True)
    assert group.number in client.get("/dinas/pembayaran").get_data(as_text=True)
    empty = post_form(client, f"{url}/selesai-diperiksa", {"note": "  "}, page=url)
    assert empty.status_code == 400 and payment(app, group).flagged_for_staff
    too_long = post_form(client, f"{url}/selesai-diperiksa", {"note": "x" * 1001}, page=url)
    assert too_long.status_code == 400 and payment(app, group).flagged_for_staff
    done = post_form(client, f"{url}/selesai-diperiksa",
                     {"note": "Selisih Rp15.000 sudah dikembalikan lewat Stripe."}, page=url)
    assert done.status_code == 302
    row = payment(app, group)
    assert not row.flagged_for_staff and "amount_mismatch" in row.flag_reason
    for order in orders(app, group):
        event = order.events[-1]
        assert (event.field, event.reason) == (
            "payment_check", "Selisih Rp15.000 sudah dikembalikan lewat Stripe.")
    page = client.get(url).get_data(as_text=True)
    assert 'id="resolve-flag"' not in page and 'id="payment-flag-closed"' in page
    queue = client.get("/dinas/pembayaran").get_data(as_text=True)
    assert 'id="flagged-payments"' not in queue
    again = post_form(client, f"{url}/selesai-diperiksa", {"note": "Lagi"}, page=url)
    assert again.status_code == 400 and "tidak (lagi) ditandai" in again.get_data(as_text=True)
    logout(client)
    login(client, group.buyer)
    mine = client.get(f"/pesanan/{orders(app, group)[0].number}").get_data(as_text=True)
    assert "Selisih Rp15.000 sudah dikembalikan lewat Stripe." in mine


def test_only_staff_close_a_payment_check(app, client, group) -> None:
    _flag(app, group)
    url = f"/pembayaran/{group.number}"
    for email in (group.owners[0], group.buyer, group.other_owner):
        login(client, email)
        page = client.get("/").get_data(as_text=True)
        response = client.post(f"{url}/selesai-diperiksa", data={**csrf_fields(page),
                                                                 "note": "Beres"})
        assert response.status_code == 403
        logout(client)
    login(client, group.owners[0])  # a shop of the group reviews the transfer, not the flag
    assert 'id="resolve-flag"' not in client.get(url).get_data(as_text=True)
    logout(client)
    login(client, group.staff)
    assert client.post(f"{url}/selesai-diperiksa", data={"note": "Beres"}).status_code == 400
    assert payment(app, group).flagged_for_staff
    with app.app_context():
        owner = _db.session.scalar(select(User).where(User.email == group.owners[0]))
        row = _db.session.scalar(select(Payment).where(Payment.group_id == group.group_id))
        with pytest.raises(ServiceError):
            services.resolve_flag(owner, row, "Beres")
