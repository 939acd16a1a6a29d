"""Verification documents: which are required, number and date checks, file content checks,
private storage, the encrypted NIK, the producer's documents page and file downloads."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select, text

from marketplace import crypto
from marketplace.accounts.models import Role, User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.media.storage import get_storage, new_key
from marketplace.producers.models import Producer, ProducerStatus, ProducerType, Sector
from marketplace.producers.services import AccessDenied
from marketplace.verification import files, rules, services
from marketplace.verification.models import (
    DocumentStatus,
    DocumentType,
    DocumentView,
    ProducerDocument,
)
from tests.factories import make_producer, make_user
from tests.helpers import login, logout, post_form

NIK = "6472014101900001"
MASKED_NIK = "6472••••••••0001"
NIB = "9120001234567"


# --- files and factories (also used by test_verification.py) -------------------------------

def pdf_bytes(body: bytes = b"") -> bytes:
    """A small, well-formed PDF."""
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" + body +
            b"xref\n0 3\n0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R >>\n"
            b"startxref\n110\n%%EOF\n")


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 80))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "S", 2: (0.0, 30.0, 0.0), 3: "E", 4: (117.0, 9.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploaded files go to this test's own folder (never the project's instance/)."""
    root = tmp_path / "media"
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(root))
    return root


_nibs = itertools.count(9120001000001)


def complete_producer(owner: User | None = None, **fields: object) -> Producer:
    """A draft producer whose profile is complete enough to submit (each its own NIB)."""
    values: dict[str, object] = {"status": ProducerStatus.DRAFT, "phone": "+6281234567890",
                                 "nib": str(next(_nibs)), **fields}
    return make_producer(owner, **values)


def add_document(producer: Producer, uploader: User, doc_type: DocumentType, *,
                 status: DocumentStatus = DocumentStatus.PENDING,
                 expires_on: dt.date | None = None, number: str = "",
                 data: bytes | None = None) -> ProducerDocument:
    """A stored document, as an upload leaves it (the file saved in private storage)."""
    data = data if data is not None else pdf_bytes()
    key = new_key("private", "documents", "pdf")
    get_storage().save(key, data, "application/pdf")
    previous = services.current_documents(producer).get(doc_type)
    if previous is not None:
        previous.replaced = True
    secret = doc_type is DocumentType.KTP
    document = ProducerDocument(
        producer_id=producer.id, doc_type=doc_type,
        number="" if secret else (number or producer.nib or NIB),
        number_encrypted=crypto.encrypt(number or NIK) if secret else None,
        expires_on=expires_on, file_key=key, file_name=f"{doc_type.value}.pdf",
        content_type="application/pdf", size_bytes=len(data), status=status,
        uploaded_by_id=uploader.id)
    _db.session.add(document)
    _db.session.commit()
    return document


def upload(user: User, producer: Producer, kind: DocumentType, **fields: object):
    values: dict[str, object] = {
        "doc_type": kind.value, "number": NIK if kind is DocumentType.KTP else producer.nib,
        "issued_on": dt.date(2020, 5, 4), "expires_on": None, "filename": "scan.pdf",
        "data": pdf_bytes(), **fields}
    return services.upload_document(user, producer, services.DocumentUpload(**values))


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def count(model: type) -> int:
    return _db.session.scalar(select(func.count()).select_from(model)) or 0


# --- which documents ------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "sector", "halal", "expected"), [
    (ProducerType.INDIVIDUAL, Sector.TEXTILE, False, ["ktp", "nib"]),
    (ProducerType.JOINT, Sector.WOOD, False, ["ktp", "nib"]),
    (ProducerType.COOPERATIVE, Sector.RATTAN, False, ["ktp", "nib", "ahu"]),
    (ProducerType.GROUP, Sector.TEXTILE, False, ["ktp", "nib", "sk_kelompok"]),
    (ProducerType.INDIVIDUAL, Sector.FOOD, False, ["ktp", "nib", "pirt"]),
    (ProducerType.GROUP, Sector.FOOD, True, ["ktp", "nib", "sk_kelompok", "pirt", "halal"]),
    (ProducerType.INDIVIDUAL, Sector.TEXTILE, True, ["ktp", "nib"]),
])
def test_required_documents_depend_on_type_and_sector(kind, sector, halal, expected):
    producer = Producer(type=kind, sector=sector, halal_claimed=halal)
    assert [t.value for t in rules.required_documents(producer)] == expected


