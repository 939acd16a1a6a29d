from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

_PHOTO = {"accept": "image/jpeg,image/png,image/webp,image/heic,.jpg,.jpeg,.png,.webp,.heic"}


class ReceiptForm(FlaskForm):
    receipt = FileField(_l("Photo of the transfer receipt"),
                        description=_l("A clear photo or screenshot (JPEG, PNG, WebP or HEIC)."),
                        render_kw=_PHOTO)


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token only."""


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=1000)],
                           description=_l("The buyer reads it, e.g. the transfer has not "
                                          "arrived, or the amount differs."))


class ResolveFlagForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[InputRequired(), Length(max=1000)],
                         description=_l("For example: the difference was refunded in Stripe's "
                                        "dashboard. The buyer and the shops read this note "
                                        "on their orders."))


class RefundCompleteForm(FlaskForm):
    reference = StringField(_l("Reference of the refund transfer"),
                            validators=[InputRequired(), Length(max=255)])
    proof = FileField(_l("Photo of the refund transfer"), render_kw=_PHOTO)


class PayoutForm(FlaskForm):
    amount = IntegerField(_l("Amount (Rupiah)"), validators=[InputRequired(),
                                                             NumberRange(min=1)])
    reference = StringField(_l("Reference of the bank transfer"),
                            validators=[InputRequired(), Length(max=255)])


class FeeForm(FlaskForm):
    percent = StringField(_l("Platform fee (percent)"), validators=[InputRequired(),
                                                                    Length(max=6)],
                          description=_l("0 for no fee; e.g. 2.5 for 2.5%."))
