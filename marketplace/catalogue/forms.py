"""Forms for managing the catalogue: products with their variant rows, photos, staff
moderation and categories.

The forms only read what was typed (a price written "150.000" becomes 150000); every rule
(ranges, lengths, uniqueness) lives in the catalogue services, so it has one home.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import TextInput

from marketplace.catalogue import categories
from marketplace.catalogue.services import PROCESSING_LABELS

_REQUIRED = _l("This field is required.")
_PRICE = _l("Enter the price in whole Rupiah, e.g. 150.000.")
_WHOLE = _l("Enter a whole number, e.g. 12.")
#: Variant rows on the product form: enough for most products, no JavaScript needed.
VARIANT_ROWS = 6
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """A whole number typed on a phone keypad: "1.000" is read as 1000; empty is None."""

    widget = TextInput()
    message = _WHOLE
    max_digits = 9

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip().replace(".", "").replace(" ", "")
        if not text:
            self.data = None
            return
        if not text.isdigit() or len(text) > self.max_digits:
            self.data = None
            raise ValueError(str(self.message))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class RupiahField(WholeNumberField):
    """A price in whole Rupiah: "150000", "150.000", "Rp150.000" and "Rp 150.000,00" all
    read as 150000. Cents, minus signs and letters are refused."""

    message = _PRICE
    max_digits = 13

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if text[:2].lower() == "rp":
            text = text[2:]
        if text.endswith(",00"):
            text = text[:-3]
        super().process_formdata([text])

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:,}".replace(",", ".")


def _number(label: object, description: object = "") -> WholeNumberField:
    return WholeNumberField(label, description=description,
                            render_kw={"inputmode": "numeric", "maxlength": 9})


def _text(label: object, max_length: int, description: object = "") -> StringField:
    return StringField(label, filters=[_strip], description=description,
                       validators=[Length(max=max_length)],
                       render_kw={"maxlength": max_length})


class VariantRowForm(Form):
    """One option row; the parent form carries the CSRF token."""

    variant_id = HiddenField()
    name = StringField(_l("Option"), filters=[_strip], validators=[Length(max=80)],
                       render_kw={"maxlength": 80})
    price = RupiahField(_l("Price (Rp)"), render_kw={"inputmode": "numeric", "maxlength": 17})
    stock = WholeNumberField(_l("Stock"), render_kw={"inputmode": "numeric", "maxlength": 9})
    sku = StringField(_l("SKU (optional)"), filters=[_strip], validators=[Length(max=40)],
                      render_kw={"maxlength": 40, "autocomplete": "off",
                                 "spellcheck": "false"})


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), filters=[_strip],
                       validators=[DataRequired(_REQUIRED), Length(max=120)],
                       render_kw={"maxlength": 120},
                       description=_l("What a buyer would search for, e.g. “Tas Anyam Rotan "
                                      "Motif Dayak”."))
    description = TextAreaField(
        _l("Description"), validators=[Length(max=5000)], render_kw={"rows": 6},
        description=_l("Plain text; new lines are kept. Simple HTML for bold (strong), "
                       "italics (em), lists (ul, ol, li) and paragraphs (p) works too; anything "
                       "else is removed."))
    category_id = SelectField(_l("Category"), validate_choice=False, choices=[])
    processing_level = RadioField(
        _l("How far is it processed?"), validate_choice=False,
        choices=[SelectChoice(k.value, v) for k, v in PROCESSING_LABELS.items()])
    raw_material = _text(_l("Main raw material"), 120, _l("e.g. rotan, kain tenun, ikan pipih"))
    raw_material_origin = _text(_l("Where the raw material comes from"), 120,
                                _l("e.g. Hutan Kampung Teluk Sumbang, Berau"))
    pirt_number = _text(_l("P-IRT number (home-industry food permit)"), 30,
                        _l("Processed food only."))
    halal_number = _text(_l("Halal certificate number"), 40, _l("If the product has one."))
    weight_grams = _number(_l("Weight with packaging (grams)"),
                           _l("Couriers charge by weight. At most 100 kg."))
    length_cm = _number(_l("Length (cm)"))
    width_cm = _number(_l("Width (cm)"))
    height_cm = _number(_l("Height (cm)"))
    min_order_qty = _number(_l("Minimum order"), _l("How many a buyer must order at least."))
    variants = FieldList(FormField(VariantRowForm), min_entries=0)

    def fill_categories(self) -> None:
        """Top categories as groups; each group offers the top category itself and its
        subcategories."""
        locale = str(get_locale() or "id")
        choices = [SelectChoice("", str(_l("Choose a category")))]
        for top in categories.tree():
            group = top.name(locale)
            choices.append(SelectChoice(str(top.id), str(_l("%(name)s (other)", name=group)),
                                        optgroup=group))
            choices += [SelectChoice(str(sub.id), sub.name(locale), optgroup=group)
                        for sub in top.children]
        self.category_id.choices = choices

    def pad_variants(self, rows: int = VARIANT_ROWS) -> None:
        while len(self.variants.entries) < rows:
            self.variants.append_entry()


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), render_kw={"accept": PHOTO_ACCEPT},
                      description=_l("JPEG, PNG, WebP or HEIC straight from your phone, at "
                                     "most 10 MB."))
    alt_text = StringField(_l("What the photo shows"), filters=[_strip],
                           validators=[Length(max=200)], render_kw={"maxlength": 200},
                           description=_l("Read aloud to buyers who cannot see the photo, "
                                          "e.g. “Tas anyaman rotan coklat, tampak depan”."))


class AltTextForm(FlaskForm):
    """Edit one photo's alt text; built with prefix ``p<photo id>``."""

    alt_text = StringField(_l("What the photo shows"), filters=[_strip],
                           validators=[Length(max=200)], render_kw={"maxlength": 200})


class ActionForm(FlaskForm):
    """Empty: the CSRF token of a button (publish, archive, move, delete)."""


class UnpublishForm(FlaskForm):
    reason = TextAreaField(_l("Reason, for the producer"), filters=[_strip],
                           validators=[DataRequired(_REQUIRED), Length(max=1000)],
                           render_kw={"rows": 4, "maxlength": 1000},
                           description=_l("Say what is wrong and what to change. The producer "
                                          "reads this in the dashboard and by email."))


class CategoryForm(FlaskForm):
    name_id = _text(_l("Name in Indonesian"), 80)
    name_en = _text(_l("Name in English"), 80)
    parent_id = SelectField(_l("Place in the tree"), validate_choice=False, choices=[])
    position = _number(_l("Position"), _l("Smaller numbers come first. Leave empty to add at "
                                          "the end."))

    def fill_parents(self) -> None:
        locale = str(get_locale() or "id")
        self.parent_id.choices = [SelectChoice("", str(_l("A top category")))] + [
            SelectChoice(str(top.id), str(_l("Under %(name)s", name=top.name(locale))))
            for top in categories.tree()]


class CategoryEditForm(FlaskForm):
    """Rename or reorder one category; built with prefix ``c<category id>``."""

    name_id = _text(_l("Name in Indonesian"), 80)
    name_en = _text(_l("Name in English"), 80)
    position = _number(_l("Position"))
