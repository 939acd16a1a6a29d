"""Order emails: who gets which, in their own language, after the change committed; through
RQ when REDIS_URL is set (a worker sends them), inline otherwise."""

from __future__ import annotations

import datetime as dt
import os
from email.header import decode_header, make_header

import pytest
from flask import Flask
from rq import SimpleWorker

from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.notifications.services import notice_text, notices_for
from marketplace.orders import jobs, notify, services, signals
from tests.factories import make_user
from tests.helpers import Outbox
from tests.order_fixtures import Shop, make_shop, paid_order, unpaid_order

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def shop(app: Flask, db, ctx) -> Shop:
    """The shop's owner reads Indonesian, the buyer English."""
    shop = make_shop()
    shop.buyer.locale = "en"
    _db.session.commit()
    return shop


def _mails(outbox: Outbox) -> list[tuple[str, str]]:
    return [(m["To"], str(make_header(decode_header(m["Subject"]))))
            for m in outbox.messages()]


def test_a_new_order_emails_every_member_of_the_shop_and_adds_a_notice(shop: Shop,
                                                                       outbox: Outbox) -> None:
    order = unpaid_order(shop)
    signals.orders_placed.send(order.group, actor=shop.buyer)
    assert _mails(outbox) == [(shop.owner.email, f"Pesanan baru {order.number} di Pasar Binaan")]
    assert "Rp300.000" in outbox.last_body() and "/pesanan/" in outbox.last_body()
    notice = notices_for(shop.producer)[0]
    assert notice.kind == "order_new" and order.number in notice_text(notice)


def test_paid_emails_the_shop(shop: Shop, outbox: Outbox) -> None:
    order = paid_order(shop)
    signals.order_paid.send(order, actor=None)
    assert _mails(outbox) == [(shop.owner.email,
                               f"Pesanan {order.number} sudah dibayar: kemas dan kirim")]


def test_shipping_emails_the_buyer_in_english(shop: Shop, outbox: Outbox) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE123")
    assert _mails(outbox) == [(shop.buyer.email, f"Your order {order.number} has been shipped")]
    body = outbox.last_body()
    assert "JNE123" in body and f"http://localhost/pesanan/{order.number}" in body


def test_a_buyers_cancellation_emails_the_shop_only(shop: Shop, outbox: Outbox) -> None:
    order = services.cancel_by_buyer(shop.buyer, paid_order(shop), "Salah alamat")
    assert _mails(outbox) == [(shop.owner.email, f"Pesanan {order.number} dibatalkan")]
    assert "Salah alamat" in outbox.last_body()


def test_a_staff_cancellation_emails_both_sides(shop: Shop, outbox: Outbox) -> None:
    order = services.cancel_by_staff(make_user(Role.STAFF), paid_order(shop), "Penipuan")
    assert sorted(_mails(outbox)) == sorted([
        (shop.buyer.email, f"Order {order.number} has been cancelled"),
        (shop.owner.email, f"Pesanan {order.number} dibatalkan")])


def test_expiry_emails_the_buyer(shop: Shop, outbox: Outbox) -> None:
    order = unpaid_order(shop, created_at=utcnow() - dt.timedelta(days=2))
    assert jobs.expire_unpaid() == 1
    assert _mails(outbox) == [(shop.buyer.email,
                               f"Order {order.number} was cancelled: not paid in time")]


def test_completion_emails_the_shop(shop: Shop, outbox: Outbox) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    outbox.clear()
    services.confirm_receipt(shop.buyer, order)
    assert _mails(outbox) == [(shop.owner.email, f"Pesanan {order.number} selesai")]


def test_a_refused_change_sends_nothing(shop: Shop, outbox: Outbox) -> None:
    order = unpaid_order(shop)
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        services.ship(shop.owner, order, "JNE", "JNE1")
    assert outbox.messages() == []


def test_unreachable_redis_falls_back_to_sending_inline(app: Flask, shop: Shop, outbox: Outbox,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    assert len(outbox.messages()) == 1


# --- through RQ ----------------------------------------------------------------------------------

@pytest.fixture
def queued(app: Flask, shop: Shop, monkeypatch: pytest.MonkeyPatch):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set: the RQ tests need a Redis server")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    queue = notify.mail_queue(REDIS_URL)
    queue.empty()
    yield queue
    queue.empty()


def test_with_redis_the_email_is_queued_and_the_worker_sends_it(shop: Shop, outbox: Outbox,
                                                                queued) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE123")
    assert outbox.messages() == []
    assert queued.count == 1
    SimpleWorker([queued], connection=queued.connection).work(burst=True)
    assert queued.count == 0
    assert _mails(outbox) == [(shop.buyer.email, f"Your order {order.number} has been shipped")]


def test_the_worker_command_sends_queued_emails(app: Flask, shop: Shop, outbox: Outbox,
                                                queued) -> None:
    services.cancel_by_staff(make_user(Role.STAFF), paid_order(shop), "Penipuan")
    assert queued.count == 2 and outbox.messages() == []
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert len(outbox.messages()) == 2
