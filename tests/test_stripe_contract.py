"""Stripe, trusting nothing we cannot check: every request the project sends is validated
against Stripe's own OpenAPI description (tests/stripe_contract.py) and answered with objects
built from Stripe's fixtures; webhooks are signed with the library's own signer."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import stripe
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from marketplace.accounts.models import Role, User
from marketplace.catalogue.models import Variant
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.notifications.models import Notice
from marketplace.orders.models import (
    CheckoutGroup,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentStatus,
)
from marketplace.payments import ledger, stripe_gateway
from marketplace.payments.models import (
    ConnectAccount,
    Payment,
    PaymentState,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from marketplace.producers.models import Producer
from marketplace.shipping.models import ShippingKind
from tests import stripe_contract
from tests.factories import make_producer, make_user
from tests.helpers import login, logout, post_form
from tests.payment_fixtures import Group, cancel_paid, make_two_producer_group, orders, payment
from tests.stripe_contract import FakeStripe, check_request

if stripe_contract.spec_dir() is None:
    pytest.skip("Stripe's API description is absent: no ../shared/stripe beside the repository "
                "and no STRIPE_SPEC_DIR", allow_module_level=True)

SECRET = "whsec_test_secret"
API = "https://api.stripe.com"


@pytest.fixture
def fake(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    fake = FakeStripe()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_contract")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setitem(app.config, "STRIPE_CONNECT_ENABLED", True)
    monkeypatch.setitem(app.extensions, "stripe_http_client", fake)
    yield fake
    assert fake.violations == [], fake.violations


@pytest.fixture
def group(app: Flask, db: object, fake: FakeStripe) -> Group:
    return make_two_producer_group(app, method="stripe")


def _start(client: FlaskClient, group: Group) -> str:
    login(client, group.buyer)
    response = post_form(client, f"/bayar/{group.number}/mulai", {},
                         page=f"/bayar/{group.number}")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def _event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_{uuid.uuid4().hex[:16]}", "object": "event", "type": kind,
            "api_version": "2026-10-28", "created": int(time.time()),
            "data": {"object": obj}, "livemode": False}


def _deliver(client: FlaskClient, event: dict[str, Any], secret: str = SECRET,
             timestamp: int | None = None, body: str | None = None) -> Any:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return client.post("/stripe/webhook", data=body if body is not None else payload,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def _session_event(kind: str, session_id: str, event_id: str | None = None) -> dict[str, Any]:
    # A deliberately stale copy: the handler must re-read the session from Stripe.
    return _event(kind, {"id": session_id, "object": "checkout.session", "status": "open",
                         "payment_status": "unpaid"}, event_id)


# --- requests against the spec ------------------------------------------------------------------

def test_checkout_session_request_matches_the_spec(app, client, fake, group) -> None:
    session_id = _start(client, group)
    [params] = fake.posts("/v1/checkout/sessions")
    lines = params["line_items"]
    assert [(lines[i]["price_data"]["unit_amount"], lines[i]["quantity"]) for i in lines] == [
        ("10000000", "2"), ("2000000", "1"), ("7500000", "1"), ("2000000", "1")]
    assert {lines[i]["price_data"]["currency"] for i in lines} == {"idr"}
    assert params["metadata"] == {"group_number": group.number}
    assert params["success_url"].endswith("?session_id={CHECKOUT_SESSION_ID}")
    assert fake.objects[session_id]["amount_total"] == 315_000 * 100
    with app.app_context():
        key = f"checkout-{group.group_id}"
        assert key in fake.idempotent
    again = post_form(client, f"/bayar/{group.number}/mulai", {}, page=f"/bayar/{group.number}")
    assert again.headers["Location"].endswith(session_id)
    assert len(fake.posts("/v1/checkout/sessions")) == 1  # the open session is reused


def _form(**params: str) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


GOOD_SESSION = {
    "mode": "payment", "success_url": "https://x.test/ok", "cancel_url": "https://x.test/no",
    "line_items[0][quantity]": "1", "line_items[0][price_data][currency]": "idr",
    "line_items[0][price_data][unit_amount]": "1500000",
    "line_items[0][price_data][product_data][name]": "Tas",
}


def test_a_misspelled_nested_parameter_fails_validation(app, fake) -> None:
    url = f"{API}/v1/checkout/sessions"
    assert check_request("post", url, _form(**GOOD_SESSION)) == []
    typo = {k.replace("unit_amount", "unit_amout"): v for k, v in GOOD_SESSION.items()}
    errors = check_request("post", url, _form(**typo))
    assert any("unit_amout: unknown parameter" in e for e in errors), errors
    assert check_request("post", url, _form(**{**GOOD_SESSION, "mode": "pay"}))
    assert check_request("post", url, _form(
        **{**GOOD_SESSION, "line_items[0][price_data][unit_amount]": "15000.5"}))
    assert check_request("post", f"{API}/v1/refunds", "amount=100&payment_intnt=pi_1")
    client = stripe.StripeClient("sk_test_contract", http_client=fake)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(params={  # type: ignore[typeddict-unknown-key]
            "mode": "payment", "success_url": "https://x.test/ok",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "idr", "unit_amout": 1500000, "product_data": {"name": "Tas"}}}]})
    assert fake.violations
    fake.violations.clear()


def test_every_other_request_matches_the_spec(app, db, fake) -> None:
    with app.app_context():
        owner = make_user(email="pemilik@example.test")
        producer = make_producer(owner)
        link = ledger.onboarding_url(owner, producer, "https://x.test/r", "https://x.test/b")
        assert link.startswith("https://connect.stripe.com/")
        account = _db.session.get(ConnectAccount, producer.id)
        assert account is not None and not ledger.refresh_account(producer)
        transfer = stripe_gateway.create_transfer(
            account_id=account.stripe_account_id, amount_idr=15_000, description="Payout",
            idempotency_key="payout-test")
        refund = stripe_gateway.create_refund(payment_intent="pi_test_1", amount_idr=15_000,
                                              order_number="PB-1", idempotency_key="refund-x")
        assert stripe_gateway.retrieve_refund(refund.id).amount_idr == 15_000
    assert transfer.startswith("tr_")
    assert fake.posts("/v1/transfers")[0]["amount"] == "1500000"
    assert fake.posts("/v1/refunds")[0]["amount"] == "1500000"
    paths = {(method, path.rsplit("/", 1)[0] if "_test_" in path else path)
             for method, path, _ in fake.requests}
    assert paths == {("post", "/v1/accounts"), ("get", "/v1/accounts"),
                     ("post", "/v1/account_links"), ("post", "/v1/transfers"),
                     ("post", "/v1/refunds"), ("get", "/v1/refunds")}


# --- webhooks -------------------------------------------------------------------------------------

def test_signed_completed_event_pays_every_order(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id)
    response = _deliver(client, _session_event("checkout.session.completed", session_id))
    assert response.status_code == 200
    rows = orders(app, group)
    assert {(o.status, o.payment_status) for o in rows} == {
        (OrderStatus.PROCESSING, PaymentStatus.PAID)}
    assert payment(app, group).payment_intent.startswith("pi_")  # type: ignore[union-attr]


@pytest.mark.parametrize("attack", ["wrong secret", "tampered body", "no signature", "stale"])
def test_forged_or_stale_webhooks_get_400_and_change_nothing(app, client, fake, group,
                                                             attack) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id)
    event = _session_event("checkout.session.completed", session_id)
    if attack == "wrong secret":
        response = _deliver(client, event, secret="whsec_forged")
    elif attack == "tampered body":
        response = _deliver(client, event, body=json.dumps({**event, "id": "evt_other"}))
    elif attack == "no signature":
        response = client.post("/stripe/webhook", data=json.dumps(event))
    else:
        response = _deliver(client, event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.UNPAID}
    with app.app_context():
        assert _db.session.scalar(select(WebhookEvent.id)) is None


def test_a_repeated_event_changes_nothing(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id)
    event = _session_event("checkout.session.completed", session_id)
    assert _deliver(client, event).status_code == 200
    events_before = sum(len(o.events) for o in orders(app, group))
    second = _deliver(client, event)
    assert second.status_code == 200 and second.get_data(as_text=True) == "duplicate"
    assert sum(len(o.events) for o in orders(app, group)) == events_before


def test_events_out_of_order_end_in_the_same_state(app, client, fake, group) -> None:
    """The async success arrives before "completed": both re-read the session."""
    session_id = _start(client, group)
    fake.complete_session(session_id, payment_status="paid")
    assert _deliver(client, _session_event("checkout.session.async_payment_succeeded",
                                           session_id)).status_code == 200
    assert _deliver(client, _session_event("checkout.session.completed",
                                           session_id)).status_code == 200
    rows = orders(app, group)
    assert {o.payment_status for o in rows} == {PaymentStatus.PAID}
    assert [e.to_value for e in rows[0].events if e.field == "payment"] == ["dibayar"]


def test_async_failure_before_completed_stays_failed(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id, payment_status="unpaid")
    _deliver(client, _session_event("checkout.session.async_payment_failed", session_id))
    _deliver(client, _session_event("checkout.session.completed", session_id))
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.FAILED}
    assert payment(app, group).status is PaymentState.FAILED  # type: ignore[union-attr]


def test_completed_but_unpaid_waits_for_the_async_method(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id, payment_status="unpaid")
    _deliver(client, _session_event("checkout.session.completed", session_id))
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.PENDING}
    fake.complete_session(session_id, payment_status="paid")
    _deliver(client, _session_event("checkout.session.async_payment_succeeded", session_id))
    assert {o.status for o in orders(app, group)} == {OrderStatus.PROCESSING}


@pytest.mark.parametrize(("amount", "currency"), [(315_000 * 100 - 100, "idr"),
                                                  (315_000 * 100, "usd"),
                                                  (315_000 * 100 + 1, "idr")])
def test_amount_or_currency_mismatch_is_flagged_not_accepted(app, client, fake, group,
                                                             amount, currency) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id, amount_total=amount, currency=currency)
    assert _deliver(client, _session_event("checkout.session.completed",
                                           session_id)).status_code == 200
    assert {o.payment_status for o in orders(app, group)} == {PaymentStatus.UNPAID}
    flagged = payment(app, group)
    assert flagged is not None and flagged.flagged_for_staff
    assert flagged.flag_reason.split("|")[0] in ("amount_mismatch", "not_whole_rupiah")
    with app.app_context():
        staff = make_user(Role.STAFF).email
    logout(client)
    login(client, staff)
    queue = client.get("/dinas/pembayaran").get_data(as_text=True)
    assert group.number in queue and str(amount // 100) in queue
    assert "amount_mismatch" not in queue and "not_whole_rupiah" not in queue


def _stock_of_first_line(app: Flask, order_id: int) -> int | None:
    with app.app_context():
        return _db.session.scalar(select(Variant.stock).join(
            OrderLine, Variant.id == OrderLine.variant_id).where(OrderLine.order_id == order_id))


def test_expired_session_cancels_the_orders_and_returns_stock(app, client, fake,
                                                              group) -> None:
    session_id = _start(client, group)
    stock_before = _stock_of_first_line(app, group.order_ids[0])
    fake.expire_session(session_id)
    assert _deliver(client, _session_event("checkout.session.expired",
                                           session_id)).status_code == 200
    rows = orders(app, group)
    assert {(o.status, o.payment_status) for o in rows} == {
        (OrderStatus.CANCELLED, PaymentStatus.VOID)}
    assert _stock_of_first_line(app, group.order_ids[0]) == stock_before + 2  # type: ignore


def test_success_page_reconciles_without_the_webhook(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id)
    response = client.get(f"/bayar/{group.number}/selesai?session_id={session_id}")
    assert response.status_code == 302
    assert {o.status for o in orders(app, group)} == {OrderStatus.PROCESSING}
    # the webhook arriving afterwards changes nothing
    _deliver(client, _session_event("checkout.session.completed", session_id))
    assert [e.to_value for e in orders(app, group)[0].events if e.field == "payment"] == [
        "dibayar"]


def test_end_to_end_paid_then_one_order_refunded(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id)
    _deliver(client, _session_event("checkout.session.completed", session_id))
    with app.app_context():
        cancel_paid(group.order_ids[1], "Stok habis")
    [refund_params] = fake.posts("/v1/refunds")
    assert refund_params["amount"] == str(95_000 * 100)
    assert refund_params["payment_intent"] == fake.objects[session_id]["payment_intent"]
    first, second = orders(app, group)
    assert (second.status, second.payment_status) == (OrderStatus.REFUNDED,
                                                      PaymentStatus.REFUNDED)
    assert first.status is OrderStatus.PROCESSING
    assert "refund" in [e.field for e in second.events]


def test_pending_stripe_refund_completes_on_charge_refunded(app, client, fake, group) -> None:
    session_id = _start(client, group)
    fake.complete_session(session_id)
    _deliver(client, _session_event("checkout.session.completed", session_id))
    fake.refund_status = "pending"
    with app.app_context():
        cancel_paid(group.order_ids[0])
        refund = _db.session.scalar(select(Refund))
        assert refund is not None and refund.status is RefundStatus.PENDING
        refund_ref = refund.provider_ref
    fake.objects[refund_ref]["status"] = "succeeded"
    charge = {"id": "ch_test_1", "object": "charge",
              "payment_intent": fake.objects[session_id]["payment_intent"], "refunded": False}
    assert _deliver(client, _event("charge.refunded", charge)).status_code == 200
    assert orders(app, group)[0].status is OrderStatus.REFUNDED


def _paid_with_connect_account(app: Flask, client: FlaskClient, fake: FakeStripe, group: Group,
                               account_id: str, ready: bool) -> int:
    """The group paid through Stripe; its first producer gets a Connect account; then that
    order completes. Returns the producer's id."""
    from tests.payment_fixtures import complete

    session_id = _start(client, group)
    fake.complete_session(session_id)
    _deliver(client, _session_event("checkout.session.completed", session_id))
    with app.app_context():
        order = _db.session.get(Order, group.order_ids[0])
        assert order is not None
        _db.session.add(ConnectAccount(producer_id=order.producer_id,
                                       stripe_account_id=account_id, ready=ready))
        _db.session.commit()
        complete(order.id)
        return order.producer_id


