"""The orders blueprint, shared by producer_views, buyer_views and staff_views."""

from __future__ import annotations

from flask import Blueprint

#: Its own static folder holds the packing slip's print stylesheet and print button.
bp = Blueprint("orders", __name__, static_folder="static", static_url_path="/static/orders")
