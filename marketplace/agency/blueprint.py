"""The agency blueprint, shared by views.py and monitoring_views.py."""

from __future__ import annotations

from flask import Blueprint

#: The blueprint's own static folder holds the dashboard's chart and print stylesheet.
bp = Blueprint("agency", __name__, static_folder="static", static_url_path="/static/agency")
