"""Reading values out of a line: milestone timing, amounts of money, hours, people's
names and role kinds, slugs. Shared by the parse and assemble stages."""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CBS_CODES = {
    "Bodegraven-Reeuwijk": "1901",
    "Gouda": "0513",
    "Krimpenerwaard": "1931",
    "Waddinxveen": "0627",
    "Zuidplas": "1892",
}

# Abbreviations in common use that the document itself does not spell out next to the


MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

PARTICLES = {"van", "der", "de", "den", "ter", "ten", "het", "'t", "vd", "v.d.", "la", "le", "von"}
STOPWORDS = {"in", "en", "de", "het", "van", "voor", "op", "met", "der", "den"}

ROLE_KINDS = [
    ("programmamanager", ("programmamanager", "programma manager", "prg manager",
                          "prg. manager", "programmaleider")),
    ("projectleider", ("projectleider",)),
    ("projectsecretaris", ("projectsecretaris", "secretaris")),
    ("beleidsadviseur", ("beleidsadv",)),
    ("jurist", ("jurist",)),
    ("business analist", ("business analist",)),
    ("data-analist", ("data-analist", "data analist")),
    ("financieel specialist", ("financieel specialist",)),
    ("communicatieadviseur", ("communicatieadviseur",)),
    ("externe adviseur", ("externe adviseur",)),
    ("coördinator", ("coördinator", "coordinator")),
    ("vertegenwoordiger", ("vertegenwoordiger",)),
    ("beleidsimplementatie", ("beleidsimplementatie",)),
    ("toezichthouder", ("toezichthouder",)),
    ("kwartiermaker", ("kwartiermaker",)),
    ("capaciteit", ("capaciteit",)),
    ("medewerker", ("medewerker",)),
    ("adviseur", ("adviseur",)),
]
BODY_WORDS = ("groep", "overleg", "netwerk", "raad", "werkgroep", "commissie")


AD_RE = re.compile(r"^ad\s+\d+(?:\s*(?:en|,|&)\s*\d+)*\s*[.:]\s", re.I)

HOURS_RE = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)\s*(?:uur|u)\b(?:\s*(?:pwk|p/w|per week))?"
    r"|(?P<fte>\d+(?:[.,]\d+)?)\s*fte\b"
    r"|\b(?:fulltime|parttime)\b",
    re.IGNORECASE,
)
MONEY_RE = re.compile(
    r"(?P<eur>€\s*)?(?P<num>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d{1,2})(?!\d)|,-)?"
    r"(?:\s*(?P<mult>miljoen|mln\.?|mio|duizend))?(?:\s*(?P<euro>euro))?",
    re.IGNORECASE,
)

def slugify(text: str, max_length: int = 80) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(text) > max_length:
        text = text[:max_length].rsplit("-", 1)[0]
    return text or "x"



