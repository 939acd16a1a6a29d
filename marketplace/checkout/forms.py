"""Checkout forms. The per-producer choices (``ship-<producer id>``, ``note-<producer id>``)
and the address radio are read from the request by the view and checked by the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class CheckoutForm(FlaskForm):
    #: Random per checkout page: the same form sent twice places one group.
    idempotency_key = HiddenField()
