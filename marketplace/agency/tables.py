"""Report tables: what a page shows and what downloads as CSV or XLSX, from one definition.

A download's header row is in Indonesian whatever the page's language, and its file name
carries the filters. Text cells that a spreadsheet would run as a formula (starting with
=, +, - or @) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from flask import Response
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from openpyxl import Workbook

#: Column kinds: how a page formats the value (a download keeps the plain number).
TEXT, COUNT, IDR, PERCENT, MONTH = "text", "count", "idr", "percent", "month"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy string: translated when shown
    kind: str = TEXT


@dataclass
class Table:
    key: str
    title: Any
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    #: Shown under the table (e.g. what counts as a sale).
    note: Any = ""
    #: For a two-column "figure, value" table: each row's value kind.
    row_kinds: list[str] = field(default_factory=list)


def header_id(table: Table) -> list[str]:
    with force_locale("id"):
        return [str(column.label) for column in table.columns]


def _cell(value: Any) -> Any:
    if isinstance(value, LazyString):
        value = str(value)  # translated in the file's language (force_locale around it)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if value is None:
        return ""
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # an enum member
    return value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_id(table))
    with force_locale("id"):
        for row in table.rows:
            writer.writerow([_cell(value) for value in row])
    # With a byte-order mark, spreadsheet programs read the UTF-8 (names with accents) right.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    with force_locale("id"):
        title = str(table.title)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.append(header_id(table))
    with force_locale("id"):
        for row in table.rows:
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "Data"


def download(table: Table, fmt: str, label: str) -> Response:
    """The table as a file named "<label>_<table key>.<fmt>"."""
    name = f"{label}_{table.key}.{fmt}"
    if fmt == "csv":
        response = Response(to_csv(table), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        response = Response(to_xlsx(table), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
