"""The catalogue: categories, products with variants and photos, search, storefronts."""