# --- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("doc_type", "value", "cleaned"), [
    (DocumentType.KTP, "6472 0141 0190 0001", NIK),
    (DocumentType.KTP, "64.72.01.410190.0001", NIK),
    (DocumentType.NIB, "9120 0012 34567", NIB),
    (DocumentType.AHU, "ahu-0001234.ah.01.26.tahun 2019", "AHU-0001234.AH.01.26.TAHUN 2019"),
    (DocumentType.AHU, "518/BH/XVII/2010", "518/BH/XVII/2010"),
    (DocumentType.AHU, "12 / BH / DISKOP / IV / 1998", "12/BH/DISKOP/IV/1998"),
    (DocumentType.GROUP_DECREE, "141/12/KPTS/2020", "141/12/KPTS/2020"),
    (DocumentType.PIRT, "2063471010148-25", "206347101014825"),
    (DocumentType.PIRT, "206-3471-01-0148-25", "206347101014825"),
    (DocumentType.HALAL, "ID64110012345670624", "ID64110012345670624"),
    (DocumentType.HALAL, "id 6411 0012 3456 70624", "ID64110012345670624"),
])
def test_document_numbers_are_checked_and_normalised(doc_type, value, cleaned):
    assert rules.clean_number(doc_type, value) == cleaned


@pytest.mark.parametrize(("doc_type", "value"), [
    (DocumentType.KTP, ""),
    (DocumentType.KTP, "1234567890123456"),  # no valid birth date
    (DocumentType.KTP, "647201410190001"),  # 15 digits
    (DocumentType.KTP, "9972014101900001"),  # unknown province
    (DocumentType.KTP, "6472014101900000"),  # serial 0000
    (DocumentType.NIB, "912000123456"),
    (DocumentType.NIB, "91200012345AB"),
    (DocumentType.AHU, "AHU-12.AH.01.26.TAHUN 2019"),
    (DocumentType.AHU, "koperasi kami"),
    (DocumentType.GROUP_DECREE, "SK KUB"),
    (DocumentType.PIRT, "20634710101482"),
    (DocumentType.PIRT, "P-IRT 2063471010148-2X"),
    (DocumentType.HALAL, "LPPOM-00150091230419"),
    (DocumentType.HALAL, "ID123"),
])
def test_bad_document_numbers_are_refused(doc_type, value):
    with pytest.raises(ServiceError) as error:
        rules.clean_number(doc_type, value)
    assert error.value.field == "number"
    if doc_type is DocumentType.KTP and value:
        assert value not in str(error.value.message)


# --- dates ----------------------------------------------------------------------------------

TODAY = dt.date(2024, 4, 3)


@pytest.mark.parametrize(("doc_type", "issued", "expires", "field"), [
    (DocumentType.NIB, dt.date(2023, 1, 1), dt.date(2022, 12, 31), "expires_on"),
    (DocumentType.NIB, dt.date(2023, 1, 1), dt.date(2023, 1, 1), "expires_on"),
    (DocumentType.NIB, dt.date(2024, 4, 4), None, "issued_on"),
    (DocumentType.KTP, dt.date(2015, 1, 1), dt.date(2030, 1, 1), "expires_on"),
    (DocumentType.PIRT, dt.date(2022, 1, 1), None, "expires_on"),
    (DocumentType.PIRT, dt.date(2018, 1, 1), dt.date(2024, 4, 2), "expires_on"),
])
def test_bad_dates_are_refused(doc_type, issued, expires, field):
    with pytest.raises(ServiceError) as error:
        rules.check_dates(doc_type, issued, expires, TODAY)
    assert error.value.field == field


