"""Categories: a two-level tree suited to the province's goods, managed by admins.

Slugs are chosen once, when a category is created, and kept when it is renamed: they are
part of public addresses and must not break.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.catalogue.models import Category, Product
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers.services import AccessDenied

#: (name_id, name_en, [(sub name_id, sub name_en), ...]), in the order shown to buyers.
DEFAULT_TREE: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("Kain & Tenun", "Fabrics & Woven Cloth", (
        ("Sarung Tenun Samarinda", "Samarinda Woven Sarongs"),
        ("Kain Ulap Doyo", "Ulap Doyo Cloth"),
        ("Batik Kaltim", "East Kalimantan Batik"))),
    ("Pakaian & Fashion Muslim", "Clothing & Muslim Fashion", (
        ("Gamis & Busana Muslim", "Gamis & Muslim Wear"),
        ("Baju Kurung & Kebaya", "Baju Kurung & Kebaya"),
        ("Seragam & Konveksi", "Uniforms & Garments"),
        ("Pakaian Anak", "Children's Clothing"))),
    ("Tas & Aksesori", "Bags & Accessories", (
        ("Tas Anyaman", "Woven Bags"),
        ("Tas Kain & Pouch", "Fabric Bags & Pouches"),
        ("Perhiasan & Aksesori", "Jewellery & Accessories"))),
    ("Kerajinan Rotan & Anyaman", "Rattan & Woven Crafts", (
        ("Tikar Rotan", "Rattan Mats"),
        ("Keranjang & Wadah", "Baskets & Containers"),
        ("Perabot Rotan", "Rattan Furniture"))),
    ("Kerajinan Kayu", "Wood Crafts", (
        ("Ukiran Kayu", "Wood Carvings"),
        ("Peralatan Dapur Kayu", "Wooden Kitchenware"),
        ("Suvenir Kayu", "Wooden Souvenirs"))),
    ("Dekorasi Rumah", "Home Decor", (
        ("Hiasan Dinding", "Wall Decorations"),
        ("Kerajinan Kerang", "Shell Crafts"),
        ("Lampu & Hiasan Meja", "Lamps & Table Decorations"))),
    ("Camilan & Oleh-oleh", "Snacks & Souvenirs", (
        ("Amplang & Kerupuk", "Amplang & Crackers"),
        ("Keripik", "Chips"),
        ("Kue Kering & Dodol", "Cookies & Dodol"))),
    ("Olahan Hasil Laut", "Processed Seafood", (
        ("Ikan Asin & Ikan Kering", "Salted & Dried Fish"),
        ("Udang & Ebi", "Shrimp & Dried Shrimp"),
        ("Terasi & Sambal", "Shrimp Paste & Sambal"))),
    ("Madu, Kopi & Minuman", "Honey, Coffee & Drinks", (
        ("Madu Kelulut & Madu Hutan", "Kelulut & Wild Honey"),
        ("Kopi", "Coffee"),
        ("Teh & Minuman Herbal", "Tea & Herbal Drinks"))),
    ("Bahan Pangan", "Food Staples", (
        ("Beras & Biji-bijian", "Rice & Grains"),
        ("Gula Aren & Rempah", "Palm Sugar & Spices"),
        ("Tepung & Olahan Umbi", "Flour & Tuber Products"))),
)

NAME_MAX = 80


def require_admin(actor: User) -> None:
    if not actor.is_authenticated or actor.role is not Role.ADMIN:
        raise AccessDenied(_l("Only administrators manage categories."))


# --- reading -------------------------------------------------------------------------------

def tree() -> list[Category]:
    """Top categories in order, each with its subcategories loaded (in order)."""
    return list(db.session.scalars(
        select(Category).where(Category.parent_id.is_(None))
        .options(selectinload(Category.children))
        .order_by(Category.position, Category.id)))


def product_counts() -> dict[int, int]:
    """How many products (any status) use each category directly."""
    rows = db.session.execute(select(Product.category_id, func.count())
                              .group_by(Product.category_id))
    return {category_id: count for category_id, count in rows}


def get_category(category_id: int | None) -> Category | None:
    return db.session.get(Category, category_id) if category_id else None


def by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


# --- the default tree ----------------------------------------------------------------------

def ensure_default_categories() -> int:
    """Create the province's category tree where it is missing (matched by slug); never
    renames or moves what exists. Returns how many categories were added. Commits."""
    added = 0
    for top_position, (name_id, name_en, children) in enumerate(DEFAULT_TREE):
        top, created = _ensure(name_id, name_en, None, top_position)
        added += created
        for position, (sub_id, sub_en) in enumerate(children):
            added += _ensure(sub_id, sub_en, top, position)[1]
    db.session.commit()
    return added


def _ensure(name_id: str, name_en: str, parent: Category | None,
            position: int) -> tuple[Category, int]:
    category = by_slug(slugify(name_id, max_length=NAME_MAX))
    if category is not None:
        return category, 0
    category = Category(slug=_unique_slug(name_id), name_id=name_id, name_en=name_en,
                        parent_id=parent.id if parent else None, position=position)
    db.session.add(category)
    db.session.flush()
    return category, 1


# --- admin changes -------------------------------------------------------------------------

def _clean_names(name_id: str, name_en: str) -> tuple[str, str]:
    name_id, name_en = (name_id or "").strip(), (name_en or "").strip()
    if not name_id or len(name_id) > NAME_MAX:
        raise ServiceError(_l("Enter the Indonesian name (at most %(max)d characters).",
                              max=NAME_MAX), "name_id")
    if not name_en or len(name_en) > NAME_MAX:
        raise ServiceError(_l("Enter the English name (at most %(max)d characters).",
                              max=NAME_MAX), "name_en")
    return name_id, name_en


def _clean_position(position: int | None) -> int | None:
    if position is not None and not 0 <= position <= 999:
        raise ServiceError(_l("Enter a position from 0 to 999."), "position")
    return position


def _unique_slug(name: str) -> str:
    base = slugify(name, max_length=NAME_MAX - 4) or "kategori"
    slug, n = base, 2
    while db.session.scalar(select(Category.id).where(Category.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_category(actor: User, name_id: str, name_en: str, parent_id: int | None = None,
                    position: int | None = None) -> Category:
    """A top category, or a subcategory of a top category (the tree has two levels)."""
    require_admin(actor)
    name_id, name_en = _clean_names(name_id, name_en)
    position = _clean_position(position)
    parent = get_category(parent_id) if parent_id else None
    if parent_id and (parent is None or parent.parent_id is not None):
        raise ServiceError(_l("Choose a top category as the parent: categories have two "
                              "levels only."), "parent_id")
    if position is None:
        position = 1 + (db.session.scalar(select(func.max(Category.position)).where(
            Category.parent_id == parent_id if parent_id else Category.parent_id.is_(None)))
            or 0)
    category = Category(slug=_unique_slug(name_id), name_id=name_id, name_en=name_en,
                        parent_id=parent.id if parent else None, position=position)
    db.session.add(category)
    db.session.commit()
    return category


def update_category(actor: User, category: Category, name_id: str, name_en: str,
                    position: int | None) -> Category:
    """Rename and reorder. Products' search words follow the new names."""
    from marketplace.catalogue.services import refresh_category_products

    require_admin(actor)
    name_id, name_en = _clean_names(name_id, name_en)
    position = _clean_position(position)
    renamed = (name_id, name_en) != (category.name_id, category.name_en)
    category.name_id, category.name_en = name_id, name_en
    if position is not None:
        category.position = position
    if renamed:
        refresh_category_products(category)
    db.session.commit()
    return category


def delete_category(actor: User, category: Category) -> None:
    """Only an unused category goes: no subcategories and no product (of any status)."""
    require_admin(actor)
    if category.children:
        raise ServiceError(_l("“%(name)s” still has subcategories: delete or empty them "
                              "first.", name=category.name_id))
    used = db.session.scalar(select(func.count()).select_from(Product).where(
        Product.category_id == category.id)) or 0
    if used:
        raise ServiceError(_l("“%(name)s” is used by %(count)d products (drafts and archived "
                              "ones count too): move them to another category first.",
                              name=category.name_id, count=used))
    db.session.delete(category)
    db.session.commit()
