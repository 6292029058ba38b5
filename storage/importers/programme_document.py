"""Read a regional programme document ("Programma Sociaal Domein … 2020") into a `StoreData`.

The reader follows the document's *structure*, not the line numbers of one file: the
same plan circulates as a Word export and as a PDF-to-text rendering, where blocks are
repeated, lines are wrapped mid-sentence, bullets and quotes differ and HTML remnants
are left over. So the work is done in three steps:

1. `_logical_lines`: physical lines → normalised lines (quotes, bullets, markdown,
   HTML table cells expanded, page furniture dropped), each keeping its source line.
2. A single pass over those lines that recognises headings (programme, "X: projecten"
   detail parts, numbered deelprojecten, sections such as "Doelen:" or "Mijlpalen
   2020:", Bijlagen) and hands each section's lines to a small section reader.
3. Finishing: deelprojecten from the lists are merged with their detail sections,
   first names and misspelt names are mapped to known people, aliases are derived.

Whatever cannot be placed is returned as a `Problem` with its line number; the import
never drops a line silently. Timing rules for milestones are those of DESIGN §3.

Choices where the document leaves room:

- Timing. "(K2)": period K2, due at the quarter's end. "(K1 en K3)": one milestone per
  quarter. "(K2/K3)", "(K3/4)": one window, label as written. "Q1", "(na Q1 2020)": the
  Q1 window, label as written. "30 jan 2020", "per 1-1-2021", "start per 1/4/2020": due
  that day, no window. "november 2019 tot januari 2020": that window. "vanaf januari
  2020": starts then, due at the end of the plan year. No timing: due 31 December of the
  plan year, label "in 2020", no window. The title loses its timing marker.
- "Wervingsactie pleegzorg (K2) en twee andere experimenten pleegzorg (K3/4)" is two
  milestones. Nested bullets under a milestone are milestones of their own (each is a
  deliverable); the parent stays one too. "Ad 1. …" in a programme's list is about
  deelproject 1 (its `project`); "Ad 2 en 11. …" names two, so it stays programme-wide
  and keeps its prefix. Keys: "<project slug or 'programma'>/<title slug>/<label slug>".
- Budget: `text` is the value as written after the label, `note` the remark in brackets.
  "€ 239.500,- (+ € 55.000,- GHNT)" is one line of 239.500 (the GHNT part stays in text
  and note, not a line of its own: the document gives it as a remark). "150.000 per jaar"
  under "Financiën 2020 en 2021" is a line per year. Lines without an amount keep their
  text with amount None.
- Roles: `holder` as written (a person's name spelled as the person, with any remark in
  brackets), `person` only for people; bodies ("BOSD", "Afdelingshoofden MH") and vacant
  posts have none. A name within a small edit distance of one written more often is that
  person; a lone first name is the one person with that first name. Both are reported.
  "fulltime" and "0,2 fte" stay text: `hours` is only set where the document says hours.
- Deelprojecten named in a list and described in a "…: projecten" part are matched by
  their numbers, then by name, then by list position with a similar name; a listed one
  without a section of its own is kept and reported.
- Aliases: initials of the name ("GTJ"), its all-caps words ("SGGZ"), the parts of a
  hyphenated name ("Passend onderwijs"), the variant names of its detail headings, an
  abbreviation the document puts in brackets after the name ("(GHNT)"), and a short
  table of common ones; an alias two programmes would share is given to neither.
- A plain (unbulleted) list line that a PDF rendering wrapped right before a capitalised
  word cannot be told from two items and is read as two; bulleted and numbered lists,
  prose, headings, names and table rows are re-joined.
"""

from __future__ import annotations

import html
import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from storage.apply import apply_store_data
from storage.importers import ImportRefused, ImportReport, Problem
from storage.schema import (
    AgendaItemData,
    BudgetLineData,
    GoverningBodyData,
    MeetingData,
    MilestoneData,
    MunicipalityData,
    PersonData,
    ProgrammeData,
    ProjectData,
    RegionData,
    RoleData,
    StoreData,
)

# CBS municipality codes (gemeentecodes). The document names municipalities but not their
# codes, and the declarations import (iJw) identifies municipalities by code.
CBS_CODES = {
    "Bodegraven-Reeuwijk": "1901",
    "Gouda": "0513",
    "Krimpenerwaard": "1931",
    "Waddinxveen": "0627",
    "Zuidplas": "1892",
}

# Abbreviations in common use that the document itself does not spell out next to the
# name; everything else is derived from the names (initials, all-caps words, variants).
KNOWN_ALIASES = {
    "geweld-hoort-nergens-thuis": ["huiselijk geweld"],
    "jeugdigen-beschermen": ["jeugdbescherming", "Jeugdigen Beter Beschermen"],
    "aansluiting-jeugdhulp-passend-onderwijs": ["passend onderwijs", "PO"],
    "volumebeheersing-jeugd-sggz": ["jeugd GGZ"],
    "rechtmatigheid-en-kwaliteit": ["R&K"],
}

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

# Words after which a line cannot end a sentence: the line was wrapped.
CONNECTORS = {
    "de", "het", "een", "van", "voor", "en", "of", "met", "naar", "op", "bij", "aan",
    "te", "om", "in", "tot", "door", "als", "die", "dat", "zoals", "juiste", "over",
    "uit", "onder", "tussen", "binnen", "ter", "per", "vanuit", "waarbij", "zodat",
}
# A line holding only one of these qualifies the line before ("Zuid Holland" / "Zuid").
COMPASS = {"noord", "zuid", "oost", "west"}
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
    ("medewerker", ("medewerker",)),
    ("adviseur", ("adviseur",)),
]
BODY_WORDS = ("groep", "overleg", "netwerk", "raad", "werkgroep", "commissie")

BULLET_RE = re.compile(r"^(?P<indent>\s*)(?P<mark>[-–—•·▪■●◦‣*+]|o(?=\s))(?:\s+|$)")
AD_RE = re.compile(r"^ad\s+\d+(?:\s*(?:en|,|&)\s*\d+)*\s*[.:]\s", re.I)
NUMBERED_RE = re.compile(r"^(?P<num>\d{1,2})\s*[.)]\s+(?P<rest>\S.*)$")
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
PAGE_NUMBER_RE = re.compile(
    r"^(?:[-–]\s*\d{1,3}\s*[-–]|(?:pagina|page|blz\.?)\s*\d{1,3}(?:\s*(?:van|of|/)\s*\d{1,3})?)$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- lines


@dataclass
class Line:
    no: int  # 1-based line in the source file
    text: str  # normalised, without bullet mark; "" for a blank line
    bullet: bool = False
    level: int = 0  # 1 for a nested bullet
    page_number: bool = False

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def number(self) -> int | None:
        m = NUMBERED_RE.match(self.text)
        return int(m["num"]) if m else None


def _normalise_chars(text: str) -> str:
    table = {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u00b4": "'", "`": "'",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u00ad": "", "\u200b": "",
        "\ufeff": "", "\uf0b7": "•", "\u2212": "-",
    }
    return unicodedata.normalize("NFC", text.translate(str.maketrans(table)))


def _expand_html(physical: str) -> list[str]:
    """One physical line with HTML table cells → its lines of text.

    A tab between cells is a cell boundary: it becomes a blank line, so each cell
    reads like a block of its own."""
    out: list[str] = []
    for cell_no, cell in enumerate(physical.split("\t")):
        if cell_no and out and out[-1]:
            out.append("")
        parts = re.split(r"</p>|<br\s*/?>|</li>|</tr>|</td>|</th>|</div>|<li[^>]*>", cell)
        for part in parts:
            text = html.unescape(re.sub(r"<[^>]*>", " ", part))
            text = re.sub(r"\s+", " ", text).strip()
            if text:
                out.append(text)
    return out


def _logical_lines(text: str) -> list[Line]:
    """Normalise the text into lines that keep their source line numbers."""
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    # An HTML paragraph wrapped over several physical lines is one line again.
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for no, raw in enumerate(physical, start=1):
        if pending is not None:
            pending = (pending[0], pending[1] + " " + raw.strip())
        else:
            pending = (no, raw)
        body = pending[1]
        if len(re.findall(r"<p\b", body)) > len(re.findall(r"</p>", body)):
            continue
        joined.append(pending)
        pending = None
    if pending is not None:
        joined.append(pending)

    lines: list[Line] = []
    italic_open = False
    for no, raw in joined:
        raw = _normalise_chars(raw.rstrip())
        if re.search(r"</?(?:p|u|li|ul|br|td|tr|b|strong|div)\b[^>]*>", raw):
            pieces = _expand_html(raw)
        else:
            pieces = [raw]
        for piece in pieces:
            line = _one_line(no, piece)
            # Markdown italics spanning lines ("*Openstelling Wlz …" … "verdeelmodel*").
            opening = re.search(r"(?:^|(?<=\s))\*(?=[^\s*])(?!.*\*)", line.text)
            if not italic_open and opening and not line.bullet:
                line.text = (line.text[: opening.start()] + line.text[opening.end():]).strip()
                italic_open = True
            elif italic_open:
                closing = re.search(r"(?<=[^\s*])\*(?=[\s.,;:)]|$)", line.text)
                if closing:
                    line.text = (line.text[: closing.start()] + line.text[closing.end():]).strip()
                    italic_open = False
            if line.blank:
                italic_open = False
            lines.append(line)
    return _drop_page_furniture(lines)


def _one_line(no: int, raw: str) -> Line:
    text = raw
    if PAGE_NUMBER_RE.match(text.strip()):
        return Line(no=no, text=text.strip(), page_number=True)
    bullet = False
    level = 0
    m = BULLET_RE.match(text)
    if m and not re.match(r"^\s*\*\S", text):
        bullet = True
        indent = m["indent"].replace("\t", "    ")
        level = 1 if (len(indent) >= 1 or m["mark"] in ("o", "◦")) else 0
        text = text[m.end():]
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"[ ]+", " ", text).strip()
    return Line(no=no, text=text, bullet=bullet, level=level)


