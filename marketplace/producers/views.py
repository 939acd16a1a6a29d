"""A producer's own pages: dashboard, business profile, logo and banner, members and
invitations.

Who may open what: a producer's pages are for its members (and agency staff); anyone else
gets 404, so the pages do not reveal which producers exist. Owner-only actions answer 403 to
other members. The rules themselves live in producers.services and producers.members.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.file import FileField

from marketplace.accounts.access import role_required, signed_in_user
from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.extensions import db, limiter
from marketplace.forms import show_error
from marketplace.media.storage import get_storage
from marketplace.notifications.services import notice_text, notices_for
from marketplace.orders import queries as order_queries
from marketplace.producers import banner as banner_rules
from marketplace.producers import members as member_rules
from marketplace.producers import services
from marketplace.producers.forms import (
    ConfirmForm,
    InviteForm,
    ProfileForm,
    RoleForm,
)
from marketplace.producers.models import (
    Invitation,
    MemberRole,
    Producer,
    ProducerMember,
    ProducerStatus,
)
from marketplace.producers.validation import whatsapp_link
from marketplace.regions.choices import chosen_regency, region_path, village_postal_code

bp = Blueprint("producers", __name__)

#: Statuses whose page shows the agency's reason.
REASON_SHOWN = frozenset({ProducerStatus.CHANGES_NEEDED, ProducerStatus.REJECTED,
                          ProducerStatus.SUSPENDED})
LOGO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
T = TypeVar("T")


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"producer_status_labels": services.STATUS_LABELS,
            "producer_type_labels": services.TYPE_LABELS,
            "sector_labels": services.SECTOR_LABELS,
            "member_role_labels": member_rules.ROLE_LABELS}



def _load(producer_id: int) -> Producer:
    """The producer, for its members and agency staff; 404 for everyone else."""
    producer = services.get_producer(producer_id)
    if producer is None:
        abort(404)
    if not current_user.is_staff and services.membership(signed_in_user(), producer) is None:
        abort(404)
    return producer


# --- dashboard and profile -----------------------------------------------------------------

@bp.get("/produsen")
@role_required(Role.PRODUCER)
def dashboard():
    producers = services.producers_of(signed_in_user())
    return render_template("producers/dashboard.html", producers=producers,
                           order_counts=order_queries.status_counts([p.id for p in producers]))


@bp.route("/produsen/baru", methods=["GET", "POST"])
@role_required(Role.PRODUCER, Role.BUYER)
def new():
    form = ProfileForm()
    _prepare_profile_form(form, None)
    if _saving(form):
        producer = _save_profile(form, None)
        if producer is not None:
            flash(_("Your business profile has been created. Complete it and upload your "
                    "documents, then submit it for verification."), "success")
            return redirect(url_for("producers.detail", producer_id=producer.id))
    return render_template("producers/edit.html", form=form, producer=None)


@bp.get("/produsen/<int:producer_id>")
@login_required
def detail(producer_id: int):
    producer = _load(producer_id)
    notices = [(notice, notice_text(notice)) for notice in notices_for(producer)]
    return render_template(
        "producers/detail.html", producer=producer, notices=notices,
        show_reason=producer.status in REASON_SHOWN and bool(producer.status_reason),
        grants=services.grants_received(producer), region=region_path(producer.region_code),
        member=services.membership(signed_in_user(), producer),
        whatsapp=whatsapp_link(producer.whatsapp) if producer.whatsapp else "")


@bp.route("/produsen/<int:producer_id>/profil", methods=["GET", "POST"])
@login_required
def edit(producer_id: int):
    producer = _load(producer_id)
    form = ProfileForm(obj=None if request.method == "POST" else producer)
    _prepare_profile_form(form, producer)
    if _saving(form) and _save_profile(form, producer) is not None:
        flash(_("The profile has been saved."), "success")
        return redirect(url_for("producers.detail", producer_id=producer.id))
    return render_template("producers/edit.html", form=form, producer=producer)


def _prepare_profile_form(form: ProfileForm, producer: Producer | None) -> None:
    """Choose the kabupaten/kota whose villages the form lists, without JavaScript: the one
    just chosen (the "Show villages" button or ?kab=), else the current village's."""
    regency = chosen_regency(request.form.get("kabupaten") if request.method == "POST" else None,
                             request.args.get("kab"), form.region_code.data,
                             producer.regency_code if producer else None)
    form.fill_regions(regency)
    if not form.postal_code.data:
        form.postal_code.data = village_postal_code(form.region_code.data)


