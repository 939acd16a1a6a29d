"""The Indonesian catalogue is complete, keeps every placeholder, and covers the current source.

Bahasa Indonesia is the default language, so a string without a translation shows English to
most users. These tests name the strings to fix; `make extract-messages` adds new ones to
translations/id/LC_MESSAGES/messages.po, then translate them there.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
ID_PO_NAME = "translations/id/LC_MESSAGES/messages.po"
ID_PO = ROOT / ID_PO_NAME
EN_PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
BABEL_CFG = ROOT / "babel.cfg"
#: The same keywords as `make extract-messages` (pybabel's defaults plus -k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

#: A %-conversion: %(name)s, %(n)d, %s, %.2f ..., the escaped %%, or a lone % (always a bug).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]?")


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def id_catalog() -> Catalog:
    return _read(ID_PO, "id")


def _messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def _strings(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _label(message: Message) -> str:
    return repr(_strings(message.id)[0])


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def test_indonesian_header(id_catalog: Catalog):
    headers = dict(id_catalog.mime_headers)
    assert headers["Language"] == "id"
    assert headers["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=utf-8" in headers["Content-Type"]
    assert not id_catalog.fuzzy, "the catalogue header is marked fuzzy"


def test_english_catalogue_falls_back_to_msgids():
    catalog = _read(EN_PO, "en")
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == "en"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "charset=utf-8" in headers["Content-Type"]


def test_every_message_is_translated_and_not_fuzzy(id_catalog: Catalog):
    problems = []
    for message in _messages(id_catalog):
        if message.fuzzy:
            problems.append(f"fuzzy: {_label(message)}")
        elif not all(s.strip() for s in _strings(message.string)):
            problems.append(f"untranslated: {_label(message)}")
    assert not problems, f"{ID_PO_NAME} needs work:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders(id_catalog: Catalog):
    """Every translation uses exactly the %-placeholders of its msgid, no more, no fewer.

    Checked for every message, not only those flagged python-format: Jinja's `_()` and
    errors.render_error apply `%` to strings without placeholders too, so a stray `%` in a
    translation breaks a page.
    """
    problems = []
    for message in _messages(id_catalog):
        expected = _placeholders(_strings(message.id)[-1])
        for translation in _strings(message.string):
            if translation and _placeholders(translation) != expected:
                found = sorted(_placeholders(translation).elements())
                problems.append(f"{_label(message)}: expected {sorted(expected.elements())}, "
                                f"translation {translation!r} has {found}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_every_string_in_the_source_is_in_the_indonesian_catalogue(id_catalog: Catalog):
    """Strings added to marketplace/ or templates/ since the last `make extract-messages`."""
    with BABEL_CFG.open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(BABEL_CFG))
    missing = []
    for filename, lineno, msgid, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        singular = _strings(msgid)[0]
        if singular and id_catalog.get(singular, context=context) is None:
            missing.append(f"{filename}:{lineno}: {singular!r}")
    assert not missing, (
        "strings missing from the Indonesian catalogue; run `make extract-messages`, then "
        f"translate them in {ID_PO_NAME}:\n" + "\n".join(missing)
    )



def _date_form_errors(app, lang: str) -> list[str]:
    from flask_wtf import FlaskForm
    from wtforms import DateField, StringField
    from wtforms.validators import DataRequired

    class Probe(FlaskForm):
        class Meta:
            csrf = False

        day = DateField()
        name = StringField(validators=[DataRequired()])

    with app.test_request_context(method="POST", data={"day": "31-31-2024", "name": ""},
                                  headers={"Cookie": f"lang={lang}"}):  # the language switch's
        form = Probe()
        assert not form.validate()
        return [*form.day.errors, *form.name.errors]


def test_wtforms_messages_are_in_the_users_language(app):
    assert _date_form_errors(app, "id") == ["Tanggal tidak valid.", "Kolom ini wajib diisi."]
    assert _date_form_errors(app, "en") == ["Not a valid date value.", "This field is required."]


def test_wtforms_catalogue_is_complete():
    from babel.messages.pofile import read_po
    from wtforms.i18n import messages_path

    with open(Path(messages_path()) / "wtforms.pot", "rb") as pot_file:
        pot = read_po(pot_file)
    with open(ROOT / "translations/id/LC_MESSAGES/wtforms.po", "rb") as po_file:
        po = read_po(po_file)
    missing = [m.id for m in pot if m.id and (m.id not in po or not po[m.id].string)]
    assert not missing, f"WTForms messages without Indonesian translation: {missing}"
