"""Payments: bank transfer and Stripe Checkout behind one interface (methods.py), Stripe's
webhook, refunds of cancelled paid orders, and the producers' ledger with payouts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprint, template labels and the receivers of the orders' signals (connected once:
    blinker keeps one connection per receiver function)."""
    from marketplace.orders import signals
    from marketplace.payments import labels, ledger, refunds, staff_views  # noqa: F401
    from marketplace.payments.views import bp

    app.register_blueprint(bp)
    app.context_processor(labels.context)
    signals.order_cancelled.connect(refunds.on_order_cancelled)
    signals.order_completed.connect(ledger.on_order_completed)