def _saving(form: ProfileForm) -> bool:
    """A POST that saves (not the "Show villages" step) and passes the form's own checks."""
    return request.form.get("action") != "choose_region" and form.validate_on_submit()


def _profile_data(form: ProfileForm) -> services.ProfileData:
    return services.ProfileData(
        name=form.name.data or "", type=form.type.data or "", sector=form.sector.data or "",
        owner_name=form.owner_name.data or "", story=form.story.data or "",
        region_code=form.region_code.data or None,
        street_address=form.street_address.data or "", postal_code=form.postal_code.data or "",
        phone=form.phone.data or "", whatsapp=form.whatsapp.data or "",
        nib=form.nib.data or None, npwp=form.npwp.data or None,
        year_started=form.year_started.data, workers_total=form.workers_total.data or 0,
        workers_women=form.workers_women.data or 0, halal_claimed=bool(form.halal_claimed.data))


def _save_profile(form: ProfileForm, producer: Producer | None) -> Producer | None:
    """Create or update; the logo and banner are checked first, so a bad file changes
    nothing (a banner stored but not used is deleted again)."""
    banner = None
    try:
        logo = _upload(form.logo, services.LOGO_MAX_BYTES, services.prepare_logo)
        banner = _upload(form.banner, banner_rules.BANNER_MAX_BYTES,
                         banner_rules.prepare_banner)
        if producer is None:
            producer = services.create_producer(signed_in_user(), _profile_data(form))
        else:
            services.update_profile(signed_in_user(), producer, _profile_data(form))
        if logo is not None:
            services.set_logo(signed_in_user(), producer, logo)
        if banner is not None:
            stored, banner = banner, None  # set_banner deletes it itself if it fails
            banner_rules.set_banner(signed_in_user(), producer, stored)
    except ServiceError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    finally:
        if banner is not None:
            banner_rules.discard_banner(banner)
    return producer


