"""What search engines and link previews read: absolute URLs, Open Graph, schema.org JSON-LD.

Every absolute address is built from PUBLIC_BASE_URL (links.external_url), never from the
request's Host header.
"""

from __future__ import annotations

from flask import current_app

from marketplace.catalogue.models import Product, ProductPhoto
from marketplace.catalogue.services import plain_text
from marketplace.links import external_url
from marketplace.media.photos import photo_url
from marketplace.producers.models import Producer

#: The rendition link previews use (WhatsApp, Facebook): 640 px wide WebP.
SHARE_WIDTH = 640
DESCRIPTION_MAX = 300
IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"


def absolute(url: str) -> str:
    """An app-relative URL made absolute with PUBLIC_BASE_URL (a CDN URL stays as it is)."""
    if url.startswith(("https://", "http://")):
        return url
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url


def share_width(widths: list[int]) -> int:
    """The 640 px rendition, or the nearest smaller one (photos narrower than 640 px)."""
    ordered = sorted(int(w) for w in widths)
    smaller = [w for w in ordered if w <= SHARE_WIDTH]
    return smaller[-1] if smaller else ordered[0]


def photo_share_url(photo: ProductPhoto | None) -> str:
    if photo is None or not photo.widths:
        return ""
    return absolute(photo_url(photo.key_prefix, share_width(photo.widths)))


def summary(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """Plain text for meta descriptions: tags dropped, whitespace folded, cut at a word."""
    words = " ".join(plain_text(text).split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0] + "…"


def product_url(product: Product) -> str:
    return external_url("catalogue.product", product_id=product.id, slug=product.slug)


def storefront_url(producer: Producer) -> str:
    return external_url("catalogue.storefront", slug=producer.slug)


def product_json_ld(product: Product) -> dict[str, object]:
    """schema.org Product: one Offer per variant, the producer as brand and seller.
    Rendered with Jinja's |tojson, which escapes <, > and & (no </script> breaks out)."""
    producer = product.producer
    url = product_url(product)
    seller = {"@type": "Organization", "name": producer.name, "url": storefront_url(producer)}
    offers = [{
        "@type": "Offer",
        "name": " - ".join(part for part in (product.name, variant.name) if part),
        "sku": variant.sku or f"{product.id}-{variant.id}",
        "price": str(variant.price_idr),
        "priceCurrency": "IDR",
        "availability": IN_STOCK if variant.stock > 0 else OUT_OF_STOCK,
        "url": url,
        "seller": seller,
    } for variant in product.variants]
    first = product.variants[0] if product.variants else None
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": summary(product.description, 1000),
        "url": url,
        "sku": (first.sku if first and first.sku else str(product.id)),
        "image": [photo_share_url(photo) for photo in product.photos if photo.widths],
        "brand": {"@type": "Brand", "name": producer.name},
        "category": product.category.name_id if product.category else "",
        "offers": offers,
    }
    if product.weight_grams:
        data["weight"] = {"@type": "QuantitativeValue", "value": product.weight_grams,
                          "unitCode": "GRM"}
    return data