def test_good_dates_pass_and_expiry_states():
    rules.check_dates(DocumentType.KTP, dt.date(2015, 1, 1), None, TODAY)
    rules.check_dates(DocumentType.NIB, None, None, TODAY)
    rules.check_dates(DocumentType.PIRT, dt.date(2022, 1, 1), dt.date(2027, 1, 1), TODAY)
    document = ProducerDocument(expires_on=TODAY + dt.timedelta(days=30))
    assert rules.expiry_state(document, TODAY) == "expiring"
    document.expires_on = TODAY + dt.timedelta(days=31)
    assert rules.expiry_state(document, TODAY) is None
    document.expires_on = TODAY - dt.timedelta(days=1)
    assert rules.expiry_state(document, TODAY) == "expired"
    document.expires_on = None
    assert rules.expiry_state(document, TODAY) is None


# --- file contents --------------------------------------------------------------------------

def test_a_pdf_and_images_are_accepted(ctx):
    checked = files.check_file("Scan KTP (1).PDF", pdf_bytes())
    # Bytes inside a stream (a scanned image) may look like "/JS": that is not a script.
    scan = b"3 0 obj\n<< /Length 9 >>\nstream\nxx/JS (yy\nendstream\nendobj\n"
    assert files.check_file("scan.pdf", pdf_bytes(scan)).content_type == "application/pdf"
    assert (checked.content_type, checked.extension) == ("application/pdf", "pdf")
    assert checked.name == "Scan_KTP_1.pdf"
    checked = files.check_file("foto.png", png_bytes())
    assert checked.content_type == "image/png"
    assert Image.open(io.BytesIO(checked.data)).size == (40, 30)


def test_jpeg_metadata_and_gps_are_removed(ctx):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    checked = files.check_file("ktp.jpeg", original)
    assert checked.content_type == "image/jpeg" and checked.extension == "jpg"
    cleaned = Image.open(io.BytesIO(checked.data))
    assert not cleaned.getexif() and b"Exif" not in checked.data
    assert b"PhoneMaker" not in checked.data


@pytest.mark.parametrize(("name", "make"), [
    ("ktp.pdf", png_bytes),  # a PNG renamed .pdf
    ("ktp.jpg", lambda: b"just some text, not a photo\n" * 20),  # text renamed .jpg
    ("ktp.png", pdf_bytes),  # a PDF renamed .png
    ("ktp.jpg", png_bytes),  # a PNG renamed .jpg
    ("ktp.gif", png_bytes),  # a type we do not take
    ("ktp", pdf_bytes),  # no extension
    ("ktp.exe", pdf_bytes),
    ("ktp.png", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),  # a damaged PNG
    ("ktp.pdf", lambda: pdf_bytes()[:-30]),  # a truncated PDF
    ("ktp.pdf", lambda: b"%PDF-1.4\n" + b"x" * 100),  # a header and nothing else
    ("ktp.pdf", lambda: pdf_bytes(b"3 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\n"
                                  b"endobj\n")),
    ("ktp.pdf", lambda: b""),
])
def test_files_that_are_not_what_they_say_are_refused(ctx, name, make):
    with pytest.raises(ServiceError) as error:
        files.check_file(name, make())
    assert error.value.field == "file"


def test_a_file_too_large_is_refused(app, ctx):
    limit = app.config["MAX_DOCUMENT_MB"] * 1024 * 1024
    assert app.config["MAX_DOCUMENT_MB"] == 5
    big = pdf_bytes(b"%" + b"x" * (limit - len(pdf_bytes()) + 10) + b"\n")
    with pytest.raises(ServiceError) as error:
        files.check_file("big.pdf", big)
    assert error.value.field == "file"
    files.check_file("fits.pdf", pdf_bytes(b"%" + b"x" * (limit - len(pdf_bytes()) - 2) + b"\n"))


# --- uploads (service) ----------------------------------------------------------------------

