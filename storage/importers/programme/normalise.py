"""Stage 2: text → normalised `Line`s that keep their source line numbers.

Undoes what the ways a plan circulates do to it, so that the parser sees one shape:
quotes, dashes and bullets of every kind ("•", "o", "-Text"), numbering written as
"2.Verkenning", markdown and HTML remnants, page headers and numbers, and what
PDF-to-text renderings do (see `repair_rendering`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Words after which a line cannot end a sentence: the line was wrapped.
CONNECTORS = {
    "de", "het", "een", "van", "voor", "en", "of", "met", "naar", "op", "bij", "aan",
    "te", "om", "in", "tot", "door", "als", "die", "dat", "zoals", "juiste", "over",
    "uit", "onder", "tussen", "binnen", "ter", "per", "vanuit", "waarbij", "zodat",
}
# A line holding only one of these qualifies the line before ("Zuid Holland" / "Zuid").
COMPASS = {"noord", "zuid", "oost", "west"}

BULLET_RE = re.compile(r"^(?P<indent>\s*)(?P<mark>[-–—•·▪■●◦‣*+]|o(?=\s))(?:\s+|$)")

NUMBERED_RE = re.compile(r"^(?P<num>\d{1,2})\s*[.)]\s+(?P<rest>\S.*)$")

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