def _drop_page_furniture(lines: list[Line]) -> list[Line]:
    """Page headers (the title repeated) and page numbers of a PDF rendering.

    The blank lines around them go too: a page break is not a paragraph break, and a
    list that runs over a page is one list."""
    title = next((ln.text for ln in lines if not ln.blank), None)
    furniture: set[int] = set()
    seen_title = False
    for index, line in enumerate(lines):
        if line.blank:
            continue
        if line.text == title and not line.bullet:
            if seen_title:
                furniture.add(index)
            seen_title = True
        if line.page_number:
            furniture.add(index)
    drop = set(furniture)
    for index in furniture:
        for step in (-1, 1):
            j = index + step
            while 0 <= j < len(lines) and (lines[j].blank or j in furniture):
                drop.add(j)
                j += step
    return [line for index, line in enumerate(lines) if index not in drop]


# --------------------------------------------------------------------------- helpers


def slugify(text: str, max_length: int = 80) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(text) > max_length:
        text = text[:max_length].rsplit("-", 1)[0]
    return text or "x"


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0] if text else ""


def _last_word(text: str) -> str:
    return text.rsplit(" ", 1)[-1] if text else ""


def _continues(prev: str, nxt: Line) -> bool:
    """Is `nxt` the wrapped rest of the line `prev`? (Both non-blank, `nxt` no bullet.)"""
    t = nxt.text
    if not t or nxt.bullet:
        return False
    first = t[0]
    if first.islower() or first == "(":
        return True
    if prev.endswith((",", "&", "+", "/", "-", "–", "—")):
        return not NUMBERED_RE.match(t)
    last = _last_word(prev)
    if (last in CONNECTORS or last.capitalize() == last and last.lower() in CONNECTORS) \
            and not NUMBERED_RE.match(t):
        return True  # "… voor" / "BW/nieuw verdeelmodel"; not "OM" / "Politie"
    if t.lower() in COMPASS:
        return True
    if prev.count("(") > prev.count(")"):
        return True  # an open bracket is closed on the next line
    if first in "'\"" and prev[-1:].islower():
        return True  # "… van de pilot" / "'Samen in de Buurt'."
    # No rule on line width: a list line that happens to be nearly as long as the
    # wrapped lines ("Programmamanager: …: 16 uur") is still an item of its own.
    return False


def _join(prev: str, nxt: str) -> str:
    # "Zorg- en Overlast" keeps its hyphen and space; "ver-" / "sterking" is one word.
    if re.search(r"[a-zà-ÿ]-$", prev) and nxt[:1].islower() and _first_word(nxt) not in (
        "en", "of", "tot", "t/m"
    ):
        return prev[:-1] + nxt  # a word hyphenated at the line end
    return f"{prev} {nxt}"


@dataclass
class Item:
    text: str
    no: int
    bullet: bool = False
    level: int = 0
    block: int = 0
    number: int | None = None


def _items(lines: list[Line]) -> list[Item]:
    """Lines of a list section → items, re-joining wrapped lines.

    In a bulleted list every non-bullet line continues the bullet before it; in a plain
    list one line is one item unless it evidently continues the one before."""
    items: list[Item] = []
    block = 0
    prev_blank = True
    for line in lines:
        if line.blank:
            if not prev_blank:
                block += 1
            prev_blank = True
            continue
        if not line.text:
            continue
        last = items[-1] if items else None
        same_block = last is not None and last.block == block and not prev_blank
        # Items marked with a bullet, a number or "Ad N." end where the next mark is.
        after_bullet = last is not None and last.block == block and (
            last.bullet or last.number is not None or AD_RE.match(last.text) is not None)
        numbered = NUMBERED_RE.match(line.text) or AD_RE.match(line.text)
        if last is not None and not line.bullet and not numbered and (
            (same_block and after_bullet and not line.text.endswith(":"))
            or (same_block and _continues(last.text, line))
        ):
            last.text = _join(last.text, line.text)
            prev_blank = False
            continue
        number = None
        text = line.text
        numbered = NUMBERED_RE.match(line.text)
        if numbered:
            number = int(numbered["num"])
            text = numbered["rest"]
        items.append(Item(text=text, no=line.no, bullet=line.bullet, level=line.level,
                          block=block, number=number))
        prev_blank = False
    return items


def _paragraphs(lines: list[Line]) -> list[tuple[int, str]]:
    """Prose: consecutive lines form a paragraph; bullets stay on lines of their own."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        if line.blank:
            current = None
            continue
        if current is None:
            current = []
            paragraphs.append((line.no, current))
        numbered = NUMBERED_RE.match(line.text)
        if line.bullet:
            current.append(("  - " if line.level else "- ") + line.text)
        elif not current:
            current.append(line.text)
        elif numbered and (NUMBERED_RE.match(current[0]) or current[-1].endswith(":")):
            current.append(line.text)  # a numbered list: one item a line
        else:
            # Anything else continues the line before, a bullet included: a numbered
            # sentence inside running text ("… gevraagd. 4. Toegankelijke …") too.
            current[-1] = _join(current[-1], line.text)
    return [(no, "\n".join(parts)) for no, parts in paragraphs if parts]


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
    """A milestone line → one or more (title, timing); DESIGN §3 "Reading the programme
    document"."""
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


# --------------------------------------------------------------------------- builders


@dataclass
class ProjectBuilder:
    number: int | None
    name: str
    no: int
    description: list[str] = field(default_factory=list)
    milestones: list[tuple[Item, str]] = field(default_factory=list)  # (item, scope)
    from_list: bool = False
    explicit_number: bool = False
    mentioned: bool = False


@dataclass
class ProgrammeBuilder:
    number: int | None
    name: str
    kind: str
    no: int
    variants: list[str] = field(default_factory=list)
    ambition: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    listed: list[ProjectBuilder] = field(default_factory=list)
    detailed: list[ProjectBuilder] = field(default_factory=list)
    milestones: list[tuple[Item, int | None]] = field(default_factory=list)
    budget: list[BudgetLineData] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.name)


def _add_unique(target: list, value) -> None:
    if value and value not in target:
        target.append(value)


# --------------------------------------------------------------------------- parser