def test_upload_stores_the_file_privately(app, ctx, media_root):
    owner = make_user(Role.PRODUCER)
    producer = complete_producer(owner)
    document = upload(owner, producer, DocumentType.NIB, expires_on=None)
    assert document.status is DocumentStatus.PENDING and document.number == producer.nib
    assert document.file_key.startswith("private/documents/")
    assert document.file_key.endswith(".pdf")
    path = media_root / document.file_key
    assert path.read_bytes() == pdf_bytes()
    static = Path(app.static_folder or "").resolve()
    assert not path.resolve().is_relative_to(static)
    assert document.content_type == "application/pdf"
    assert document.size_bytes == len(pdf_bytes()) and document.file_name == "scan.pdf"
    assert document.uploaded_by_id == owner.id


def test_the_nik_is_stored_only_encrypted_and_never_logged(app, ctx, caplog):
    caplog.set_level(logging.DEBUG)
    owner = make_user(Role.PRODUCER)
    producer = complete_producer(owner)
    document = upload(owner, producer, DocumentType.KTP, number="6472 0141 0190 0001",
                      filename="ktp.jpg", data=jpeg_with_gps())
    assert document.number == ""
    assert crypto.decrypt(document.number_encrypted) == NIK
    assert services.shown_number(document) == MASKED_NIK
    for table in ("producer_documents", "producer_events", "notices"):
        for row in _db.session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
            assert NIK not in " ".join(str(value) for value in row)
    with pytest.raises(ServiceError) as error:
        upload(owner, producer, DocumentType.KTP, number="6472014101900000")
    assert "6472014101900000" not in str(error.value.message)
    assert NIK not in caplog.text and "6472014101900000" not in caplog.text


def test_a_new_upload_replaces_the_old_one(ctx):
    owner = make_user(Role.PRODUCER)
    producer = complete_producer(owner)
    first = upload(owner, producer, DocumentType.NIB)
    second = upload(owner, producer, DocumentType.NIB, filename="nib-baru.png",
                    data=png_bytes())
    _db.session.refresh(first)
    assert first.replaced is True and second.replaced is False
    assert services.current_documents(producer) == {DocumentType.NIB: second}
    assert second.content_type == "image/png" and second.file_key.endswith(".png")
    assert [d.id for d in services.all_documents(producer)] == [second.id, first.id]


def test_only_members_upload(ctx, media_root):
    owner = make_user(Role.PRODUCER)
    producer = complete_producer(owner)
    for outsider in (make_user(Role.PRODUCER), make_user(Role.BUYER), make_user(Role.STAFF)):
        with pytest.raises(AccessDenied):
            upload(outsider, producer, DocumentType.NIB)
    assert count(ProducerDocument) == 0 and stored_files(media_root) == []


@pytest.mark.parametrize(("fields", "field"), [
    ({"doc_type": "pirt"}, "doc_type"),  # not needed by a rattan weaver
    ({"doc_type": "passport"}, "doc_type"),
    ({"number": "9120001234568"}, "number"),  # not the NIB of the profile
    ({"number": "12345"}, "number"),
    ({"issued_on": dt.date(2023, 1, 2), "expires_on": dt.date(2023, 1, 1)}, "expires_on"),
    ({"filename": "nib.pdf", "data": b"PNG? no."}, "file"),
])
def test_bad_uploads_change_nothing(ctx, media_root, fields, field):
    owner = make_user(Role.PRODUCER)
    producer = complete_producer(owner)
    with pytest.raises(ServiceError) as error:
        upload(owner, producer, DocumentType.NIB, **fields)
    assert error.value.field == field
    assert count(ProducerDocument) == 0 and stored_files(media_root) == []


# --- the documents page ---------------------------------------------------------------------

