from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from marketplace.accounts import services as account_services
from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.catalogue import queries as catalogue_queries
from marketplace.extensions import db, limiter
from marketplace.security import safe_next_url

bp = Blueprint("core", __name__)


@bp.get("/")
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
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    session["lang"] = lang
    if current_user.is_authenticated:
        account_services.set_locale(current_user._get_current_object(), lang)
    return redirect(safe_next_url(request.form.get("next")) or url_for("core.home"))


@bp.get("/dinas")
@role_required(Role.STAFF)
def staff_home():
    return render_template("core/staff_home.html", counts=account_services.count_by_role())