def _upload(field: FileField, max_bytes: int, prepare: Callable[[bytes], T]) -> T | None:
    """The chosen file, read (one byte over the limit at most) and prepared; None if none."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return prepare(upload.read(max_bytes + 1))


@bp.get("/produsen/<int:producer_id>/logo")
def logo(producer_id: int):
    """Public producers' logos for anyone; others' for their members and staff only."""
    producer = services.get_producer(producer_id)
    if producer is None or not producer.logo_key or not services.can_view(current_user,
                                                                          producer):
        abort(404)
    try:
        data = get_storage().read(producer.logo_key)
    except (FileNotFoundError, ValueError):
        abort(404)
    extension = producer.logo_key.rsplit(".", 1)[-1]
    response = Response(data, mimetype=LOGO_TYPES.get(extension, "application/octet-stream"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = ("public, max-age=86400" if producer.is_public
                                         else "private, no-cache")
    return response


@bp.post("/produsen/<int:producer_id>/banner/hapus")
@login_required
def remove_banner(producer_id: int):
    producer = _load(producer_id)
    banner_rules.remove_banner(signed_in_user(), producer)  # _load: a member or staff
    flash(_("The banner has been removed."), "success")
    return redirect(url_for("producers.edit", producer_id=producer.id))


# --- members and invitations ---------------------------------------------------------------

@bp.route("/produsen/<int:producer_id>/anggota", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@login_required
def members(producer_id: int):
    producer = _load(producer_id)
    me = services.membership(signed_in_user(), producer)
    is_owner = me is not None and me.role is MemberRole.OWNER
    form = InviteForm()
    if request.method == "POST":
        if not is_owner:
            abort(403)
        if form.validate_on_submit():
            try:
                member_rules.invite(signed_in_user(), producer, form.email.data, form.role.data)
            except ServiceError as error:
                show_error(form, error)
            else:
                flash(_("An invitation has been sent to %(email)s. The link works for "
                        "%(days)d days.", email=form.email.data.lower(),
                        days=member_rules.INVITATION_DAYS), "success")
                return redirect(url_for("producers.members", producer_id=producer.id))
    return render_template(
        "producers/members.html", producer=producer, form=form, me=me, is_owner=is_owner,
        members=member_rules.members_of(signed_in_user(), producer),
        invitations=member_rules.pending_invitations(signed_in_user(), producer),
        role_form=RoleForm(), owners=sum(
            1 for m in producer.members if m.role is MemberRole.OWNER))


def _member(producer: Producer, member_id: int) -> ProducerMember:
    member = db.session.get(ProducerMember, member_id)
    if member is None or member.producer_id != producer.id:
        abort(404)
    return member


@bp.route("/produsen/<int:producer_id>/anggota/<int:member_id>/hapus",
          methods=["GET", "POST"])
@login_required
def remove_member(producer_id: int, member_id: int):
    producer = _load(producer_id)
    member = _member(producer, member_id)
    leaving = member.user_id == current_user.id
    try:
        services.require_member(signed_in_user(), producer, owner=not leaving)
    except services.AccessDenied:
        abort(403)
    if request.method == "POST":
        try:
            member_rules.remove_member(signed_in_user(), producer, member.id)
        except ServiceError as error:
            flash(str(error.message), "error")
            return redirect(url_for("producers.members", producer_id=producer.id))
        if leaving:
            flash(_("You have left %(name)s.", name=producer.name), "success")
            return redirect(url_for("producers.dashboard"))
        flash(_("%(name)s is no longer a member.", name=member.user.name), "success")
        return redirect(url_for("producers.members", producer_id=producer.id))
    return render_template("producers/confirm_remove.html", producer=producer, member=member,
                           leaving=leaving, form=ConfirmForm())


@bp.post("/produsen/<int:producer_id>/anggota/<int:member_id>/peran")
@login_required
def change_role(producer_id: int, member_id: int):
    producer = _load(producer_id)
    member = _member(producer, member_id)
    form = RoleForm()
    try:
        member_rules.change_role(signed_in_user(), producer, member.id, form.role.data or "")
    except services.AccessDenied:
        abort(403)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The role of %(name)s has been changed.", name=member.user.name), "success")
    return redirect(url_for("producers.members", producer_id=producer.id))


@bp.route("/produsen/<int:producer_id>/undangan/<int:invitation_id>/batal",
          methods=["GET", "POST"])
@login_required
def revoke_invitation(producer_id: int, invitation_id: int):
    producer = _load(producer_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.producer_id != producer.id:
        abort(404)
    try:
        services.require_member(signed_in_user(), producer, owner=True)
    except services.AccessDenied:
        abort(403)
    if request.method == "POST":
        try:
            member_rules.revoke_invitation(signed_in_user(), producer, invitation.id)
        except ServiceError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The invitation to %(email)s has been cancelled.", email=invitation.email),
                  "success")
        return redirect(url_for("producers.members", producer_id=producer.id))
    return render_template("producers/confirm_revoke.html", producer=producer,
                           invitation=invitation, form=ConfirmForm())


@bp.route("/undangan/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = member_rules.find_invitation(token)
    state = member_rules.invitation_state(invitation) if invitation else "unknown"
    if invitation is None or state != "pending":
        return render_template("producers/invitation.html", invitation=None, state=state,
                               message=member_rules.INVITATION_STATE_MESSAGES[state]), (
            404 if invitation is None else 410)
    producer = services.get_producer(invitation.producer_id)
    problem = None
    if current_user.is_authenticated:
        try:
            member_rules.check_acceptable(signed_in_user(), invitation)
            if request.method == "POST":
                member_rules.accept_invitation(signed_in_user(), token)
                flash(_("Welcome to %(name)s!", name=producer.name), "success")
                return redirect(url_for("producers.detail", producer_id=invitation.producer_id))
        except ServiceError as error:
            problem = str(error.message)
    elif request.method == "POST":
        return redirect(url_for("accounts.login", next=request.path))
    return render_template("producers/invitation.html", invitation=invitation, state=state,
                           producer=producer, problem=problem, form=ConfirmForm(),
                           masked_email=_mask_email(invitation.email)), (
        409 if problem and request.method == "POST" else 200)


def _mask_email(address: str) -> str:
    """"ani@example.test" -> "a**@example.test": enough to recognise, not to harvest."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 2)}@{domain}"