SECTION_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("opdrachtgever", re.compile(r"^opdrachtgever(?:s|schap)?\b[^.]{0,30}:?$", re.I)),
    ("team", re.compile(r"^(?:project|programma)\s*team\b.{0,60}$", re.I)),
    ("partners", re.compile(r"^externe\s+partners\b[^:]{0,20}:$", re.I)),
    ("ambition", re.compile(r"^ambitie(?:s)?\s*:?$", re.I)),
    ("goals", re.compile(r"^doel(?:en|stellingen)\s*:?$", re.I)),
    ("dependencies", re.compile(r"^afhankelijkheden\s*:?$", re.I)),
    ("budget", re.compile(
        r"^financi[eë]n(?P<years>\s+\d{4}(?:\s*(?:en|[-–/]|t/m|tot)\s*\d{4})?)?\s*:?$", re.I)),
    ("background", re.compile(r"^achtergrond\s*:?$", re.I)),
    ("projects", re.compile(r"^(?:deel)?projecten\b[^:]{0,60}:$", re.I)),
    ("milestones", re.compile(r"^mijlpalen\b(?:\s+\d{4})?\s*:?$", re.I)),
    ("local", re.compile(r"^welke\s+opdracht\s+ligt\s+er\b[^?]*\??\s*(?P<inline>.*)$", re.I)),
    ("description", re.compile(r"^omschrijving\s*:?\s*(?P<inline>.*)$", re.I)),
    ("mentions", re.compile(r"^daarnaast\s+(?:is\s+er\s+)?aandacht\s+voor\s*:?\s*(?P<inline>.*)$",
                            re.I)),
    ("intro", re.compile(r"^inleiding\s*:?$", re.I)),
    ("appendix", re.compile(r"^bijlage\s*(?P<n>\d+)\s*:?\s*(?P<inline>.{0,80})$", re.I)),
]
DETAIL_RE = re.compile(
    r"^(?:programma\s+)?(?P<name>.+?)\s*(?::|/)\s*projecten(?:\s+\d+)?\s*:?$", re.I
)
PROGRAMME_RE = re.compile(r"^(?:(?P<num>\d{1,2})\s*\.\s*)?(?P<word>programma|project)\s*:?\s+"
                          r"(?P<name>\S.{1,100})$", re.I)


@dataclass
class Section:
    kind: str
    heading: Line
    lines: list[Line] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    programme: ProgrammeBuilder | None = None
    project: ProjectBuilder | None = None
    appendix: int | None = None


