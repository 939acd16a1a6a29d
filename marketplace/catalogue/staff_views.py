"""Agency pages of the catalogue: staff moderation of published products (/dinas/produk)
and the admins' category tree (/admin/kategori). Registered on the catalogue_manage
blueprint by catalogue.manage_views."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.accounts.access import role_required, signed_in_user
from marketplace.accounts.models import Role
from marketplace.catalogue import categories, moderation
from marketplace.catalogue.forms import (
    ActionForm,
    CategoryEditForm,
    CategoryForm,
    UnpublishForm,
)
from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error

QUERY_MAX = 100


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/dinas/produk", "staff_products", staff_products, methods=["GET"])
    bp.add_url_rule("/dinas/produk/<int:product_id>/turunkan", "staff_unpublish",
                    staff_unpublish, methods=["GET", "POST"])
    bp.add_url_rule("/admin/kategori", "categories", category_list, methods=["GET", "POST"])
    bp.add_url_rule("/admin/kategori/<int:category_id>", "category_update", category_update,
                    methods=["POST"])
    bp.add_url_rule("/admin/kategori/<int:category_id>/hapus", "category_delete",
                    category_delete, methods=["POST"])



# --- staff moderation ------------------------------------------------------------------------

@role_required(Role.STAFF)
def staff_products():
    query = (request.args.get("q") or "").strip()[:QUERY_MAX]
    raw_page = (request.args.get("page") or "1").strip()
    page_number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    page = moderation.published_products(query, page_number)
    return render_template("catalogue/manage/staff_products.html", page=page, query=query)


@role_required(Role.STAFF)
def staff_unpublish(product_id: int):
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    form = UnpublishForm()
    if product.status is not ProductStatus.PUBLISHED and request.method == "GET":
        flash(_("This product is not published."), "info")
        return redirect(url_for(".staff_products"))
    if form.validate_on_submit():
        try:
            moderation.staff_unpublish(signed_in_user(), product, form.reason.data or "")
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("“%(name)s” is no longer published. The producer has been told why.",
                    name=product.name), "success")
            return redirect(url_for(".staff_products"))
    return render_template("catalogue/manage/staff_unpublish.html", product=product, form=form)


# --- categories (admins) ---------------------------------------------------------------------

@role_required(Role.ADMIN)
def category_list():
    form = CategoryForm()
    form.fill_parents()
    if form.validate_on_submit():
        parent = str(form.parent_id.data or "")
        try:
            category = categories.create_category(
                signed_in_user(), form.name_id.data or "", form.name_en.data or "",
                int(parent) if parent.isdigit() else (-1 if parent else None),
                form.position.data)
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The category “%(name)s” has been added.", name=category.name_id),
                  "success")
            return redirect(url_for(".categories"))
    return _category_page(form)


def _category_page(form: CategoryForm, edited: CategoryEditForm | None = None,
                   edited_id: int | None = None):
    tree = categories.tree()
    edit_forms = {}
    for category in [c for top in tree for c in (top, *top.children)]:
        edit_forms[category.id] = (edited if category.id == edited_id else
                                   CategoryEditForm(prefix=f"c{category.id}", obj=category,
                                                    formdata=None))
    return render_template("catalogue/manage/categories.html", form=form, tree=tree,
                           edit_forms=edit_forms, counts=categories.product_counts(),
                           action_form=ActionForm())


def _category(category_id: int) -> Category:
    category = categories.get_category(category_id)
    if category is None:
        abort(404)
    return category


@role_required(Role.ADMIN)
def category_update(category_id: int):
    category = _category(category_id)
    form = CategoryEditForm(prefix=f"c{category.id}")
    if form.validate_on_submit():
        try:
            categories.update_category(signed_in_user(), category, form.name_id.data or "",
                                       form.name_en.data or "", form.position.data)
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The category has been saved."), "success")
            return redirect(url_for(".categories", _anchor=f"category-{category.id}"))
    new_form = CategoryForm(formdata=None)
    new_form.fill_parents()
    return _category_page(new_form, form, category.id)


@role_required(Role.ADMIN)
def category_delete(category_id: int):
    category = _category(category_id)
    name = category.name_id
    try:
        categories.delete_category(signed_in_user(), category)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("The category “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for(".categories"))
