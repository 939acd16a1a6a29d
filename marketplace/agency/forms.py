"""The monitoring visit form. It checks types and lengths; the rules live in
agency.monitoring, so a CLI command or the demo loader applies the same ones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.agency.monitoring import MAX_COUNT, MAX_PHOTOS, USE_LABELS

_REQUIRED = _l("This field is required.")
_COUNT = [Optional(), NumberRange(min=0, max=MAX_COUNT,
                                  message=_l("Enter a whole number from 0 to 100,000."))]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class VisitForm(FlaskForm):
    visit_date = DateField(_l("Date of the visit"), validators=[InputRequired(_REQUIRED)])
    equipment_use = SelectField(
        _l("The equipment is"), validators=[InputRequired(_REQUIRED)],
        choices=[SelectChoice(use.value, label) for use, label in USE_LABELS.items()])
    turnover = StringField(_l("Monthly turnover (omzet), Rupiah"), filters=[_strip],
                           validators=[InputRequired(_REQUIRED), Length(max=30)],
                           description=_l("Whole Rupiah, e.g. 4.500.000."),
                           render_kw={"inputmode": "numeric"})
    workers_total = IntegerField(_l("Workers, all"), validators=_COUNT)
    workers_paid = IntegerField(_l("Workers who are paid"), validators=_COUNT)
    workers_women = IntegerField(_l("Women workers"), validators=_COUNT)
    production_volume = IntegerField(_l("Production per month"), validators=_COUNT)
    production_unit = StringField(_l("Unit of production"), filters=[_strip],
                                  validators=[Length(max=30)],
                                  description=_l("e.g. lembar, kg, botol."))
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Length(max=4000)])
    is_baseline = BooleanField(_l("This is the baseline visit (at handover)"))
    photos = MultipleFileField(
        _l("Photos"), description=_l("Up to %(n)d photos (JPEG, PNG, WebP or HEIC), at most "
                                     "10 MB each. Only agency staff see them.", n=MAX_PHOTOS),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/heic,.heic"})
