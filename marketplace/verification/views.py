from __future__ import annotations

from flask import Blueprint

bp = Blueprint("verification", __name__)
