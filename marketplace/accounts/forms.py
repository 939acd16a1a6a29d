from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from marketplace.accounts.passwords import MAX_LENGTH, MIN_LENGTH

_REQUIRED = _l("This field is required.")
_EMAIL = _l("Enter a valid email address.")
_PASSWORD_LENGTH = _l("Use %(min)d to %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH)
_MATCH = _l("The two passwords are not the same.")
_NAME_LENGTH = _l("Enter your name (at most 100 characters).")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email_field() -> EmailField:
    return EmailField(
        _l("Email"),
        validators=[DataRequired(_REQUIRED), Length(max=254, message=_EMAIL), Email(_EMAIL)],
        filters=[_strip],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def _new_password_field(label: object) -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(_REQUIRED), Length(MIN_LENGTH, MAX_LENGTH, _PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH,
                   "maxlength": MAX_LENGTH},
        description=_l("At least %(n)d characters. Avoid common passwords.", n=MIN_LENGTH),
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_REQUIRED), Length(max=100, message=_NAME_LENGTH)],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field()
    password = _new_password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[InputRequired(_REQUIRED), EqualTo("password", _MATCH)],
        render_kw={"autocomplete": "new-password"},
    )
    account_type = RadioField(
        _l("I want to"),
        choices=[SelectChoice("buyer", _l("Buy products")),
                 SelectChoice("producer", _l("Sell my products (producer)"))],
        default="buyer",
        validators=[InputRequired(_l("Choose whether you buy or sell."))],
        validate_choice=False,  # the service refuses anything but buyer or producer
    )
    next = HiddenField()


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[InputRequired(_REQUIRED), EqualTo("password", _MATCH)],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_REQUIRED), Length(max=100, message=_NAME_LENGTH)],
        render_kw={"autocomplete": "name"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[InputRequired(_REQUIRED), EqualTo("new_password", _MATCH)],
        render_kw={"autocomplete": "new-password"},
    )


class LogoutForm(FlaskForm):
    """Empty: carries the CSRF token of the sign-out button."""
