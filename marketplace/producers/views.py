from __future__ import annotations

from flask import Blueprint

bp = Blueprint("producers", __name__)
