"""The kelurahan/desa picker every address form shares, without JavaScript: choose the
kabupaten/kota, press "Show villages" (a submit button named ``action`` with the value
``choose_region``), then choose the kelurahan/desa, grouped by kecamatan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from marketplace.regions.choices import regencies_by_province, regency_choices, village_choices

#: The value of the "Show villages" button: the form is redrawn, nothing is saved.
CHOOSE_REGION = "choose_region"


class VillagePicker:
    """Mixin for a FlaskForm: the ``kabupaten`` and ``region_code`` fields and their choices."""

    kabupaten = SelectField(_l("Kabupaten/kota"), validate_choice=False, choices=[])
    region_code = SelectField(_l("Kelurahan/desa"), validate_choice=False, choices=[],
                              description=_l("Grouped by kecamatan. Choose the kabupaten/kota "
                                             "first, then press “Show villages”."))

    def fill_regions(self, regency: str | None, *, all_provinces: bool = False) -> None:
        """The kabupaten/kota list (Kaltim's, or all of Indonesia's grouped by province with
        Kaltim first) and, for ``regency``, its villages grouped by kecamatan."""
        first = SelectChoice("", str(_l("Choose a kabupaten/kota")))
        if all_provinces:
            regencies = [SelectChoice(code, name, optgroup=group.name)
                         for group in regencies_by_province()
                         for code, name in group.regencies]
        else:
            regencies = [SelectChoice(code, name) for code, name in regency_choices(regency)]
        self.kabupaten.choices = [first, *regencies]
        self.kabupaten.data = regency or ""
        self.region_code.choices = [SelectChoice("", str(_l("Choose a kelurahan/desa")))] + [
            SelectChoice(code, name, optgroup=group)
            for group, code, name in village_choices(regency)]

    def validate_region_code(self, field: SelectField) -> None:
        regency = self.kabupaten.data
        if regency and field.data and not str(field.data).startswith(regency + "."):
            raise ValidationError(_l("This kelurahan/desa is not in the chosen kabupaten/kota: "
                                     "press “Show villages” and choose again."))
