"""Buyers' pages: the catalogue with search, product pages, shops and storefronts, a
producer's holiday form, and what search engines read (sitemap.xml, robots.txt).

Only what buyers may see is ever shown: every query starts from catalogue.queries
(public_products / public_producers); anything else is a 404.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

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
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import Length, Optional

from marketplace import page_cache
from marketplace.catalogue import holidays, queries, search, seo
from marketplace.catalogue.search_params import Params, read_params
from marketplace.catalogue.services import PROCESSING_LABELS, description_html
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import rupiah
from marketplace.forms import show_error
from marketplace.links import external_url
from marketplace.media.views import picture
from marketplace.page_cache import public_page
from marketplace.producers.models import Producer, Sector
from marketplace.producers.services import SECTOR_LABELS, AccessDenied, membership
from marketplace.producers.validation import whatsapp_link

bp = Blueprint("catalogue", __name__)

PER_PAGE = search.PER_PAGE
#: Products per sitemap file (the protocol allows 50,000 addresses).
SITEMAP_CHUNK = 40_000
ROBOTS_DISALLOW = ("/akun", "/admin", "/dinas", "/produsen", "/masuk", "/daftar", "/keluar",
                   "/lupa-sandi", "/atur-ulang-sandi", "/undangan", "/klaim", "/dokumen",
                   "/keranjang", "/checkout", "/bahasa", "/cari")


def _page_number() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else 1


def _pages(total: int, page: int, per_page: int) -> tuple[int, int]:
    """(page clamped to the last page, number of pages)."""
    pages = max(1, math.ceil(total / per_page))
    return min(max(1, page), pages), pages


# --- catalogue and product pages -----------------------------------------------------------

@bp.get("/produk")
@public_page
def products():
    tree = queries.category_tree()
    regencies = queries.regencies()
    params = read_params(request.args, tree, regencies)
    result = search.search(params.query, params.filters, params.sort, params.page, PER_PAGE)
    if params.page > result.pages:
        params.errors.append(_("There is no page %(page)d: this is the last page.",
                               page=params.page))
    return render_template(
        "catalogue/products.html", params=params, result=result, tree=tree,
        regencies=regencies, query=params.query, sort_labels=search.SORT_LABELS,
        level_labels=PROCESSING_LABELS, chips=_chips(params, regencies),
        # Search results and filtered lists are for people; categories are for indexes too.
        indexable=set(params.values) <= {"category"})


def _chips(params: Params, regencies: dict[str, str]) -> list[tuple[str, str]]:
    """(label, link without that filter) for every filter in use."""
    values = {k: v for k, v in params.values.items() if v}
    labels = {
        "q": _("Search: %(query)s", query=params.query) if params.query else None,
        "category": params.category.name(str(get_locale())) if params.category else None,
        "kab": regencies.get(values.get("kab", "")),
        "min": _("From %(price)s", price=rupiah(int(values["min"]))) if "min" in values
        else None,
        "max": _("Up to %(price)s", price=rupiah(int(values["max"]))) if "max" in values
        else None,
        "level": str(PROCESSING_LABELS[params.filters.level]) if params.filters.level else None,
    }
    return [(label, url_for("catalogue.products", **{k: v for k, v in values.items()
                                                      if k != key}))
            for key, label in labels.items() if label]


@bp.get("/cari")
def search_redirect():
    """The old search address: the catalogue searches now."""
    query = request.args.get("q", "").strip()[:search.QUERY_MAX]
    return redirect(url_for("catalogue.products", q=query or None), 301)


@bp.get("/produk/<int:product_id>")
@bp.get("/produk/<int:product_id>/<slug>")
@public_page
def product(product_id: int, slug: str | None = None):
    item = queries.product_page(product_id)
    if item is None:
        abort(404)
    if slug != item.slug:
        return redirect(url_for("catalogue.product", product_id=item.id, slug=item.slug), 301)
    url = seo.product_url(item)
    message = _("Hello %(producer)s, I am interested in “%(product)s” on Pasar Binaan: "
                "%(url)s", producer=item.producer.name, product=item.name, url=url)
    return render_template(
        "catalogue/product.html", product=item, canonical=url,
        description=description_html(item.description), summary=seo.summary(item.description),
        related=queries.related_products(item), regencies=queries.regencies(),
        share_image=seo.photo_share_url(item.photos[0] if item.photos else None),
        json_ld=seo.product_json_ld(item), level_labels=PROCESSING_LABELS,
        holiday=holidays.holiday_state(item.producer),
        whatsapp=whatsapp_link(item.producer.whatsapp, message) if item.producer.whatsapp
        else "")


# --- shops and storefronts -----------------------------------------------------------------

@bp.get("/toko")
@public_page
def shops():
    regencies = queries.regencies()
    regency = request.args.get("kab", "").strip()
    sector = request.args.get("sector", "").strip()
    errors = []
    if regency and regency not in regencies:
        errors.append(_("That kabupaten/kota is not one we know; showing every region."))
        regency = ""
    if sector and sector not in {s.value for s in Sector}:
        errors.append(_("Unknown sector; showing every sector."))
        sector = ""
    producers, total, page = queries.producers_page(regency or None, sector or None,
                                                    _page_number(), PER_PAGE)
    page, pages = _pages(total, page, PER_PAGE)
    return render_template(
        "catalogue/shops.html", producers=producers, total=total, page=page, pages=pages,
        errors=errors, regency=regency, sector=sector, regencies=regencies,
        sector_labels=SECTOR_LABELS, canonical=external_url("catalogue.shops"))


@bp.get("/toko/<slug>")
@public_page
def storefront(slug: str):
    producer = queries.storefront(slug)
    if producer is None:
        abort(404)
    items, total, page = queries.producer_products(producer, _page_number(), PER_PAGE)
    page, pages = _pages(total, page, PER_PAGE)
    url = seo.storefront_url(producer)
    message = _("Hello %(producer)s, I found your shop on Pasar Binaan: %(url)s",
                producer=producer.name, url=url)
    return render_template(
        "catalogue/storefront.html", producer=producer, products=items, total=total,
        page=page, pages=pages, canonical=url, region=queries.region_names(producer.region_code),
        grants=queries.grants_of(producer), holiday=holidays.holiday_state(producer),
        summary=seo.summary(producer.story), regencies=queries.regencies(),
        sector_labels=SECTOR_LABELS,
        whatsapp=whatsapp_link(producer.whatsapp, message) if producer.whatsapp else "")


class HolidayForm(FlaskForm):
    holiday_from = DateField(_l("First day closed"), validators=[Optional()])
    holiday_until = DateField(_l("Last day closed"), validators=[Optional()])
    holiday_note = StringField(
        _l("Note for buyers (optional)"), validators=[Optional(), Length(max=holidays.NOTE_MAX)],
        description=_l("For example: Closed for Idul Fitri; orders are sent after the holiday."))
    save = SubmitField(_l("Save the holiday"))
    clear = SubmitField(_l("Open the shop again"))


@bp.route("/produsen/<int:producer_id>/libur", methods=["GET", "POST"])
@login_required
def holiday(producer_id: int):
    """A producer's members close the shop for a holiday (others: 404)."""
    producer = db.session.get(Producer, producer_id)
    user = current_user._get_current_object()
    if producer is None or membership(user, producer) is None:
        abort(404)
    form = HolidayForm(obj=None if request.method == "POST" else producer)
    if form.validate_on_submit():
        try:
            if form.clear.data:
                holidays.clear_holiday(user, producer)
                flash(_("Your shop is open again."), "success")
            else:
                holidays.set_holiday(user, producer, form.holiday_from.data,
                                     form.holiday_until.data, form.holiday_note.data or "")
                flash(_("The holiday has been saved: buyers see it on your shop."), "success")
            return redirect(url_for("catalogue.holiday", producer_id=producer.id))
        except AccessDenied:
            abort(404)
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("catalogue/holiday.html", form=form, producer=producer,
                           state=holidays.holiday_state(producer), max_days=holidays.MAX_DAYS)


