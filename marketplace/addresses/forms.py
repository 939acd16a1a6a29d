"""The address form. It only reads what was typed; the rules live in addresses.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from marketplace.regions.forms import VillagePicker


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _text(label: object, max_length: int, description: object = "",
          **render_kw: object) -> StringField:
    return StringField(label, validators=[Length(max=max_length)], filters=[_strip],
                       description=description,
                       render_kw={"maxlength": max_length, **render_kw})


class AddressForm(VillagePicker, FlaskForm):
    label = _text(_l("Label (optional)"), 40, _l("e.g. Rumah, Kantor."))
    recipient_name = _text(_l("Recipient's name"), 100, autocomplete="name")
    phone = _text(_l("Recipient's phone number"), 20,
                  _l("The courier calls this number, e.g. 0812-3456-7890."),
                  inputmode="tel", autocomplete="tel")
    street = _text(_l("Street, house number, landmark"), 200, autocomplete="street-address")
    rt = _text(_l("RT"), 3, inputmode="numeric", pattern="[0-9]*")
    rw = _text(_l("RW"), 3, inputmode="numeric", pattern="[0-9]*")
    postal_code = _text(_l("Postal code"), 5,
                        _l("Filled in from the kelurahan/desa when it is known."),
                        inputmode="numeric", autocomplete="postal-code", pattern="[0-9]*")
