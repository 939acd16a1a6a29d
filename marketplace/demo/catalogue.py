"""Demo products: the verified demo producers' real kinds of goods, with plausible prices and
generated photos, so the demo looks like a real shop.

Everything goes through the catalogue services as the producer's owner would do it (photos
through the real upload pipeline). Idempotent: a product that exists (same producer, same
name) is left alone.
"""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageDraw
from slugify import slugify
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalogue import photos, services
from marketplace.catalogue.categories import by_slug, ensure_default_categories
from marketplace.catalogue.models import ProcessingLevel, Product
from marketplace.catalogue.services import ProductData, VariantData
from marketplace.extensions import db
from marketplace.media.photos import StoredPhoto, store_photo
from marketplace.producers.models import MemberRole, Producer, ProducerMember

RAW, SEMI = ProcessingLevel.RAW, ProcessingLevel.SEMI
FINISHED, BRANDED = ProcessingLevel.FINISHED, ProcessingLevel.BRANDED
PHOTO_SIZE = (1200, 900)


@dataclass(frozen=True)
class DemoProduct:
    name: str
    category: str  # the category's Indonesian name (its slug is derived from it)
    level: ProcessingLevel
    variants: tuple[tuple[str, int, int], ...]  # (option, price in Rupiah, stock)
    weight: int  # grams, packed
    size: tuple[int, int, int]  # cm
    raw_material: str
    origin: str
    description: str
    pattern: str  # stripes, weave, circles, diagonal
    colours: tuple[str, str, str]
    photos: int = 1
    alt: tuple[str, ...] = ()
    pirt: str = ""
    halal: str = ""
    min_order: int = 1


TENUN = ("#7a1f2b", "#e0b44c", "#1f3b6b")
SAMARINDA = "Kampung Tenun, Samarinda Seberang"
TELUK_SUMBANG = "Hutan Kampung Teluk Sumbang, Biduk-Biduk, Berau"
PIRT = "2066401010123-27"
HALAL = "ID64110000123450124"

