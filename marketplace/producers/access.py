"""The access check of every page that belongs to one producer (its dashboard pages)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from marketplace.producers.models import Producer
from marketplace.producers.services import get_producer, membership


def member_producer_or_404(producer_id: int, *, staff_too: bool = False) -> Producer:
    """The producer, for its members (and staff, with ``staff_too``); 404 for everyone else
    and for unknown ids alike, so that a shop's pages reveal nothing to outsiders. Views
    call it after ``login_required``."""
    producer = get_producer(producer_id)
    user = current_user._get_current_object()
    if producer is None:
        abort(404)
    if membership(user, producer) is None and not (staff_too and user.is_staff):
        abort(404)
    return producer