def _split_top_level(text: str, separators: str = r",") -> list[str]:
    """Split on separators that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    pattern = re.compile(separators)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = pattern.match(text, i)
            if m and m.end() > i:
                parts.append(text[start:i])
                start = m.end()
                i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip(" ,;.") for p in parts if p.strip(" ,;.")]


def _is_person_name(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 2 or len(tokens) > 5:
        return False
    capitals = 0
    for index, token in enumerate(tokens):
        if token.lower() in PARTICLES and 0 < index < len(tokens) - 1:
            continue
        if not re.match(r"^[A-ZÀ-Ý][a-zà-ÿ'ë-]+$", token):
            return False
        capitals += 1
    return capitals >= 2


def _quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end_month = 3 * q
    return start, date(year, end_month, monthrange(year, end_month)[1])


def _safe_date(year, month, day) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None  # "31-2-2020": not a date, so no timing from it


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def parse_amount(text: str) -> tuple[Decimal | None, re.Match | None]:
    """The first amount of money in `text` outside parentheses ("€ 239.500,-",
    "19 miljoen euro", "150.000 per jaar")."""
    masked = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group()), text)
    for m in MONEY_RE.finditer(masked):
        if not m["num"]:
            continue
        if not (m["eur"] or m["euro"] or m["mult"] or "." in m["num"]):
            continue
        # "2019-indexering", "K2": not money.
        before = masked[: m.start()]
        if before[-1:].isalpha():
            continue
        value = Decimal(m["num"].replace(".", ""))
        if m["dec"]:
            value += Decimal(m["dec"]) / (10 ** len(m["dec"]))
        mult = (m["mult"] or "").lower()
        if mult.startswith(("miljoen", "mln", "mio")):
            value *= 1_000_000
        elif mult == "duizend":
            value *= 1000
        return value.quantize(Decimal("0.01")), m
    return None, None


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    title: str
    label: str
    due: date
    start: date | None


QUARTERS_RE = re.compile(
    r"\(\s*(?P<body>[KQ]\s?[1-4](?:\s*(?:en|,|/|-|–|t/m|&)\s*[KQ]?\s?[1-4])*)"
    r"(?:\s+(?P<year>\d{4}))?\s*\)",
    re.IGNORECASE,
)


def parse_timing(text: str, year: int) -> list[Timing]:
    """A milestone line → one or more (title, timing); docs/architecture.md §3 "Reading
    the programme document"."""
    text = text.strip()
    markers = list(QUARTERS_RE.finditer(text))
    if markers:
        out: list[Timing] = []
        cursor = 0
        for index, m in enumerate(markers):
            segment = text[cursor:m.start()]
            last = index == len(markers) - 1
            tail = text[m.end():] if last else ""
            cursor = m.end()
            title = _clean_title(re.sub(r"^\s*(?:en|,|;)\s+", "", segment) + " " + tail)
            if not title and out:
                title = out[-1].title
            y = int(m["year"]) if m["year"] else year
            body = m["body"]
            quarters = [int(q) for q in re.findall(r"[1-4]", body)]
            if re.search(r"\ben\b|,|&", body):
                for q in quarters:
                    start, end = _quarter_bounds(y, q)
                    out.append(Timing(title, f"K{q}", end, start))
            else:
                start, _ = _quarter_bounds(y, quarters[0])
                _, end = _quarter_bounds(y, quarters[-1])
                label = re.sub(r"\s+", "", body).upper().replace("Q", "K")
                out.append(Timing(title, label, end, start))
        return out

    def rest(m: re.Match) -> str:
        return _clean_title(text[: m.start()] + " " + text[m.end():])

    # "(na Q1 2020)", "Evaluatie beschikbaar Q1", "Q2 t/m Q4 2020", "start pilot K2"
    m = re.search(r"\(?(?<![\w'])(?P<label>(?:na\s+|in\s+)?(?P<k>[KQ])(?P<q1>[1-4])"
                  r"(?:\s*(?:t/m|-|–|/)\s*(?P=k)?(?P<q2>[1-4]))?(?:\s+(?:in\s+)?(?P<y>\d{4}))?)"
                  r"(?![\w'])\)?", text)
    if m:
        y = int(m["y"]) if m["y"] else year
        if m["label"].lower().startswith("na") and not m["q2"]:
            # "na Q1": after that quarter — from the next one to the end of the plan year.
            q = int(m["q1"])
            after = date(y, 3 * q + 1, 1) if q < 4 else date(y + 1, 1, 1)
            return [Timing(rest(m), m["label"], date(max(year, after.year), 12, 31), after)]
        start, _ = _quarter_bounds(y, int(m["q1"]))
        _, end = _quarter_bounds(y, int(m["q2"] or m["q1"]))
        return [Timing(rest(m), m["label"], end, start)]

    # "november 2019 tot januari 2020"
    m = re.search(rf"(?P<m1>{MONTH_RE})\s+(?P<y1>\d{{4}})\s+(?:tot|t/m|-|–)\s+"
                  rf"(?P<m2>{MONTH_RE})\s+(?P<y2>\d{{4}})", text, re.IGNORECASE)
    if m:
        start = date(int(m["y1"]), MONTHS[m["m1"].lower()], 1)
        due = _month_end(int(m["y2"]), MONTHS[m["m2"].lower()])
        if start <= due:
            return [Timing(rest(m), m.group(), due, start)]

    # "vanaf januari 2020": starts then, runs to the end of the plan year.
    m = re.search(rf"vanaf\s+(?P<m>{MONTH_RE})\s+(?P<y>\d{{4}})", text, re.IGNORECASE)
    if m:
        start = date(int(m["y"]), MONTHS[m["m"].lower()], 1)
        due = date(max(year, start.year), 12, 31)
        return [Timing(rest(m), m.group(), due, start)]

    # "30 jan 2020 – BOSD voortgangsrapportage"
    m = re.search(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{MONTH_RE})\.?\s+(?P<y>\d{{4}})\b", text,
                  re.IGNORECASE)
    due = _safe_date(m["y"], MONTHS[m["m"].lower()], m["d"]) if m else None
    if m and due:
        return [Timing(rest(m), m.group().strip(), due, None)]

    # "per 1-1-2021", "start per 1/4/2020"
    m = re.search(r"(?P<label>(?:start\s+)?(?:per|op|vanaf|uiterlijk|voor)\s+"
                  r"(?P<d>\d{1,2})[-/](?P<m>\d{1,2})[-/](?P<y>\d{4}))", text, re.IGNORECASE)
    due = _safe_date(m["y"], m["m"], m["d"]) if m else None
    if m and due:
        return [Timing(rest(m), m["label"], due, None)]

    # "(maart 2020)", "eind 2020", "medio 2020", "begin 2020": that month or part of year.
    m = re.search(rf"\(?\b(?P<label>(?:in\s+|eind\s+|uiterlijk\s+)?(?P<m>{MONTH_RE})\s+"
                  rf"(?P<y>\d{{4}}))\b\)?", text, re.IGNORECASE)
    if m:
        month = MONTHS[m["m"].lower()]
        start = date(int(m["y"]), month, 1)
        return [Timing(rest(m), m["label"], _month_end(int(m["y"]), month), start)]
    m = re.search(r"\(?\b(?P<label>(?P<part>begin|medio|eind|einde)\s+(?P<y>\d{4}))\b\)?", text,
                  re.IGNORECASE)
    if m:
        y = int(m["y"])
        due = {"begin": date(y, 3, 31), "medio": date(y, 6, 30)}.get(
            m["part"].lower(), date(y, 12, 31))
        return [Timing(rest(m), m["label"], due, None)]

    return [Timing(_clean_title(text), f"in {year}", date(year, 12, 31), None)]


