"""The recipient list's columns and how each cell is read (docs/impor-penerima.md).

Headings are matched loosely ("Nama Usaha", "nama_usaha", "NAMA USAHA*" are the same) and
regions are accepted as a Kemendagri code or as names within Kalimantan Timur.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers.models import ProducerType, Sector
from marketplace.programs.tables import FileRefused, Row
from marketplace.regions.models import DISTRICT, KALTIM, REGENCY, VILLAGE, Region

#: Canonical column -> other headings accepted for it.
ALIASES: dict[str, tuple[str, ...]] = {
    "nama_usaha": ("nama_ukm", "nama_umkm", "nama_kelompok", "nama_koperasi"),
    "jenis_usaha": ("jenis", "bentuk_usaha"),
    "nama_pemilik": ("pemilik", "nama_ketua", "ketua"),
    "sektor": ("sektor_usaha", "bidang_usaha"),
    "cerita_usaha": ("cerita",),
    "kode_wilayah": ("kode_desa", "kode_kelurahan", "kode_kemendagri"),
    "kabupaten": ("kabupaten_kota", "kab_kota", "kota"),
    "kecamatan": ("kec",),
    "desa": ("kelurahan", "desa_kelurahan", "kelurahan_desa", "kampung"),
    "alamat": ("alamat_usaha", "alamat_jalan"),
    "kode_pos": ("kodepos",),
    "telepon": ("telp", "no_telepon", "nomor_telepon", "no_hp", "nomor_hp", "hp"),
    "whatsapp": ("wa", "no_wa", "nomor_whatsapp"),
    "nib": ("nomor_induk_berusaha",),
    "npwp": (),
    "tahun_mulai": ("tahun_berdiri",),
    "jumlah_pekerja": ("tenaga_kerja", "jumlah_tenaga_kerja"),
    "pekerja_perempuan": ("tenaga_kerja_perempuan",),
    "nama_alat": ("alat", "nama_barang"),
    "kategori_alat": ("kategori",),
    "jumlah_alat": ("jumlah", "jumlah_unit"),
    "nilai_satuan": ("harga_satuan", "nilai_satuan_rp"),
    "nomor_seri": ("no_seri", "serial_number"),
    "tanggal_serah_terima": ("tanggal_bast", "tgl_serah_terima"),
    "tempat_serah_terima": ("lokasi_serah_terima",),
    "nomor_bast": ("no_bast", "bast"),
}
REQUIRED = ("nama_usaha", "jenis_usaha", "sektor", "nama_alat", "jumlah_alat", "nilai_satuan")
REGION_NAMES = ("kabupaten", "kecamatan", "desa")
PROFILE_TEXT = ("nama_pemilik", "cerita_usaha", "alamat", "kode_pos", "telepon", "whatsapp",
                "npwp")
#: Which column a ServiceError's field (from clean_profile or clean_item) belongs to.
COLUMN_OF_FIELD = {
    "name": "nama_usaha", "type": "jenis_usaha", "sector": "sektor", "region_code": "kode_wilayah",
    "postal_code": "kode_pos", "phone": "telepon", "whatsapp": "whatsapp", "nib": "nib",
    "npwp": "npwp", "year_started": "tahun_mulai", "workers_total": "jumlah_pekerja",
    "workers_women": "pekerja_perempuan", "item_name": "nama_alat",
    "item_quantity": "jumlah_alat", "item_unit_value": "nilai_satuan",
}
_HEADING_OF = {alias: name for name, aliases in ALIASES.items() for alias in (name, *aliases)}

TYPE_WORDS = {
    ProducerType.INDIVIDUAL: ("usaha_perorangan", "perorangan", "usaha perorangan", "ukm",
                              "umkm", "usaha mikro", "individu"),
    ProducerType.GROUP: ("kub", "kelompok usaha bersama", "kelompok"),
    ProducerType.COOPERATIVE: ("koperasi",),
    ProducerType.JOINT: ("usaha_bersama", "usaha bersama"),
}
SECTOR_WORDS = {
    Sector.TEXTILE: ("tekstil", "tekstil dan jahit", "jahit", "menjahit", "konveksi", "tenun"),
    Sector.RATTAN: ("rotan_anyaman", "rotan", "anyaman", "rotan dan anyaman", "kerajinan rotan"),
    Sector.WOOD: ("kerajinan_kayu", "kerajinan kayu", "kayu"),
    Sector.FOOD: ("olahan_pangan", "olahan pangan", "pangan", "makanan", "makanan olahan"),
    Sector.OTHER: ("lainnya", "lain-lain", "lain"),
}
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "januari", "january"), ("feb", "februari", "february", "pebruari"),
     ("mar", "maret", "march"), ("apr", "april"), ("mei", "may"), ("jun", "juni", "june"),
     ("jul", "juli", "july"), ("agu", "agt", "agustus", "aug", "august"),
     ("sep", "september"), ("okt", "oktober", "oct", "october"),
     ("nov", "november", "nopember"), ("des", "desember", "dec", "december")), start=1)
    for name in names}


def heading(cell: object) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", str(cell or "").strip().lower()).strip("_")
    return _HEADING_OF.get(words, words)


def find_header(rows: list[Row]) -> tuple[int, dict[str, int]]:
    """The heading row (the first of the first ten rows naming nama_usaha) and its columns."""
    for index, row in enumerate(rows[:10]):
        names = [heading(cell) for cell in row]
        if "nama_usaha" in names:
            header: dict[str, int] = {}
            for position, name in enumerate(names):
                if name and name not in header:
                    header[name] = position
            _require_columns(header)
            return index, header
    raise FileRefused(_l("Missing columns: %(columns)s. The first row must hold the column "
                         "headings (see the example file).",
                         columns=", ".join(REQUIRED + ("kode_wilayah",))))


def _require_columns(header: dict[str, int]) -> None:
    missing = ", ".join(name for name in REQUIRED if name not in header)
    if "kode_wilayah" not in header and not all(name in header for name in REGION_NAMES):
        raise FileRefused(
            _l("Missing columns: %(columns)s, and kode_wilayah (or kabupaten, kecamatan and "
               "desa).", columns=missing) if missing else
            _l("Missing column: kode_wilayah (or kabupaten, kecamatan and desa)."))
    if missing:
        raise FileRefused(_l("Missing columns: %(columns)s.", columns=missing))


def row_values(header: dict[str, int], row: Row) -> dict[str, object]:
    return {name: row[position] if position < len(row) else None
            for name, position in header.items()}


def text(values: dict[str, object], column: str) -> str:
    """A cell as text: spreadsheet numbers lose their ".0", dates become 2024-05-14."""
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _choice(values: dict[str, object], column: str, words: dict, required: bool):  # type: ignore[no-untyped-def]
    value = " ".join(text(values, column).lower().replace("_", " ").split())
    if not value and not required:
        return None
    for choice, accepted in words.items():
        if value in {word.replace("_", " ") for word in accepted}:
            return choice.value
    options = ", ".join(accepted[0] for accepted in words.values())
    raise ServiceError(_l("Not one of: %(options)s.", options=options), None)


def producer_type(values: dict[str, object], required: bool) -> str | None:
    return _choice(values, "jenis_usaha", TYPE_WORDS, required)


def sector(values: dict[str, object], required: bool) -> str | None:
    return _choice(values, "sektor", SECTOR_WORDS, required)


def whole_number(values: dict[str, object], column: str) -> int | None:
    value = text(values, column).replace(".", "") if not isinstance(
        values.get(column), int | float) else text(values, column)
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise ServiceError(_l("Enter a whole number (0 or more)."), None)
    return int(value)


def date_value(values: dict[str, object]) -> dt.date | None:
    value = values.get("tanggal_serah_terima")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(values, "tanggal_serah_terima").lower()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    match = re.fullmatch(r"(\d{1,2})\s+([a-z]+)\s+(\d{4})", raw)
    if match and match.group(2) in _MONTHS:
        try:
            return dt.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            pass
    raise ServiceError(_l("Enter the date as 2024-05-14, 14/05/2024 or 14 Mei 2024."), None)


def _norm(name: str, prefixes: str) -> str:
    words = re.sub(r"[-.,()/]+", " ", name.lower()).split()
    while words and re.fullmatch(prefixes, words[0]):
        words = words[1:]
    return " ".join(words)


_REGENCY_WORDS = r"kabupaten|kab|kota|kotamadya"
_DISTRICT_WORDS = r"kecamatan|kec"
_VILLAGE_WORDS = r"kelurahan|kel|desa|kampung|kp"


@dataclass
class RegionIndex:
    """Kalimantan Timur's regions by code and by normalised name, read once per file."""

    by_code: dict[str, Region]
    children: dict[tuple[str, str], list[Region]]

    @classmethod
    def load(cls) -> RegionIndex:
        regions = list(db.session.scalars(select(Region).where(
            Region.code.like(f"{KALTIM}.%"))))
        children: dict[tuple[str, str], list[Region]] = {}
        words = {REGENCY: _REGENCY_WORDS, DISTRICT: _DISTRICT_WORDS, VILLAGE: _VILLAGE_WORDS}
        for region in regions:
            key = (region.parent_code or "", _norm(region.name, words[region.level]))
            children.setdefault(key, []).append(region)
        return cls({r.code: r for r in regions}, children)

    def resolve(self, values: dict[str, object]) -> Region:
        """The kelurahan/desa of a row: by kode_wilayah, else by the three names."""
        code = text(values, "kode_wilayah")
        if code:
            if re.fullmatch(r"\d{10}", code):
                code = f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
            if not code.startswith(f"{KALTIM}."):
                raise ServiceError(_l("This region code is not in Kalimantan Timur."),
                                   "kode_wilayah")
            region = self.by_code.get(code)
            if region is None or region.level != VILLAGE:
                raise ServiceError(_l("No kelurahan/desa in Kalimantan Timur has this code."),
                                   "kode_wilayah")
            return region
        if not any(text(values, name) for name in REGION_NAMES):
            raise ServiceError(_l("Enter kode_wilayah, or kabupaten, kecamatan and desa."),
                               "kode_wilayah")
        regency = self._child(KALTIM, values, "kabupaten", _REGENCY_WORDS, "Kalimantan Timur")
        district = self._child(regency.code, values, "kecamatan", _DISTRICT_WORDS, regency.name)
        return self._child(district.code, values, "desa", _VILLAGE_WORDS, district.name)

    def _child(self, parent: str, values: dict[str, object], column: str, prefixes: str,
               where: str) -> Region:
        name = text(values, column)
        if not name:
            raise ServiceError(_l("This cell is empty: enter the name, or use kode_wilayah."),
                               column)
        found = self.children.get((parent, _norm(name, prefixes)), [])
        if len(found) != 1:
            message = (_l("\"%(name)s\" was found more than once in %(where)s: use kode_wilayah.",
                          name=name, where=where) if found else
                       _l("\"%(name)s\" was not found in %(where)s.", name=name, where=where))
            raise ServiceError(message, column)
        return found[0]

    def label(self, code: str) -> str:
        """"Teluk Sumbang, Biduk-Biduk, Kabupaten Berau"."""
        names = []
        while code in self.by_code:
            region = self.by_code[code]
            if region.level == 1:
                break
            names.append(region.name)
            code = region.parent_code or ""
        return ", ".join(names)
