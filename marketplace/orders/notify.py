"""Emails (and dashboard notices) about orders, connected to marketplace.orders.signals.

The signals fire after the change committed, so nothing rolled back is ever announced.
Each email is rendered here, at once, in its recipient's language; then it is sent through
the RQ queue "mail" when REDIS_URL is set (``flask --app marketplace worker`` sends it: a
slow mail server never slows a page), or inline otherwise. If Redis cannot be reached the
email is sent inline rather than lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.formatting import rupiah
from marketplace.links import external_url
from marketplace.notifications.mail import render_mail, send_mail
from marketplace.notifications.models import Notice
from marketplace.notifications.services import NOTICE_TEXTS
from marketplace.orders import signals
from marketplace.orders.models import CheckoutGroup, Order
from marketplace.producers.models import ProducerMember

log = logging.getLogger(__name__)

QUEUE_NAME = "mail"

NOTICE_TEXTS.update({
    "order_new": _l("New order %(number)s. Pack it once it is paid."),
    "order_paid": _l("Order %(number)s is paid: pack and ship it."),
})


def init_app(app: Flask) -> None:
    """Connect the receivers (blinker keeps one connection per receiver, so calling this for
    several apps connects each once)."""
    signals.orders_placed.connect(on_placed)
    signals.order_paid.connect(on_paid)
    signals.order_shipped.connect(on_shipped)
    signals.order_cancelled.connect(on_cancelled)
    signals.order_expired.connect(on_expired)
    signals.order_completed.connect(on_completed)


# --- receivers ---------------------------------------------------------------------------------

def on_placed(group: CheckoutGroup, **_: object) -> None:
    """Every shop of the group hears of its new order: a few queries for the whole group
    (orders with lines, every shop's members), one commit for the notices."""
    group_id = inspect(group).identity[0]  # the id without reloading the committed row
    orders = list(db.session.scalars(
        select(Order).where(Order.group_id == group_id).order_by(Order.id)
        .options(selectinload(Order.lines))))
    members = _members_of({order.producer_id for order in orders})
    mails = [mail for order in orders for member in members.get(order.producer_id, [])
             if (mail := _render(member, "order_new", order)) is not None]
    _notices(orders, "order_new")
    for mail in mails:
        deliver(*mail)


def on_paid(order: Order, **_: object) -> None:
    _notice(order, "order_paid")
    _mail_members(order, "order_paid")


def on_shipped(order: Order, **_: object) -> None:
    _mail(order.buyer, "order_shipped", order)


def on_cancelled(order: Order, actor: User | None = None, **_: object) -> None:
    """Both sides hear of it, except the person who cancelled."""
    by = _side(order, actor)
    if order.buyer_id != (actor.id if actor else None):
        _mail(order.buyer, "order_cancelled", order, by=by, to_buyer=True,
              reason=order.cancel_reason)
    _mail_members(order, "order_cancelled", skip=actor, by=by, to_buyer=False,
                  reason=order.cancel_reason)



def on_expired(order: Order, **_: object) -> None:
    _mail(order.buyer, "order_expired", order)


def on_completed(order: Order, actor: User | None = None, **_: object) -> None:
    _mail_members(order, "order_completed", automatic=actor is None)


def _side(order: Order, actor: User | None) -> str:
    """Who cancelled, for the email: "buyer", "shop", "agency" or "system"."""
    if actor is None:
        return "system"
    if actor.id == order.buyer_id:
        return "buyer"
    return "agency" if actor.is_staff else "shop"


# --- building and sending ----------------------------------------------------------------------

def _members(order: Order) -> Iterable[User]:
    return _members_of({order.producer_id}).get(order.producer_id, [])


def _members_of(producer_ids: set[int]) -> dict[int, list[User]]:
    """The active members of each of these producers, in one query."""
    found: dict[int, list[User]] = {}
    rows = db.session.execute(
        select(ProducerMember.producer_id, User)
        .join(User, ProducerMember.user_id == User.id)
        .where(ProducerMember.producer_id.in_(producer_ids), User.active.is_(True))
        .order_by(User.id))
    for producer_id, user in rows:
        found.setdefault(producer_id, []).append(user)
    return found


def _mail_members(order: Order, template: str, skip: User | None = None,
                  **context: object) -> None:
    for member in list(_members(order)):
        if skip is None or member.id != skip.id:
            _mail(member, template, order, **context)


def _mail(user: User, template: str, order: Order, **context: object) -> None:
    mail = _render(user, template, order, **context)
    if mail is not None:
        deliver(*mail)


def _render(user: User, template: str, order: Order,
            **context: object) -> tuple[str, str, str] | None:
    """(to, subject, body) in the user's language; None if the template is broken."""
    as_buyer = user.id == order.buyer_id
    link = (external_url("orders.buyer_order", number=order.number) if as_buyer else
            external_url("orders.producer_order", producer_id=order.producer_id,
                         number=order.number))
    try:
        subject, body = render_mail(template, user.locale or "id", user_name=user.name,
                                    order=order, link=link, total=rupiah(order.total_idr),
                                    **context)
    except Exception:  # a broken template must not break the page that changed the order
        log.exception("Could not render the %s email", template)
        return None
    return user.email, subject, body


def _notice(order: Order, kind: str) -> None:
    _notices([order], kind)


def _notices(orders: list[Order], kind: str) -> None:
    try:
        db.session.add_all([Notice(producer_id=order.producer_id, kind=kind,
                                   params={"number": order.number}) for order in orders])
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Could not add the %s notice", kind)


def mail_queue(url: str) -> Queue:
    connections = current_app.extensions.setdefault("order_mail_redis", {})
    if url not in connections:
        connections[url] = Redis.from_url(url)
    return Queue(QUEUE_NAME, connection=connections[url])


def deliver(to: str, subject: str, body: str) -> None:
    """Queue the email when REDIS_URL is set, else (or if Redis is down) send it now."""
    url = current_app.config.get("REDIS_URL", "")
    if url:
        try:
            mail_queue(url).enqueue(send_job, to, subject, body,
                                    retry=Retry(max=3, interval=[60, 300, 900]))
            return
        except RedisError:
            log.exception("Could not queue an email; sending it now")
    try:
        send_mail(to, subject, body)
    except Exception:  # the order changed and committed: a mail problem must not undo it
        log.exception("Could not send an order email")


_worker_app: list[Flask] = []


def send_job(to: str, subject: str, body: str) -> None:
    """The job: send one rendered email (a failure raises, so RQ retries it). Runs in the
    app's context under ``flask worker``; under a plain ``rq worker`` it builds the app once
    (from the environment)."""
    if has_app_context():
        send_mail(to, subject, body)
        return
    if not _worker_app:
        from marketplace import create_app

        _worker_app.append(create_app())
    with _worker_app[0].app_context():
        send_mail(to, subject, body)
