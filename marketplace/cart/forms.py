"""The cart page's form. Quantities arrive as ``qty-<item id>`` fields and are checked by
the cart services (they are typed by the buyer, so every value is validated there)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class CartForm(FlaskForm):
    """Carries the CSRF token of the cart page: "Update" and each "Remove" button."""
