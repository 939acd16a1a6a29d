"""Forms for a producer's own pages: the business profile, members and invitations.

Format rules (NIB, NPWP, phone, region, ...) live in producers.services/validation: the forms
only check what a field needs to be read at all, so every rule has one home.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
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
from wtforms.validators import DataRequired, Email, Length, ValidationError
from wtforms.widgets import TextInput

from marketplace.extensions import db
from marketplace.producers.members import ROLE_LABELS
from marketplace.producers.models import MemberRole
from marketplace.producers.services import SECTOR_LABELS, TYPE_LABELS
from marketplace.regions.models import DISTRICT, KALTIM, REGENCY, VILLAGE, Region

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


class ProfileForm(FlaskForm):
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
    kabupaten = SelectField(_l("Kabupaten/kota"), validate_choice=False, choices=[])
    region_code = SelectField(_l("Kelurahan/desa"), validate_choice=False, choices=[],
                              description=_l("Grouped by kecamatan. Choose the kabupaten/kota "
                                             "first, then press “Show villages”."))
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

    def fill_regions(self, regency: str | None) -> None:
        """The kabupaten/kota list and, for ``regency``, its villages grouped by kecamatan."""
        self.kabupaten.choices = [SelectChoice("", str(_l("Choose a kabupaten/kota")))] + [
            SelectChoice(code, name) for code, name in regency_choices(regency)]
        self.kabupaten.data = regency or ""
        self.region_code.choices = [SelectChoice("", str(_l("Choose a kelurahan/desa")))] + [
            SelectChoice(code, name, optgroup=group)
            for group, code, name in village_choices(regency)]


    def validate_region_code(self, field: SelectField) -> None:
        regency = self.kabupaten.data
        if regency and field.data and not str(field.data).startswith(regency + "."):
            raise ValidationError(_l("This kelurahan/desa is not in the chosen kabupaten/kota: "
                                     "press “Show villages” and choose again."))


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


# --- region choices ------------------------------------------------------------------------

def regency_choices(current: str | None = None) -> list[tuple[str, str]]:
    """Kaltim's kabupaten/kota, plus ``current`` if it lies in another province."""
    query = select(Region.code, Region.name).where(Region.level == REGENCY)
    if current and not current.startswith(KALTIM + "."):
        query = query.where((Region.parent_code == KALTIM) | (Region.code == current))
    else:
        query = query.where(Region.parent_code == KALTIM)
    return [(code, name) for code, name in db.session.execute(query.order_by(Region.code))]


def is_regency(code: str | None) -> bool:
    region = db.session.get(Region, code) if code else None
    return region is not None and region.level == REGENCY


def village_choices(regency: str | None) -> list[tuple[str, str, str]]:
    """(kecamatan name, village code, village name) for every village of ``regency``."""
    if not regency:
        return []
    district = Region.__table__.alias("district")
    rows = db.session.execute(
        select(district.c.name, Region.code, Region.name)
        .join(district, Region.parent_code == district.c.code)
        .where(Region.level == VILLAGE, district.c.level == DISTRICT,
               district.c.parent_code == regency)
        .order_by(district.c.name, district.c.code, Region.name))
    return [(group, code, name) for group, code, name in rows]


def village_postal_code(code: str | None) -> str:
    region = db.session.get(Region, code) if code else None
    return (region.postal_code or "") if region is not None and region.level == VILLAGE else ""


def region_path(code: str | None) -> list[Region]:
    """The village, its kecamatan and its kabupaten/kota (in that order)."""
    path: list[Region] = []
    region = db.session.get(Region, code) if code else None
    while region is not None and region.level >= REGENCY:
        path.append(region)
        region = db.session.get(Region, region.parent_code) if region.parent_code else None
    return path
