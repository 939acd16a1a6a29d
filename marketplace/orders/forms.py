"""The forms of the order pages. They carry the CSRF token and the raw input; the rules
(what is required, what is allowed now) are in orders.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, StringField, TextAreaField

from marketplace.orders.labels import STATUS_LABELS


class ActionForm(FlaskForm):
    """A button that changes the order (pack, ready for pickup, received)."""


class ShipForm(FlaskForm):
    courier = StringField(_l("Courier"), render_kw={"maxlength": 40, "autocomplete": "off"},
                          description=_l("e.g. JNE, J&T, SiCepat, POS Indonesia"))
    tracking_number = StringField(_l("Tracking number (nomor resi)"),
                                  render_kw={"maxlength": 60, "autocomplete": "off"})


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling"), render_kw={"maxlength": 500, "rows": 3})


class StaffSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(_l("Order number, buyer or shop"), render_kw={"maxlength": 100})
    status = SelectField(_l("Status"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _l("All"))] + [(s.value, label)
                                                    for s, label in STATUS_LABELS.items()]
