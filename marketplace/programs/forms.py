"""Forms for programmes, grants, recipient imports and claim codes.

The forms check presence and length; the rules (fiscal years, Rupiah, items) live in the
services, so a CLI command or the import applies the same ones.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.producers.services import SECTOR_LABELS
from marketplace.programs.models import FundingSource
from marketplace.programs.tables import MAX_BYTES, MAX_ROWS

_REQUIRED = _l("This field is required.")
ITEM_ROWS = 3

FUNDING_LABELS = {
    FundingSource.APBD: _l("APBD (provincial budget)"),
    FundingSource.DID: _l("DID (regional incentive fund)"),
    FundingSource.APBN: _l("APBN (state budget)"),
    FundingSource.OTHER: _l("Other"),
}


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProgramForm(FlaskForm):
    name = StringField(_l("Programme name"), filters=[_strip],
                       validators=[DataRequired(_REQUIRED), Length(max=160)],
                       description=_l("E.g. Bantuan Alat Mesin Jahit 2024."))
    fiscal_year = StringField(_l("Fiscal year"), filters=[_strip],
                              validators=[DataRequired(_REQUIRED), Length(max=4)],
                              render_kw={"inputmode": "numeric", "maxlength": 4})
    funding_source = SelectField(_l("Funding source"), validate_choice=False,
                                 choices=[SelectChoice(k.value, v)
                                          for k, v in FUNDING_LABELS.items()])
    legal_basis = StringField(_l("Legal basis (decree number)"), filters=[_strip],
                              validators=[Length(max=200)],
                              description=_l("E.g. SK Kepala Dinas No. 500/123/DPPKUKM/2024."))
    budget = StringField(_l("Budget (Rupiah)"), filters=[_strip],
                         validators=[DataRequired(_REQUIRED), Length(max=30)],
                         description=_l("Whole Rupiah, e.g. 750.000.000."),
                         render_kw={"inputmode": "numeric"})
    target_sectors = MultiCheckboxField(
        _l("Target sectors"), validate_choice=False,
        choices=[SelectChoice(k.value, v) for k, v in SECTOR_LABELS.items()])
    target_regions = MultiCheckboxField(_l("Target kabupaten/kota"), validate_choice=False,
                                        choices=[])


class ItemForm(Form):
    """One equipment row of a grant (a row left blank is ignored)."""

    name = StringField(_l("Equipment"), filters=[_strip], validators=[Length(max=160)])
    category = StringField(_l("Category"), filters=[_strip], validators=[Length(max=80)],
                           description=_l("E.g. Mesin jahit, Alat anyam rotan."))
    quantity = StringField(_l("Quantity"), filters=[_strip], validators=[Length(max=10)],
                           render_kw={"inputmode": "numeric"})
    unit_value = StringField(_l("Unit value (Rupiah)"), filters=[_strip],
                             validators=[Length(max=30)], render_kw={"inputmode": "numeric"})
    serial_number = StringField(_l("Serial number"), filters=[_strip],
                                validators=[Length(max=100)])


class GrantForm(FlaskForm):
    producer_id = SelectField(_l("Producer"), coerce=int, validate_choice=False,
                              validators=[InputRequired(_REQUIRED)])
    handover_date = DateField(_l("Handover date"), validators=[Optional()])
    handover_place = StringField(_l("Handover place"), filters=[_strip],
                                 validators=[Length(max=160)])
    bast_number = StringField(_l("Handover record number (BAST)"), filters=[_strip],
                              validators=[Length(max=100)])
    items = FieldList(FormField(ItemForm), min_entries=ITEM_ROWS, max_entries=ITEM_ROWS)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Recipient list (CSV or XLSX)"),
        validators=[FileRequired(_l("Choose a CSV or XLSX file."))],
        description=_l("At most %(mb)d MB and %(rows)d rows.", mb=MAX_BYTES // (1024 * 1024),
                       rows=MAX_ROWS),
        render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                             "officedocument.spreadsheetml.sheet"})


class ConfirmImportForm(FlaskForm):
    sha256 = HiddenField()


class ClaimStartForm(FlaskForm):
    code = StringField(_l("Claim code"), filters=[_strip],
                       validators=[DataRequired(_REQUIRED), Length(max=20)],
                       description=_l("8 letters and digits, e.g. K7M3-9QX2."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})


class ActionForm(FlaskForm):
    """An empty form: the CSRF token of a button (issue or revoke a code, confirm a claim)."""

    program_id = HiddenField()
