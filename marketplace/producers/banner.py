"""The storefront banner: a wide photo above a producer's shop, stored as WebP renditions
(media.photos) and shown with ``srcset``.

Like the logo (producers.services.prepare_logo/set_logo): the upload is checked and stored
first, so a refused file changes nothing; then set_banner points the producer at it, audited,
and deletes the previous banner's files once that is committed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.media.images import ImageRejected
from marketplace.media.photos import StoredPhoto, delete_photo, store_photo
from marketplace.producers.models import Producer
from marketplace.producers.services import record_event, require_member

#: A banner upload may be at most this large (bytes), before re-encoding.
BANNER_MAX_BYTES = 5 * 1024 * 1024
#: The narrowest banner accepted: the storefront always has its 320 and 640 px renditions.
BANNER_MIN_WIDTH = 640
FOLDER = "banners"


def prepare_banner(data: bytes) -> StoredPhoto:
    """Check an uploaded banner and store its renditions. ServiceError on field "banner"
    (nothing stored). The caller passes the result to set_banner, or discard_banner."""
    if len(data) > BANNER_MAX_BYTES:
        raise ServiceError(_l("The banner is too large: at most 5 MB."), "banner")
    try:
        stored = store_photo(data, FOLDER)
    except ImageRejected as error:
        raise ServiceError(_l("The banner must be a JPEG, PNG, WebP or HEIC image."),
                           "banner") from error
    if BANNER_MIN_WIDTH not in stored.widths:  # narrower than BANNER_MIN_WIDTH
        discard_banner(stored)
        raise ServiceError(_l("The banner is too narrow: it must be at least %(min)d pixels "
                              "wide (this one is %(width)d).", min=BANNER_MIN_WIDTH,
                              width=stored.width), "banner")
    return stored


def discard_banner(stored: StoredPhoto) -> None:
    """Delete a prepared banner that will not be used."""
    delete_photo(stored.key_prefix, stored.widths)


def set_banner(actor: User, producer: Producer, stored: StoredPhoto) -> None:
    """Make a prepared banner (see prepare_banner) the producer's. Members and staff; audited.
    The new files are deleted if this fails, the previous banner's once it is committed."""
    try:
        if not actor.is_staff:
            require_member(actor, producer)
        _replace(actor, producer, stored.key_prefix, list(stored.widths))
    except Exception:
        discard_banner(stored)
        raise


def remove_banner(actor: User, producer: Producer) -> None:
    """Take the banner off the storefront and delete its files. Members and staff; audited."""
    if not actor.is_staff:
        require_member(actor, producer)
    if producer.banner_key:
        _replace(actor, producer, None, None)


def _replace(actor: User, producer: Producer, key: str | None,
             widths: list[int] | None) -> None:
    before, before_widths = producer.banner_key, list(producer.banner_widths or ())
    producer.banner_key, producer.banner_widths = key, widths
    record_event(producer, actor, "banner_changed", changes={"banner_key": [before, key]})
    db.session.commit()
    if before:
        delete_photo(before, before_widths)
