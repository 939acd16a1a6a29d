"""The cart page (/keranjang) and "Tambah ke Keranjang".

A guest's cart is found by a random token in the session (only its hash is stored); it joins
the account's cart at sign-in (accounts.views calls cart.services.merge_guest_cart).

CSRF and cached product pages: the product page is the same for every anonymous visitor so
that it can be cached (by the app and by a CDN); a Flask-WTF token is bound to the session
and would make it personal. So the add-to-cart form carries no token, and its endpoint is
exempt from CSRFProtect and checks instead that the POST comes from this site: the
``Origin`` header (sent by browsers with every POST), or the ``Referer`` when a browser sends
no Origin, must be this site's address; a request with neither must carry a valid CSRF token.
The session cookie is also SameSite=Lax, so a cross-site form post arrives without it. All
other cart and checkout forms carry a normal CSRF token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from marketplace.accounts.models import User
from marketplace.cart import services
from marketplace.cart.forms import CartForm
from marketplace.exceptions import ServiceError
from marketplace.extensions import csrf, db
from marketplace.security import safe_next_url

bp = Blueprint("cart", __name__)

SESSION_KEY = services.GUEST_SESSION_KEY


def acting_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def guest_token(create: bool = False) -> str | None:
    """The guest's cart token from the session (made when ``create``); None when signed in."""
    if current_user.is_authenticated:
        return None
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) and create:
        token = services.new_guest_token()
        session[SESSION_KEY] = token
    return token if isinstance(token, str) else None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _from_this_site() -> bool:
    """Origin (or Referer) names this site, or the form carries a valid CSRF token."""
    ours = {_origin(request.host_url), _origin(current_app.config["PUBLIC_BASE_URL"])}
    origin = request.headers.get("Origin")
    if origin is not None:
        return _origin(origin) in ours
    if request.referrer:
        return _origin(request.referrer) in ours
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


@bp.get("/keranjang")
def index():
    summary = services.summarise(services.find_cart(acting_user(), guest_token()))
    return render_template("cart/cart.html", summary=summary, form=CartForm(),
                           back=safe_next_url(request.args.get("back")))


@bp.post("/keranjang/tambah")
@csrf.exempt
def add():
    if not _from_this_site():
        abort(400)
    back = safe_next_url(request.form.get("next"))
    try:
        item = services.add_item(acting_user(), guest_token(create=True),
                                 request.form.get("variant_id"), request.form.get("quantity"))
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("cart.index", back=back) if back else url_for("cart.index"))
    flash(_("“%(product)s” is in your cart.", product=item.variant.product.name), "success")
    return redirect(url_for("cart.index"))


@bp.post("/keranjang")
def update():
    form = CartForm()
    if not form.validate_on_submit():
        abort(400)
    user, token = acting_user(), guest_token()
    try:
        if request.form.get("remove"):
            services.remove_item(user, token, request.form["remove"])
            flash(_("The item was removed from your cart."), "success")
        else:
            quantities = {key[4:]: value for key, value in request.form.items()
                          if key.startswith("qty-")}
            services.update_quantities(user, token, quantities)
            flash(_("Your cart was updated."), "success")
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(url_for("cart.index"))