def test_connect_account_is_paid_by_transfer_when_an_order_completes(app, client, fake,
                                                                     group) -> None:
    producer_id = _paid_with_connect_account(app, client, fake, group, "acct_test_ready",
                                             ready=True)
    with app.app_context():
        producer = _db.session.get(Producer, producer_id)
        assert producer is not None and ledger.balance(producer) == 0
        [payout] = ledger.payouts(producer)
        assert payout.method.value == "stripe" and payout.reference.startswith("tr_")
    [transfer] = fake.posts("/v1/transfers")
    assert transfer["amount"] == str(220_000 * 100)
    assert transfer["destination"] == "acct_test_ready"


def test_account_updated_marks_the_account_ready_and_pays_the_waiting_balance(
        app, client, fake, group) -> None:
    """A producer finished onboarding but never came back to its balance page: Stripe's
    account.updated makes the account ready (read again from Stripe, not from the event)
    and pays what the producer earned meanwhile."""
    account = fake._new("account", "acct", type="express", payouts_enabled=False)
    producer_id = _paid_with_connect_account(app, client, fake, group, account["id"],
                                             ready=False)
    with app.app_context():  # not ready yet: the balance waits
        assert ledger.balance(_db.session.get(Producer, producer_id)) == 220_000
    assert fake.posts("/v1/transfers") == []
    stale = dict(account, payouts_enabled=True)  # the event says ready; Stripe does not yet
    assert _deliver(client, _event("account.updated", stale)).status_code == 200
    with app.app_context():
        assert not _db.session.get(ConnectAccount, producer_id).ready
    fake.objects[account["id"]]["payouts_enabled"] = True
    event = _event("account.updated", fake.objects[account["id"]])
    assert _deliver(client, event).status_code == 200
    assert _deliver(client, event).get_data(as_text=True) == "duplicate"
    with app.app_context():
        assert _db.session.get(ConnectAccount, producer_id).ready
        assert ledger.balance(_db.session.get(Producer, producer_id)) == 0
    [transfer] = fake.posts("/v1/transfers")
    assert transfer["destination"] == account["id"] and transfer["amount"] == str(220_000 * 100)
    unknown = _event("account.updated", dict(account, id="acct_test_someone_else"))
    assert _deliver(client, unknown).get_data(as_text=True) == "ignored"


