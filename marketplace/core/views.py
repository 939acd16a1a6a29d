from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from marketplace.accounts import services as account_services
from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.catalogue import queries as catalogue_queries
from marketplace.extensions import csrf, db, limiter
from marketplace.i18n import remember_language
from marketplace.page_cache import public_page
from marketplace.security import safe_next_url, same_origin_request

bp = Blueprint("core", __name__)


@bp.get("/")
@public_page
def home():
    return render_template(
        "core/home.html", categories=catalogue_queries.category_tree(),
        products=catalogue_queries.newest_products(8),
        regions=catalogue_queries.producers_by_regency(), regencies=catalogue_queries.regencies())


@bp.get("/livez")
@limiter.exempt
def livez():
    """For orchestrators: the process answers (no database). Also the benchmark's trivial
    route."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check: database unreachable")
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/bahasa")
@csrf.exempt
def set_language():
    """The footer's language switch, on every page, cached ones too: so it carries no
    session-bound CSRF token. What a forged switch could do is limited instead:
    - requests from other sites are refused (security.same_origin_request: Fetch Metadata,
      Origin, Referer: what OWASP recommends besides tokens);
    - a visitor's choice goes into its own ``lang`` cookie, never the session, so a forged
      request cannot replace or end a session;
    - a signed-in user's account is changed only when the session cookie came with the
      request, which SameSite=Lax withholds from other sites' POSTs.
    The worst left, from a browser that sends none of those headers: the language flips."""
    if not same_origin_request():
        abort(403)
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        account_services.set_locale(current_user._get_current_object(), lang)
    response = redirect(safe_next_url(request.form.get("next")) or url_for("core.home"))
    return remember_language(response, lang)


@bp.get("/dinas")
@role_required(Role.STAFF)
def staff_home():
    return render_template("core/staff_home.html", counts=account_services.count_by_role())