def _clean_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*(?:o\.a\.|bijv\.)?\s*:$", "", text)
    text = re.sub(r"\s+([,.;])", r"\1", text)
    text = re.sub(r"(?:\s*[-–—,;:])+$", "", text)
    text = re.sub(r"^(?:[-–—,;:]\s*)+", "", text)
    text = re.sub(r"\s+[-–—]\s+[-–—]\s+", " – ", text)
    # A sentence's full stop is not part of a title; an abbreviation's is ("e.d.").
    if re.search(r"[a-zà-ÿ)]{3}\.$", text) and not text.endswith(".."):
        text = text[:-1]
    return text.strip()



def _numbered_parts(text: str) -> list[tuple[int, str]]:
    """ "1. A 2. B 3. C" → [(1, "A"), (2, "B"), (3, "C")]; unnumbered text is item 1."""
    text = text.strip()
    if not text:
        return []
    parts: list[tuple[int, str]] = []
    expected = 1
    cursor = None
    for m in re.finditer(r"(?:^|\s)(\d+)\.\s+", text):
        if int(m[1]) != expected:
            continue
        if cursor is not None:
            parts.append((expected - 1, text[cursor:m.start()].strip()))
        cursor = m.end()
        expected += 1
    if cursor is None:
        return [(1, text)]
    parts.append((expected - 1, text[cursor:].strip()))
    return [(n, t) for n, t in parts if t]


def _name_wrapped(prev: str, text: str) -> bool:
    """A person's name broken over two lines: "Label: Corline" / "Bijkerk: 16 uur",
    "…, Katrien" / "Overal (Gouda), …", "… en Jan" / "Verbeek(BOSD)"."""
    return bool(
        re.search(r"(?:^|[,:–]|\s[Ee]n)\s*[A-ZÀ-Ý][a-zà-ÿ]+$", prev)
        and re.match(r"^(?:(?:van|de|der|den|ter|ten)\s+)*[A-ZÀ-Ý][a-zà-ÿ'-]+"
                     r"(?=\s*[(,:]|\s+\d|$)", text)
    )


def _first_split(text: str, separators: str) -> tuple[str, str] | None:
    """Split at the first separator outside parentheses; None when there is none."""
    depth = 0
    pattern = re.compile(separators)
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = pattern.match(text, i)
            if m and m.end() > i:
                head, tail = text[:i].strip(), text[m.end():].strip()
                if head:
                    return head, tail
    return None


def _label_and_name(text: str) -> tuple[str, str | None]:
    """ "Projectleider Anja Nobel" → ("Projectleider", "Anja Nobel")."""
    tokens = text.split()
    for cut in range(1, len(tokens)):
        head, tail = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        if _role_kind(head) and _is_person_name(tail):
            return head, tail
    return text, None


def _role_kind(label: str) -> str | None:
    low = label.lower()
    best: tuple[int, str] | None = None
    for kind, stems in ROLE_KINDS:
        for stem in stems:
            pos = low.find(stem)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, kind)
    return best[1] if best else None


def _hours(text: str) -> tuple[str | None, Decimal | None]:
    m = HOURS_RE.search(text or "")
    if not m:
        return None, None
    hours = Decimal(m["num"].replace(",", ".")) if m["num"] else None
    return m.group().strip(), hours


def _strip_hours(text: str) -> tuple[str | None, Decimal | None, str]:
    """Take the hours out of a team entry: ": 16 uur", "(36 uur)", "7 uur (regiopool)"."""
    m = HOURS_RE.search(text)
    if not m:
        return None, None, text
    start, end = m.start(), m.end()
    hours_text = m.group().strip()
    # "(36 uur)": the brackets belong to the hours.
    before, after = text[:start], text[end:]
    if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
        before = before.rstrip()[:-1]
        after = after.lstrip()[1:]
    else:
        remark = re.match(r"^\s*\(([^()]*)\)", after)
        if remark and not _is_person_name(remark[1]):
            hours_text = f"{hours_text} ({remark[1]})"
            after = after[remark.end():]
    hours = Decimal(m["num"].replace(",", ".")) if m["num"] else None
    return hours_text, hours, (before + " " + after).strip()


