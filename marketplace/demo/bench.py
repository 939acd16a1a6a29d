"""Benchmark data: ``flask --app marketplace seed-bench --products 100000``.

1,000 verified producers spread over Kaltim's villages and 100,000 published products
with one to three variants and one to four photos each, named from the province's real
kinds of goods. A photo row is what a listing reads and renders (renditions at 320, 640 and
1280 px, as uploads have); its files are not written, as no page the benchmark times reads
them. Inserted with Core executemany in batches (a few seconds per 10,000 products),
deterministic (seeded random), refused on a production configuration.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from flask import current_app
from sqlalchemy import func, insert, select

from marketplace.catalogue.models import (
    Category,
    ProcessingLevel,
    Product,
    ProductPhoto,
    ProductStatus,
    Variant,
)
from marketplace.catalogue.text import regency_word, stem_text
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.media.photos import WIDTHS
from marketplace.producers.models import Producer, ProducerStatus, ProducerType, Sector
from marketplace.regions.models import VILLAGE, Region

BATCH = 2000
GOODS = {
    Sector.TEXTILE: ["Sarung Tenun Samarinda", "Kain Tenun Ulap Doyo", "Gamis Tenun",
                     "Kemeja Batik Kaltim", "Selendang Tenun", "Baju Kurung", "Seragam Sekolah",
                     "Tas Kain Perca", "Pouch Tenun", "Mukena Bordir"],
    Sector.RATTAN: ["Tas Anyam Rotan", "Tikar Rotan", "Keranjang Rotan", "Kursi Rotan",
                    "Topi Anyaman Pandan", "Tempat Tisu Rotan", "Lampu Gantung Rotan",
                    "Nampan Anyaman", "Dompet Anyam Manik", "Seraung Anyaman"],
    Sector.WOOD: ["Ukiran Kayu Ulin", "Mandau Hiasan", "Talenan Kayu", "Hiasan Dinding Kerang",
                  "Miniatur Perahu Kayu", "Gantungan Kunci Kayu", "Kotak Perhiasan Kayu",
                  "Patung Burung Enggang"],
    Sector.FOOD: ["Amplang Ikan Pipih", "Keripik Pisang Kepok", "Madu Kelulut", "Kopi Luwak Kaltim",
                  "Dodol Lai", "Kerupuk Udang", "Abon Ikan Haruan", "Sambal Raja",
                  "Terasi Udang Rebon", "Kue Bingka"],
}
QUALIFIERS = ["Motif Belang Hatta", "Motif Pucuk Rebung", "Khas Kaltim", "Premium", "Asli",
              "Motif Dayak", "Ukuran Besar", "Ukuran Kecil", "Warna Alam", "Edisi Lebaran",
              "Oleh-oleh Samarinda", "Buatan Tangan", "Pedas", "Original", "Isi 250 g",
              "Isi 500 g", "Biduk-Biduk", "Teluk Sumbang", "Tanah Grogot", "Mahakam"]
SIZES = ["S", "M", "L", "XL", "250 g", "500 g", "Merah", "Biru", "Hijau", "Kuning"]


def seed(products: int, producers: int = 1000, seed_value: int = 20261129,
         order_lines: int = 200_000) -> dict[str, int]:
    """Top up to ``producers`` and ``products``, then to ``order_lines`` order lines over
    the last two years (0 skips the orders)."""
    if current_app.config["PRODUCTION"]:
        raise ServiceError("Refusing to seed benchmark data: APP_ENV is production.")
    rng = random.Random(seed_value)  # noqa: S311 - reproducible data, not secrets
    categories = _leaf_categories()
    if not categories:
        raise ServiceError("No categories: run `flask --app marketplace catalogue "
                           "seed-categories` (or `demo load`) first.")
    producer_ids = _seed_producers(rng, producers)
    existing = db.session.scalar(select(func.count()).select_from(Product)) or 0
    added = 0
    for batch in _product_batches(rng, products - existing, producer_ids, categories):
        _insert_batch(rng, batch)
        added += len(batch)
    _seed_photos(random.Random(seed_value + 1))  # noqa: S311
    db.session.commit()
    from marketplace.demo.bench_orders import seed_orders

    lines = seed_orders(order_lines) if order_lines > 0 else 0
    return {"producers": len(producer_ids), "products_added": added, "order_lines_added": lines}


def _leaf_categories() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Category.id, Category.name_id).where(
        Category.parent_id.is_not(None)))
    return [(row.id, row.name_id) for row in rows]


def _seed_producers(rng: random.Random, count: int) -> list[tuple[int, Sector, str, str]]:
    villages = list(db.session.scalars(select(Region.code).where(
        Region.level == VILLAGE, Region.code.like("64.%")).order_by(Region.code)))
    have = list(db.session.execute(select(Producer.id, Producer.sector, Producer.name).where(
        Producer.slug.like("bench-%"))))
    rows = []
    sectors = list(GOODS)
    for n in range(len(have), count):
        sector = sectors[n % len(sectors)]
        rows.append({
            "slug": f"bench-{n}", "name": f"{rng.choice(['UMKM', 'KUB', 'Koperasi'])} "
            f"{rng.choice(QUALIFIERS)} {n}", "type": rng.choice(list(ProducerType)),
            "sector": sector, "owner_name": f"Pemilik {n}", "story": "", "region_code":
            rng.choice(villages), "street_address": "", "postal_code": "", "phone": "",
            "whatsapp": "+6281200000000", "status": ProducerStatus.VERIFIED,
            "status_reason": "", "created_by_agency": True, "workers_total": 3,
            "workers_women": 2, "halal_claimed": False, "holiday_note": "",
            "created_at": utcnow(), "updated_at": utcnow(),
        })
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Producer.__table__), rows[start:start + BATCH])
    db.session.flush()
    return [(r.id, r.sector, r.name, r.region_code) for r in db.session.execute(
        select(Producer.id, Producer.sector, Producer.name, Producer.region_code)
        .where(Producer.slug.like("bench-%")))]


def _product_batches(rng: random.Random, count: int,
                     producers: list[tuple[int, Sector, str, str]],
                     categories: list[tuple[int, str]]) -> Iterator[list[dict[str, object]]]:
    batch: list[dict[str, object]] = []
    levels = list(ProcessingLevel)
    now = utcnow()
    for _ in range(max(0, count)):
        # Published over the last two years, so "newest" sorts real, different dates.
        published = now - dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        producer_id, sector, producer_name, region_code = rng.choice(producers)
        category_id, category_name = rng.choice(categories)
        name = f"{rng.choice(GOODS[Sector(sector)])} {rng.choice(QUALIFIERS)}"
        description = (f"{name} buatan {producer_name}. Dibuat dengan peralatan bantuan Dinas, "
                       f"bahan pilihan dari Kalimantan Timur.")
        price = rng.randrange(10, 2000) * 1000
        batch.append({
            "producer_id": producer_id, "category_id": category_id, "name": name,
            "slug": name.lower().replace(" ", "-"), "description": description,
            "processing_level": rng.choices(levels, weights=[1, 2, 5, 2])[0],
            "raw_material": "", "raw_material_origin": "", "pirt_number": "", "halal_number": "",
            "weight_grams": rng.randrange(100, 5000), "length_cm": 20, "width_cm": 15,
            "height_cm": 5, "min_order_qty": 1, "status": ProductStatus.PUBLISHED,
            "price_min_idr": price, "in_stock": True,
            "search_text": stem_text(name, description, category_name, producer_name) + " "
            + regency_word(region_code[:5]),
            "unpublished_reason": "", "published_at": published, "created_at": published,
            "updated_at": published, "_variants": rng.randrange(1, 4), "_price": price,
        })
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_batch(rng: random.Random, batch: list[dict[str, object]]) -> None:
    extras = [(row.pop("_variants"), row.pop("_price")) for row in batch]
    ids = _insert_returning_ids(batch)
    variants = []
    for product_id, (count, price) in zip(ids, extras, strict=True):
        for position in range(count):
            variants.append({"product_id": product_id, "name": "" if count == 1 else
                             SIZES[position], "sku": "", "price_idr": price + position * 5000,
                             "stock": rng.randrange(0, 200) or 5, "position": position})
    db.session.execute(insert(Variant.__table__), variants)


def _seed_photos(rng: random.Random) -> None:
    """One to four photo rows for every product without any (also tops up a database
    seeded before products had photos), in id order."""
    have = select(ProductPhoto.product_id).distinct()
    ids = list(db.session.scalars(select(Product.id).where(Product.id.not_in(have))
                                  .order_by(Product.id)))
    now = utcnow()
    for start in range(0, len(ids), BATCH):
        rows = [{"product_id": product_id, "position": position,
                 "alt_text": "" if rng.random() < 0.5 else f"Foto {position + 1}",
                 "key_prefix": f"public/bench/{rng.getrandbits(64):016x}",
                 "widths": list(WIDTHS), "width": 1280, "height": 960, "created_at": now}
                for product_id in ids[start:start + BATCH]
                for position in range(rng.randrange(1, 5))]
        db.session.execute(insert(ProductPhoto.__table__), rows)


def _insert_returning_ids(batch: list[dict[str, object]]) -> list[int]:
    """Insert products and return their ids in order (insertmanyvalues keeps the order)."""
    result = db.session.execute(
        insert(Product.__table__).returning(Product.__table__.c.id, sort_by_parameter_order=True),
        batch)
    return [row[0] for row in result]
