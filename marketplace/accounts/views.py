"""Sign-up, sign-in, sign-out, password reset and account settings."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from marketplace.accounts import services
from marketplace.accounts.access import role_required
from marketplace.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from marketplace.accounts.models import Role, User
from marketplace.cart import services as cart_services
from marketplace.exceptions import ServiceError
from marketplace.extensions import limiter
from marketplace.forms import show_error
from marketplace.security import safe_next_url

bp = Blueprint("accounts", __name__)

ROLE_LABELS = {
    Role.BUYER.value: _l("Buyer"),
    Role.PRODUCER.value: _l("Producer"),
    Role.STAFF.value: _l("Agency staff"),
    Role.ADMIN.value: _l("Administrator"),
}


@bp.app_context_processor
def _role_labels() -> dict[str, object]:
    return {"role_labels": ROLE_LABELS}


def _login_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{get_remote_address()}|{email}"


def _login_limit() -> str:
    config = current_app.config
    return f"{config['LOGIN_MAX_FAILURES']} per {config['LOGIN_BLOCK_MINUTES']} minutes"


def _submitted(form: FlaskForm, name: str) -> bool:
    """For pages with several forms: was this one sent, and is it valid?"""
    return request.form.get("form_name") == name and form.validate_on_submit()


def _start_session(user: User) -> None:
    """A fresh session at every sign-in: nothing from before the login survives (the
    language chosen before lives in its own cookie, not the session)."""
    cart_token = session.get(cart_services.GUEST_SESSION_KEY)
    session.clear()
    login_user(user)
    session["seen"] = int(time.time())
    if isinstance(cart_token, str):
        cart_services.merge_guest_cart(user, cart_token)


def _home_for(user: User) -> str:
    if user.is_staff:
        return url_for("core.staff_home")
    if user.role is Role.PRODUCER:
        return url_for("producers.dashboard")
    return url_for("core.home")


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.register(form.name.data, form.email.data, form.password.data,
                                     form.account_type.data, str(get_locale() or "id"))
        except ServiceError as error:
            show_error(form, error)
        else:
            _start_session(user)
            flash(_("Welcome to Pasar Binaan, %(name)s!", name=user.name), "success")
            # e.g. back to the claim or invitation link that sent the person here
            return redirect(safe_next_url(form.next.data) or _home_for(user))
    return render_template("accounts/register.html", form=form)


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_login_key, methods=["POST"],
               deduct_when=lambda _response: bool(g.get("login_failed")),
               error_message=lambda: _("Too many failed sign-in attempts for this account. "
                                       "Wait %(minutes)s minutes, or reset your password.",
                                       minutes=current_app.config["LOGIN_BLOCK_MINUTES"]))
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            g.login_failed = True
            form.password.errors = [*form.password.errors,
                                    _("The email or password is not correct.")]
        else:
            _start_session(user)
            return redirect(safe_next_url(form.next.data) or _home_for(user))
    elif request.method == "POST":
        g.login_failed = True
    return render_template("accounts/login.html", form=form)


@bp.post("/keluar")
def logout():
    # CSRFProtect has already refused a forged sign-out (400) before this runs.
    if current_user.is_authenticated:
        services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses this email, we have sent it a link to choose a new "
                "password. The link works for %(minutes)d minutes.",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/atur-ulang-sandi/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ServiceError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            logout_user()
            session.clear()
            flash(_("Your password has been changed. Sign in with the new password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/akun", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    profile_form = ProfileForm(prefix="profile", obj=user)
    password_form = ChangePasswordForm(prefix="password")
    if _submitted(profile_form, "profile"):
        try:
            services.update_profile(user, profile_form.name.data)
        except ServiceError as error:
            show_error(profile_form, error)
        else:
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("accounts.account"))
    elif _submitted(password_form, "password"):
        try:
            services.change_password(user, password_form.current_password.data,
                                     password_form.new_password.data)
        except ServiceError as error:
            show_error(password_form, error)
        else:
            _start_session(user)
            flash(_("Your password has been changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", profile_form=profile_form,
                           password_form=password_form)


@bp.get("/admin/pengguna")
@role_required(Role.ADMIN)
def users():
    return render_template("accounts/users.html", users=services.list_users())
