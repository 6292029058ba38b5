"""Reading what people type: dates, amounts, quarters, months, Slack mentions.

Every parser returns None for text it cannot read, so a handler can answer with a
clear message about exactly that piece of text instead of failing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from commands.i18n import MONTHS_EN, MONTHS_NL
from storage.text import fold

# Month names and the abbreviations people write ("12 mrt", "jan 2020", "sept").
MONTH_WORDS: dict[str, int] = {}
for _number, (_nl, _en) in enumerate(zip(MONTHS_NL, MONTHS_EN, strict=True), start=1):
    MONTH_WORDS[_nl] = _number
    MONTH_WORDS[_en.lower()] = _number
    MONTH_WORDS[_nl[:3]] = _number
    MONTH_WORDS[_en.lower()[:3]] = _number
MONTH_WORDS.update({"mrt": 3, "sept": 9, "okt": 10, "mei": 5})

RELATIVE_DAYS = {
    "vandaag": 0, "today": 0,
    "morgen": 1, "tomorrow": 1,
    "overmorgen": 2,
    "gisteren": -1, "yesterday": -1,
}


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str | None, default: int) -> int | None:
    if not text:
        return default
    value = int(text)
    if len(text) == 2:
        value += 2000
    return value if 1990 <= value <= 2100 else None


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:e|ste|de)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")


def parse_date(text: str, *, today: date) -> date | None:
    """'12 maart', '12 maart 2020', '12-3-2020', '12/3', '2020-03-12', 'morgen', 'March 12'.

    A date without a year is in today's year: the bot is run "as of" a day in the plan
    year (`--today`), so that is the year people mean.
    """
    value = fold(text).strip().rstrip("?.!")
    value = re.sub(r"^(op|on|per)\s+", "", value)
    value = re.sub(r"^(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
                   r"monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+", "", value)
    value = re.sub(r"\s+", " ", value)
    if value in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[value])
    if match := _ISO.match(value):
        return _valid(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC.match(value):
        year = _year(match[3], today.year)
        return _valid(year, int(match[2]), int(match[1])) if year else None
    if match := _DAY_MONTH.match(value):
        month = MONTH_WORDS.get(match[2])
        year = _year(match[3], today.year)
        return _valid(year, month, int(match[1])) if month and year else None
    if match := _MONTH_DAY.match(value):
        month = MONTH_WORDS.get(match[1])
        year = _year(match[3], today.year)
        return _valid(year, month, int(match[2])) if month and year else None
    return None


def parse_quarter(word: str) -> int | None:
    """'K1'…'K4', 'Q1'…'Q4' → 1…4."""
    match = re.fullmatch(r"[kq]([1-4])", fold(word).strip())
    return int(match[1]) if match else None


def parse_month(word: str) -> int | None:
    """A Dutch or English month name or abbreviation → 1…12."""
    return MONTH_WORDS.get(fold(word).strip().rstrip("."))


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
    return start, end


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, end - timedelta(days=1)


_MULTIPLIERS = {
    "k": Decimal(1000), "duizend": Decimal(1000), "thousand": Decimal(1000),
    "ton": Decimal(100_000),
    "m": Decimal(1_000_000), "mln": Decimal(1_000_000), "mio": Decimal(1_000_000),
    "miljoen": Decimal(1_000_000), "million": Decimal(1_000_000),
    "mld": Decimal(1_000_000_000), "miljard": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}
_AMOUNT = re.compile(r"^(\d[\d.,\s]*?)\s*([a-z]+)?$")
MAX_AMOUNT = Decimal("1000000000000")


def _number(digits: str) -> Decimal | None:
    """'40.000,50' (Dutch), '40,000.50' (English), '40000', '1,5' → Decimal."""
    digits = digits.replace(" ", "")
    if not re.fullmatch(r"\d[\d.,]*", digits) or digits[-1] in ".,":
        return None
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "," if last_comma > last_dot else "."
    elif last_comma >= 0:
        # "1,5" and "40,50" are decimals; "40,000" with one comma and three digits is
        # ambiguous, and Dutch writers mean a decimal comma — except repeated groups.
        decimal_mark = "," if digits.count(",") == 1 else ""
    elif last_dot >= 0:
        # "40.000" is Dutch for forty thousand; "1.5" and "40.50" are decimals.
        tail = digits[last_dot + 1 :]
        decimal_mark = "." if digits.count(".") == 1 and len(tail) != 3 else ""
    else:
        decimal_mark = ""
    thousands = {".", ","} - {decimal_mark}
    whole, _, fraction = digits.rpartition(decimal_mark) if decimal_mark else (digits, "", "")
    for mark in thousands:
        if mark in whole:
            groups = whole.split(mark)
            if any(len(g) != 3 for g in groups[1:]) or not groups[0] or len(groups[0]) > 3:
                return None
            whole = "".join(groups)
    if decimal_mark and (not fraction.isdigit() or not whole):
        return None
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:
        return None


def parse_amount(text: str) -> Decimal | None:
    """'40000', '€ 40.000,-', '€40.000,00', '40k', '1,5 miljoen', 'EUR 2.500' → Decimal.

    Returns None for anything that is not a positive amount with at most cents.
    """
    value = fold(text).strip()
    value = re.sub(r"^(€|eur|euro)\s*", "", value)
    value = re.sub(r"\s*(€|eur|euro)$", "", value)
    value = re.sub(r"[,.]-+$", "", value)  # "40.000,-": no cents
    match = _AMOUNT.match(value)
    if not match:
        return None
    number = _number(match[1])
    if number is None:
        return None
    if match[2]:
        multiplier = _MULTIPLIERS.get(match[2])
        if multiplier is None:
            return None
        number *= multiplier
    # More than cents cannot be shared "exact to the cent".
    if number <= 0 or number >= MAX_AMOUNT or number != number.quantize(Decimal("0.01")):
        return None
    return number.quantize(Decimal("0.01"))


def parse_number(word: str) -> int | None:
    """A number as people write one before a milestone or a meeting: "12", "#12", "8.",
    "²" (a superscript, folded as NFKC folds it); None for anything else.

    `str.isdigit()` accepts "²" and "①", which `int()` then refuses: the handler would
    fail instead of saying the number is not one."""
    digits = unicodedata.normalize("NFKC", word.strip()).lstrip("#").rstrip(".")
    return int(digits) if digits.isdecimal() else None


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^@?([UW][A-Z0-9]{2,30})$")


def parse_user(word: str) -> str | None:
    """A Slack mention as Slack escapes it ('<@U123|anke>', '<@U123>') or a bare id."""
    word = word.strip()
    if match := _MENTION.match(word):
        return match[1]
    if match := _USER_ID.match(word):
        return match[1]
    return None