@pytest.fixture
def shop(app: Flask, db) -> dict[str, object]:
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="owner@example.test")
        producer = complete_producer(owner, type=ProducerType.INDIVIDUAL, sector=Sector.FOOD,
                                     nib=NIB)
        other_owner = make_user(Role.PRODUCER, email="other@example.test")
        other = complete_producer(other_owner)
        make_user(Role.BUYER, email="buyer@example.test")
        make_user(Role.STAFF, email="staff@example.test")
        return {"id": producer.id, "other_id": other.id, "owner_id": owner.id}


def _documents_url(producer_id: object) -> str:
    return f"/produsen/{producer_id}/dokumen"


def test_documents_page_for_members_only(client, shop):
    url = _documents_url(shop["id"])
    response = client.get(url)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    for email in ("other@example.test", "buyer@example.test", "staff@example.test"):
        login(client, email)
        assert client.get(url).status_code == 403, email
        assert post_form(client, url, {"form_name": "submit"}, page="/").status_code == 403
        logout(client)
    login(client, "owner@example.test")
    html = client.get(url).get_data(as_text=True)
    for doc_type in ("ktp", "nib", "pirt"):
        assert f'id="dok-{doc_type}"' in html
    assert 'id="dok-halal"' not in html and 'id="dok-ahu"' not in html
    assert client.get(_documents_url(999999)).status_code == 404


def _upload_data(doc_type: str, name: str, data: bytes, **fields: str) -> dict[str, object]:
    values: dict[str, object] = {"form_name": f"upload-{doc_type}",
                                 f"{doc_type}-file": (io.BytesIO(data), name)}
    values.update({f"{doc_type}-{key}": value for key, value in fields.items()})
    return values


def test_upload_through_the_page_shows_the_nik_masked(app, client, shop, caplog):
    caplog.set_level(logging.DEBUG)
    login(client, "owner@example.test")
    url = _documents_url(shop["id"])
    response = post_form(client, url, _upload_data("ktp", "ktp.jpg", jpeg_with_gps(),
                                                   number=NIK, issued_on="2015-06-01"))
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert MASKED_NIK in html and NIK not in html
    response = post_form(client, url, _upload_data("ktp", "ktp.pdf", pdf_bytes(),
                                                   number="6472014101900000"))
    assert 'id="ktp-number-error"' in response.get_data(as_text=True)
    assert "6472014101900000" not in response.get_data(as_text=True)  # not even echoed
    assert NIK not in caplog.text and "6472014101900000" not in caplog.text
    with app.app_context():
        document = _db.session.scalar(select(ProducerDocument))
        assert document.doc_type is DocumentType.KTP and document.content_type == "image/jpeg"
        assert document.issued_on == dt.date(2015, 6, 1) and document.expires_on is None


@pytest.mark.parametrize(("doc_type", "name", "make", "fields", "error_id"), [
    ("nib", "nib.pdf", png_bytes, {"number": NIB}, "nib-file-error"),
    ("nib", "nib.jpg", lambda: b"hello, I am text", {"number": NIB}, "nib-file-error"),
    ("nib", "nib.pdf", lambda: pdf_bytes(b"%" + b"x" * 20_000 + b"\n"),  # over 0.01 MB
     {"number": NIB}, "nib-file-error"),
    ("nib", "nib.pdf", pdf_bytes, {"number": "91200012345"}, "nib-number-error"),
    ("ktp", "ktp.pdf", pdf_bytes, {"number": "1234567890123456"}, "ktp-number-error"),
    ("pirt", "pirt.pdf", pdf_bytes, {"number": "2063471010148"}, "pirt-number-error"),
    ("pirt", "pirt.pdf", pdf_bytes,
     {"number": "2063471010148-25", "issued_on": "2023-02-01", "expires_on": "2023-01-01"},
     "pirt-expires_on-error"),
    ("pirt", "pirt.pdf", pdf_bytes, {"number": "2063471010148-25"}, "pirt-expires_on-error"),
    ("nib", "nib.pdf", pdf_bytes, {"number": NIB, "issued_on": "31-31-2020"},
     "nib-issued_on-error"),
])
def test_bad_uploads_through_the_page_are_explained(app, client, shop, media_root, monkeypatch,
                                                    doc_type, name, make, fields, error_id):
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_MB", 0.01)  # small bodies in tests
    login(client, "owner@example.test")
    response = post_form(client, _documents_url(shop["id"]),
                         _upload_data(doc_type, name, make(), **fields))
    assert response.status_code == 200
    assert f'id="{error_id}"' in response.get_data(as_text=True)
    with app.app_context():
        assert count(ProducerDocument) == 0
    assert stored_files(media_root) == []


