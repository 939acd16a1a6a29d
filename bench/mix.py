"""The request mixes the throughput benchmark replays: what buyers ask the catalogue and the
product pages for, in a fixed (seeded) order, so every run sends the same requests.

Catalogue (``/produk``), by share of requests:
- 55 % browsing: the first pages, sort orders, every category, kabupaten/kota and processing
  level, a few second pages; popularity falls off as 1/rank (Zipf, s = 1) in that order;
- 30 % popular searches: the benchmark's own queries, single words and product names
  buyers type, sometimes a second page or another order, also Zipf by rank;
- 15 % the long tail: searches nobody else makes in the run (two or three words, sometimes
  a region, a price range or a page), so a cache can never serve them.
Product pages: Zipf (s = 1) over every public product in a shuffled order, so a few hundred
products get most views and most of the 100,000 are seen once or not at all.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from itertools import accumulate
from urllib.parse import urlencode

from marketplace.catalogue.models import ProcessingLevel
from marketplace.demo.bench import GOODS, QUALIFIERS

SHARES = {"browse": 0.55, "popular_search": 0.30, "unique_search": 0.15}
SEED = 20261129


def _zipf(rng: random.Random, items: Sequence[str], count: int) -> list[str]:
    weights = list(accumulate(1 / rank for rank in range(1, len(items) + 1)))
    return rng.choices(items, cum_weights=weights, k=count)


def _url(**params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"/produk?{query}" if query else "/produk"


def browse_urls(categories: Sequence[str], regencies: Sequence[str]) -> list[str]:
    """Browsing addresses, most visited first."""
    head = [_url(), _url(page=2), _url(sort="newest"), _url(sort="price"), _url(page=3)]
    by_category = [_url(category=slug) for slug in categories]
    by_regency = [_url(kab=code) for code in regencies]
    levels = [_url(level=level.value) for level in ProcessingLevel]
    deeper = [_url(category=slug, page=2) for slug in categories[:10]]
    deeper += [_url(category=slug, sort="price") for slug in categories[:10]]
    deeper += [_url(kab=code, sort="newest") for code in regencies]
    return [*head, *by_category, *by_regency, *levels, _url(sort="price_desc"), *deeper]


def _words() -> list[str]:
    names = [name for goods in GOODS.values() for name in goods]
    words = {w.lower() for name in names for w in re.findall(r"[A-Za-z]+", name) if len(w) > 3}
    return sorted(words)


def popular_search_urls(searches: Sequence[dict[str, str]]) -> list[str]:
    """Searches many buyers make, most frequent first (``searches``: the benchmark's own)."""
    benchmark = [_url(**params) for params in searches]
    names = [name.lower() for goods in GOODS.values() for name in goods]
    words = _words()
    later = [_url(q=q, page=2) for q in names[:10]] + [_url(q=q, sort="price") for q in names[:10]]
    return [*benchmark, *[_url(q=w) for w in words[:30]], *[_url(q=n) for n in names],
            *[_url(q=w) for w in words[30:]], *later]


def unique_search_urls(rng: random.Random, regencies: Sequence[str], count: int) -> list[str]:
    """Searches that occur once in the run: a cache never helps them."""
    words = _words() + [w.lower() for q in QUALIFIERS for w in q.split() if len(w) > 3]
    seen: set[str] = set()
    while len(seen) < count:
        params: dict[str, object] = {"q": " ".join(rng.sample(words, rng.choice((2, 2, 3))))}
        if rng.random() < 0.3:
            params["kab"] = rng.choice(regencies)
        if rng.random() < 0.4:
            low = rng.randrange(5, 200) * 1000
            params.update(min=low, max=low + rng.randrange(50, 1000) * 1000)
        if rng.random() < 0.2:
            params["page"] = rng.choice((2, 3))
        seen.add(_url(**params))
    urls = sorted(seen)
    rng.shuffle(urls)
    return urls


def catalogue_sequence(categories: Sequence[str], regencies: Sequence[str],
                       searches: Sequence[dict[str, str]], count: int) -> list[str]:
    rng = random.Random(SEED)  # noqa: S311 - a reproducible workload, not secrets
    kinds = rng.choices(list(SHARES), weights=list(SHARES.values()), k=count)
    browse = iter(_zipf(rng, browse_urls(categories, regencies), count))
    popular = iter(_zipf(rng, popular_search_urls(searches), count))
    unique = iter(unique_search_urls(rng, regencies, kinds.count("unique_search")))
    sources = {"browse": browse, "popular_search": popular, "unique_search": unique}
    return [next(sources[kind]) for kind in kinds]


def product_sequence(products: Sequence[tuple[int, str]], count: int) -> list[str]:
    rng = random.Random(SEED)  # noqa: S311
    paths = [f"/produk/{product_id}/{slug}" for product_id, slug in products]
    rng.shuffle(paths)
    return _zipf(rng, paths, count)
