"""Demo producers drawn from the province's real programme: sewing and weaving in Samarinda
and Balikpapan, rattan in Kampung Teluk Sumbang and wood and shell craft in Biduk-Biduk
(Berau), processed food from a usaha bersama in Paser; in every verification state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marketplace.producers.models import ProducerStatus, ProducerType, Sector
from marketplace.programs.models import FundingSource

PROGRAMS = (
    {"key": "jahit", "name": "Bantuan Alat Mesin Jahit dan Tenun 2024", "fiscal_year": 2024,
     "funding_source": FundingSource.APBD,
     "legal_basis": "Keputusan Kepala Dinas Perindagkop dan UKM Prov. Kaltim No. 500/217/2024",
     "budget_idr": 750_000_000, "target_sectors": ["tekstil"],
     "target_regions": ["64.72", "64.71"]},
    {"key": "rotan", "name": "Bantuan Peralatan Kerajinan Rotan dan Kayu Berau 2023",
     "fiscal_year": 2023, "funding_source": FundingSource.DID,
     "legal_basis": "Keputusan Kepala Dinas No. 500/098/2023", "budget_idr": 420_000_000,
     "target_sectors": ["rotan_anyaman", "kerajinan_kayu"], "target_regions": ["64.03"]},
    {"key": "pangan", "name": "Bantuan Peralatan Pengolahan Pangan Paser 2024",
     "fiscal_year": 2024, "funding_source": FundingSource.APBN,
     "legal_basis": "Keputusan Kepala Dinas No. 500/301/2024", "budget_idr": 300_000_000,
     "target_sectors": ["olahan_pangan"], "target_regions": ["64.01", "64.72"]},
)


@dataclass(frozen=True)
class DemoProducer:
    name: str
    type: ProducerType
    sector: Sector
    owner_name: str
    region_code: str
    street_address: str
    phone: str
    nib: str
    status: ProducerStatus
    program: str
    items: tuple[tuple[str, str, int, int], ...]  # name, category, quantity, unit value
    story: str = ""
    workers_total: int = 3
    workers_women: int = 2
    year_started: int = 2015
    owner_email: str | None = None  # None: unclaimed (created by the agency)
    halal_claimed: bool = False
    reason: str = ""
    extra: dict[str, object] = field(default_factory=dict)


HANDOVER = {"jahit": dt.date(2024, 6, 12), "rotan": dt.date(2023, 9, 5),
            "pangan": dt.date(2024, 8, 20)}

PRODUCERS = (
    DemoProducer(
        "Tenun Sarung Samarinda Hj. Siti", ProducerType.GROUP, Sector.TEXTILE,
        "Siti Aminah", "64.72.02.1010", "Jl. Pangeran Bendahara Gg. Tenun No. 12",
        "081253401122", "9120001234561", ProducerStatus.VERIFIED, "jahit",
        (("Alat tenun bukan mesin (ATBM)", "Alat tenun", 2, 6_000_000),
         ("Mesin jahit high speed", "Mesin jahit", 1, 4_500_000)),
        story="Kelompok penenun sarung tenun Samarinda di Kampung Tenun sejak 1998: motif "
              "belang hatta, pucuk rebung dan kotak-kotak, ditenun tangan oleh ibu-ibu kampung.",
        workers_total=8, workers_women=7, year_started=1998,
        owner_email="produsen@demo.test"),
    DemoProducer(
        "Konveksi Mangkupalas", ProducerType.INDIVIDUAL, Sector.TEXTILE, "Rahmawati",
        "64.72.02.1009", "Jl. Mangkupalas No. 45", "081350887766", "9120001234562",
        ProducerStatus.VERIFIED, "jahit",
        (("Mesin jahit high speed", "Mesin jahit", 2, 4_500_000),
         ("Mesin obras benang empat", "Mesin jahit", 1, 3_750_000)),
        story="Menjahit seragam sekolah, baju kurung dan gamis dengan kain tenun Samarinda.",
        workers_total=4, workers_women=4, year_started=2016,
        owner_email="rahmawati@demo.test"),
    DemoProducer(
        "Penjahit Karang Joang", ProducerType.INDIVIDUAL, Sector.TEXTILE, "Yuliana Pasande",
        "64.71.03.1003", "Jl. Soekarno-Hatta Km 12 RT 21", "081254330012", "9120001234563",
        ProducerStatus.SUBMITTED, "jahit",
        (("Mesin jahit portable", "Mesin jahit", 1, 2_850_000),),
        story="Jahitan tas belanja dan pouch dari kain perca.", workers_total=2,
        workers_women=2, year_started=2019, owner_email="yuliana@demo.test"),
    DemoProducer(
        "KUB Anyaman Rotan Teluk Sumbang", ProducerType.GROUP, Sector.RATTAN,
        "Hasanah", "64.03.08.2004", "Kampung Teluk Sumbang RT 03", "082155667788",
        "9120001234564", ProducerStatus.VERIFIED, "rotan",
        (("Mesin pembelah rotan", "Alat anyam rotan", 1, 12_500_000),
         ("Alat serut rotan", "Alat anyam rotan", 3, 1_250_000)),
        story="Tas, tikar dan keranjang anyaman rotan buatan ibu-ibu Kampung Teluk Sumbang.",
        workers_total=12, workers_women=11, year_started=2010,
        owner_email="hasanah@demo.test"),
    DemoProducer(
        "Kerajinan Kayu dan Kerang Biduk-Biduk", ProducerType.JOINT, Sector.WOOD,
        "Abdul Rahman", "64.03.08.2001", "Jl. Poros Biduk-Biduk", "085247001234",
        "9120001234565", ProducerStatus.CHANGES_NEEDED, "rotan",
        (("Mesin gerinda dan ukir tangan", "Alat kerajinan kayu", 2, 2_400_000),),
        story="Hiasan dinding dan suvenir dari kayu dan kerang pantai Biduk-Biduk.",
        workers_total=5, workers_women=2, year_started=2017,
        owner_email="rahman@demo.test",
        reason="Foto KTP buram dan NIB belum diunggah. Mohon unggah ulang."),
    DemoProducer(
        "Usaha Bersama Olahan Pangan Tanah Grogot", ProducerType.JOINT, Sector.FOOD,
        "Nurhayati", "64.01.04.2003", "Jl. Kusuma Bangsa No. 8, Tepian Batang",
        "081346552211", "9120001234566", ProducerStatus.VERIFIED, "pangan",
        (("Mesin vacuum frying", "Mesin pengolahan pangan", 1, 27_000_000),
         ("Continuous band sealer", "Mesin pengemas", 2, 1_800_000)),
        story="Keripik pisang, amplang ikan dan madu kelulut dari Kabupaten Paser.",
        workers_total=6, workers_women=5, year_started=2014, halal_claimed=True,
        owner_email="nurhayati@demo.test"),
    DemoProducer(
        "Koperasi Pengrajin Rotan Giring-Giring", ProducerType.COOPERATIVE, Sector.RATTAN,
        "Muhammad Saleh", "64.03.08.2009", "Kampung Giring-Giring", "082253119900",
        "9120001234567", ProducerStatus.DRAFT, "rotan",
        (("Mesin pembelah rotan", "Alat anyam rotan", 1, 12_500_000),)),
    DemoProducer(
        "Penjahit Graha Indah", ProducerType.INDIVIDUAL, Sector.TEXTILE, "Sri Wahyuni",
        "64.71.03.1006", "Perumahan Graha Indah Blok C", "081250004455", "9120001234568",
        ProducerStatus.DRAFT, "jahit",
        (("Mesin jahit portable", "Mesin jahit", 1, 2_850_000),)),
    DemoProducer(
        "Amplang Sungai Keledang", ProducerType.INDIVIDUAL, Sector.FOOD, "Fitriani",
        "64.72.02.1001", "Jl. Bung Tomo Gg. Keledang", "081355443322", "9120001234569",
        ProducerStatus.DRAFT, "pangan",
        (("Mesin pengaduk adonan", "Mesin pengolahan pangan", 1, 6_500_000),),
        owner_email="fitriani@demo.test"),
    DemoProducer(
        "Madu Kelulut Tepian Batang", ProducerType.INDIVIDUAL, Sector.FOOD, "Syamsuddin",
        "64.01.04.2003", "Desa Tepian Batang RT 05", "085250771122", "9120001234570",
        ProducerStatus.SUSPENDED, "pangan",
        (("Alat ekstraksi madu", "Mesin pengolahan pangan", 1, 4_200_000),),
        owner_email="syamsuddin@demo.test",
        reason="Izin P-IRT kedaluwarsa; toko ditutup sementara sampai izin diperbarui."),
)
