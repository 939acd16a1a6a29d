"""Errors that services raise when a rule refuses the request."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no. ``message`` is shown to the user (already translated or lazy);
    ``field`` names the form field it belongs to, if any. Nothing was changed."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