# --- search engines ------------------------------------------------------------------------

@bp.get("/sitemap.xml")
def sitemap():
    """Home, catalogue, shops, storefronts and products; an index of several files when
    there are more products than one file may list."""
    products = queries.count_public_products()
    if products > SITEMAP_CHUNK:
        chunks = math.ceil(products / SITEMAP_CHUNK)
        return _xml(render_template("catalogue/sitemap_index.xml", chunks=chunks))
    items = queries.sitemap_products()
    return _xml(render_template("catalogue/sitemap.xml", pages=True, products=items,
                                producers=queries.sitemap_producers(), latest=_latest(items)))


@bp.get("/sitemap-<int:chunk>.xml")
def sitemap_chunk(chunk: int):
    """Part of a large sitemap: part 1 has the pages and storefronts too."""
    if chunk < 1:
        abort(404)
    products = queries.sitemap_products(offset=(chunk - 1) * SITEMAP_CHUNK, limit=SITEMAP_CHUNK)
    if chunk > 1 and not products:
        abort(404)
    return _xml(render_template(
        "catalogue/sitemap.xml", pages=chunk == 1, products=products, latest=_latest(products),
        producers=queries.sitemap_producers() if chunk == 1 else []))


def _latest(products: list[tuple[int, str, object]]) -> object:
    """When the list pages last changed: the latest product change (None without any)."""
    return max((updated for _, _, updated in products), default=None)