class _Parser:
    def __init__(self, text: str, source: str):
        self.source = source
        self.lines = _logical_lines(text)
        self.problems: list[Problem] = []
        self.programmes: list[ProgrammeBuilder] = []
        self.region_name: str | None = None
        self.year: int | None = None
        self.budget_amount: Decimal | None = None
        self.budget_text: str | None = None
        self.municipalities: list[MunicipalityData] = []
        self.body: GoverningBodyData | None = None
        self.meetings: list[MeetingData] = []
        self.role_names: list[tuple[str, int]] = []  # person names as written, with line

    def warn(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))

    # -- headings ----------------------------------------------------------------

    def _next_nonblank(self, index: int) -> Line | None:
        for line in self.lines[index + 1:]:
            if not line.blank:
                return line
        return None

    def _followed_by_blank(self, index: int) -> bool:
        return index + 1 >= len(self.lines) or self.lines[index + 1].blank

    def _programme_heading_indexes(self) -> dict[int, tuple[str, int]]:
        """Programme headings: "N. Programma X", "N. Project: X", and whatever short block
        stands right above an "Opdrachtgever:" heading (every programme starts so); with
        the heading's text and how many lines it takes (a wrapped heading takes two)."""
        found: dict[int, tuple[str, int]] = {}
        last_nonblank: int | None = None
        for index, line in enumerate(self.lines):
            if line.blank:
                continue
            m = PROGRAMME_RE.match(line.text)
            if m and m["num"] and not line.bullet and len(line.text) <= 110:
                found[index] = self._wrapped_heading(index, line.text)
            if SECTION_PATTERNS[0][1].match(line.text) and last_nonblank is not None:
                start = last_nonblank
                while start > 0 and not self.lines[start - 1].blank:
                    start -= 1
                block = self.lines[start:last_nonblank + 1]
                text = " ".join(ln.text for ln in block)
                if (
                    not any(ln.bullet for ln in block)
                    and len(text) <= 110
                    and not text.endswith((".", ":", ";", ","))
                    and not any(p.match(text) for _, p in SECTION_PATTERNS)
                    and start not in found
                ):
                    found[start] = (text, len(block))
            last_nonblank = index
        return found

    def _find_programme(self, name: str, threshold: int = 85) -> ProgrammeBuilder | None:
        name = re.sub(r"^(?:programma|project)\s*:?\s+", "", name.strip(), flags=re.I)
        best, best_score = None, 0.0
        for programme in self.programmes:
            for candidate in [programme.name, *programme.variants]:
                score = fuzz.token_set_ratio(name.lower(), candidate.lower())
                if name.lower() == candidate.lower():
                    score = 101
                if score > best_score:
                    best, best_score = programme, score
        return best if best_score >= threshold else None

    # -- main pass ---------------------------------------------------------------

    def run(self) -> None:
        heads = self._programme_heading_indexes()
        if not heads:
            first = next((ln.no for ln in self.lines if not ln.blank), 1)
            raise ImportRefused([Problem(
                self.source, first,
                "not a programme document: no programme headings found (expected lines "
                "such as '1. Programma …' followed by 'Opdrachtgever:')",
            )])
        self._read_title(min(heads))
        if self.year is None:
            raise ImportRefused([Problem(
                self.source, self.lines[min(heads)].no,
                "no plan year found in the title or the 'Mijlpalen'/'Financiën' headings",
            )])

        programme: ProgrammeBuilder | None = None
        project: ProjectBuilder | None = None
        mode = "preamble"
        appendix: int | None = None
        section = Section("preamble", Line(0, ""))
        sections: list[Section] = []

        def start(kind: str, heading: Line, **kw) -> Section:
            nonlocal section
            sections.append(section)
            section = Section(kind, heading, programme=programme, project=project,
                              appendix=appendix, **kw)
            return section

        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if line.blank:
                section.lines.append(line)
                index += 1
                continue
            text = line.text

            if index == self.title_index:
                index += 1
                continue

            if index in heads and not line.bullet:
                text, consumed = heads[index]
                m = PROGRAMME_RE.match(text)
                number = int(m["num"]) if m and m["num"] else None
                name = m["name"].strip() if m else text
                kind = "project" if (m and m["word"].lower() == "project") or not m else "programma"
                existing = self._find_programme(name, threshold=95)
                if existing is not None:
                    self.warn(line.no, f"programme heading {text!r} repeated (first at line "
                                       f"{existing.no}); read as the same programme")
                    programme = existing
                else:
                    programme = ProgrammeBuilder(number=number, name=name, kind=kind, no=line.no)
                    self.programmes.append(programme)
                project = None
                mode = "main"
                appendix = None
                start("programme-top", line)
                index += consumed
                continue

            if not line.bullet and appendix is None and len(text) <= 100:
                m = DETAIL_RE.match(text)
                heading_lines = 1
                if not m and index + 1 < len(self.lines) and not self.lines[index + 1].blank:
                    # "Aansluiting jeugdhulp-Passend Onderwijs:" / "projecten"
                    joined, heading_lines = self._wrapped_heading(index, text)
                    m = DETAIL_RE.match(joined) if heading_lines > 1 else None
                    heading_lines = heading_lines if m else 1
                target = None
                if m:
                    target = self._find_programme(m["name"], threshold=70)
                elif (re.match(r"^programma\s+\S", text, re.I) and self._followed_by_blank(index)
                      and not text.endswith((".", ":", ","))):
                    target = self._find_programme(text, threshold=90)
                if target is not None:
                    if target is not programme:
                        project = None
                    programme = target
                    variant = m["name"] if m else re.sub(r"^programma\s+", "", text, flags=re.I)
                    _add_unique(programme.variants, variant.strip())
                    mode = "detail"
                    start("detail-top", line)
                    index += heading_lines
                    continue
                if m and programme is not None and mode != "preamble":
                    self.warn(line.no, f"heading {text!r} names no known programme; its "
                                       "projects are read as part of the current programme")
                    mode = "detail"
                    start("detail-top", line)
                    index += 1
                    continue

            # "Agenda Bestuurlijk Overleg Sociaal Domein 2020" heads the meeting table,
            # wherever it stands (its "Bijlage 1:" may be lost in a rendering).
            if (not line.bullet and self.body is None and len(text) <= 120
                    and re.match(r"^[Aa]genda\s+[A-ZÀ-Ý].*\b(?:19|20)\d{2}$", text)):
                self._read_body_heading(line)
                programme = None
                project = None
                mode = "appendix"
                appendix = appendix or 1
                start("agenda", line)
                index += 1
                continue

            kind, match = self._section_heading(line)
            if kind == "appendix":
                appendix = int(match["n"])
                programme = None
                project = None
                mode = "appendix"
                sec = start("appendix", line)
                if match["inline"].strip():
                    sec.lines.append(Line(line.no, match["inline"].strip()))
                index += 1
                continue
            if kind is not None and mode == "appendix":
                if kind == "budget" and not match["years"]:
                    start("region-budget", line)
                    index += 1
                    continue
            if kind is not None and mode in ("main", "detail", "preamble") and not (
                kind == "appendix"
            ):
                if kind == "intro":
                    start("intro", line)
                    index += 1
                    continue
                if programme is None:
                    start("orphan", line)
                    index += 1
                    continue
                years = []
                if kind == "budget":
                    years = [int(y) for y in re.findall(r"\d{4}", match["years"] or "")]
                    if len(years) == 2 and re.search(r"[-–]|t/m|tot", match["years"]):
                        years = list(range(years[0], years[1] + 1))
                    years = years or [self.year]
                if kind == "mentions":
                    project = None
                if kind in ("description",) and mode == "detail" and project is None:
                    kind = "background"
                sec = start(kind, line, years=years)
                inline = match.groupdict().get("inline") if match else None
                if inline and inline.strip():
                    sec.lines.append(Line(line.no, inline.strip()))
                index += 1
                continue

            if mode == "detail" and not line.bullet and programme is not None:
                taken = self._project_heading(index, programme, project, section)
                if taken is not None:
                    number, name, consumed = taken
                    existing = next(
                        (p for p in programme.detailed if p.number == number
                         and fuzz.token_set_ratio(p.name.lower(), name.lower()) >= 90),
                        None,
                    )
                    if existing is not None:
                        project = existing
                    else:
                        project = ProjectBuilder(number=number, name=name, no=line.no)
                        programme.detailed.append(project)
                    start("description", line)
                    index += consumed
                    continue

            section.lines.append(line)
            index += 1
        sections.append(section)

        # The verdeelsleutel (in an appendix) names the municipalities that team lists
        # such as "Krimpenerwaard 12 uur" refer to: read it first.
        for sec in sorted(sections, key=lambda sec: sec.kind != "region-budget"):
            self._read_section(sec)

    def _read_title(self, first_heading: int) -> None:
        self.title_index = None
        for index, line in enumerate(self.lines[:first_heading]):
            if line.blank:
                continue
            m = re.search(r"(?P<year>(?:19|20)\d{2})\s*$", line.text)
            if m and re.search(r"programma|plan", line.text, re.I):
                self.title_index = index
                self.year = int(m["year"])
                words = line.text[: m.start()].split()
                generic = {"programma", "sociaal", "domein", "dynamisch", "regio", "regionaal",
                           "plan", "jeugd", "wmo", "en", "transformatieplan", "programmaplan"}
                region: list[str] = []
                for word in reversed(words):
                    if word.lower() in generic or not word[:1].isupper():
                        break
                    region.insert(0, word)
                if region:
                    name = " ".join(region)
                    hyphenated = "-".join(region)
                    full = "\n".join(ln.text for ln in self.lines)
                    self.region_name = hyphenated if hyphenated in full else name
                break
        if self.year is None:
            years = [
                int(y)
                for ln in self.lines
                for y in re.findall(r"^(?:mijlpalen|financi[eë]n)\s+(\d{4})", ln.text, re.I)
            ]
            if years:
                self.year = max(set(years), key=years.count)
        if self.title_index is None:
            self.warn(None, "no title line with region and year found")

    def _section_heading(self, line: Line) -> tuple[str | None, re.Match | None]:
        if line.bullet:
            return None, None
        for kind, pattern in SECTION_PATTERNS:
            m = pattern.match(line.text)
            if m:
                if kind not in ("local", "description", "mentions") and len(line.text) > 90:
                    continue
                return kind, m
        return None, None

    def _project_heading(
        self, index: int, programme: ProgrammeBuilder, project: ProjectBuilder | None,
        section: Section,
    ) -> tuple[int, str, int] | None:
        """A numbered line in a detail part that starts the next deelproject, with how
        many lines its (possibly wrapped) heading takes."""
        line = self.lines[index]
        m = NUMBERED_RE.match(line.text)
        if not m or len(line.text) > 140 or line.text.endswith("."):
            return None
        number = int(m["num"])
        expected = (project.number + 1) if project and project.number else 1
        known = next((p for p in programme.detailed if p.number == number), None)
        repeated = known is not None and fuzz.token_set_ratio(
            known.name.lower(), m["rest"].lower()) >= 90
        # Numbering of the list the line might belong to.
        last_number = None
        if section.kind in ("milestones", "description", "background"):
            for prior in reversed(section.lines):
                if not prior.blank and prior.number is not None:
                    last_number = prior.number
                    break
        continuing = last_number is not None and number == last_number + 1
        name, consumed = self._wrapped_heading(index, m["rest"].strip())
        if not repeated:
            if number < expected or number > expected + 2:
                return None
            if continuing and number != expected:
                return None
            if continuing:
                # The last item of a numbered list is followed by the next heading, a
                # project heading by its text.
                nxt = self._next_nonblank(index + consumed - 1)
                if nxt is not None and nxt.number is not None:
                    return None
            if section.kind == "description" and last_number is not None and number != expected:
                return None
        return number, _clean_title(name), consumed

    def _wrapped_heading(self, index: int, name: str) -> tuple[str, int]:
        """A heading at `index` with the lines that are the rest of it when wrapped."""
        consumed = 1
        while index + consumed < len(self.lines):
            nxt = self.lines[index + consumed]
            if nxt.blank or nxt.bullet or NUMBERED_RE.match(nxt.text):
                break
            if self._section_heading(nxt)[0] is not None:
                break
            # A heading stands alone above a blank line; a short line between it and
            # that blank line is the rest of a wrapped heading.
            followed_by_blank = (index + consumed + 1 >= len(self.lines)
                                 or self.lines[index + consumed + 1].blank)
            if not (name.endswith((",", "-", "&", "–")) or _last_word(name) in CONNECTORS
                    or nxt.text[:1].islower() or nxt.text.startswith("(")
                    or name.count("(") > name.count(")")
                    or (followed_by_blank and len(nxt.text) <= 60
                        and not nxt.text.endswith((".", ":")))):
                break
            name = _join(name, nxt.text)
            consumed += 1
        return name, consumed

    def _read_body_heading(self, line: Line) -> None:
        text = re.sub(r"^agenda\s+", "", line.text, flags=re.I)
        m = re.search(r"\s*((?:19|20)\d{2})\s*$", text)
        year = int(m[1]) if m else self.year
        name = text[: m.start()].strip() if m else text.strip()
        abbreviation = "".join(w[0] for w in name.split() if w[:1].isupper())
        full = "\n".join(ln.text for ln in self.lines)
        if len(abbreviation) < 2 or abbreviation not in full:
            abbreviation = None
        self.body = GoverningBodyData(
            slug=(abbreviation or slugify(name)).lower(), name=name, abbreviation=abbreviation,
        )
        self.body_year = year

    # -- sections ------------------------------------------------------------------

    def _read_section(self, sec: Section) -> None:
        # Readers get blank lines too: they separate paragraphs and list blocks.
        content = list(sec.lines)
        while content and content[0].blank:
            content.pop(0)
        while content and content[-1].blank:
            content.pop()
        reader = getattr(self, f"_read_{sec.kind.replace('-', '_')}", None)
        if reader is None:
            self._unplaced(content, "unknown section")
            return
        reader(sec, content)

    def _unplaced(self, lines: list[Line], why: str) -> None:
        for line in lines:
            if not line.blank:
                self.warn(line.no, f"not placed ({why}): {line.text[:80]!r}")

    def _read_preamble(self, sec: Section, content: list[Line]) -> None:
        self._unplaced(content, "before the first programme")

    def _read_intro(self, sec: Section, content: list[Line]) -> None:
        if content:
            self.warn(sec.heading.no, f"section {sec.heading.text!r} (lines {sec.heading.no}–"
                                      f"{content[-1].no}) not imported: the store has no "
                                      "place for the introduction")

    def _read_orphan(self, sec: Section, content: list[Line]) -> None:
        self._unplaced([sec.heading, *content], "section outside any programme")

    def _read_programme_top(self, sec: Section, content: list[Line]) -> None:
        self._unplaced(content, "between programme heading and its first section")

    def _read_detail_top(self, sec: Section, content: list[Line]) -> None:
        self._unplaced(content, "no deelproject heading above it")

    def _read_appendix(self, sec: Section, content: list[Line]) -> None:
        if content:
            self.warn(sec.heading.no, f"{sec.heading.text!r} (lines {sec.heading.no}–"
                                      f"{content[-1].no}) not imported: no data the store "
                                      "holds")

    def _prose_into(self, target: list[str], content: list[Line]) -> None:
        for _, paragraph in _paragraphs(content):
            _add_unique(target, paragraph)

    def _read_ambition(self, sec: Section, content: list[Line]) -> None:
        self._prose_into(sec.programme.ambition, content)

    def _read_background(self, sec: Section, content: list[Line]) -> None:
        self._prose_into(sec.programme.background, content)

    def _read_description(self, sec: Section, content: list[Line]) -> None:
        if sec.project is None:
            self._prose_into(sec.programme.background, content)
        else:
            self._prose_into(sec.project.description, content)

    def _read_text_list(self, target: list[str], content: list[Line]) -> None:
        # The document's own numbering ("1. Geweld eerder …") is dropped: the list keeps
        # the order.
        for item in _items(content):
            _add_unique(target, item.text.rstrip(";").strip())

    def _read_goals(self, sec: Section, content: list[Line]) -> None:
        self._read_text_list(sec.programme.goals, content)

    def _read_dependencies(self, sec: Section, content: list[Line]) -> None:
        self._read_text_list(sec.programme.dependencies, content)

    def _read_local(self, sec: Section, content: list[Line]) -> None:
        self._read_text_list(sec.programme.local, content)

    def _read_partners(self, sec: Section, content: list[Line]) -> None:
        for item in _items(content):
            if item.text.endswith(":"):
                continue
            for part in _split_top_level(item.text):
                part = re.sub(r"^(?:zoals|o\.a\.|oa|bijv\.|waaronder)\s+", "", part, flags=re.I)
                if len(part) > 150:
                    self._unplaced([Line(item.no, part)], "too long for an organisation name")
                    continue
                _add_unique(sec.programme.partners, part.strip())

    def _read_budget(self, sec: Section, content: list[Line]) -> None:
        programme = sec.programme
        for item in _items(content):
            text = item.text.strip()
            amount, money = parse_amount(text)
            colon = _split_top_level(text, r":") if ":" in text else [text]
            if len(colon) >= 2 and len(colon[0]) <= 80:
                label, value = colon[0], text.split(":", 1)[1].strip()
            elif money is not None and money.start() > 0:
                label, value = text[: money.start()].strip(), text[money.start():].strip()
            else:
                label, value = text, text
            if len(label) > 80:
                label = label[:77].rsplit(" ", 1)[0] + "…"
            note = None
            if amount is not None:
                notes = re.findall(r"\(([^)]*)\)", value)
                note = "; ".join(n.strip() for n in notes) or None
            years = sec.years
            if amount is None or not re.search(r"per\s+jaar|jaarlijks|p/j", value, re.I):
                years = years[:1]
            for year in years:
                line = BudgetLineData(label=label, amount=amount, year=year, text=value,
                                      note=note)
                if line not in programme.budget:
                    programme.budget.append(line)

    def _read_projects(self, sec: Section, content: list[Line]) -> None:
        programme = sec.programme
        entries: list[tuple[int | None, str, int]] = []
        for item in _items(content):
            if "|" in item.text:
                for cell in item.text.split("|"):
                    cell = cell.strip()
                    if not cell or re.fullmatch(r"[-: ]+", cell):
                        continue
                    m = NUMBERED_RE.match(cell)
                    entries.append((int(m["num"]), m["rest"], item.no) if m
                                   else (None, cell, item.no))
                continue
            if item.text.endswith(":"):
                continue  # "Bovenregionaal project:" introduces the next items
            entries.append((item.number, item.text, item.no))
        if any(number is not None for number, _, _ in entries):
            entries.sort(key=lambda e: (e[0] is None, e[0] or 0))
        for number, text, no in entries:
            self._list_project(programme, number, text, no)

    def _list_project(self, programme: ProgrammeBuilder, number, text: str, no: int) -> None:
        description = None
        m = re.search(r"\s+[-–]\s+(zie\s+.+)$", text, re.I)
        if m:
            description, text = m[1], text[: m.start()]
        m = re.search(r"\s*\(([^)]{30,})\)$", text)
        if m:
            description, text = m[1], text[: m.start()]
        text = _clean_title(text)
        if not text or any(p.name.lower() == text.lower() for p in programme.listed):
            return
        if len(text) > 200:
            self._unplaced([Line(no, text)], "too long for a deelproject name")
            return
        project = ProjectBuilder(number=number, name=text, no=no, from_list=True,
                                 explicit_number=number is not None)
        if description:
            project.description.append(description)
        programme.listed.append(project)

    def _read_mentions(self, sec: Section, content: list[Line]) -> None:
        for item in _items(content):
            text = item.text
            m = re.search(r"\s*\(([^)]*)\)$", text)
            name = text[: m.start()] if m else text
            match = self._match_listed(sec.programme, name)
            if match is not None:
                _add_unique(match.description, text)
                match.mentioned = True
            else:
                self._list_project(sec.programme, None, text, item.no)

    def _match_listed(self, programme: ProgrammeBuilder, name: str) -> ProjectBuilder | None:
        best, best_score = None, 0.0
        for project in programme.listed:
            score = fuzz.token_set_ratio(project.name.lower(), name.lower())
            if score > best_score:
                best, best_score = project, score
        return best if best_score >= 60 else None

    def _read_milestones(self, sec: Section, content: list[Line]) -> None:
        items = _items(content)
        target = sec.project.milestones if sec.project is not None else None
        for item in items:
            text = item.text
            if re.match(r"^n\.?\s?b\.?\s*[:.]?\s", text, re.I):
                owner = sec.project.description if sec.project else sec.programme.background
                _add_unique(owner, text)
                continue
            if text.endswith(":") and not item.bullet:
                continue  # "In ieder geval:" introduces the items below it
            # After a blank line only bullets (or the list's own numbering) go on with the
            # list; a plain paragraph there is comment on it ("Resultaat: …").
            if item.block > 0 and not item.bullet and not (
                item.number is not None and items[0].number is not None
            ):
                self._unplaced([Line(item.no, text)], "text after the milestone list")
                continue
            milestone_item = Item(text=text, no=item.no, bullet=item.bullet, number=item.number)
            if target is not None:
                target.append((milestone_item, sec.project.name))
            else:
                ad = re.match(r"^ad\s+(?P<nums>\d+(?:\s*(?:en|,|&)\s*\d+)*)\s*[.:]\s*(?P<rest>.+)$",
                              text, re.I)
                refer = None
                if ad:
                    numbers = [int(n) for n in re.findall(r"\d+", ad["nums"])]
                    if len(numbers) == 1:
                        refer = numbers[0]
                        milestone_item.text = ad["rest"]
                sec.programme.milestones.append((milestone_item, refer))

    def _read_team(self, sec: Section, content: list[Line]) -> None:
        programme = sec.programme
        sub = re.match(r"^project\s*team\s+(?P<name>[^\d(:][^:]*?)\s*:$", sec.heading.text, re.I)
        project_name = None
        if sub and not re.search(r"\d{4}", sub["name"]):
            project_name = sub["name"].strip()
        lines = self._team_lines(content)
        group: tuple[str, str | None] | None = None
        first_block = lines[0][2] if lines else 0
        for no, text, block in lines:
            if block != first_block:
                # "Projectteam Samen in de Buurt:" heads its own lines; after a blank
                # line come the project's bodies ("Stuurgroep …", "Koppelwerkgroep").
                project_name = None
            municipality = next(
                (m for m in self._municipality_names() if text.lower().startswith(m.lower())),
                None,
            )
            if group is not None and (municipality or re.search(r"\s[-–]\s", text)):
                label, qualifier = group
                holder = municipality or re.split(r"\s[-–]\s", text, maxsplit=1)[0].strip()
                rest = text[len(holder):].strip(" -–:")
                hours_text, hours = _hours(rest)
                self._add_role(programme, no, label=label, holder=holder, person=None,
                               hours_text=hours_text or rest or None, hours=hours,
                               project_name=project_name, qualifier=qualifier)
                continue
            group = None
            roles = self._team_line(no, text)
            if roles is None:
                self.warn(no, f"team line not understood: {text[:80]!r}")
                continue
            if roles == "group":
                label, _, qualifier = text.partition(":")
                group = (label.strip(), qualifier.strip() or None)
                continue
            for role in roles:
                self._add_role(programme, no, project_name=project_name, **role)

    def _municipality_names(self) -> list[str]:
        # Without a verdeelsleutel table, the municipalities we know the codes of.
        return [m.name for m in self.municipalities] or list(CBS_CODES)

    def _team_lines(self, content: list[Line]) -> list[tuple[int, str, int]]:
        """Re-join team lines wrapped mid-entry ("Projectsecretaris: Corline" / "Bijkerk:
        16 uur"; "Beleidsadviseur regionaal 18" / "uur")."""
        out: list[list] = []
        block = 0
        for line in content:
            if line.blank:
                if out and out[-1][2] == block:
                    block += 1
                continue
            text = line.text
            if out:
                prev = out[-1][1]
                prev_has_hours = _hours(prev)[0] is not None
                starts_municipality = any(
                    text.lower().startswith(m.lower()) for m in self._municipality_names()
                )
                # Only the start of the line counts: "Vink (Gouda), medewerker …" is
                # not a new role.
                label_part = re.split(r"[:,(–]", text, maxsplit=1)[0]
                has_role_word = _role_kind(label_part) is not None
                joins = False
                if _name_wrapped(prev, text):
                    joins = True  # "…, Katrien" / "Overal (Gouda), …"
                elif (len(_split_top_level(prev, r",(?!\d)")) > 1 and prev[-1:].isalnum()
                      and " " not in _split_top_level(prev, r",(?!\d)")[-1]
                      and not has_role_word):
                    joins = True  # "…, medewerker" / "Zuidplas, …": an entry cut short
                elif starts_municipality:
                    joins = False
                elif prev.endswith(":") and not has_role_word:
                    joins = True
                elif (":" in prev and not prev_has_hours
                      and re.fullmatch(r"[A-ZÀ-Ý][\w'ë-]*", prev.split(":", 1)[1].strip() or "-")
                      and not has_role_word and text[:1].isupper()):
                    joins = True  # "Label: Firstname" / "Lastname: 16 uur"
                elif not line.bullet and _continues(prev, line):
                    joins = True
                if joins:
                    out[-1][1] = _join(prev, text)
                    continue
            out.append([line.no, text, block])
        return [(no, text, b) for no, text, b in out]

    def _team_line(self, no: int, text: str):
        """One team line → role dicts; "group" for a label heading a list of entries
        ("Beleidsadviseurs: LOKAAL"); None when not understood."""
        text = text.strip().rstrip(",").strip()
        # "Alex Verhoeve (jurist) (20 uur)": person first, role in parentheses.
        m = re.match(r"^(?P<name>[^()]+?)\s*\((?P<role>[a-zà-ÿ][^()]*)\)\s*(?P<rest>.*)$", text)
        if m and _is_person_name(m["name"]) and _role_kind(m["role"]):
            hours_text, hours = _hours(m["rest"])
            return [dict(label=m["role"].strip().capitalize(), holder=m["name"],
                         person=m["name"], hours_text=hours_text, hours=hours)]
        split = _first_split(text, r":|\s[-–]\s")
        if split is None:
            entries = _split_top_level(text, r",(?!\d)")
            if len(entries) > 1:
                # "Projectleider (vacature), Laura van Werven (GHZ), …": a post, then members.
                roles: list[dict] = []
                for index, entry in enumerate(entries):
                    if index and not _role_kind(entry):
                        roles += self._entry_roles(no, "Teamlid", entry) or []
                    else:
                        roles += self._team_line(no, entry) or []
                return roles or None
            hours_text, hours, without = _strip_hours(text)
            label, name = _label_and_name(without.strip().rstrip(":").strip())
            post = re.match(r"^(?P<label>.+?)\s*\((?P<h>vacature|pm|p\.m\.|nnb|n\.n\.b\.)\)$",
                            label, re.I)
            if post and name is None:
                return [dict(label=post["label"], holder=post["h"], person=None,
                             hours_text=hours_text, hours=hours)]
            if not label:
                return None
            if _role_kind(label) is None:
                if any(w in label.lower() for w in BODY_WORDS) and not name:
                    return [dict(label=label, holder=label, person=None,
                                 hours_text=hours_text, hours=hours, kind="overleg")]
                return None
            return [dict(label=label, holder=name, person=name if name else None,
                         hours_text=hours_text, hours=hours)]
        label, holders = split
        if _role_kind(label) is None and not any(w in label.lower() for w in BODY_WORDS):
            return None
        if holders and holders.isupper() and _hours(holders)[0] is None:
            return "group"
        return self._entry_roles(no, label, holders)

    def _entry_roles(self, no: int, label: str, holders: str) -> list[dict] | None:
        entries = _split_top_level(holders, r",(?!\d)|\.\s+[Ee]n\s+|\s+en\s+(?=[A-Z])")
        if not entries:
            return [dict(label=label, holder=None, person=None, hours_text=None, hours=None)]
        roles = []
        for entry in entries:
            hours_text, hours, rest = _strip_hours(entry)
            rest = rest.strip().rstrip(":").strip()
            qualifier = None
            pm = re.match(r"^(?P<name>[^()]*?)\s*\((?P<q>[^()]*)\)\s*$", rest)
            name = rest
            if pm:
                name, qualifier = pm["name"].strip(), pm["q"].strip(" ,") or None
            if not name and qualifier and _is_person_name(qualifier):
                name, qualifier = qualifier, None
            if not name and qualifier:
                self.warn(no, f"team entry not understood: {entry[:80]!r}")
                continue
            entry_label = label
            if not name and len(entries) == 1:
                # "Prg manager Conny Kelly: 40 uur": the name stands before the colon.
                entry_label, name = _label_and_name(label)
            person = name if name and _is_person_name(name) else None
            holder = (name or None) if not qualifier else f"{name} ({qualifier})"
            roles.append(dict(label=entry_label, holder=holder, person=person,
                              hours_text=hours_text, hours=hours))
        return roles or None

    def _add_role(self, programme: ProgrammeBuilder, no: int, *, label: str, holder, person,
                  hours_text, hours, project_name=None, qualifier=None, kind=None) -> None:
        label = re.sub(r"\s+", " ", label).strip(" :")
        if qualifier:
            label = f"{label} ({qualifier.lower()})"
        kind = kind or _role_kind(label) or label.lower()
        if person:
            self.role_names.append((person, no))
        # The store's columns are bounded; the document's entries are far shorter.
        label = label[:1].upper() + label[1:200]
        kind, holder = kind[:80], holder[:300] if holder else holder
        hours_text = hours_text[:120] if hours_text else hours_text
        role = dict(kind=kind, label=label, holder=holder,
                    person=person, hours_text=hours_text, hours=hours, project_name=project_name,
                    no=no)
        key = {k: v for k, v in role.items() if k != "no"}
        if all({k: v for k, v in r.items() if k != "no"} != key for r in programme.roles):
            programme.roles.append(role)

    def _read_opdrachtgever(self, sec: Section, content: list[Line]) -> None:
        programme = sec.programme
        current = None
        pending: list[tuple[int, str]] = []
        parts: list[tuple[str, int, str]] = []
        for line in content:
            if line.blank:
                continue
            m = re.match(r"^(?P<kind>bestuurlijk|ambtelijk)\s*:?\s*(?P<rest>.*)$", line.text, re.I)
            if m:
                current = m["kind"].lower()
                if m["rest"].strip():
                    parts.append((current, line.no, m["rest"].strip()))
                continue
            if current is None:
                pending.append((line.no, line.text))
                continue
            if parts and parts[-1][0] == current and (
                _continues(parts[-1][2], line) or _name_wrapped(parts[-1][2], line.text)
            ):
                kind, no, prev = parts[-1]
                parts[-1] = (kind, no, _join(prev, line.text))
                continue
            parts.append((current, line.no, line.text))
        for no, text in pending:
            self.warn(no, f"opdrachtgever line without 'Bestuurlijk'/'Ambtelijk': {text!r}")
        for kind, no, text in parts:
            for entry in _split_top_level(text, r",|\s+en\s+|\s*&\s*"):
                entry = entry.strip()
                qualifiers = re.findall(r"\(([^)]*)\)", entry)
                name = re.sub(r"\s*\([^)]*\)", "", entry).strip()
                # "Rik (Esther)": a second person named in brackets; "(Gouda)", "(BOSD)"
                # only say where the first one sits.
                bracketed = [
                    q for q in qualifiers
                    if _is_person_name(q) or (
                        re.fullmatch(r"[A-ZÀ-Ý][a-zà-ÿ]+", q)
                        and q not in self._municipality_names()
                    )
                ]
                qualifiers = [q for q in qualifiers if q not in bracketed]
                self._add_opdrachtgever(programme, kind, no, name, qualifiers)
                for q in bracketed:
                    self._add_opdrachtgever(programme, kind, no, q, [])

    def _add_opdrachtgever(self, programme, kind: str, no: int, name: str,
                           qualifiers: list[str]) -> None:
        if not name:
            return
        person = name if (_is_person_name(name) or re.fullmatch(r"[A-ZÀ-Ý][a-zà-ÿ]+", name)) \
            else None
        holder = name + "".join(f" ({q})" for q in qualifiers)
        self._add_role(programme, no, label=f"{kind.capitalize()} opdrachtgever",
                       holder=holder, person=person, hours_text=None, hours=None,
                       kind=f"{kind} opdrachtgever")

    def _read_region_budget(self, sec: Section, content: list[Line]) -> None:
        total = None
        for line in content:
            if line.blank:
                continue
            row = re.match(r"^(?P<name>[A-ZÀ-Ý][\w' -]*?)\s*\t?\s*(?P<n>\d{1,3}(?:\.\d{3})+|\d{4,})"
                           r"(?:\s*\t?\s*(?P<pct>\d+(?:,\d+)?\s*%))?\s*$", line.text.replace(
                               "\t", " "))
            if row:
                n = int(row["n"].replace(".", ""))
                name = row["name"].strip()
                if re.match(r"^totaal", name, re.I):
                    total = (n, line.no)
                    continue
                if all(m.name != name for m in self.municipalities):
                    self.municipalities.append(MunicipalityData(
                        name=name, inhabitants=n, cbs_code=CBS_CODES.get(name)))
                continue
            if re.match(r"^gemeente\b.*inwoners", line.text, re.I):
                continue
            if self.budget_amount is None and re.search(r"budget", line.text, re.I):
                amount, money = parse_amount(line.text)
                if amount is not None:
                    self.budget_amount = amount
                    self.budget_text = money.group().strip()
        if total is not None and total[0] != sum(m.inhabitants for m in self.municipalities):
            self.warn(total[1], f"total inhabitants {total[0]} differs from the sum of the rows "
                                f"({sum(m.inhabitants for m in self.municipalities)})")

    def _read_agenda(self, sec: Section, content: list[Line]) -> None:
        """The BOSD table: "nr  Datum  Agendapunt  Beslispunt…  Voorbereiding door:".
        A row wrapped over lines continues in its last cell."""
        year = getattr(self, "body_year", None) or self.year
        rows: list[tuple[int, list[str]]] = []
        in_header = False
        for line in content:
            if line.blank:
                continue
            cols = [c.strip() for c in line.text.split("\t")]
            if len(cols) == 1:
                m = re.match(rf"^(\d+)\.?\s+(\d{{1,2}}\s+(?:{MONTH_RE})\.?)\s*(.*)$",
                             line.text, re.I)
                cols = [m[1], m[2], m[3]] if m else cols
            if re.match(r"^nr\b", cols[0], re.I):
                in_header = True
                continue
            is_row = re.fullmatch(r"\d+\.?", cols[0]) and len(cols) > 1 and re.fullmatch(
                rf"\d{{1,2}}\s+(?:{MONTH_RE})\.?", cols[1], re.I)
            if is_row:
                in_header = False
                rows.append((line.no, cols))
                continue
            if in_header:
                continue  # the header row wrapped
            if rows:
                last = rows[-1][1]
                filled = max(i for i, c in enumerate(last) if c or i < 3)
                last[filled] = f"{last[filled]} {cols[0]}".strip()
                last.extend(cols[1:])
                continue
            self.warn(line.no, f"agenda line not understood: {line.text[:80]!r}")
        for no, cols in rows:
            m_date = re.fullmatch(rf"(\d{{1,2}})\s+({MONTH_RE})\.?", cols[1], re.I)
            number = int(cols[0].rstrip("."))
            try:
                when = date(year, MONTHS[m_date[2].lower()], int(m_date[1]))
            except ValueError:
                self.warn(no, f"no such date: {cols[1]!r}")
                continue
            topic = cols[2] if len(cols) > 2 else ""
            kind = (cols[3] if len(cols) > 3 else "") or None
            prepared = (cols[4] if len(cols) > 4 else "") or None
            agenda = [
                AgendaItemData(position=position, title=title, kind=kind[:40] if kind else None,
                               prepared_by=prepared)
                for position, title in _numbered_parts(topic)
            ]
            region = slugify(self.region_name or "regio")
            uid = f"{region}-{year}-{self.body.slug if self.body else 'overleg'}-{number}"
            if all(m.uid != uid for m in self.meetings):
                self.meetings.append(MeetingData(uid=uid, number=number, date=when,
                                                 agenda=agenda))

    # -- finishing -----------------------------------------------------------------

    def build(self) -> StoreData:
        people = self._people()
        programmes = [self._programme_data(p, people) for p in self.programmes]
        self._aliases(programmes)
        names = []
        for programme in programmes:
            for role in programme.roles:
                if role.person and role.person not in names:
                    names.append(role.person)
        bodies = []
        if self.body is not None:
            bodies.append(self.body.model_copy(update={"meetings": self.meetings}))
        elif self.meetings:
            self.warn(None, "meetings found without a governing body heading")
        region = RegionData(
            slug=slugify(self.region_name or "regio"), name=self.region_name or "Regio",
            year=self.year, budget_amount=self.budget_amount, budget_text=self.budget_text,
            municipalities=self.municipalities, programmes=programmes, bodies=bodies,
        )
        return StoreData(people=[PersonData(name=n) for n in names], regions=[region])

    def _people(self) -> dict[str, str]:
        """Names as written → canonical person names. A misspelling close to a name
        written more often (or earlier) maps to it; a lone first name maps to the one
        known person with that first name."""
        counts: dict[str, int] = {}
        first_seen: dict[str, int] = {}
        for name, no in self.role_names:
            if len(name.split()) < 2:
                continue
            counts[name] = counts.get(name, 0) + 1
            first_seen.setdefault(name, no)
        canonical: dict[str, str] = {}
        ordered = sorted(counts, key=lambda n: (-counts[n], first_seen[n]))
        for name in ordered:
            match = next((c for c in ordered if c in canonical.values() and c != name
                          and fuzz.ratio(c.lower(), name.lower()) >= 88), None)
            canonical[name] = match or name
            if match:
                self.warn(first_seen[name], f"{name!r} read as {match!r} (near match of a "
                                            "name written elsewhere)")
        full_names = sorted(set(canonical.values()))
        for name, no in self.role_names:
            if len(name.split()) == 1 and name not in canonical:
                matches = [n for n in full_names if n.split()[0] == name]
                if len(matches) == 1:
                    canonical[name] = matches[0]
                    self.warn(no, f"first name {name!r} read as {matches[0]!r}")
                else:
                    canonical[name] = ""
                    self.warn(no, f"first name {name!r} matches no single known person; kept "
                                  "as written without a person")
        return canonical

    def _programme_data(self, p: ProgrammeBuilder, people: dict[str, str]) -> ProgrammeData:
        projects = self._merge_projects(p)
        project_models = []
        for builder, slug in projects:
            project_models.append(ProjectData(
                slug=slug, number=builder.number, name=builder.name,
                description="\n\n".join(builder.description) or None,
            ))
        by_number = {b.number: s for b, s in projects if b.number is not None}
        by_name = {b.name: s for b, s in projects}
        milestones: list[MilestoneData] = []
        keys: dict[str, MilestoneData] = {}

        def add(item: Item, scope: str, project: str | None) -> None:
            for timing in parse_timing(item.text, self.year):
                if not timing.title:
                    continue
                key = f"{scope}/{slugify(timing.title)}/{slugify(timing.label, 40)}"
                data = MilestoneData(
                    key=key, title=timing.title, due_date=timing.due,
                    period_start=timing.start, period_label=timing.label, project=project,
                    source_line=item.no,
                )
                if key in keys:
                    if keys[key].title == data.title and keys[key].due_date == data.due_date:
                        continue  # the same line again (a repeated block)
                    n = 2
                    while f"{key}-{n}" in keys:
                        n += 1
                    data = data.model_copy(update={"key": f"{key}-{n}"})
                keys[data.key] = data
                milestones.append(data)

        for item, refer in p.milestones:
            add(item, "programma", by_number.get(refer) if refer is not None else None)
        for builder, slug in projects:
            for item, _ in builder.milestones:
                add(item, slug, slug)

        roles = []
        for role in p.roles:
            person = role["person"]
            holder = role["holder"]
            if person is not None:
                resolved = people.get(person, person)
                if resolved:
                    holder = holder.replace(person, resolved, 1) if holder else resolved
                    person = resolved
                else:
                    person = None
            project = None
            if role["project_name"]:
                project = by_name.get(role["project_name"])
                if project is None:
                    best = max(projects, key=lambda bs: fuzz.token_set_ratio(
                        bs[0].name.lower(), role["project_name"].lower()), default=None)
                    if best and fuzz.token_set_ratio(best[0].name.lower(),
                                                     role["project_name"].lower()) >= 85:
                        project = best[1]
            roles.append(RoleData(kind=role["kind"], label=role["label"], holder=holder,
                                  person=person, hours_text=role["hours_text"],
                                  hours=role["hours"], project=project))
        return ProgrammeData(
            slug=p.slug, number=p.number, name=p.name, kind=p.kind,
            ambition="\n\n".join(p.ambition) or None, goals=p.goals,
            dependencies=p.dependencies, local_assignment=p.local,
            background="\n\n".join(p.background) or None, partners=p.partners,
            roles=roles, projects=project_models, milestones=milestones,
            budget_lines=p.budget,
        )

    def _merge_projects(self, p: ProgrammeBuilder) -> list[tuple[ProjectBuilder, str]]:
        """Deelprojecten named in a list and described in a detail part are one project:
        matched by equal numbers, then by name, then by position with a similar name."""
        detailed = list(p.detailed)
        listed = list(p.listed)
        pairs: dict[int, ProjectBuilder] = {}  # id(detail) -> listed
        used: set[int] = set()

        def score(a: str, b: str) -> float:
            return max(fuzz.token_set_ratio(a.lower(), b.lower()),
                       fuzz.ratio(a.lower(), b.lower()))

        for d in detailed:
            for item in listed:
                if item.explicit_number and item.number == d.number and id(item) not in used:
                    pairs[id(d)] = item
                    used.add(id(item))
                    break
        candidates = sorted(
            ((score(d.name, item.name), i, j) for i, d in enumerate(detailed)
             for j, item in enumerate(listed)),
            reverse=True,
        )
        for s, i, j in candidates:
            d, item = detailed[i], listed[j]
            if id(d) in pairs or id(item) in used:
                continue
            positional = not item.explicit_number and j + 1 == d.number
            if s >= 80 or (positional and s >= 50):
                pairs[id(d)] = item
                used.add(id(item))
        out: list[ProjectBuilder] = []
        for d in detailed:
            item = pairs.get(id(d))
            if item is not None:
                if score(d.name, item.name) < 90:
                    self.warn(item.no, f"deelproject {item.name!r} taken to be "
                                       f"'{d.number}. {d.name}' (line {d.no})")
                for text in item.description:
                    _add_unique(d.description, text)
            out.append(d)
        leftovers = [item for item in listed if id(item) not in used]
        for item in leftovers:
            if detailed and not item.mentioned:
                self.warn(item.no, f"deelproject {item.name!r} has no section of its own; "
                                   "kept as a project without description")
            out.append(item)
        # Listed-only projects go where the list put them; detailed ones in their order.
        slugs: list[tuple[ProjectBuilder, str]] = []
        seen: set[str] = set()
        for builder in out:
            slug = slugify(builder.name, 120)
            n = 2
            while slug in seen:
                slug = f"{slugify(builder.name, 110)}-{n}"
                n += 1
            seen.add(slug)
            slugs.append((builder, slug))
        return slugs

    def _aliases(self, programmes: list[ProgrammeData]) -> None:
        full = "\n".join(ln.text for ln in self.lines)
        proposals: dict[str, list[str]] = {}
        for data, builder in zip(programmes, self.programmes, strict=True):
            found: list[str] = []
            for name in [data.name, *builder.variants]:
                for segment in [name, *re.split(r"-(?=[A-Z])|\s*/\s*", name)]:
                    words = re.split(r"[\s-]+", segment.strip())
                    sig = [w for w in words if w and w.lower() not in STOPWORDS]
                    if len(sig) >= 2 and not any(w.isupper() and len(w) > 1 for w in sig):
                        found.append("".join(w[0] for w in sig).upper())
                    if segment != name and len(words) >= 2:
                        found.append(segment.strip())
                    found += [w for w in words if w.isupper() and len(w) >= 2]
                found.append(name)
                # Abbreviations the document writes next to the name: "… (GHNT)".
                for m in re.finditer(re.escape(name) + r"\s*'?\s*\(([A-Z][A-Za-z&/]{1,9})\)",
                                     full, re.I):
                    found.append(m[1])
            found += KNOWN_ALIASES.get(data.slug, [])
            proposals[data.slug] = found
        owners: dict[str, set[str]] = {}
        for slug, found in proposals.items():
            for alias in found:
                owners.setdefault(alias.lower(), set()).add(slug)
        for data in programmes:
            aliases: list[str] = []
            for alias in proposals[data.slug]:
                low = alias.lower()
                if low == data.name.lower() or len(owners[low]) > 1:
                    continue
                if all(a.lower() != low for a in aliases):
                    aliases.append(alias)
            data.aliases = aliases


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


# --------------------------------------------------------------------------- API


def parse_programme_document(text: str, *, source: str) -> tuple[StoreData, list[Problem]]:
    """Read a programme document. Raises `ImportRefused` when the text is not one."""
    parser = _Parser(text, source)
    parser.run()
    data = parser.build()
    problems = sorted(parser.problems, key=lambda p: (p.line or 0, p.message))
    return data, problems


def import_programme_document(session: Session, path: Path, *, now: datetime) -> ImportReport:
    """Parse `path` and apply it to the store within the caller's transaction."""
    source = str(path)
    text = Path(path).read_text(encoding="utf-8")
    data, warnings = parse_programme_document(text, source=source)
    report = ImportReport(source=source)
    apply_store_data(session, data, now=now, report=report)
    report.warnings.extend(warnings)
    return report