def test_a_file_over_the_request_limit_is_refused(app, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 16 * 1024)
    login(client, "owner@example.test")
    huge = pdf_bytes(b"%" + b"x" * 20_000 + b"\n")
    response = post_form(client, _documents_url(shop["id"]),
                         _upload_data("nib", "nib.pdf", huge, number=NIB))
    assert response.status_code == 413
    with app.app_context():
        assert count(ProducerDocument) == 0


# --- downloads ------------------------------------------------------------------------------

@pytest.fixture
def files_of(app: Flask, shop: dict[str, object]) -> dict[str, int]:
    with app.app_context():
        producer = _db.session.get(Producer, shop["id"])
        owner = _db.session.get(User, shop["owner_id"])
        pdf = add_document(producer, owner, DocumentType.NIB)
        key = new_key("private", "documents", "png")
        get_storage().save(key, png_bytes(), "image/png")
        image = ProducerDocument(producer_id=producer.id, doc_type=DocumentType.KTP, number="",
                                 number_encrypted=crypto.encrypt(NIK), file_key=key,
                                 file_name="ktp.png", content_type="image/png",
                                 size_bytes=100, uploaded_by_id=owner.id)
        _db.session.add(image)
        _db.session.commit()
        return {"pdf": pdf.id, "image": image.id}


def test_members_download_their_documents(app, client, files_of):
    login(client, "owner@example.test")
    response = client.get(f"/dokumen/{files_of['pdf']}/berkas")
    assert response.status_code == 200 and response.data == pdf_bytes()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "nib.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    image = client.get(f"/dokumen/{files_of['image']}/berkas")
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        assert count(DocumentView) == 0  # members' own views are not staff views


def test_others_cannot_download(app, client, files_of):
    url = f"/dokumen/{files_of['pdf']}/berkas"
    response = client.get(url)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    for email in ("other@example.test", "buyer@example.test"):
        login(client, email)
        response = client.get(url)
        assert response.status_code == 403 and response.data != pdf_bytes()
        logout(client)
    login(client, "owner@example.test")
    assert client.get("/dokumen/999999/berkas").status_code == 404
    with app.app_context():
        assert count(DocumentView) == 0


def test_every_staff_view_is_logged(app, client, files_of):
    login(client, "staff@example.test")
    for _ in range(2):
        response = client.get(f"/dokumen/{files_of['pdf']}/berkas")
        assert response.status_code == 200 and response.data == pdf_bytes()
    assert client.get(f"/dokumen/{files_of['image']}/berkas").status_code == 200
    with app.app_context():
        staff = _db.session.scalar(select(User).where(User.email == "staff@example.test"))
        views = list(_db.session.scalars(select(DocumentView).order_by(DocumentView.id)))
        assert [(v.document_id, v.user_id) for v in views] == [
            (files_of["pdf"], staff.id), (files_of["pdf"], staff.id),
            (files_of["image"], staff.id)]


def test_the_review_page_shows_who_opened_which_document(app, client, files_of, shop):
    login(client, "staff@example.test")
    page = client.get(f"/dinas/verifikasi/{shop['id']}").get_data(as_text=True)
    assert 'id="document-views"' not in page
    assert client.get(f"/dokumen/{files_of['image']}/berkas").status_code == 200
    page = client.get(f"/dinas/verifikasi/{shop['id']}").get_data(as_text=True)
    log = page.split('id="document-views"', 1)[1].split("</table>", 1)[0]
    assert "staff@example.test" in log and "ktp.png" in log and "nib.pdf" not in log
