"""The catalogue's URL parameters, read and checked: what to search for, which filters, which
order and page. Unknown or absurd values are left out with a message, never an error page.

Parameters: q (words), category (a category slug; a top category includes its
subcategories), kab (a Kaltim kabupaten/kota code, e.g. 64.03), min and max (whole Rupiah;
"150.000" and "Rp150.000" are understood), level (a processing level), sort (relevance,
newest, price, price_desc), page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from marketplace.catalogue import queries
from marketplace.catalogue.models import ProcessingLevel
from marketplace.catalogue.search import PRICE_LIMIT, QUERY_MAX, Filters, Sort


@dataclass
class Params:
    """A catalogue request, checked: what to search, and what was refused (and why)."""

    query: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: Sort | None = None
    page: int = 1
    category: queries.CategoryInfo | None = None
    errors: list[object] = field(default_factory=list)
    #: The request's values as understood, for links (pagination, sorting) and the form.
    values: dict[str, str] = field(default_factory=dict)


def read_params(args: Mapping[str, str], tree: list[queries.CategoryNode] | None = None,
                regencies: Mapping[str, str] | None = None) -> Params:
    """Turn the catalogue's URL parameters into a search; unknown or absurd values are
    left out with a message (never an error page)."""
    params = Params(query=(args.get("q") or "").strip()[:QUERY_MAX])
    if params.query:
        params.values["q"] = params.query
    category_ids = _read_category(args, params, tree if tree is not None
                                  else queries.category_tree())
    regency = _read_choice(args, "kab", regencies if regencies is not None
                           else queries.regencies(), params,
                           _l("That kabupaten/kota is not one we know; showing every region."))
    levels = {level.value: level for level in ProcessingLevel}
    level = _read_choice(args, "level", levels, params,
                         _l("Unknown processing level; showing every level."))
    price_min = _read_price(args, "min", params)
    price_max = _read_price(args, "max", params)
    if price_min is not None and price_max is not None and price_min > price_max:
        params.errors.append(_l("The lowest price was above the highest: they were swapped."))
        price_min, price_max = price_max, price_min
        params.values["min"], params.values["max"] = str(price_min), str(price_max)
    params.filters = Filters(category_ids, regency, price_min, price_max,
                             levels.get(level) if level else None)
    sort = _read_choice(args, "sort", {s.value: s for s in Sort}, params,
                        _l("Unknown sort order; sorting by relevance or newest."))
    params.sort = Sort(sort) if sort else None
    page = args.get("page", "")
    params.page = int(page) if page.isdigit() and len(page) < 10 else 1
    return params


def _read_category(args: Mapping[str, str], params: Params,
                   tree: list[queries.CategoryNode]) -> tuple[int, ...]:
    slug = (args.get("category") or "").strip()
    if not slug:
        return ()
    for node in tree:
        if node.category.slug == slug:
            params.category = node.category
            params.values["category"] = slug
            return (node.category.id, *[c.id for c in node.children])
        for child in node.children:
            if child.slug == slug:
                params.category = child
                params.values["category"] = slug
                return (child.id,)
    params.errors.append(_l("That category does not exist; showing every category."))
    return ()


def _read_choice(args: Mapping[str, str], name: str, choices: Mapping[str, object],
                 params: Params, message: object) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in choices:
        params.errors.append(message)
        return None
    params.values[name] = value
    return value


def _read_price(args: Mapping[str, str], name: str, params: Params) -> int | None:
    """Whole Rupiah; "150.000", "150000" and "Rp150.000" all mean 150000."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    digits = raw.removeprefix("Rp").removeprefix("rp").replace(".", "").replace(" ", "")
    if not digits.isdigit() or int(digits) > PRICE_LIMIT:
        params.errors.append(_l("Enter prices as whole Rupiah, e.g. 150000; the price "
                                "“%(value)s” was left out.", value=raw[:20]))
        return None
    params.values[name] = str(int(digits))
    return int(digits)
