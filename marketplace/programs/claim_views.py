"""Claim codes: staff print, send, issue and revoke them; recipients claim their producer."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.extensions import limiter
from marketplace.links import external_url
from marketplace.producers import claims
from marketplace.producers.services import AccessDenied, get_producer
from marketplace.programs import services
from marketplace.programs.blueprint import bp
from marketplace.programs.forms import ActionForm, ClaimStartForm

#: Guessing codes is hopeless at this rate (32^8 codes); a recipient never comes near it.
CLAIM_LIMIT = "60 per hour"


# --- staff ---------------------------------------------------------------------------------

@bp.get("/dinas/program/<int:program_id>/kode-klaim")
@role_required(Role.STAFF)
def claim_codes(program_id: int):
    """The printable list of claim codes of a programme's recipients."""
    program = services.get_program(program_id)
    if program is None:
        abort(404)
    grants = services.program_grants(program)
    producers = [grant.producer for grant in grants]
    return render_template(
        "claims/list.html", program=program, lines=claims.claim_sheet(producers),
        places=services.region_labels({p.region_code or "" for p in producers}),
        claim_start_url=external_url("programs.claim_start"))


def _back(producer_id: int):  # type: ignore[no-untyped-def]
    program_id = request.form.get("program_id", "")
    if program_id.isdigit() and services.get_program(int(program_id)) is not None:
        return redirect(url_for("programs.claim_codes", program_id=int(program_id)))
    return redirect(url_for("core.staff_home"))


@bp.post("/dinas/produsen/<int:producer_id>/kode-klaim")
@role_required(Role.STAFF)
def claim_issue(producer_id: int):
    producer = get_producer(producer_id) or abort(404)
    try:
        row = claims.issue_code(current_user._get_current_object(), producer)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(_("New claim code for %(name)s: %(code)s. The old code no longer works.",
                name=producer.name, code=row.code), "success")
    return _back(producer_id)


@bp.post("/dinas/produsen/<int:producer_id>/kode-klaim/cabut")
@role_required(Role.STAFF)
def claim_revoke(producer_id: int):
    producer = get_producer(producer_id) or abort(404)
    try:
        claims.revoke_code(current_user._get_current_object(), producer)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The claim code of %(name)s has been revoked.", name=producer.name), "success")
    return _back(producer_id)


# --- recipients ----------------------------------------------------------------------------

@bp.route("/klaim", methods=["GET", "POST"])
@limiter.limit(CLAIM_LIMIT, methods=["POST"])
def claim_start():
    form = ClaimStartForm(code=request.args.get("kode", ""))
    if form.validate_on_submit():
        code = claims.normalize_code(form.code.data)
        if code is not None:
            return redirect(url_for("programs.claim", code=code))
        form.code.errors = [*form.code.errors,
                            _("A claim code has 8 letters and digits, e.g. K7M3-9QX2.")]
    return render_template("claims/start.html", form=form)


@bp.route("/klaim/<code>", methods=["GET", "POST"])
@limiter.limit(CLAIM_LIMIT)
def claim(code: str):
    normal = claims.normalize_code(code)
    if normal is not None and normal != code and request.method == "GET":
        return redirect(url_for("programs.claim", code=normal))
    try:
        row = claims.check_code(code)
    except claims.ClaimRefused as refused:
        status = 404 if refused.reason == "unknown" else 410
        return render_template("claims/unavailable.html", message=refused.message,
                               reason=refused.reason), status
    if request.method == "POST":
        return _confirm(row.code)
    producer = row.producer
    return render_template(
        "claims/claim.html", code=row.code, producer=producer, expires_at=row.expires_at,
        place=services.region_labels({producer.region_code or ""}).get(
            producer.region_code or "", ""),
        form=ActionForm())


@login_required
def _confirm(code: str):  # type: ignore[no-untyped-def]
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        producer = claims.claim_producer(current_user._get_current_object(), code)
    except AccessDenied as error:
        flash(str(error.message), "error")
        abort(403)
    except claims.ClaimRefused as refused:
        return render_template("claims/unavailable.html", message=refused.message,
                               reason=refused.reason), 410
    flash(_("Welcome! You now manage %(name)s. Check the profile the agency filled in and "
            "complete it.", name=producer.name), "success")
    # The producer's own page (producers.detail) lives in the producers blueprint.
    return redirect(f"/produsen/{producer.id}")
