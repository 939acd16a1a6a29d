"""Forms for a producer's own pages: the business profile, members and invitations.

Format rules (NIB, NPWP, phone, region, ...) live in producers.services/validation: the forms
only check what a field needs to be read at all, so every rule has one home.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import TextInput

from marketplace.producers.members import ROLE_LABELS
from marketplace.producers.models import MemberRole
from marketplace.producers.services import SECTOR_LABELS, TYPE_LABELS
from marketplace.regions.forms import VillagePicker

_REQUIRED = _l("This field is required.")
_WHOLE_NUMBER = _l("Enter a whole number, e.g. 12.")
_EMAIL = _l("Enter a valid email address.")
BANNER_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """An optional whole number typed on a phone keypad (a text input, numeric keyboard)."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip().replace(".", "")
        if not text:
            self.data = None
            return
        if not text.isdigit() or len(text) > 9:
            self.data = None
            raise ValueError(str(_WHOLE_NUMBER))
        self.data = int(text)


def _text(label: object, max_length: int, **render_kw: object) -> StringField:
    return StringField(label, validators=[Length(max=max_length)], filters=[_strip],
                       render_kw={"maxlength": max_length, **render_kw})


def _number(label: object, description: object = "") -> WholeNumberField:
    return WholeNumberField(label, description=description,
                            render_kw={"inputmode": "numeric", "pattern": "[0-9]*",
                                       "maxlength": 9})


class ProfileForm(VillagePicker, FlaskForm):
    name = StringField(_l("Business name"), filters=[_strip],
                       validators=[DataRequired(_REQUIRED), Length(max=120)],
                       render_kw={"maxlength": 120})
    type = RadioField(_l("Type of business"), validate_choice=False,
                      choices=[SelectChoice(k.value, v) for k, v in TYPE_LABELS.items()])
    owner_name = _text(_l("Name of the owner or chair"), 100, autocomplete="name")
    story = TextAreaField(_l("Your business story (cerita usaha)"), filters=[_strip],
                          validators=[Length(max=5000)], render_kw={"rows": 5},
                          description=_l("What you make, who makes it, and what the "
                                         "equipment aid changed. Buyers read this."))
    sector = SelectField(_l("Sector"), validate_choice=False, choices=[
        SelectChoice("", _l("Choose a sector")),
        *(SelectChoice(k.value, v) for k, v in SECTOR_LABELS.items())])
    street_address = _text(_l("Street address"), 200, autocomplete="street-address")
    postal_code = _text(_l("Postal code"), 5, inputmode="numeric", autocomplete="postal-code",
                        pattern="[0-9]*")
    phone = _text(_l("Phone number"), 20, inputmode="tel", autocomplete="tel")
    whatsapp = _text(_l("WhatsApp number"), 20, inputmode="tel")
    nib = _text(_l("NIB (Nomor Induk Berusaha)"), 20, inputmode="numeric")
    npwp = _text(_l("NPWP"), 24)
    year_started = _number(_l("Year the business started"))
    workers_total = _number(_l("Number of workers"), _l("Everyone who works in the business, "
                                                      "including the owner."))
    workers_women = _number(_l("Of whom women"))
    halal_claimed = BooleanField(_l("Our products are halal (processed food only)"),
                                 description=_l("You will be asked for the halal certificate."))
    logo = FileField(_l("Logo"), render_kw={"accept": "image/jpeg,image/png,image/webp"},
                     description=_l("Optional. A JPEG, PNG or WebP image of at most 2 MB."))
    banner = FileField(_l("Banner"), render_kw={"accept": BANNER_ACCEPT},
                       description=_l("Optional. A wide photo shown at the top of your shop: "
                                      "JPEG, PNG, WebP or HEIC, at least 640 pixels wide, "
                                      "at most 5 MB."))


class InviteForm(FlaskForm):
    email = EmailField(_l("Email of the person to invite"), filters=[_strip],
                       validators=[DataRequired(_REQUIRED), Length(max=254, message=_EMAIL),
                                   Email(_EMAIL)],
                       render_kw={"autocomplete": "off", "inputmode": "email"})
    role = RadioField(_l("Role"), default=MemberRole.STAFF.value, validate_choice=False,
                      choices=[SelectChoice(k.value, v) for k, v in ROLE_LABELS.items()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False,
                       choices=[SelectChoice(k.value, v) for k, v in ROLE_LABELS.items()])


class ConfirmForm(FlaskForm):
    """Empty: carries the CSRF token of a confirmation button."""
