"""Checking an uploaded document file: its bytes decide what it is, never its name.

Accepted: PDF, JPEG and PNG, at most MAX_DOCUMENT_MB. The name's extension must agree with
the content (a PNG renamed .pdf, or a text file renamed .jpg, is refused). Images are
decoded and re-encoded by media.images.clean_copy, which drops EXIF and GPS data. A PDF
must have a PDF header, a cross-reference pointer and an end-of-file marker near its end,
and no active content (JavaScript, launch actions, embedded files) that we can see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

from marketplace.exceptions import ServiceError
from marketplace.media.images import ImageRejected, clean_copy

#: Extension from the file's name -> the kind of content it must hold.
EXTENSIONS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png"}
#: Kind of content -> (stored extension, content type).
KINDS = {"pdf": ("pdf", "application/pdf"), "jpeg": ("jpg", "image/jpeg"),
         "png": ("png", "image/png")}

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
#: Names that make a PDF do things when opened. Scans and office exports have none; a
#: compressed object stream could still hide them, so PDFs are only ever served as
#: downloads, with nosniff.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)\b")
#: Stream contents (images, fonts) are skipped: their random bytes would match "/JS" now
#: and then, and the names above live in the dictionaries around them.
_PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    extension: str
    name: str


def max_bytes() -> int:
    return int(float(current_app.config["MAX_DOCUMENT_MB"]) * 1024 * 1024)


def sniff(data: bytes) -> str | None:
    """What the bytes are: "pdf", "jpeg", "png", or None."""
    if _PDF_HEADER.match(data[:1024].lstrip(b"\r\n\t ")):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def check_file(filename: str | None, data: bytes, field: str = "file") -> CheckedFile:
    """The file, checked and cleaned, or ServiceError (nothing is stored)."""
    if not data:
        raise ServiceError(_l("Choose a file to upload."), field)
    if len(data) > max_bytes():
        raise ServiceError(_l("The file is too large: at most %(mb)s MB.",
                              mb=current_app.config["MAX_DOCUMENT_MB"]), field)
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise ServiceError(_l("Upload a PDF, JPEG or PNG file."), field)
    actual = sniff(data)
    if actual != expected:
        raise ServiceError(_l("This file is not what its name says: upload a real PDF, "
                              "JPEG or PNG file."), field)
    if actual == "pdf":
        _check_pdf(data, field)
        content_type = KINDS["pdf"][1]
    else:
        try:
            data, content_type = clean_copy(data)
        except ImageRejected as error:
            raise ServiceError(_l("This image could not be read: take the photo again or "
                                  "upload a PDF."), field) from error
    stored_ext = {v[1]: v[0] for v in KINDS.values()}[content_type]
    return CheckedFile(data, content_type, stored_ext, display_name(filename, stored_ext))


def _check_pdf(data: bytes, field: str) -> None:
    tail = data[-1024:]
    if b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
        raise ServiceError(_l("This PDF is damaged or incomplete: save or scan it again."),
                           field)
    if _PDF_ACTIVE.search(_PDF_STREAM.sub(b"", data)):
        raise ServiceError(_l("This PDF contains scripts or attachments: print it to a new "
                              "PDF or upload a photo instead."), field)


def display_name(filename: str | None, extension: str) -> str:
    """A safe name to show and to offer as the download name; never used as a path."""
    stem = secure_filename((filename or "").rsplit(".", 1)[0])[:150] or "dokumen"
    return f"{stem}.{extension}"
