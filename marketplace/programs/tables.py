"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of cell values.

The kind of file is decided by its content, never by its name. Everything that makes the
whole file unusable (too large, empty, not CSV/XLSX, wrong encoding, too many rows) raises
FileRefused with a message for the person who uploaded it.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile

from flask_babel import lazy_gettext as _l

from marketplace.exceptions import ServiceError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 60
#: An XLSX is a ZIP: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Rows read from a worksheet at most (formatted but empty rows count here, not as data).
MAX_SHEET_ROWS = 20 * MAX_ROWS

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"RIFF",
                 b"Rar!", b"7z\xbc\xaf", b"\x7fELF", b"MZ")
_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileRefused(ServiceError):
    """The file as a whole cannot be imported; nothing was read from it."""

    def __init__(self, message: object) -> None:
        super().__init__(message, "file")


Row = tuple[object, ...]


def read_rows(data: bytes) -> tuple[str, list[Row]]:
    """("csv" | "xlsx", every row of the first sheet as a tuple of cell values)."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_l("The file is larger than %(mb)d MB. Split the list into smaller "
                             "files.", mb=MAX_BYTES // (1024 * 1024)))
    if not data.strip():
        raise FileRefused(_l("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
        kind = "xlsx"
    else:
        _refuse_binary(data)
        rows = _csv_rows(data)
        kind = "csv"
    filled = sum(1 for row in rows if not is_blank(row))
    if filled == 0:
        raise FileRefused(_l("The file is empty."))
    if filled > MAX_ROWS + 1:
        raise FileRefused(_l("The file has more than %(n)d rows. Split the list into smaller "
                             "files.", n=MAX_ROWS))
    return kind, rows


def is_blank(row: Row) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def _refuse_binary(data: bytes) -> None:
    if data.startswith(_UTF16_BOMS):
        raise FileRefused(_l("The file is saved as UTF-16 text. Save it as \"CSV UTF-8\" or "
                             "as an Excel workbook (.xlsx)."))
    if data.startswith(_OLD_EXCEL):
        raise FileRefused(_l("This is an old Excel file (.xls). Save it as an Excel workbook "
                             "(.xlsx) or as \"CSV UTF-8\"."))
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:8192]:
        raise FileRefused(_l("This file is not a CSV or XLSX spreadsheet."))


def _csv_rows(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(_l("The file is not in UTF-8 encoding. In Excel choose \"Save as\" "
                             "and then \"CSV UTF-8\", or upload the .xlsx file.")) from error
    first_line = text.lstrip().partition("\n")[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return [tuple(row[:MAX_COLUMNS]) for row in csv.reader(io.StringIO(text),
                                                                delimiter=delimiter)]
    except csv.Error as error:
        raise FileRefused(_l("The CSV file could not be read: check that it is a "
                             "spreadsheet saved as CSV.")) from error


def _xlsx_rows(data: bytes) -> list[Row]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileRefused(_l("This file is not a CSV or XLSX spreadsheet.")) from error
    if "xl/workbook.xml" not in names:
        raise FileRefused(_l("This file is not a CSV or XLSX spreadsheet."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(_l("The workbook is too large once unpacked. Remove other sheets "
                             "and pictures, or save the list as CSV."))
    try:
        return _sheet_rows(data)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise FileRefused(_l("The XLSX file could not be read. Open it in Excel, save it "
                             "again and upload it once more.")) from error


def _sheet_rows(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Workbook contains no default style"
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows: list[Row] = []
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                rows.append(tuple(row))
                if len(rows) >= MAX_SHEET_ROWS:
                    break
            return rows
        finally:
            workbook.close()
