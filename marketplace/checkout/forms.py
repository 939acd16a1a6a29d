"""Checkout forms. The per-producer choices (``ship-<producer id>``, ``note-<producer id>``)
and the address radio are read from the request by the view and checked by the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import case, select
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from marketplace.extensions import db
from marketplace.producers.forms import village_choices
from marketplace.regions.models import KALTIM, REGENCY, Region


class CheckoutForm(FlaskForm):
    #: Random per checkout page: the same form sent twice places one group.
    idempotency_key = HiddenField()


class AddressForm(FlaskForm):
    """A short "new address" form for buyers without an address yet."""

    recipient_name = StringField(_l("Recipient's name"), render_kw={"maxlength": 100,
                                                                      "autocomplete": "name"})
    phone = StringField(_l("Phone number"), render_kw={"maxlength": 20, "inputmode": "tel",
                                                        "autocomplete": "tel"})
    street = StringField(_l("Street, house number, building"),
                         render_kw={"maxlength": 200, "autocomplete": "address-line1"})
    rt = StringField(_l("RT"), render_kw={"maxlength": 3, "inputmode": "numeric"})
    rw = StringField(_l("RW"), render_kw={"maxlength": 3, "inputmode": "numeric"})
    kabupaten = SelectField(_l("Kabupaten/kota"), validate_choice=False, choices=[])
    region_code = SelectField(_l("Kelurahan/desa"), validate_choice=False, choices=[])
    postal_code = StringField(_l("Postal code (if the kelurahan/desa has none listed)"),
                              render_kw={"maxlength": 5, "inputmode": "numeric"})

    def fill_regions(self, regency: str | None) -> None:
        rows = db.session.execute(
            select(Region.code, Region.name).where(Region.level == REGENCY)
            .order_by(case((Region.parent_code == KALTIM, 0), else_=1), Region.code))
        codes = []
        self.kabupaten.choices = [SelectChoice("", str(_l("Choose a kabupaten/kota")))]
        for code, name in rows:
            codes.append(code)
            self.kabupaten.choices.append(SelectChoice(code, name))
        regency = regency if regency in codes else None
        self.kabupaten.data = regency or ""
        self.region_code.choices = [SelectChoice("", str(_l("Choose a kelurahan/desa")))] + [
            SelectChoice(code, name, optgroup=group)
            for group, code, name in village_choices(regency)]
