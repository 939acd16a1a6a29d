"""Product photos: up to eight per product, each with alt text, in the order the producer
chooses. Files go through media.photos (decoded, cleaned, stored as WebP renditions); phone
photos in HEIC work because media.images registers the pillow-heif plugin.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product, ProductPhoto, ProductStatus
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.media.images import ImageRejected
from marketplace.media.photos import StoredPhoto, delete_photo, store_photo
from marketplace.producers.services import require_member

MAX_PHOTOS = 8
ALT_MAX = 200
#: One photo upload may be at most this large (a phone photo is 2-6 MB).
MAX_BYTES = 10 * 1024 * 1024
FOLDER = "products"


def _clean_alt(alt_text: str) -> str:
    alt = " ".join((alt_text or "").split())
    if not alt or len(alt) > ALT_MAX:
        raise ServiceError(_l("Describe the photo for people who cannot see it (at most "
                              "%(max)d characters), e.g. “Tas anyaman rotan warna coklat, "
                              "tampak depan”.", max=ALT_MAX), "alt_text")
    return alt


def get_photo(product: Product, photo_id: int) -> ProductPhoto | None:
    """The photo, only if it belongs to ``product``."""
    photo = db.session.get(ProductPhoto, photo_id)
    return photo if photo is not None and photo.product_id == product.id else None


def add_photo(actor: User, product: Product, data: bytes, alt_text: str) -> ProductPhoto:
    """Check, clean and store an uploaded photo as the product's last one."""
    check_can_add(actor, product, alt_text)
    if not data:
        raise ServiceError(_l("Choose a photo to upload."), "photo")
    if len(data) > MAX_BYTES:
        raise ServiceError(_l("The photo is too large: at most 10 MB."), "photo")
    try:
        stored = store_photo(data, FOLDER)
    except ImageRejected as error:
        raise ServiceError(_l("This file is not a photo we can use. Upload a JPEG, PNG, WebP "
                              "or HEIC image (at most 40 megapixels)."), "photo") from error
    return attach_photo(actor, product, stored, alt_text)


def check_can_add(actor: User, product: Product, alt_text: str) -> None:
    require_member(actor, product.producer)
    _clean_alt(alt_text)
    if len(product.photos) >= MAX_PHOTOS:
        raise ServiceError(_l("A product has at most %(max)d photos: delete one first.",
                              max=MAX_PHOTOS), "photo")


def attach_photo(actor: User, product: Product, stored: StoredPhoto,
                 alt_text: str) -> ProductPhoto:
    """Make an already stored photo (media.photos.store_photo) the product's last photo.
    Its files are deleted again if the photo cannot be added."""
    try:
        check_can_add(actor, product, alt_text)
        photo = ProductPhoto(
            product_id=product.id, alt_text=_clean_alt(alt_text), key_prefix=stored.key_prefix,
            widths=list(stored.widths), width=stored.width, height=stored.height,
            position=1 + max((p.position for p in product.photos), default=-1))
        product.photos.append(photo)
        db.session.commit()
    except Exception:
        delete_photo(stored.key_prefix, list(stored.widths))
        raise
    return photo


def set_alt_text(actor: User, product: Product, photo: ProductPhoto, alt_text: str) -> None:
    require_member(actor, product.producer)
    photo.alt_text = _clean_alt(alt_text)
    db.session.commit()


def move_photo(actor: User, product: Product, photo: ProductPhoto, direction: str) -> None:
    """Swap the photo with its neighbour ("up": earlier, "down": later). The first photo is
    the one buyers see in listings."""
    require_member(actor, product.producer)
    if direction not in ("up", "down"):
        raise ServiceError(_l("Move a photo up or down."))
    ordered = _ordered(product)
    index = ordered.index(photo)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.commit()


def remove_photo(actor: User, product: Product, photo: ProductPhoto) -> None:
    """Delete the photo and its files. A published product keeps at least one photo."""
    require_member(actor, product.producer)
    if product.status is ProductStatus.PUBLISHED and len(product.photos) <= 1:
        raise ServiceError(_l("A published product needs at least one photo: add another "
                              "photo first, or unpublish the product."))
    key_prefix, widths = photo.key_prefix, list(photo.widths)
    product.photos.remove(photo)  # delete-orphan
    for position, item in enumerate(_ordered(product)):
        item.position = position
    db.session.commit()
    delete_photo(key_prefix, widths)


def _ordered(product: Product) -> list[ProductPhoto]:
    return sorted(product.photos, key=lambda p: (p.position, p.id))