def _xml(body: str) -> Response:
    response = Response(body, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Allow: /", *[f"Disallow: {path}" for path in ROBOTS_DISALLOW],
             "", f"Sitemap: {external_url('catalogue.sitemap')}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.app_template_global("product_path")
def product_path(product: object) -> str:
    """What url_for("catalogue.product", product_id=..., slug=...) gives, without asking the
    router: product grids show 8 to 24 cards a page. Slugs are [a-z0-9-] (slugify)."""
    return f"{request.script_root}/produk/{product.id}/{product.slug}"  # type: ignore[attr-defined]


#: How wide a listing's card photo is shown (the <img>'s sizes).
CARD_PHOTO_SIZES = "(min-width: 64rem) 14rem, (min-width: 40rem) 30vw, 46vw"


@bp.app_template_global("product_grid")
def product_grid(products: list[queries.Card], regencies: Mapping[str, str],
                 id: str = "") -> Markup:  # noqa: A002 - the HTML attribute
    """A listing's grid of product cards (catalogue, home, storefront, related products):
    photo, name, price, producer and kabupaten/kota, and "out of stock" when it is. Written
    in Python (every value through escape()): as Jinja macros the cards were nearly half of
    a catalogue page's rendering."""
    cards = []
    for card in products:
        name = escape(card.name)
        regency = regencies.get(card.regency_code or "")
        cards.append(
            f'<li class="product-card"><a href="{escape(product_path(card))}" '
            f'class="product-link">{picture(card.photo, CARD_PHOTO_SIZES, card.name)}'
            f'<span class="product-name">{name}</span></a>'
            f'<p class="price">{escape(rupiah(card.price_min_idr))}</p>'
            f'<p class="meta">{escape(card.producer_name)}'
            f'{" · " + escape(regency) if regency else ""}</p>'
            f'{"" if card.in_stock else _out_of_stock()}</li>')
    attribute = f' id="{escape(id)}"' if id else ""
    return Markup(f'<ul class="product-grid"{attribute}>{"".join(cards)}</ul>')  # noqa: S704


@bp.app_template_global("pagination")
def pagination(endpoint: str, page: int, pages: int, args: Mapping[str, object] | None = None,
               label: str = "") -> Markup:
    """Previous / numbers / next: the first and last pages and two either side of
    ``page``, each link keeping the page's other parameters ``args`` (None values left out,
    as url_for does). In Python: as a Jinja macro, building a link per page cost a catalogue
    page 140 us."""
    if pages <= 1:
        return Markup("")
    base = url_for(endpoint, **{k: v for k, v in (args or {}).items() if k != "page"})
    joiner = "&" if "?" in base else "?"

    def link(number: int, text: object, attributes: str = "") -> str:
        return (f'<li><a href="{escape(f"{base}{joiner}page={number}")}"{attributes}>'
                f'{escape(text)}</a></li>')

    items = [link(page - 1, _("Previous"), ' rel="prev"')] if page > 1 else []
    shown = [n for n in range(1, pages + 1) if n in (1, pages) or abs(n - page) <= 2]
    for before, number in zip([None, *shown], shown, strict=False):
        if before is not None and number - before > 1:
            items.append('<li aria-hidden="true">…</li>')
        items.append(link(number, number, ' aria-current="page"' if number == page else ""))
    if page < pages:
        items.append(link(page + 1, _("Next"), ' rel="next"'))
    return Markup(  # noqa: S704 - every value escaped
        f'<nav class="pager" aria-label="{escape(label or _("Pages"))}"><ul>'
        f'{"".join(items)}</ul></nav>')


def _out_of_stock() -> str:
    return f'<p class="stock stock-out">{escape(_("Out of stock"))}</p>'


@bp.app_template_global("category_options")
def category_options(tree: list[queries.CategoryNode], selected: str) -> Markup:
    """The category filter's <option>s for ``tree`` (queries.category_tree) with
    ``selected`` (a known slug, or "") chosen: the same for every catalogue page, so
    rendered once per language and choice and kept like the tree itself
    (page_cache.remembered). About a fifth of an uncached catalogue page's rendering
    otherwise."""
    locale = str(get_locale())
    return page_cache.remembered(
        f"category_options:{locale}:{selected}",
        lambda: Markup(render_template(  # noqa: S704 - a template's own (escaped) output
            "catalogue/_category_options.html", tree=tree, selected=selected)))


@bp.app_template_global("absolute_url")
def _absolute_url(endpoint: str, **values: object) -> str:
    return external_url(endpoint, **values)


@bp.app_template_filter("whole_number")
def _whole_number(value: int) -> str:
    """1000 -> "1.000" (Indonesian) or "1,000" (English)."""
    return format_number(value)


@bp.app_template_filter("w3c_date")
def _w3c_date(value: object) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else ""
