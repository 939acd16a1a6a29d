"""Forms for a producer's shipping settings. They only read what was typed; the rules (zones,
price ranges, lengths) live in shipping.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from marketplace.catalogue.forms import RupiahField
from marketplace.regions.choices import regencies_by_province
from marketplace.shipping.models import ShippingMethod
from marketplace.shipping.services import COURIERS, KIND_LABELS

#: The courier list's value for "another courier, typed in courier_other".
OTHER_COURIER = "lain"


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class MethodForm(FlaskForm):
    kind = RadioField(_l("How you deliver"), validate_choice=False,
                      choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    name = StringField(_l("Name shown to buyers"), filters=[_strip],
                       validators=[Length(max=80)], render_kw={"maxlength": 80},
                       description=_l("e.g. “Ambil di toko”, “Kirim dalam kota”, “JNE REG”."))
    courier = SelectField(_l("Courier"), validate_choice=False, choices=[
        SelectChoice("", _l("Choose a courier")),
        *(SelectChoice(name, name) for name in COURIERS),
        SelectChoice(OTHER_COURIER, _l("Another courier (type its name below)"))],
        description=_l("For a courier rate table only."))
    courier_other = StringField(_l("Name of another courier"), filters=[_strip],
                                validators=[Length(max=40)], render_kw={"maxlength": 40})
    note = StringField(_l("Note for buyers"), filters=[_strip], validators=[Length(max=200)],
                       render_kw={"maxlength": 200},
                       description=_l("e.g. pickup hours “Senin–Sabtu 08.00–16.00”, or "
                                      "“2–4 hari kerja”."))

    def courier_name(self) -> str:
        choice = self.courier.data or ""
        return (self.courier_other.data or "") if choice == OTHER_COURIER else choice

    def show_courier(self, method: ShippingMethod) -> None:
        """Fill the courier fields from a saved method."""
        if method.courier in COURIERS or not method.courier:
            self.courier.data = method.courier
        else:
            self.courier.data, self.courier_other.data = OTHER_COURIER, method.courier


class RateForm(FlaskForm):
    zone = SelectField(_l("Destination"), validate_choice=False, choices=[],
                       description=_l("A whole province, or one kabupaten/kota. A kabupaten/kota "
                                      "price is used before its province's."))
    first_kg = RupiahField(_l("Price"), render_kw={"inputmode": "numeric", "maxlength": 16})
    next_kg = RupiahField(_l("Each further kg"), render_kw={"inputmode": "numeric",
                                                            "maxlength": 16})

    def fill_zones(self) -> None:
        """Provinces and their kabupaten/kota, Kalimantan Timur first, grouped by province."""
        choices = [SelectChoice("", str(_l("Choose a destination")))]
        for group in regencies_by_province():
            choices.append(SelectChoice(group.code, str(_l("All of %(province)s",
                                                           province=group.name)),
                                        optgroup=group.name))
            choices.extend(SelectChoice(code, name, optgroup=group.name)
                           for code, name in group.regencies)
        self.zone.choices = choices
