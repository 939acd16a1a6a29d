"""Checking a programme's recipient list row by row (the columns: docs/impor-penerima.md).

Nothing here writes: ``check_file`` returns an ImportPreview that names every problem by
its row number (as the spreadsheet shows it) and column, groups rows into recipients
(several rows of one recipient = several equipment items), and finds recipients who are
already producers here. services.import_recipients turns the valid recipients into rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers import validation
from marketplace.producers.models import Producer
from marketplace.producers.services import ProfileData, clean_profile
from marketplace.programs import columns, rules
from marketplace.programs.columns import COLUMN_OF_FIELD, RegionIndex
from marketplace.programs.models import AidProgram, Grant
from marketplace.programs.tables import FileRefused, is_blank, read_rows


@dataclass
class Problem:
    row: int
    column: str
    message: object


@dataclass
class Recipient:
    """One producer in the list, with the equipment it received (one item per row)."""

    rows: list[int]
    data: ProfileData
    region_label: str
    items: list[dict[str, object]] = field(default_factory=list)
    handover_date: dt.date | None = None
    handover_place: str = ""
    bast_number: str = ""
    valid: bool = True
    #: clean_profile's values, for a new producer.
    values: dict[str, object] = field(default_factory=dict)
    existing: Producer | None = None
    has_grant: bool = False


@dataclass
class ImportPreview:
    filename: str
    sha256: str
    kind: str
    rows_total: int
    recipients: list[Recipient]
    problems: list[Problem]

    @property
    def importable(self) -> list[Recipient]:
        return [r for r in self.recipients if r.valid]

    @property
    def rows_valid(self) -> int:
        return sum(len(r.rows) for r in self.importable)

    @property
    def rows_skipped(self) -> int:
        return self.rows_total - self.rows_valid

    @property
    def new_producers(self) -> int:
        return sum(1 for r in self.importable if r.existing is None)

    @property
    def new_grants(self) -> int:
        return sum(1 for r in self.importable if not r.has_grant)


def check_file(data: bytes, filename: str, program: AidProgram) -> ImportPreview:
    """Every row checked; FileRefused when the file as a whole cannot be used."""
    kind, rows = read_rows(data)
    header_index, header = columns.find_header(rows)
    checker = _Checker(RegionIndex.load())
    total = 0
    for index, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if is_blank(row):
            continue
        total += 1
        checker.check(index, columns.row_values(header, row))
    if total == 0:
        raise FileRefused(_l("The file has column headings but no recipients."))
    recipients = checker.finish(program)
    return ImportPreview(filename=_safe_name(filename), sha256=hashlib.sha256(data).hexdigest(),
                         kind=kind, rows_total=total, recipients=recipients,
                         problems=sorted(checker.problems, key=lambda p: p.row))


def _safe_name(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    return re.sub(r"[^\w. ()-]", "_", name).strip()[:200] or "impor"


class _Checker:
    def __init__(self, regions: RegionIndex) -> None:
        self.regions = regions
        self.problems: list[Problem] = []
        self.by_key: dict[str, Recipient] = {}
        self.order: list[Recipient] = []
        self.nib_names: dict[str, tuple[str, int]] = {}

    def _problem(self, row: int, column: str, message: object) -> None:
        self.problems.append(Problem(row, column, message))

    def _try(self, row: int, column: str, check, *args):  # type: ignore[no-untyped-def]
        try:
            return check(*args)
        except ServiceError as error:
            self._problem(row, _column(error.field, column), error.message)
            return None

    def check(self, row: int, values: dict[str, object]) -> None:
        before = len(self.problems)
        name = rules.clean_text(columns.text(values, "nama_usaha"), 200)
        if not name:
            self._problem(row, "nama_usaha", _l("Enter the business name."))
        nib = self._try(row, "nib", validation.clean_nib, columns.text(values, "nib"))
        region = self._try(row, "kode_wilayah", self.regions.resolve, values)
        key = self._key(row, name, nib, region)
        recipient = self.by_key.get(key) if key else None
        data = self._profile(row, values, name, nib, region, first=recipient is None)
        item = self._item(row, values)
        handover = self._handover(row, values)
        ok = len(self.problems) == before
        if recipient is None:
            label = self.regions.label(region.code) if region else ""
            recipient = Recipient(rows=[], data=data, region_label=label)
            self.order.append(recipient)
            if key:
                self.by_key[key] = recipient
        recipient.rows.append(row)
        recipient.valid = recipient.valid and ok
        if ok:
            recipient.items.append(item)
            self._merge_handover(recipient, *handover)

    def _key(self, row: int, name: str, nib: str | None, region) -> str | None:  # type: ignore[no-untyped-def]
        if nib:
            seen = self.nib_names.setdefault(nib, (name.casefold(), row))
            if seen[0] != name.casefold():
                self._problem(row, "nib", _l("Duplicate NIB: row %(row)d has the same NIB for "
                                             "another business.", row=seen[1]))
                return None
            return f"nib:{nib}"
        if name and region is not None:
            return f"name:{name.casefold()}|{region.code}"
        return None

    def _profile(self, row: int, values: dict[str, object], name: str, nib: str | None,
                 region, *, first: bool) -> ProfileData:  # type: ignore[no-untyped-def]
        kind = self._try(row, "jenis_usaha", columns.producer_type, values, first)
        sector = self._try(row, "sektor", columns.sector, values, first)
        text = {col: columns.text(values, col) for col in columns.PROFILE_TEXT}
        self._try(row, "kode_pos", validation.clean_postal_code, text["kode_pos"])
        self._try(row, "telepon", validation.clean_phone, text["telepon"], "phone")
        self._try(row, "whatsapp", validation.clean_phone, text["whatsapp"], "whatsapp")
        self._try(row, "npwp", validation.clean_npwp, text["npwp"])
        workers = self._try(row, "jumlah_pekerja", columns.whole_number, values,
                            "jumlah_pekerja") or 0
        women = self._try(row, "pekerja_perempuan", columns.whole_number, values,
                          "pekerja_perempuan") or 0
        year = self._try(row, "tahun_mulai", columns.whole_number, values, "tahun_mulai")
        return ProfileData(
            name=name, type=kind or "", sector=sector or "", owner_name=text["nama_pemilik"],
            story=text["cerita_usaha"], region_code=region.code if region else None,
            street_address=text["alamat"], postal_code=text["kode_pos"],
            phone=text["telepon"], whatsapp=text["whatsapp"], nib=nib, npwp=text["npwp"] or None,
            year_started=year, workers_total=workers, workers_women=women)

    def _item(self, row: int, values: dict[str, object]) -> dict[str, object]:
        item = rules.ItemData(
            name=columns.text(values, "nama_alat"), category=columns.text(values, "kategori_alat"),
            quantity=values.get("jumlah_alat"), unit_value=values.get("nilai_satuan"),
            serial_number=columns.text(values, "nomor_seri"))
        return self._try(row, "nama_alat", rules.clean_item, item, "item_") or {}

    def _handover(self, row: int, values: dict[str, object]) -> tuple[object, str, str]:
        date = self._try(row, "tanggal_serah_terima", columns.date_value, values)
        if date is not None:
            date = self._try(row, "tanggal_serah_terima", rules.clean_handover_date, date)
        return (date, rules.clean_text(columns.text(values, "tempat_serah_terima"), 160),
                rules.clean_text(columns.text(values, "nomor_bast"), 100))

    @staticmethod
    def _merge_handover(recipient: Recipient, date, place: str, bast: str) -> None:  # type: ignore[no-untyped-def]
        recipient.handover_date = recipient.handover_date or date
        recipient.handover_place = recipient.handover_place or place
        recipient.bast_number = recipient.bast_number or bast

    def finish(self, program: AidProgram) -> list[Recipient]:
        """Find who is already a producer (and already has this programme's grant), and
        apply the profile form's own rules to each new recipient."""
        for recipient in self.order:
            if not recipient.valid:
                continue
            recipient.existing = _existing_producer(recipient.data)
            existing_id = recipient.existing.id if recipient.existing else None
            try:
                _same_business(recipient)
                recipient.values = clean_profile(recipient.data, existing_id)
            except ServiceError as error:
                recipient.valid = False
                self._problem(recipient.rows[0], _column(error.field, ""), error.message)
                continue
            recipient.has_grant = existing_id is not None and db.session.scalar(
                select(Grant.id).where(Grant.program_id == program.id,
                                       Grant.producer_id == existing_id)) is not None
        for recipient in self.order:
            if not recipient.valid and len(recipient.rows) > 1:
                self._note_skipped_siblings(recipient)
        return self.order

    def _note_skipped_siblings(self, recipient: Recipient) -> None:
        bad = {p.row for p in self.problems}
        first_bad = min(row for row in recipient.rows if row in bad)
        for row in recipient.rows:
            if row not in bad:
                self._problem(row, "", _l("Skipped with the rest of this recipient: see row "
                                          "%(row)d.", row=first_bad))


def _column(field: str | None, default: str) -> str:
    if field in COLUMN_OF_FIELD:
        return COLUMN_OF_FIELD[field]
    return field if field in columns.ALIASES else default


def _same_business(recipient: Recipient) -> None:
    """A NIB already registered here must belong to the same business name: otherwise the
    list has a wrong NIB, and the grant would go to somebody else."""
    existing = recipient.existing
    if existing is not None and recipient.data.nib and (
            existing.name.casefold() != recipient.data.name.casefold()):
        raise ServiceError(_l("Duplicate NIB: it is already registered to %(name)s.",
                              name=existing.name), "nib")


def _existing_producer(data: ProfileData) -> Producer | None:
    """The same producer already here: by NIB, or (without NIB) by name and village."""
    if data.nib:
        return db.session.scalar(select(Producer).where(Producer.nib == data.nib))
    return db.session.scalar(select(Producer).where(
        func.lower(Producer.name) == data.name.casefold(),
        Producer.region_code == data.region_code).order_by(Producer.id).limit(1))
