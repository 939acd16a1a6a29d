from __future__ import annotations

import datetime as dt

import pytest
from lokal import format_rupiah

from marketplace.formatting import long_date, long_datetime, rupiah, to_wita


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(150000, "Rp150.000"), (0, "Rp0"), (275000, "Rp275.000"), (1500000, "Rp1.500.000"),
     (999, "Rp999"), (None, "")],
)
def test_rupiah(amount, shown):
    assert rupiah(amount) == shown


@pytest.mark.parametrize("amount", [0, 7, 999, 1000, 30_000, 1_250_000, 10**12 + 5, -150_000])
def test_rupiah_agrees_with_lokal(amount):
    assert rupiah(amount) == format_rupiah(amount)
    assert rupiah(float(amount)) == format_rupiah(amount)


def test_long_date_in_indonesian():
    assert long_date(dt.date(2024, 4, 3)) == "Rabu, 3 April 2024"
    assert long_date(dt.date(2024, 4, 3), "en") == "Wednesday, 3 April 2024"


def test_datetime_is_shown_in_wita():
    # 16:30 UTC on 2 April is 00:30 on 3 April in Kaltim (UTC+8).
    moment = dt.datetime(2024, 4, 2, 16, 30, tzinfo=dt.UTC)
    assert to_wita(moment).utcoffset() == dt.timedelta(hours=8)
    assert long_date(moment) == "Rabu, 3 April 2024"
    assert long_datetime(moment) == "Rabu, 3 April 2024 00.30 WITA"


def test_naive_datetimes_are_taken_as_utc():
    assert long_date(dt.datetime(2024, 4, 2, 16, 30)) == "Rabu, 3 April 2024"


def test_jinja_filters(app):
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ 150000|rupiah }} {{ d|long_date }}")
        assert template.render(d=dt.date(2024, 4, 3)) == "Rp150.000 Rabu, 3 April 2024"
