"""Staff pages for monitoring visits: a grant's visits, recording and editing one, and its
photos (served to staff only, never cached by shared caches)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.agency import monitoring
from marketplace.agency.blueprint import bp
from marketplace.agency.forms import VisitForm
from marketplace.agency.models import MonitoringPhoto, MonitoringVisit
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error
from marketplace.media.storage import PRIVATE_CACHE_CONTROL, get_storage
from marketplace.programs.models import Grant


def _grant(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        abort(404)
    return grant


def _visit(visit_id: int) -> MonitoringVisit:
    visit = db.session.get(MonitoringVisit, visit_id)
    if visit is None:
        abort(404)
    return visit


def _data(form: VisitForm) -> monitoring.VisitData:
    photos = [(upload.filename or "", upload.read(monitoring.MAX_PHOTO_BYTES + 1))
              for upload in (form.photos.data or []) if getattr(upload, "filename", "")]
    return monitoring.VisitData(
        visit_date=form.visit_date.data, equipment_use=form.equipment_use.data or "",
        turnover=form.turnover.data or "", workers_total=form.workers_total.data,
        workers_paid=form.workers_paid.data, workers_women=form.workers_women.data,
        production_volume=form.production_volume.data,
        production_unit=form.production_unit.data or "", notes=form.notes.data or "",
        is_baseline=bool(form.is_baseline.data), photos=photos)


@bp.get("/dinas/hibah/<int:grant_id>/monitoring")
@role_required(Role.STAFF)
def visits(grant_id: int):
    grant = _grant(grant_id)
    return render_template("agency/visits.html", grant=grant,
                           visits=monitoring.visits_of(grant))


@bp.route("/dinas/hibah/<int:grant_id>/monitoring/baru", methods=["GET", "POST"])
@role_required(Role.STAFF)
def visit_new(grant_id: int):
    grant = _grant(grant_id)
    form = VisitForm()
    if form.validate_on_submit():
        try:
            monitoring.record_visit(current_user._get_current_object(), grant, _data(form))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The monitoring visit has been recorded."), "success")
            return redirect(url_for("agency.visits", grant_id=grant.id))
    return render_template("agency/visit_form.html", form=form, grant=grant, visit=None), (
        400 if form.errors else 200)


@bp.route("/dinas/monitoring/<int:visit_id>/ubah", methods=["GET", "POST"])
@role_required(Role.STAFF)
def visit_edit(visit_id: int):
    visit = _visit(visit_id)
    form = VisitForm(obj=visit)
    if not form.is_submitted():
        form.turnover.data = str(visit.turnover_idr)
    if form.validate_on_submit():
        try:
            monitoring.update_visit(current_user._get_current_object(), visit, _data(form))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The monitoring visit has been saved."), "success")
            return redirect(url_for("agency.visits", grant_id=visit.grant_id))
    return render_template("agency/visit_form.html", form=form, grant=visit.grant,
                           visit=visit), (400 if form.errors else 200)


@bp.post("/dinas/monitoring/foto/<int:photo_id>/hapus")
@role_required(Role.STAFF)
def photo_delete(photo_id: int):
    photo = db.session.get(MonitoringPhoto, photo_id) or abort(404)
    visit_id = photo.visit_id
    monitoring.delete_photo(current_user._get_current_object(), photo)
    flash(_("The photo has been deleted."), "success")
    return redirect(url_for("agency.visit_edit", visit_id=visit_id))


@bp.get("/dinas/monitoring/foto/<int:photo_id>/<int:width>.webp")
@role_required(Role.STAFF)
def photo(photo_id: int, width: int):
    found = db.session.get(MonitoringPhoto, photo_id)
    if found is None or width not in found.widths:
        abort(404)
    try:
        data = get_storage().read(monitoring.photo_key(found.key_prefix, width))
    except FileNotFoundError:
        abort(404)
    response = Response(data, mimetype="image/webp")
    response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
