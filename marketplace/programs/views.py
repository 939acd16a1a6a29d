"""Staff pages for aid programmes, grants and recipient imports (claim pages: claim_views)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.forms import show_error
from marketplace.producers.services import SECTOR_LABELS, TYPE_LABELS
from marketplace.programs import claim_views, services  # noqa: F401 - claim_views adds routes
from marketplace.programs.blueprint import bp
from marketplace.programs.forms import (
    FUNDING_LABELS,
    ConfirmImportForm,
    GrantForm,
    ImportForm,
    ProgramForm,
)
from marketplace.programs.models import AidProgram
from marketplace.programs.rules import ItemData
from marketplace.programs.tables import MAX_BYTES

__all__ = ["bp"]

_STASH = "recipient_import"


def _program(program_id: int) -> AidProgram:
    program = services.get_program(program_id)
    if program is None:
        abort(404)
    return program


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"funding_labels": FUNDING_LABELS}


# --- programmes ----------------------------------------------------------------------------

@bp.get("/dinas/program")
@role_required(Role.STAFF)
def index():
    return render_template("programs/index.html", programs=services.list_programs())


def _program_form(program: AidProgram | None = None) -> ProgramForm:
    form = ProgramForm(obj=program)
    if program is not None and request.method == "GET":
        form.budget.data = str(program.budget_idr)
        form.fiscal_year.data = str(program.fiscal_year)
        form.funding_source.data = program.funding_source.value
    form.target_regions.choices = [SelectChoice(r.code, r.name)
                                   for r in services.kaltim_regencies()]
    return form


def _program_data(form: ProgramForm) -> services.ProgramData:
    return services.ProgramData(
        name=form.name.data, fiscal_year=form.fiscal_year.data,
        funding_source=form.funding_source.data, budget=form.budget.data,
        legal_basis=form.legal_basis.data or "", target_sectors=form.target_sectors.data or [],
        target_regions=form.target_regions.data or [])


@bp.route("/dinas/program/baru", methods=["GET", "POST"])
@role_required(Role.STAFF)
def new():
    form = _program_form()
    if form.validate_on_submit():
        try:
            program = services.create_program(current_user._get_current_object(),
                                              _program_data(form))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The programme has been created."), "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_template("programs/form.html", form=form, program=None)


@bp.route("/dinas/program/<int:program_id>/ubah", methods=["GET", "POST"])
@role_required(Role.STAFF)
def edit(program_id: int):
    program = _program(program_id)
    form = _program_form(program)
    if form.validate_on_submit():
        try:
            services.update_program(current_user._get_current_object(), program,
                                    _program_data(form))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The programme has been saved."), "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_template("programs/form.html", form=form, program=program)


@bp.get("/dinas/program/<int:program_id>")
@role_required(Role.STAFF)
def detail(program_id: int):
    program = _program(program_id)
    grants = services.program_grants(program)
    regencies = {r.code: r.name for r in services.kaltim_regencies()}
    return render_template(
        "programs/detail.html", program=program, grants=grants,
        imports=services.program_imports(program),
        places=services.region_labels({g.producer.region_code or "" for g in grants}),
        target_sectors=[str(label) for sector, label in SECTOR_LABELS.items()
                        if sector.value in program.target_sectors],
        target_regions=[regencies.get(code, code) for code in program.target_regions])


# --- grants --------------------------------------------------------------------------------

@bp.route("/dinas/program/<int:program_id>/hibah/baru", methods=["GET", "POST"])
@role_required(Role.STAFF)
def grant_new(program_id: int):
    program = _program(program_id)
    form = GrantForm()
    form.producer_id.choices = [SelectChoice("0", _("Choose a producer"))] + [
        SelectChoice(str(p.id), p.name) for p in services.grant_candidates(program)]
    if form.validate_on_submit():
        data = services.GrantData(
            producer_id=form.producer_id.data, handover_date=form.handover_date.data,
            handover_place=form.handover_place.data or "", bast_number=form.bast_number.data or "",
            items=[ItemData(**{k: v or "" for k, v in row.data.items()}) for row in form.items])
        try:
            services.add_grant(current_user._get_current_object(), program, data)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The grant has been recorded."), "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_template("programs/grant_form.html", form=form, program=program)


# --- recipient import ----------------------------------------------------------------------

@bp.get("/dinas/program/contoh-penerima-bantuan.csv")
@role_required(Role.STAFF)
def example_file():
    # Small: sent from memory, so no file handle outlives the request.
    return Response(services.EXAMPLE_FILE.read_bytes(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={services.EXAMPLE_FILE.name}"})


def _stash() -> dict[str, object] | None:
    stash = session.get(_STASH)
    return stash if isinstance(stash, dict) else None


def _forget_stash(delete: bool = True) -> None:
    stash = session.pop(_STASH, None)
    if delete and isinstance(stash, dict):
        services.discard_stashed(str(stash.get("key", "")))


@bp.route("/dinas/program/<int:program_id>/impor", methods=["GET", "POST"])
@role_required(Role.STAFF)
def import_upload(program_id: int):
    program = _program(program_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(MAX_BYTES + 1)
        actor = current_user._get_current_object()
        try:
            preview = services.preview_recipients(actor, program, data, upload.filename or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            _forget_stash()
            key, sha256 = services.stash_upload(data)
            session[_STASH] = {"program_id": program.id, "key": key, "sha256": sha256,
                               "filename": preview.filename}
            return redirect(url_for("programs.import_preview", program_id=program.id))
    return render_template("programs/import_upload.html", form=form, program=program)


def _stashed_preview(program: AidProgram):  # type: ignore[no-untyped-def]
    """The stashed file of this programme, checked again; None (and a message) if gone."""
    stash = _stash()
    if stash is None or stash.get("program_id") != program.id:
        flash(_("Upload the recipient list first."), "info")
        return None, None
    actor = current_user._get_current_object()
    try:
        data = services.read_stashed(str(stash["key"]), str(stash["sha256"]))
        return data, services.preview_recipients(actor, program, data, str(stash["filename"]))
    except ServiceError as error:
        _forget_stash()
        flash(str(error.message), "error")
        return None, None


@bp.get("/dinas/program/<int:program_id>/impor/pratinjau")
@role_required(Role.STAFF)
def import_preview(program_id: int):
    program = _program(program_id)
    _data, preview = _stashed_preview(program)
    if preview is None:
        return redirect(url_for("programs.import_upload", program_id=program.id))
    form = ConfirmImportForm(sha256=preview.sha256)
    return render_template("programs/import_preview.html", program=program, preview=preview,
                           form=form, upload_form=ImportForm(), type_labels=TYPE_LABELS,
                           sector_labels=SECTOR_LABELS)


@bp.post("/dinas/program/<int:program_id>/impor/konfirmasi")
@role_required(Role.STAFF)
def import_confirm(program_id: int):
    program = _program(program_id)
    form = ConfirmImportForm()
    stash = _stash()
    if not form.validate_on_submit() or stash is None or form.sha256.data != stash.get("sha256"):
        flash(_("This preview is out of date. Check the latest upload before importing."),
              "error")
        return redirect(url_for("programs.import_preview", program_id=program.id))
    data, preview = _stashed_preview(program)
    if data is None or preview is None:
        return redirect(url_for("programs.import_upload", program_id=program.id))
    try:
        record = services.import_recipients(current_user._get_current_object(), program, data,
                                            preview.filename)
    except ServiceError as error:
        flash(str(error.message), "error")
        return redirect(url_for("programs.import_preview", program_id=program.id))
    _forget_stash()
    flash(_("Import finished: %(producers)d new producers, %(grants)d new grants, %(skipped)d "
            "rows skipped.", producers=record.producers_created, grants=record.grants_created,
            skipped=record.rows_skipped), "success")
    return redirect(url_for("programs.detail", program_id=program.id))


@bp.post("/dinas/program/<int:program_id>/impor/batal")
@role_required(Role.STAFF)
def import_cancel(program_id: int):
    program = _program(program_id)
    if ConfirmImportForm().validate_on_submit():
        _forget_stash()
        flash(_("The upload has been discarded."), "info")
    return redirect(url_for("programs.import_upload", program_id=program.id))