CATALOGUE: dict[str, tuple[DemoProduct, ...]] = {
    "9120001234561": (  # Tenun Sarung Samarinda Hj. Siti
        DemoProduct(
            "Sarung Tenun Samarinda Motif Belang Hatta", "Sarung Tenun Samarinda", BRANDED,
            (("Benang katun", 275_000, 12), ("Benang sutra", 650_000, 4)), 450, (30, 25, 5),
            "Benang katun dan sutra", SAMARINDA,
            "Sarung tenun tangan dengan motif belang hatta, ditenun dengan alat tenun bukan "
            "mesin (ATBM) oleh ibu-ibu Kampung Tenun.\nPanjang 2 m, lebar 1 m.",
            "stripes", TENUN, photos=2,
            alt=("Sarung tenun motif belang hatta merah dan emas, terlipat",
                 "Detail tenunan sarung belang hatta")),
        DemoProduct(
            "Kain Tenun Samarinda Motif Pucuk Rebung", "Kain & Tenun", FINISHED,
            (("", 450_000, 6),), 400, (35, 25, 4), "Benang sutra", SAMARINDA,
            "Kain tenun selembar 2 x 1 m dengan motif pucuk rebung, cocok untuk dijahit "
            "menjadi kemeja atau gamis.", "diagonal", ("#0b5d4b", "#f2d27a", "#8a2432")),
        DemoProduct(
            "Selendang Tenun Samarinda", "Kain & Tenun", FINISHED,
            (("Merah", 185_000, 8), ("Hijau", 185_000, 5)), 200, (30, 20, 3),
            "Benang katun", SAMARINDA,
            "Selendang tenun ringan untuk acara adat dan hadiah.", "stripes",
            ("#b0303a", "#f4e3b5", "#2a2a4a")),
        DemoProduct(
            "Sarung Tenun Samarinda Motif Kotak-Kotak Hijau", "Sarung Tenun Samarinda",
            BRANDED, (("", 300_000, 9),), 450, (30, 25, 5), "Benang katun", SAMARINDA,
            "Sarung tenun motif kotak-kotak (kotak pacar) warna hijau tua.", "stripes",
            ("#1d5a3a", "#d9c37a", "#0e2a1d")),
        DemoProduct(
            "Benang Tenun Celup Warna Alam", "Kain & Tenun", SEMI,
            (("1 gulung", 60_000, 30),), 250, (15, 10, 10), "Benang katun",
            "Samarinda Seberang",
            "Benang katun yang dicelup dengan pewarna alam (kayu ulin, kunyit, daun "
            "mangga), siap ditenun.", "circles", ("#c98b3a", "#7a4a1e", "#e8d3a4")),
    ),
    "9120001234562": (  # Konveksi Mangkupalas
        DemoProduct(
            "Gamis Tenun Samarinda", "Gamis & Busana Muslim", BRANDED,
            (("S", 385_000, 4), ("M", 385_000, 6), ("L", 385_000, 6), ("XL", 400_000, 3)),
            600, (35, 28, 5), "Kain tenun Samarinda dan katun", "Samarinda",
            "Gamis berbahan katun dengan aksen kain tenun Samarinda di bagian dada dan "
            "lengan.", "diagonal", ("#4b2a5c", "#e7c86b", "#f6efe2"), photos=2,
            alt=("Gamis ungu dengan aksen tenun Samarinda", "Detail aksen tenun di lengan")),
        DemoProduct(
            "Baju Kurung Motif Tenun", "Baju Kurung & Kebaya", FINISHED,
            (("M", 295_000, 5), ("L", 295_000, 5), ("XL", 310_000, 2)), 450, (35, 28, 4),
            "Kain katun", "Samarinda", "Baju kurung dengan motif tenun cetak, adem dipakai.",
            "stripes", ("#0f4c5c", "#e36414", "#fb8b24")),
        DemoProduct(
            "Seragam Sekolah SD Kemeja Putih", "Seragam & Konveksi", FINISHED,
            (("Ukuran 8", 85_000, 20), ("Ukuran 10", 90_000, 20), ("Ukuran 12", 95_000, 15)),
            250, (30, 22, 3), "Kain katun tetoron", "Samarinda",
            "Kemeja seragam SD lengan pendek, jahitan rapi dan kuat.", "weave",
            ("#f4f4f0", "#9fb3c8", "#d64545"), min_order=2),
        DemoProduct(
            "Kemeja Batik Kaltim Motif Enggang", "Batik Kaltim", FINISHED,
            (("M", 225_000, 6), ("L", 225_000, 6), ("XL", 240_000, 4)), 300, (32, 25, 3),
            "Kain batik katun", "Samarinda",
            "Kemeja batik lengan pendek dengan motif burung enggang khas Kalimantan Timur.",
            "diagonal", ("#2b3a67", "#f4a259", "#5b8e7d")),
        DemoProduct(
            "Mukena Katun Bordir", "Gamis & Busana Muslim", BRANDED,
            (("", 275_000, 7),), 700, (35, 28, 8), "Kain katun rayon", "Samarinda",
            "Mukena dua potong dengan bordir tangan dan tas kain.", "circles",
            ("#f1ece2", "#8fb996", "#c9a227")),
    ),
    "9120001234564": (  # KUB Anyaman Rotan Teluk Sumbang
        DemoProduct(
            "Tas Anyam Rotan", "Tas Anyaman", BRANDED,
            (("Kecil", 275_000, 8), ("Sedang", 350_000, 10), ("Besar", 425_000, 4)), 700,
            (35, 15, 30), "Rotan sega", TELUK_SUMBANG,
            "Tas anyaman rotan sega buatan ibu-ibu Kampung Teluk Sumbang, dengan tali kulit "
            "dan lapisan kain di dalam.\nKecil 20 cm, sedang 28 cm, besar 35 cm.", "weave",
            ("#a86b32", "#e3c08a", "#5a3516"), photos=2,
            alt=("Tas anyaman rotan coklat, tampak depan", "Detail anyaman rotan tas")),
        DemoProduct(
            "Tikar Rotan Lampit 150 x 200 cm", "Tikar Rotan", FINISHED,
            (("", 1_250_000, 3),), 6000, (150, 30, 30), "Rotan sega", TELUK_SUMBANG,
            "Tikar lampit rotan yang diikat benang nilon, digulung untuk dikirim.", "weave",
            ("#c89b5c", "#7d5a2c", "#efdcb5")),
        DemoProduct(
            "Keranjang Rotan Serbaguna", "Keranjang & Wadah", FINISHED,
            (("Kecil", 65_000, 15), ("Besar", 95_000, 10)), 500, (35, 35, 25), "Rotan",
            TELUK_SUMBANG, "Keranjang rotan untuk buah, pakaian atau hantaran.", "weave",
            ("#b07d3e", "#f0d9a8", "#6b4423")),
        DemoProduct(
            "Tudung Saji Anyaman Rotan", "Keranjang & Wadah", FINISHED,
            (("", 150_000, 6),), 600, (50, 50, 25), "Rotan dan daun pandan", TELUK_SUMBANG,
            "Tudung saji anyaman rotan diameter 45 cm.", "circles",
            ("#8c5a2b", "#e9cf98", "#3f6b4a")),
        DemoProduct(
            "Rotan Belah Siap Anyam 1 kg", "Kerajinan Rotan & Anyaman", SEMI,
            (("", 55_000, 40),), 1100, (60, 15, 15), "Rotan sega", TELUK_SUMBANG,
            "Rotan yang sudah dibelah, diserut dan dijemur: siap dianyam.", "stripes",
            ("#d9b77a", "#a47a3c", "#f5e6c4")),
        DemoProduct(
            "Rotan Sega Kering 5 kg", "Kerajinan Rotan & Anyaman", RAW,
            (("", 120_000, 25),), 5200, (100, 20, 20), "Rotan sega", TELUK_SUMBANG,
            "Batang rotan sega kering, belum dibelah.", "stripes",
            ("#c2a06a", "#8a6a35", "#e8d7b0"), min_order=2),
    ),
    "9120001234566": (  # Usaha Bersama Olahan Pangan Tanah Grogot
        DemoProduct(
            "Amplang Ikan Pipih", "Amplang & Kerupuk", BRANDED,
            (("250 g", 30_000, 60), ("500 g", 55_000, 30)), 300, (20, 15, 8),
            "Ikan pipih (belida)", "Sungai Kandilo, Paser",
            "Amplang renyah dari ikan pipih segar, digoreng dengan mesin vacuum frying. "
            "Tanpa pengawet.", "circles", ("#f3d9a4", "#c9822e", "#8c3b1f"), photos=2,
            alt=("Amplang ikan pipih dalam kemasan standing pouch", "Amplang di piring"),
            pirt=PIRT, halal=HALAL),
        DemoProduct(
            "Keripik Pisang Kepok", "Keripik", BRANDED,
            (("Original", 20_000, 50), ("Balado", 22_000, 40)), 220, (20, 14, 6),
            "Pisang kepok", "Tanah Grogot, Paser",
            "Keripik pisang kepok tipis, 200 g per kemasan.", "circles",
            ("#f6e27f", "#d9a441", "#7a4e1d"), pirt=PIRT, halal=HALAL),
        DemoProduct(
            "Madu Kelulut", "Madu Kelulut & Madu Hutan", FINISHED,
            (("250 ml", 150_000, 20), ("500 ml", 280_000, 10)), 450, (10, 10, 16),
            "Madu lebah kelulut (Trigona)", "Desa Tepian Batang, Paser",
            "Madu kelulut murni dari sarang di kebun warga, rasa manis asam yang khas.",
            "circles", ("#f0a202", "#f18805", "#5c3c10"), pirt=PIRT),
        DemoProduct(
            "Kerupuk Ikan Pipih Mentah 500 g", "Amplang & Kerupuk", SEMI,
            (("", 35_000, 35),), 550, (25, 18, 6), "Ikan pipih dan tepung tapioka",
            "Sungai Kandilo, Paser", "Kerupuk ikan kering, tinggal digoreng di rumah.",
            "circles", ("#efe6d2", "#c4a574", "#6f5a3a"), pirt=PIRT),
        DemoProduct(
            "Gula Aren Cetak 1 kg", "Gula Aren & Rempah", FINISHED,
            (("", 40_000, 25),), 1050, (20, 15, 8), "Nira aren", "Long Ikis, Paser",
            "Gula aren cetak dari nira segar, dimasak dengan kayu bakar.", "circles",
            ("#6b3e26", "#a0522d", "#e6c9a8")),
        DemoProduct(
            "Biji Kopi Robusta Paser 1 kg", "Kopi", RAW,
            (("", 90_000, 15),), 1050, (25, 15, 10), "Kopi robusta", "Batu Sopang, Paser",
            "Biji kopi hijau (green bean) robusta petik merah, dijemur di para-para.",
            "circles", ("#556b2f", "#8f9779", "#3b2f2f")),
    ),
}