def test_connect_events_are_accepted_with_the_connect_endpoint_secret(app, client, fake,
                                                                       monkeypatch) -> None:
    event = _event("account.updated", dict(stripe_contract.fixtures()["account"],
                                           id="acct_test_unknown"))
    assert _deliver(client, event, secret="whsec_connect_test").status_code == 400
    monkeypatch.setitem(app.config, "STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_connect_test")
    response = _deliver(client, event, secret="whsec_connect_test")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ignored"
    assert _deliver(client, _event("account.updated", event["data"]["object"]),
                    secret="whsec_someone_else").status_code == 400
    assert _deliver(client, _event("account.updated", event["data"]["object"])
                    ).status_code == 200  # the platform secret still works


# --- 20 deliveries at once, against the real (committed) database --------------------------------

@pytest.fixture
def committed_payment(app: Flask, fake: FakeStripe) -> Iterator[tuple[str, int]]:
    """A paid-in-Stripe session and its unpaid group, committed for real (threads cannot
    share the test's rolled-back transaction), removed again afterwards."""
    tag = uuid.uuid4().hex[:8]
    session_id = f"cs_test_conc_{tag}"
    with app.app_context():
        buyer = make_user(email=f"conc-{tag}@example.test")
        producer = make_producer(name=f"Produsen {tag}")
        group = CheckoutGroup(
            number=f"PB-C-{tag}", buyer_id=buyer.id, idempotency_key=f"conc-{tag}",
            recipient_name="Uji", phone="+6281234567890", street="Jl. Uji",
            region_code="64.72.01.1001", postal_code="75111", region_text="Samarinda",
            payment_method="stripe", items_total_idr=50_000, shipping_total_idr=0,
            total_idr=50_000, expires_at=utcnow() + dt.timedelta(hours=20))
        order = Order(number=f"PB-C-{tag}-1", group=group, producer_id=producer.id,
                      buyer_id=buyer.id, producer_name=producer.name,
                      destination_regency_code="64.72", shipping_kind=ShippingKind.PICKUP,
                      shipping_method_name="Ambil", items_total_idr=50_000, shipping_idr=0,
                      total_idr=50_000)
        _db.session.add_all([group, order])
        _db.session.flush()
        _db.session.add(Payment(group_id=group.id, method="stripe", amount_idr=50_000,
                                provider_ref=session_id))
        _db.session.commit()
        ids = (buyer.id, producer.id, group.id, order.id)
    session = dict(stripe_contract.fixtures()["checkout.session"], id=session_id,
                   status="complete", payment_status="paid", amount_total=5_000_000,
                   currency="idr", payment_intent=f"pi_test_{tag}",
                   metadata={"group_number": f"PB-C-{tag}"})
    fake.objects[session_id] = session
    yield session_id, ids[3]
    with app.app_context():
        _db.session.execute(delete(WebhookEvent).where(WebhookEvent.event_id.like(f"%{tag}")))
        _db.session.execute(delete(OrderEvent).where(OrderEvent.order_id == ids[3]))
        _db.session.execute(delete(Payment).where(Payment.group_id == ids[2]))
        _db.session.execute(delete(Order).where(Order.id == ids[3]))
        _db.session.execute(delete(CheckoutGroup).where(CheckoutGroup.id == ids[2]))
        # The paid order put a notice on the shop's dashboard (orders.notify).
        _db.session.execute(delete(Notice).where(Notice.producer_id == ids[1]))
        _db.session.execute(delete(Producer).where(Producer.id == ids[1]))
        _db.session.execute(delete(User).where(User.id == ids[0]))
        _db.session.commit()


