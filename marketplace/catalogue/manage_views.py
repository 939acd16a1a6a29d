from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalogue_manage", __name__)
