"""Managing the catalogue: a producer's members manage its products and their photos
(/produsen/<id>/produk...); staff moderation and the admins' category tree are in
catalogue.staff_views, registered on the same blueprint.

Who may open what: a producer's product pages are for its members only; anyone else gets
404, so the pages reveal neither which producers exist nor their drafts. A product (or photo)
of another producer in the URL is a 404 as well.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from markupsafe import Markup

from marketplace.accounts.access import signed_in_user
from marketplace.catalogue import photos as photo_rules
from marketplace.catalogue import services, staff_views
from marketplace.catalogue.forms import (
    VARIANT_ROWS,
    ActionForm,
    AltTextForm,
    PhotoForm,
    ProductForm,
)
from marketplace.catalogue.models import Product, ProductPhoto
from marketplace.catalogue.variants import MAX_VARIANTS
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error
from marketplace.media.photos import photo_url, srcset
from marketplace.producers.access import member_producer_or_404
from marketplace.producers.models import Producer

bp = Blueprint("catalogue_manage", __name__)
staff_views.register(bp)


@bp.app_template_filter("product_description")
def _product_description(text: str) -> Markup:
    """A stored (sanitised) description as HTML, line breaks kept: for every page."""
    return services.description_html(text)


@bp.app_context_processor
def _catalogue_helpers() -> dict[str, object]:
    return {"processing_labels": services.PROCESSING_LABELS,
            "product_status_labels": services.STATUS_LABELS,
            "photo_url": photo_url, "photo_srcset": srcset}



def _product(producer: Producer, product_id: int) -> Product:
    product = services.get_product(producer, product_id)
    if product is None:
        abort(404)
    return product


# --- products --------------------------------------------------------------------------------

@bp.get("/produsen/<int:producer_id>/produk")
@login_required
def products(producer_id: int):
    producer = member_producer_or_404(producer_id)
    items = services.products_of(producer)
    return render_template("catalogue/manage/products.html", producer=producer, products=items,
                           problems={p.id: services.publish_problem(p) for p in items})


@bp.route("/produsen/<int:producer_id>/produk/baru", methods=["GET", "POST"])
@login_required
def new_product(producer_id: int):
    producer = member_producer_or_404(producer_id)
    form = ProductForm()
    form.fill_categories()
    refused = False
    if form.validate_on_submit():
        try:
            product = services.create_product(signed_in_user(), producer, _product_data(form))
        except ServiceError as error:
            show_error(form, error)
            refused = True
        else:
            flash(_("The product has been saved as a draft. Add photos, then publish it."),
                  "success")
            return redirect(url_for(".photos", producer_id=producer.id, product_id=product.id))
    form.pad_variants()
    return render_template("catalogue/manage/edit.html", form=form, producer=producer,
                           product=None, refused=refused or bool(form.errors))


@bp.route("/produsen/<int:producer_id>/produk/<int:product_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_product(producer_id: int, product_id: int):
    producer = member_producer_or_404(producer_id)
    product = _product(producer, product_id)
    form = ProductForm(data=None if request.method == "POST" else _form_data(product))
    form.fill_categories()
    refused = False
    if form.validate_on_submit():
        try:
            services.update_product(signed_in_user(), product, _product_data(form))
        except ServiceError as error:
            show_error(form, error)
            refused = True
        else:
            flash(_("The product has been saved."), "success")
            return redirect(url_for(".products", producer_id=producer.id))
    form.pad_variants(min(MAX_VARIANTS, max(VARIANT_ROWS, len(form.variants.entries) + 2)))
    return render_template("catalogue/manage/edit.html", form=form, producer=producer,
                           product=product, refused=refused or bool(form.errors))


def _form_data(product: Product) -> dict[str, object]:
    """What the edit form shows for a saved product."""
    values: dict[str, object] = {name: getattr(product, name) for name in (
        "name", "raw_material", "raw_material_origin", "pirt_number", "halal_number",
        "weight_grams", "min_order_qty")}
    for name in ("length_cm", "width_cm", "height_cm"):
        values[name] = getattr(product, name) or None  # 0 means "not given"
    values.update(
        description=services.description_for_editing(product.description),
        category_id=str(product.category_id), processing_level=product.processing_level.value,
        variants=[{"variant_id": str(v.id), "name": v.name, "price": v.price_idr,
                   "stock": v.stock, "sku": v.sku} for v in product.variants])
    return values


def _product_data(form: ProductForm) -> services.ProductData:
    category = str(form.category_id.data or "")
    return services.ProductData(
        name=form.name.data or "", description=form.description.data or "",
        category_id=int(category) if category.isdigit() else None,
        processing_level=form.processing_level.data or "",
        raw_material=form.raw_material.data or "",
        raw_material_origin=form.raw_material_origin.data or "",
        pirt_number=form.pirt_number.data or "", halal_number=form.halal_number.data or "",
        weight_grams=form.weight_grams.data, length_cm=form.length_cm.data,
        width_cm=form.width_cm.data, height_cm=form.height_cm.data,
        min_order_qty=form.min_order_qty.data,
        variants=[_variant_data(row.form) for row in form.variants])


def _variant_data(row: FlaskForm) -> services.VariantData:
    raw_id = str(row.variant_id.data or "").strip()
    return services.VariantData(
        name=row.name.data or "", price_idr=row.price.data, stock=row.stock.data,
        sku=row.sku.data or "",
        variant_id=int(raw_id) if raw_id.isdigit() else (-1 if raw_id else None))


_STATUS_ACTIONS = {
    "terbitkan": (services.publish, _l("The product is published: buyers can find it now.")),
    "draf": (services.unpublish, _l("The product is a draft again: buyers no longer see it.")),
    "arsipkan": (services.archive, _l("The product is archived.")),
}


@bp.post("/produsen/<int:producer_id>/produk/<int:product_id>/<any(terbitkan, draf, "
         "arsipkan):action>")
@login_required
def change_status(producer_id: int, product_id: int, action: str):
    """Publish, back to draft, or archive (buttons on the product list)."""
    producer = member_producer_or_404(producer_id)
    product = _product(producer, product_id)
    change, message = _STATUS_ACTIONS[action]
    try:
        change(signed_in_user(), product)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(str(message), "success")
    return redirect(url_for(".products", producer_id=producer.id, _anchor=f"product-{product.id}"))


# --- photos ----------------------------------------------------------------------------------

@bp.route("/produsen/<int:producer_id>/produk/<int:product_id>/foto", methods=["GET", "POST"])
@login_required
def photos(producer_id: int, product_id: int):
    producer = member_producer_or_404(producer_id)
    product = _product(producer, product_id)
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        data = upload.read(photo_rules.MAX_BYTES + 1) if getattr(upload, "filename", "") else b""
        try:
            photo_rules.add_photo(signed_in_user(), product, data, form.alt_text.data or "")
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The photo has been added."), "success")
            return redirect(url_for(".photos", producer_id=producer.id, product_id=product.id))
    ordered = sorted(product.photos, key=lambda p: (p.position, p.id))
    return render_template(
        "catalogue/manage/photos.html", producer=producer, product=product, form=form,
        photos=ordered, alt_forms={p.id: AltTextForm(prefix=f"p{p.id}", obj=p) for p in ordered},
        action_form=ActionForm(), max_photos=photo_rules.MAX_PHOTOS)


def _photo(product: Product, photo_id: int) -> ProductPhoto:
    photo = photo_rules.get_photo(product, photo_id)
    if photo is None:
        abort(404)
    return photo


@bp.post("/produsen/<int:producer_id>/produk/<int:product_id>/foto/<int:photo_id>/"
         "<any(naik, turun, hapus, alt):action>")
@login_required
def photo_action(producer_id: int, product_id: int, photo_id: int, action: str):
    """Move a photo up or down, delete it, or change its alt text."""
    producer = member_producer_or_404(producer_id)
    product = _product(producer, product_id)
    photo = _photo(product, photo_id)
    try:  # the CSRF token is checked for every POST; the service checks the rest
        if action == "alt":
            alt_text = AltTextForm(prefix=f"p{photo.id}").alt_text.data or ""
            photo_rules.set_alt_text(signed_in_user(), product, photo, alt_text)
        elif action == "hapus":
            photo_rules.remove_photo(signed_in_user(), product, photo)
        else:
            photo_rules.move_photo(signed_in_user(), product, photo,
                                   "up" if action == "naik" else "down")
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("The photos have been updated."), "success")
    return redirect(url_for(".photos", producer_id=producer.id, product_id=product.id))
