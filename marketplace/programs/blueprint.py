"""The programmes blueprint, shared by views.py and claim_views.py."""

from __future__ import annotations

from flask import Blueprint

#: The blueprint's own static folder holds the claim list's print stylesheet.
bp = Blueprint("programs", __name__, static_folder="static",
               static_url_path="/static/programs")
