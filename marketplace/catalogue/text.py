"""Indonesian word forms for search: "anyaman rotan" and "Tas Anyam Rotan" share stems.

The Snowball Indonesian stemmer is the same algorithm as PostgreSQL's ``indonesian``
text-search configuration, so products are found the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import threading

import snowballstemmer

_WORD = re.compile(r"[0-9a-z]+")
_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # stemmer objects keep state: one per thread
        stemmer = _local.stemmer = snowballstemmer.stemmer("indonesian")
    return stemmer


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    """Lower-cased stems of the words in ``text``, in order (duplicates kept)."""
    return _stemmer().stemWords(words(text))


def stem_text(*parts: str) -> str:
    """One space-separated string of stems, for the search index."""
    return " ".join(stem for part in parts for stem in stems(part or ""))


def regency_word(regency_code: str) -> str:
    """The word for a kabupaten/kota in products' search text: "64.03" -> "kab6403". With it
    the full-text index filters by region too (catalogue.search)."""
    return "kab" + regency_code.replace(".", "")