def load_demo_catalogue() -> int:
    """Add the demo products that are missing to the verified demo producers (published,
    with photos). Returns how many products were added."""
    ensure_default_categories()
    missing: list[tuple[User, Producer, DemoProduct]] = []
    for nib, specs in CATALOGUE.items():
        producer = db.session.scalar(select(Producer).where(Producer.nib == nib))
        owner = _owner(producer) if producer is not None and producer.is_public else None
        if owner is None:
            continue
        existing = set(db.session.scalars(select(Product.name).where(
            Product.producer_id == producer.id)))
        missing += [(owner, producer, spec) for spec in specs if spec.name not in existing]
    stored = _store_photos([spec for _, _, spec in missing])
    for owner, producer, spec in missing:
        _add(owner, producer, spec, stored[spec.name])
    return len(missing)


def _store_photos(specs: list[DemoProduct]) -> dict[str, list[StoredPhoto]]:
    """Draw and store every photo, two at a time: Pillow encodes outside the GIL, and the
    WebP renditions are most of the demo's time."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def store(job: tuple[DemoProduct, int]) -> StoredPhoto:
        with app.app_context():
            return store_photo(demo_photo(*job), photos.FOLDER)

    jobs = [(spec, index) for spec in specs for index in range(spec.photos)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(store, jobs))
    stored: dict[str, list[StoredPhoto]] = {spec.name: [] for spec in specs}
    for (spec, _), result in zip(jobs, results, strict=True):
        stored[spec.name].append(result)
    return stored


def _owner(producer: Producer) -> User | None:
    return db.session.scalar(select(User).join(ProducerMember).where(
        ProducerMember.producer_id == producer.id, ProducerMember.role == MemberRole.OWNER)
        .order_by(ProducerMember.id).limit(1))


def _add(owner: User, producer: Producer, spec: DemoProduct,
         stored: list[StoredPhoto]) -> Product:
    category = by_slug(slugify(spec.category, max_length=80))
    product = services.create_product(owner, producer, ProductData(
        name=spec.name, category_id=category.id if category else None,
        processing_level=spec.level.value, weight_grams=spec.weight,
        description=spec.description, raw_material=spec.raw_material,
        raw_material_origin=spec.origin, pirt_number=spec.pirt, halal_number=spec.halal,
        length_cm=spec.size[0], width_cm=spec.size[1], height_cm=spec.size[2],
        min_order_qty=spec.min_order,
        variants=[VariantData(name, price, stock) for name, price, stock in spec.variants]))
    for index, photo in enumerate(stored):
        alt = spec.alt[index] if index < len(spec.alt) else spec.name
        photos.attach_photo(owner, product, photo, alt)
    services.publish(owner, product)
    return product


def demo_photo(spec: DemoProduct, index: int = 0) -> bytes:
    """A pleasant 1200 x 900 JPEG evoking the product: stripes for tenun, a weave grid for
    rattan, circles for food. Deterministic for a given product and index."""
    rng = random.Random(f"{spec.name}/{index}")  # noqa: S311 - pictures, not secrets
    background, first, second = spec.colours if index == 0 else spec.colours[::-1]
    image = Image.new("RGB", PHOTO_SIZE, background)
    draw = ImageDraw.Draw(image)
    width, height = PHOTO_SIZE
    step = rng.choice((60, 80, 100)) // (index + 1)
    if spec.pattern == "stripes":
        for x in range(0, width, step):
            draw.rectangle((x, 0, x + step // 3, height), fill=first)
        for y in range(0, height, step * 2):
            draw.rectangle((0, y, width, y + step // 6), fill=second)
    elif spec.pattern == "diagonal":
        for offset in range(-height, width, step):
            draw.line((offset, 0, offset + height, height), fill=first, width=step // 4)
            draw.line((offset + step // 2, height, offset + step // 2 + height, 0),
                      fill=second, width=max(2, step // 10))
    elif spec.pattern == "weave":
        for row, y in enumerate(range(0, height, step)):
            for col, x in enumerate(range(0, width, step)):
                colour = first if (row + col) % 2 else second
                box = (x + 4, y + step // 4, x + step - 4, y + 3 * step // 4)
                if (row + col) % 2:
                    box = (x + step // 4, y + 4, x + 3 * step // 4, y + step - 4)
                draw.rounded_rectangle(box, radius=step // 8, fill=colour)
    else:  # circles
        for _ in range(28):
            radius = rng.randint(40, 140)
            x, y = rng.randint(0, width), rng.randint(0, height)
            draw.ellipse((x - radius, y - radius, x + radius, y + radius),
                         fill=rng.choice((first, second)), outline=background, width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
