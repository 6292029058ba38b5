"""Reading dates, amounts, quarters and mentions; writing dates and money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from commands.i18n import format_date, format_money, t
from commands.parsing import parse_amount, parse_date, parse_number, parse_quarter, parse_user

TODAY = date(2020, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 maart", date(2020, 3, 12)),
        ("12 maart 2021", date(2021, 3, 12)),
        ("12 mrt", date(2020, 3, 12)),
        ("12-3-2020", date(2020, 3, 12)),
        ("12/3", date(2020, 3, 12)),
        ("2020-03-12", date(2020, 3, 12)),
        ("morgen", date(2020, 3, 2)),
        ("vandaag", date(2020, 3, 1)),
        ("March 12", date(2020, 3, 12)),
        ("12 March 2020", date(2020, 3, 12)),
        ("donderdag 12 maart", date(2020, 3, 12)),
        ("1 Oktober", date(2020, 10, 1)),
    ],
)
def test_it_reads_dates(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "31 februari", "32-1-2020", "2020-13-01", "maart", "soon",
                                  "12 smarch", "1-1-1800"])
def test_it_refuses_what_is_no_date(text):
    assert parse_date(text, today=TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40000", "40000.00"),
        ("€ 40.000,-", "40000.00"),
        ("€40.000,00", "40000.00"),
        ("40.000", "40000.00"),
        ("40k", "40000.00"),
        ("1,5 miljoen", "1500000.00"),
        ("2 mln", "2000000.00"),
        ("EUR 2.500,50", "2500.50"),
        ("40,000.50", "40000.50"),
        ("12,5", "12.50"),
        ("5.063.585", "5063585.00"),
    ],
)
def test_it_reads_amounts_as_decimals(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "-5", "0", "12,345", "40.00.0", "1e5", "40 appels",
                                  "1.2.3", "€", "9999999999999"])
def test_it_refuses_what_is_no_amount(text):
    assert parse_amount(text) is None


def test_it_reads_quarters_and_mentions():
    assert [parse_quarter(w) for w in ("K1", "q4", "K5", "k")] == [1, 4, None, None]
    assert parse_user("<@U123ABC|anke>") == "U123ABC"
    assert parse_user("<@U123ABC>") == "U123ABC"
    assert parse_user("U123ABC") == "U123ABC"
    assert parse_user("anke") is None


def test_it_writes_dates_and_money_in_dutch_and_english():
    assert format_date(date(2020, 3, 12)) == "12 maart 2020"
    assert format_date(date(2020, 3, 12), "en") == "12 March 2020"
    assert format_money(Decimal("40000")) == "€ 40.000,00"
    assert format_money(Decimal("1234567.8"), "en") == "€1,234,567.80"
    assert format_money(Decimal("0.05")) == "€ 0,05"
    assert format_money(Decimal("-12.5")) == "-€ 12,50"


def test_it_falls_back_to_dutch_and_to_the_key():
    assert t("milestone.late", "en") == "late"
    assert t("milestone.late", "fr") == "te laat"
    assert t("no.such.key") == "no.such.key"


@pytest.mark.parametrize(("word", "number"), [
    ("12", 12), ("#12", 12), ("8.", 8), ("²", 2), ("٣", 3),
    ("⓵", None), ("x", None), ("", None), ("-3", None), ("1,5", None),
])
def test_it_reads_a_number_as_people_type_one(word, number):
    assert parse_number(word) == number
