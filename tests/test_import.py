"""Importing a programme's recipient list: every row checked, valid rows imported in one
transaction, nothing created twice, and every bad file refused with a message."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from marketplace.accounts.models import Role
from marketplace.extensions import db as _db
from marketplace.producers import claims
from marketplace.producers.models import (
    ClaimCode,
    Producer,
    ProducerEvent,
    ProducerStatus,
    ProducerType,
    Sector,
)
from marketplace.programs import services
from marketplace.programs.models import Grant, GrantItem, RecipientImport
from marketplace.programs.tables import MAX_BYTES, MAX_ROWS, FileRefused
from tests.factories import make_producer, make_program, make_user
from tests.helpers import csrf_fields, login, post_form

EXAMPLE = services.EXAMPLE_FILE.read_bytes()
HEADER = ("nama_usaha,jenis_usaha,nama_pemilik,sektor,kode_wilayah,kabupaten,kecamatan,desa,"
          "telepon,nib,nama_alat,kategori_alat,jumlah_alat,nilai_satuan,tanggal_serah_terima")
GOOD_ROW = ("Tenun Ulap Doyo,usaha perorangan,Ibu Ani,tekstil,64.72.02.1010,,,,0812-5501-2299,"
            "9120009000011,Mesin jahit portable,Mesin jahit,1,3.250.000,2024-05-14")


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


def _count(model: type) -> int:
    return _db.session.scalar(select(func.count()).select_from(model)) or 0


def _counts() -> tuple[int, ...]:
    return tuple(_count(m) for m in (Producer, Grant, GrantItem, ClaimCode, RecipientImport,
                                     ProducerEvent))


@pytest.fixture(autouse=True)
def _private_media(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "media"
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(root))
    return root


@pytest.fixture
def staff(ctx):
    return make_user(Role.STAFF)


@pytest.fixture
def program(ctx):
    return make_program()


# --- the example file ----------------------------------------------------------------------

def test_example_file_previews_without_problems(staff, program):
    preview = services.preview_recipients(staff, program, EXAMPLE, "contoh.csv")
    assert preview.problems == []
    assert preview.rows_total == 14
    assert len(preview.recipients) == 10
    assert preview.new_producers == 10 and preview.new_grants == 10
    assert _counts() == (0, 0, 0, 0, 0, 0)  # a preview writes nothing


def test_example_file_imports_producers_grants_and_claim_codes(staff, program):
    record = services.import_recipients(staff, program, EXAMPLE, "contoh-penerima.csv")
    assert (record.rows_total, record.producers_created, record.grants_created,
            record.rows_skipped) == (14, 10, 10, 0)
    assert record.imported_by_id == staff.id and len(record.sha256) == 64
    producers = _db.session.scalars(select(Producer)).all()
    assert len(producers) == 10
    assert all(p.status is ProducerStatus.DRAFT and p.created_by_agency for p in producers)
    assert all(claims.active_code(p) is not None for p in producers)
    assert len({p.slug for p in producers}) == 10

    weavers = _db.session.scalar(select(Producer).where(Producer.nib == "9120001000042"))
    assert weavers.region_code == "64.03.08.2004"  # "Kab. Berau / Biduk-Biduk / Teluk Sumbang"
    assert weavers.type is ProducerType.GROUP and weavers.sector is Sector.RATTAN
    assert weavers.phone == "+6281254321098" and weavers.workers_women == 13

    konveksi = _db.session.scalar(select(Producer).where(Producer.nib == "9120001000028"))
    grant = _db.session.scalar(select(Grant).where(Grant.producer_id == konveksi.id))
    assert [(i.name, i.quantity, i.unit_value_idr) for i in grant.items] == [
        ("Mesin jahit high speed", 3, 4_750_000), ("Mesin obras 4 benang", 1, 5_500_000)]
    assert grant.total_value_idr == 19_750_000
    assert grant.handover_date == dt.date(2024, 5, 14)
    assert grant.bast_number == "BAST/028/DPPKUKM/V/2024"
    actions = set(_db.session.scalars(select(ProducerEvent.action).where(
        ProducerEvent.producer_id == konveksi.id)))
    assert {"created", "grant_added", "claim_issued"} <= actions


def test_importing_the_same_file_again_creates_nothing(staff, program):
    services.import_recipients(staff, program, EXAMPLE, "contoh.csv")
    before = _counts()
    preview = services.preview_recipients(staff, program, EXAMPLE, "contoh.csv")
    assert preview.new_producers == 0 and preview.new_grants == 0
    record = services.import_recipients(staff, program, EXAMPLE, "contoh.csv")
    assert (record.producers_created, record.grants_created) == (0, 0)
    after = _counts()
    assert after[:4] == before[:4]  # producers, grants, items, claim codes
    assert after[4] == before[4] + 1  # the import itself is recorded
    # matched without NIB too: by business name and village
    assert _db.session.scalar(select(func.count()).select_from(Producer).where(
        Producer.name == "Jahit Bordir Sungai Keledang")) == 1


def test_same_recipients_in_another_programme_get_a_new_grant_only(staff, program):
    services.import_recipients(staff, program, EXAMPLE, "contoh.csv")
    other = make_program(name="Bantuan Alat 2025", fiscal_year=2025)
    record = services.import_recipients(staff, other, EXAMPLE, "contoh.csv")
    assert (record.producers_created, record.grants_created) == (0, 10)
    assert _count(Producer) == 10 and _count(Grant) == 20


def test_existing_producer_is_matched_by_nib_and_not_changed(staff, program):
    owner = make_user(Role.PRODUCER)
    mine = make_producer(owner, name="Tenun Ulap Doyo", nib="9120009000011",
                         status=ProducerStatus.VERIFIED, phone="+6281111111111")
    record = services.import_recipients(staff, program, _csv(GOOD_ROW), "a.csv")
    assert (record.producers_created, record.grants_created) == (0, 1)
    _db.session.refresh(mine)
    assert mine.phone == "+6281111111111" and mine.status is ProducerStatus.VERIFIED
    assert claims.active_code(mine) is None  # only agency-created producers get a code


# --- rows with problems --------------------------------------------------------------------

BAD_ROWS = (
    GOOD_ROW,                                                                         # row 2
    "Jahit Ani,usaha perorangan,Ani,tekstil,64.72.02.1010,,,,12345,,Mesin jahit,,1,3000000,",  # 3
    "Rotan Maju,kub,Ina,rotan,,Kab. Berau,Tanjung Redeb Utara,Teluk Sumbang,,,Alat,,1,1000,",  # 4
    "Usaha Lain,usaha perorangan,Budi,tekstil,64.72.02.1010,,,,,9120009000011,Mesin,,1,1000,",  # 5
    "Kode Salah,usaha perorangan,C,tekstil,64.72.99.9999,,,,,,Mesin jahit,,1,1000,",        # 6
    "Nilai Minus,usaha perorangan,D,tekstil,64.72.02.1010,,,,,,Mesin jahit,,1,-5000,",      # 7
    "Sektor Aneh,usaha perorangan,E,perikanan,64.72.02.1010,,,,,,Mesin,,1,1000,",            # 8
    "Jakarta,usaha perorangan,F,tekstil,31.71.01.1001,,,,,,Mesin,,1,1000,",                  # 9
    "Tanggal,koperasi,G,lainnya,64.72.02.1010,,,,,,Mesin,,0,1000,31/02/2024",               # 10
)


def test_preview_names_each_bad_row_and_column(staff, program):
    preview = services.preview_recipients(staff, program, _csv(*BAD_ROWS), "bad.csv")
    found = {(p.row, p.column) for p in preview.problems}
    assert {(3, "telepon"), (4, "kecamatan"), (5, "nib"), (6, "kode_wilayah"),
            (7, "nilai_satuan"), (8, "sektor"), (9, "kode_wilayah"), (10, "jumlah_alat"),
            (10, "tanggal_serah_terima")} <= found
    assert 2 not in {p.row for p in preview.problems}
    assert preview.rows_total == 9 and preview.rows_valid == 1 and preview.rows_skipped == 8
    kecamatan = next(p for p in preview.problems if p.row == 4)
    assert "Berau" in str(kecamatan.message)


def test_confirm_imports_only_the_valid_rows(staff, program):
    record = services.import_recipients(staff, program, _csv(*BAD_ROWS), "bad.csv")
    assert (record.producers_created, record.grants_created, record.rows_skipped) == (1, 1, 8)
    assert _db.session.scalars(select(Producer.name)).all() == ["Tenun Ulap Doyo"]


def test_a_bad_row_skips_the_whole_recipient(staff, program):
    second_item = GOOD_ROW.replace("Mesin jahit portable,Mesin jahit,1,3.250.000",
                                   "Mesin obras,Mesin jahit,satu,5.500.000")
    preview = services.preview_recipients(staff, program, _csv(GOOD_ROW, second_item), "x.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(2, ""), (3, "jumlah_alat")]
    assert preview.importable == []
    with pytest.raises(FileRefused.__mro__[1]):  # ServiceError: nothing to import
        services.import_recipients(staff, program, _csv(GOOD_ROW, second_item), "x.csv")
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_nib_registered_to_another_business_is_a_duplicate(staff, program):
    make_producer(name="Usaha Orang Lain", nib="9120009000011")
    preview = services.preview_recipients(staff, program, _csv(GOOD_ROW), "x.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(2, "nib")]


def test_region_names_are_matched_loosely_and_codes_without_dots(staff, program):
    rows = (
        "A,kub,A,rotan,,KABUPATEN BERAU,biduk biduk,kampung teluk sumbang,,,Alat,,1,1000,",
        "B,kub,B,rotan,,Berau,Kec. Biduk-Biduk,Biduk-Biduk,,,Alat,,1,1000,",
        "C,kub,C,rotan,6403082004,,,,,,Alat,,1,1000,",
        "D,kub,D,rotan,,Kota Samarinda,Samarinda Seberang,Tenun Samarinda,,,Alat,,1,1000,",
    )
    preview = services.preview_recipients(staff, program, _csv(*rows), "x.csv")
    assert preview.problems == []
    assert [r.data.region_code for r in preview.recipients] == [
        "64.03.08.2004", "64.03.08.2001", "64.03.08.2004", "64.72.02.1010"]


@pytest.mark.parametrize(("row", "column"), [
    ("A,kub,A,rotan,,,Biduk-Biduk,Teluk Sumbang,,,Alat,,1,1000,", "kabupaten"),
    ("A,kub,A,rotan,,Berau,,Teluk Sumbang,,,Alat,,1,1000,", "kecamatan"),
    ("A,kub,A,rotan,,Berau,Biduk-Biduk,,,,Alat,,1,1000,", "desa"),
])
def test_an_empty_region_name_cell_is_named_as_empty(staff, program, row, column):
    preview = services.preview_recipients(staff, program, _csv(row), "x.csv")
    [problem] = preview.problems
    assert (problem.row, problem.column) == (2, column)
    assert str(problem.message) == "Sel ini kosong: isi namanya, atau gunakan kode_wilayah."


def test_semicolon_csv_with_bom_and_title_row(staff, program):
    text = ("DAFTAR PENERIMA BANTUAN 2024;;\n" + HEADER.replace(",", ";") + "\n"
            + GOOD_ROW.replace(",", ";") + "\n")
    preview = services.preview_recipients(staff, program, b"\xef\xbb\xbf" + text.encode(), "x")
    assert preview.problems == [] and preview.recipients[0].rows == [3]


# --- XLSX ----------------------------------------------------------------------------------

def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_file_imports_like_csv(staff, program):
    header = HEADER.split(",")
    rows = [header,
            ["Tenun Ulap Doyo", "usaha perorangan", "Ibu Ani", "tekstil", "64.72.02.1010",
             None, None, None, 81255012299, 9120009000011, "Mesin jahit portable",
             "Mesin jahit", 2, 3250000, dt.datetime(2024, 5, 14)],
            ["Telepon Salah", "kub", "X", "rotan", "64.03.08.2004", None, None, None, 12345,
             None, "Alat", None, 1, 1000, None]]
    data = _xlsx(rows)
    preview = services.preview_recipients(staff, program, data, "daftar.xlsx")
    assert preview.kind == "xlsx"
    assert [(p.row, p.column) for p in preview.problems] == [(3, "telepon")]
    record = services.import_recipients(staff, program, data, "daftar.xlsx")
    assert (record.producers_created, record.grants_created, record.rows_skipped) == (1, 1, 1)
    producer = _db.session.scalar(select(Producer))
    assert producer.phone == "+6281255012299" and producer.nib == "9120009000011"
    grant = _db.session.scalar(select(Grant))
    assert grant.handover_date == dt.date(2024, 5, 14) and grant.total_value_idr == 6_500_000


def test_example_file_as_xlsx_gives_the_same_recipients(staff, program):
    import csv

    rows = list(csv.reader(io.StringIO(EXAMPLE.decode())))
    preview = services.preview_recipients(staff, program, _xlsx(rows), "contoh.xlsx")
    assert preview.problems == [] and len(preview.recipients) == 10


# --- whole files refused -------------------------------------------------------------------

def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return out.getvalue()


BAD_FILES = {
    "empty": b"",
    "blank": b"  \n\n ",
    "pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "binary": bytes(range(256)) * 4,
    "latin1": _csv(GOOD_ROW.replace("Ibu Ani", "Ibu Désirée")).decode().encode("latin-1"),
    "utf16": _csv(GOOD_ROW).decode().encode("utf-16"),
    "old_xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    "docx_zip": _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
    "broken_xlsx": _zip({"xl/workbook.xml": b"not xml", "[Content_Types].xml": b"<x/>"}),
    "missing_column": _csv(GOOD_ROW, header=HEADER.replace("nilai_satuan", "harga_pokok")),
    "no_region_columns": _csv("A,kub,A,rotan,Alat,,1,1000,", header=(
        "nama_usaha,jenis_usaha,nama_pemilik,sektor,nama_alat,kategori_alat,jumlah_alat,"
        "nilai_satuan,tanggal_serah_terima")),
    "no_header": b"foo,bar\n1,2\n",
    "header_only": _csv(),
    "too_many_rows": _csv(*([GOOD_ROW] * (MAX_ROWS + 1))),
    "too_large": _csv(GOOD_ROW) + b"#" * MAX_BYTES,
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_refused_with_a_message_and_change_nothing(staff, program, name):
    with pytest.raises(FileRefused) as refused:
        services.preview_recipients(staff, program, BAD_FILES[name], f"{name}.csv")
    assert refused.value.field == "file" and str(refused.value.message)
    with pytest.raises(FileRefused):
        services.import_recipients(staff, program, BAD_FILES[name], f"{name}.csv")
    assert _counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(("header", "message"), [
    ("nama_usaha,jenis_usaha,sektor,nama_alat,jumlah_alat,nilai_satuan,kabupaten,kecamatan",
     "Kolom yang belum ada: kode_wilayah (atau kabupaten, kecamatan, dan desa)."),
    ("nama_usaha,jenis_usaha,nama_alat,jumlah_alat,kabupaten",
     "Kolom yang belum ada: sektor, nilai_satuan, serta kode_wilayah (atau kabupaten, "
     "kecamatan, dan desa)."),
    ("nama_usaha,jenis_usaha,nama_alat,jumlah_alat,kode_wilayah",
     "Kolom yang belum ada: sektor, nilai_satuan."),
])
def test_missing_columns_are_named_in_one_translated_sentence(staff, program, header,
                                                              message):
    with pytest.raises(FileRefused) as refused:
        services.preview_recipients(staff, program, _csv("A,kub,rotan", header=header), "x.csv")
    assert str(refused.value.message) == message


def test_the_limit_is_2000_rows(staff, program):
    rows = [GOOD_ROW.replace("Tenun Ulap Doyo", f"Usaha {n}").replace("9120009000011", "")
            for n in range(MAX_ROWS)]
    preview = services.preview_recipients(staff, program, _csv(*rows), "x.csv")
    assert preview.rows_total == MAX_ROWS


def test_a_zip_bomb_is_not_unpacked(staff, program, monkeypatch):
    monkeypatch.setattr("marketplace.programs.tables.MAX_UNPACKED_BYTES", 1000)
    data = _zip({"xl/workbook.xml": b"<a/>" * 1000, "[Content_Types].xml": b"<x/>"})
    with pytest.raises(FileRefused, match="unpacked|dibuka"):
        services.preview_recipients(staff, program, data, "bomb.xlsx")


# --- one transaction -----------------------------------------------------------------------

def _fail_on_third_grant(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    real = services._new_grant
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_new_grant", flaky)


def test_a_database_failure_midway_writes_nothing(staff, program, monkeypatch):
    _fail_on_third_grant(monkeypatch, OperationalError("INSERT", {}, Exception("disk full")))
    with pytest.raises(services.ServiceError) as failed:
        services.import_recipients(staff, program, EXAMPLE, "contoh.csv")
    assert failed.value.field == "file"
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_an_unexpected_failure_midway_writes_nothing(staff, program, monkeypatch):
    _fail_on_third_grant(monkeypatch, RuntimeError("bug"))
    with pytest.raises(RuntimeError):
        services.import_recipients(staff, program, EXAMPLE, "contoh.csv")
    assert _counts() == (0, 0, 0, 0, 0, 0)
    # and the session still works: the same import then succeeds
    monkeypatch.undo()
    assert services.import_recipients(staff, program, EXAMPLE, "c.csv").producers_created == 10


def test_only_staff_may_import(ctx, program):
    buyer = make_user(Role.BUYER)
    with pytest.raises(services.ServiceError):
        services.preview_recipients(buyer, program, EXAMPLE, "x.csv")
    with pytest.raises(services.ServiceError):
        services.import_recipients(buyer, program, EXAMPLE, "x.csv")
    assert _count(Producer) == 0


# --- through HTTP --------------------------------------------------------------------------

@pytest.fixture
def web(app: Flask, db):
    with app.app_context():
        staff = make_user(Role.STAFF, email="staf@example.test")
        program = make_program()
        return {"staff": staff.email, "program": program.id}


def _upload(client, program_id: int, data: bytes, name: str = "daftar.csv", page: str = ""):
    """Multipart built here: werkzeug's test client leaves a temporary file open for a large
    upload (a ResourceWarning, an error in this suite)."""
    url = f"/dinas/program/{program_id}/impor"
    tokens = csrf_fields(client.get(page or url).get_data(as_text=True))
    fields = MultiDict({**tokens, "file": FileStorage(io.BytesIO(data), filename=name)})
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _stored_imports(root: Path) -> list[Path]:
    folder = root / "private" / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def test_upload_preview_confirm_through_http(app, client, web, _private_media):
    login(client, web["staff"])
    response = _upload(client, web["program"], _csv(*BAD_ROWS))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dinas/program/{web['program']}/impor/pratinjau")
    assert len(_stored_imports(_private_media)) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    rows = sorted({int(r) for r in re.findall(r'data-row="(\d+)"', html)})
    assert rows == [3, 4, 5, 6, 7, 8, 9, 10]
    assert 'data-column="telepon"' in html and 'id="confirm-import"' in html
    page = f"/dinas/program/{web['program']}/impor/pratinjau"
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', html).group(1)
    done = post_form(client, f"/dinas/program/{web['program']}/impor/konfirmasi",
                     {"sha256": sha}, page=page)
    assert done.status_code == 302
    assert done.headers["Location"] == f"/dinas/program/{web['program']}"
    with app.app_context():
        assert _db.session.scalars(select(Producer.name)).all() == ["Tenun Ulap Doyo"]
        assert _count(RecipientImport) == 1
    assert _stored_imports(_private_media) == []  # the stashed file is deleted
    detail = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Tenun Ulap Doyo" in detail and "Rp3.250.000" in detail and "bad.csv" not in detail
    # confirming again does nothing: the upload is gone
    again = post_form(client, f"/dinas/program/{web['program']}/impor/konfirmasi",
                      {"sha256": sha}, page=f"/dinas/program/{web['program']}")
    assert again.status_code == 302
    with app.app_context():
        assert _count(RecipientImport) == 1


def test_xlsx_upload_through_http(app, client, web):
    import csv

    login(client, web["staff"])
    data = _xlsx(list(csv.reader(io.StringIO(EXAMPLE.decode()))))
    assert _upload(client, web["program"], data, "daftar.xlsx").status_code == 302
    html = client.get(f"/dinas/program/{web['program']}/impor/pratinjau").get_data(as_text=True)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', html).group(1)
    post_form(client, f"/dinas/program/{web['program']}/impor/konfirmasi", {"sha256": sha},
              page=f"/dinas/program/{web['program']}/impor/pratinjau")
    with app.app_context():
        assert _count(Producer) == 10 and _count(Grant) == 10


@pytest.mark.parametrize("name", ["pdf", "latin1", "missing_column", "empty", "too_large"])
def test_bad_upload_shows_the_message_and_stores_nothing(app, client, web, _private_media,
                                                         name):
    login(client, web["staff"])
    response = _upload(client, web["program"], BAD_FILES[name], "daftar.xlsx")
    assert response.status_code == 200
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert _stored_imports(_private_media) == []


def test_a_stale_preview_cannot_be_confirmed(app, client, web):
    login(client, web["staff"])
    _upload(client, web["program"], EXAMPLE)
    page = f"/dinas/program/{web['program']}/impor/pratinjau"
    response = post_form(client, f"/dinas/program/{web['program']}/impor/konfirmasi",
                         {"sha256": "0" * 64}, page=page)
    assert response.status_code == 302
    with app.app_context():
        assert _count(Producer) == 0


def test_a_changed_stashed_file_is_refused(app, client, web, _private_media):
    login(client, web["staff"])
    _upload(client, web["program"], EXAMPLE)
    page = f"/dinas/program/{web['program']}/impor/pratinjau"
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"',
                    client.get(page).get_data(as_text=True)).group(1)
    _stored_imports(_private_media)[0].write_bytes(_csv(GOOD_ROW))
    post_form(client, f"/dinas/program/{web['program']}/impor/konfirmasi", {"sha256": sha},
              page=f"/dinas/program/{web['program']}")
    with app.app_context():
        assert _count(Producer) == 0


def test_preview_without_upload_redirects(client, web):
    login(client, web["staff"])
    response = client.get(f"/dinas/program/{web['program']}/impor/pratinjau")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dinas/program/{web['program']}/impor")


def test_the_stash_belongs_to_its_programme(app, client, web):
    login(client, web["staff"])
    with app.app_context():
        other = make_program(name="Lain").id
    _upload(client, web["program"], EXAMPLE)
    page = f"/dinas/program/{other}/impor"
    response = post_form(client, f"/dinas/program/{other}/impor/konfirmasi",
                         {"sha256": "x"}, page=page)
    assert response.status_code == 302
    with app.app_context():
        assert _count(Producer) == 0


def test_discarding_an_upload_deletes_the_file(client, web, _private_media):
    login(client, web["staff"])
    _upload(client, web["program"], EXAMPLE)
    post_form(client, f"/dinas/program/{web['program']}/impor/batal", {},
              page=f"/dinas/program/{web['program']}/impor/pratinjau")
    assert _stored_imports(_private_media) == []


@pytest.mark.parametrize("role", [Role.BUYER, Role.PRODUCER])
def test_buyers_and_producers_cannot_import(app, client, web, role):
    with app.app_context():
        email = make_user(role).email
    login(client, email)
    base = f"/dinas/program/{web['program']}/impor"
    assert client.get(base).status_code == 403
    assert client.get(base + "/pratinjau").status_code == 403
    assert client.get("/dinas/program/contoh-penerima-bantuan.csv").status_code == 403
    assert _upload(client, web["program"], EXAMPLE, page="/").status_code == 403
    assert post_form(client, base + "/konfirmasi", {}, page="/").status_code == 403
    with app.app_context():
        assert _count(Producer) == 0


def test_anonymous_is_sent_to_sign_in(client, web):
    response = client.get(f"/dinas/program/{web['program']}/impor")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_example_file_download(client, web):
    login(client, web["staff"])
    response = client.get("/dinas/program/contoh-penerima-bantuan.csv")
    assert response.status_code == 200 and response.data == EXAMPLE
    assert response.mimetype == "text/csv"