def test_twenty_concurrent_deliveries_fulfil_once(app, fake, committed_payment) -> None:
    session_id, order_id = committed_payment
    tag = session_id.rsplit("_", 1)[-1]
    event = _session_event("checkout.session.completed", session_id, f"evt_conc_{tag}")

    def deliver(_: int) -> int:
        return _deliver(app.test_client(), event).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(deliver, range(20)))
    assert codes == [200] * 20
    with app.app_context():
        order = _db.session.get(Order, order_id)
        assert order is not None and order.payment_status is PaymentStatus.PAID
        payment_events = [e for e in order.events if e.field == "payment"]
        assert len(payment_events) == 1
        assert len(list(_db.session.scalars(select(WebhookEvent).where(
            WebhookEvent.event_id == f"evt_conc_{tag}")))) == 1


def test_the_webhook_is_the_only_view_without_csrf(app) -> None:
    """Flask-WTF's token is skipped only by the webhook (signed by Stripe instead) and by the
    two forms on cached public pages, which check Sec-Fetch-Site/Origin/Referer themselves:
    add-to-cart (tests/test_cart.py) and the language switch
    (tests/test_language_switch.py) refuse cross-site posts."""
    from marketplace.extensions import csrf

    assert csrf._exempt_views == {"marketplace.payments.views.stripe_webhook",
                                  "marketplace.cart.views.add",
                                  "marketplace.core.views.set_language"}
    assert not csrf._exempt_blueprints


def test_webhook_is_closed_without_a_secret(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "")
    assert client.post("/stripe/webhook", data="{}").status_code == 404
