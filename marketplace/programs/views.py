from __future__ import annotations

from flask import Blueprint

bp = Blueprint("programs", __name__)
