"""Stage 2: text → normalised `Line`s that keep their source line numbers.

Undoes what the ways a plan circulates do to it, so that the parser sees one shape:
quotes, dashes and bullets of every kind ("•", "o", "-Text"), numbering written as
"2.Verkenning", markdown and HTML remnants, page headers and numbers, and what
PDF-to-text renderings do (`normalise` runs these in order):

- `_split_glued_repeats`: "X: projecten X: projecten" (also wrapped) → the heading once;
  a heading right below itself once;
- `_drop_page_furniture`: page headers (the title, also a two-line title on one line, or
  a running head standing next to the page numbers) and page numbers ("- 3 -", "3 / 21",
  "Pagina 3 van 21", bare numbers counting up); the page break becomes a line break, or
  a paragraph gap where the lines around it say one ends (`_gap_at_page_break`);
- `_undo_double_spacing`: a rendering that follows nearly every line with a blank line;
  a single blank line is then no paragraph break, a wider gap or a heading is;
- `_restore_paragraphs`: a rendering whose blank lines say nothing of paragraphs (one
  after every line and every paragraph alike, or none at all): the gaps are decided
  line by line, and `_gaps_around_repeats` takes a box rendered twice as evidence;
- `_join_split_titles`: "1. Programma" / "Maatschappelijke zorg", and the document's
  title over two lines;
- `_drop_repeated_blocks`: every text box rendered twice (within a window);
- `_move_titles_up`: a sheet's title rendered after its first boxes goes back above
  them; so does a projects part's title rendered after its first deelproject's boxes;
- `_mark_wraps_by_evidence`: a line break the document's own words show to be a wrap.

Each works from the text's own evidence (how its lines are spaced, what repeats, what
the headings are), not from one file's line numbers.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, replace

# Words after which a line cannot end a sentence: the line was wrapped.
CONNECTORS = {
    "de", "het", "een", "van", "voor", "en", "of", "met", "naar", "op", "bij", "aan",
    "te", "om", "in", "tot", "door", "als", "die", "dat", "zoals", "juiste", "over",
    "uit", "onder", "tussen", "binnen", "ter", "per", "vanuit", "waarbij", "zodat",
    "vervolgens", "daarna", "namelijk", "waaronder", "inclusief",
}
# A line holding only one of these qualifies the line before ("Zuid Holland" / "Zuid").
COMPASS = {"noord", "zuid", "oost", "west"}

BULLET_RE = re.compile(r"^(?P<indent>\s*)(?P<mark>[-–—•·▪■●◦‣*+]|o(?=\s))(?:\s+|$)")

# The headings of a programme document; the parser reads sections by them, and the
# normalisation stage needs them to tell a heading from the lines around it.
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


NUMBERED_RE = re.compile(r"^(?P<num>\d{1,2})\s*[.)]\s+(?P<rest>\S.*)$")

PAGE_NUMBER_RE = re.compile(
    r"^(?:[-–]\s*\d{1,3}\s*[-–]|(?:pagina|page|blz\.?|p\.)\s*\d{1,3}(?:\s*(?:van|of|/)\s*\d{1,3})?"
    r"|\d{1,3}\s*(?:/|van|of)\s*\d{1,3})$",
    re.IGNORECASE,
)
BARE_NUMBER_RE = re.compile(r"^\d{1,3}$")


# --------------------------------------------------------------------------- lines


@dataclass
class Line:
    no: int  # 1-based line in the source file
    text: str  # normalised, without bullet mark; "" for a blank line
    bullet: bool = False
    level: int = 0  # 1 for a nested bullet
    page_number: bool = False
    # The wrapped rest of the line above, as the document shows where it writes the
    # same words without that break (`_mark_wraps_by_evidence`).
    continued: bool = False
    # A sentence ended right at the rendering's wrap width above this capitalised line:
    # the next sentence of the same item, or the next item? (`_mark_wraps_by_evidence`)
    after_full_sentence: bool = False
    # Columns of white space before the line (or its mark), a tab as four: the wrapped
    # rest of a list item hangs further in than the item's mark (`_hangs_under`).
    indent: int = 0
    # The first line after a page's furniture: whether a paragraph ends above it was
    # decided, not read (`_drop_repeated_blocks` prefers a copy of a box without one).
    after_page_break: bool = False

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
    text = text.translate(str.maketrans(table))
    # Control characters (a NUL, an escape) are no text: no store column may hold them.
    text = CONTROL_RE.sub(lambda m: " " if m.group() == "\v" else "", text)
    return unicodedata.normalize("NFC", text)


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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


def normalise(text: str) -> list[Line]:
    """The text → the lines the parser reads, each keeping its source line number."""
    return normalise_with_spacing(text)[0]


def normalise_with_spacing(text: str) -> tuple[list[Line], str]:
    """`normalise`, with how the text was spaced: "single" (a blank line is a paragraph
    gap), "double" (a blank line after every line, wider paragraph gaps), "uniform" (a
    blank line after every line and between paragraphs alike) or "tight" (no blank lines
    at all, as plain text extraction gives). In the last two the blank lines say nothing
    of paragraphs: `_restore_paragraphs` decides line by line."""
    lines = _logical_lines(text)
    lines = _split_glued_repeats(lines)
    tight = _tight(lines)
    # Again once the page furniture is gone: a glued heading wrapped over a page break.
    lines = _split_glued_repeats(_drop_page_furniture(lines))
    if tight or _gaps_miss_headings(lines):
        spacing = "tight"
    elif not _double_spaced(lines):
        spacing = "single"
    else:
        spacing = "double" if _gap_coded(lines) else "uniform"
    if spacing in UNGAPPED:
        lines = _gaps_around_repeats(_restore_paragraphs([ln for ln in lines if not ln.blank]))
    else:
        lines = _undo_double_spacing(lines)
    lines = _join_split_titles(lines)
    lines = _drop_repeated_blocks(lines)
    return _mark_wraps_by_evidence(_strip_stray_emphasis(_move_titles_up(lines))), spacing


MARKED_RE = re.compile(r"^(?:\d{1,2}\s*[.)]\s|ad\s+\d)", re.I)


def _mark_wraps_by_evidence(lines: list[Line]) -> list[Line]:
    """A line break that cannot be told from an item boundary by its own lines ("…
    methodische samenwerking" / "Kwintes VO en Lokale teams") is a wrap when the document
    writes the words around it as one run elsewhere: within a line, or across a break
    that is surely a wrap (the rest of a bulleted or numbered item). A sentence that
    ends at the wrap width above a capitalised line is marked: that break cannot be
    told."""
    words = [re.findall(r"\w+", line.text.lower()) for line in lines]
    width = _wrap_width(lines)
    # Runs of words the document surely writes as one: a line, or a marked item with
    # the unmarked lines below it in its paragraph.
    runs: list[list[str]] = []
    in_item = False
    for index, line in enumerate(lines):
        marked = line.bullet or MARKED_RE.match(line.text) is not None
        if line.blank:
            in_item = False
            continue
        if in_item and not marked:
            runs[-1] += words[index]
        else:
            runs.append(list(words[index]))
        in_item = marked or in_item
    evidence = {tuple(run[k:k + n]) for run in runs for n in (2, 4)
                for k in range(len(run) - n + 1)}
    for index in range(1, len(lines)):
        prev, line = lines[index - 1], lines[index]
        if prev.blank or line.blank or line.bullet or MARKED_RE.match(line.text):
            continue
        # The two words either side of the break; a lone word below ("Integraal" /
        # "Arrangeren") with the one word above it.
        size = 1 if len(words[index]) == 1 else 2
        gram = tuple(words[index - 1][-size:] + words[index][:2])
        if len(gram) == 2 * size and gram in evidence:
            line.continued = True
        elif (width and prev.text.endswith(".") and line.text[:1].isupper()
              and _filled(prev, line.text, int(width * 0.9))  # ragged: proportional fonts
              and not heading_kind(prev.text) and not heading_kind(line.text)):
            line.after_full_sentence = True
    return lines


def _wrap_width(lines: list[Line]) -> int | None:
    """The width a rendering wrapped its lines at, or None when its lines are paragraphs:
    many lines end just short of the longest ones."""
    lengths = sorted(_shown_length(line) for line in lines if not line.blank)
    if len(lengths) < 50:
        return None
    width = lengths[int(len(lengths) * 0.98)]
    near = sum(1 for n in lengths if 0.75 * width <= n <= width)
    return width if near >= 0.25 * len(lengths) else None


def _shown_length(line: Line) -> int:
    """The line's length as the rendering set it: with its bullet mark."""
    return len(line.text) + (2 + 2 * line.level if line.bullet else 0)


def _filled(prev: Line, nxt: str, width: int | None) -> bool:
    """Was `prev` filled to the wrap width: would the next line's first word not have fit
    on it? Then the line break may be a wrap."""
    return width is not None and _shown_length(prev) + 1 + len(_first_word(nxt)) > width


def _strip_stray_emphasis(lines: list[Line]) -> list[Line]:
    """Markdown emphasis whose other half a rendering put lines away: "*Openstelling …"
    … "verdeelmodel*"."""
    for line in lines:
        if line.text.count("*") == 1 and not line.bullet:
            line.text = re.sub(r"^\*(?=\S)|(?<=\S)\*$", "", line.text)
    return lines


def _logical_lines(text: str) -> list[Line]:
    """Physical lines → `Line`s: characters, HTML, bullets and markdown normalised."""
    # A form feed (a page break in pdftotext output) is no line of its own.
    physical = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "").split("\n")

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
        # A layout rendering's gap between columns (three spaces or more) is a cell
        # boundary, as a tab is.
        raw = re.sub(r"(?<=\S) {3,}(?=\S)", "\t", raw)
        if re.search(r"</?(?:p|u|li|ul|br|td|tr|b|strong|div)\b[^>]*>", raw):
            pieces = _expand_html(raw)
        else:
            pieces = [raw]
        for piece in pieces:
            line = _one_line(no, _repair_marks(piece))
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
    return lines


# "-Text", "-3x case", "-doorontwikkeling": a bullet glued to its text. An en or em dash
# glued to a lower-case word is the rest of a word wrapped after "en" ("–deling").
GLUED_MARK_RE = re.compile(r"^(?P<indent>\s*)(?:(?P<mark>[-•·▪■●◦‣+])(?=[\w(\"'])"
                           r"|(?P<dash>[–—])(?=[A-ZÀ-Ý(\"']))")
GLUED_NUMBER_RE = re.compile(r"(?:(?<=^)|(?<=[\s\t]))(?P<num>\d{1,2})\.(?=[A-ZÀ-Ý(\"'])")
# A line glued to its repetition; the repetition of a list item keeps its bullet.
DOUBLED_RE = re.compile(r"^(?P<once>\S.{6,}?\S)\s+(?:[-–—•·▪■●◦‣*+o]\s*)?(?P=once)$")


# A short heading glued to itself ("Doelen: Doelen:"): too short for `DOUBLED_RE`.
DOUBLED_SHORT_RE = re.compile(r"^(?P<once>\S.{2,}?\S)\s+(?P=once)$")


def _doubled_heading(text: str) -> re.Match | None:
    m = DOUBLED_SHORT_RE.match(text)
    return m if m and heading_kind(m["once"]) is not None else None


def _repair_marks(text: str) -> str:
    """ "-Text" → "- Text", "2.Verkenning" → "2. Verkenning"."""
    text = GLUED_MARK_RE.sub(lambda m: f"{m['indent']}{m['mark'] or m['dash']} ", text)
    return GLUED_NUMBER_RE.sub(r"\g<num>. ", text)


# --------------------------------------------------------------------------- renderings


def heading_kind(text: str) -> str | None:
    """What kind of heading `text` is: a section kind of `SECTION_PATTERNS`, "programme"
    ("2. Programma …", "9. Project: …"), "detail" ("X: projecten"), or None."""
    m = PROGRAMME_RE.match(text)
    if m and m["num"] and len(text) <= 110:
        return "programme"
    if len(text) <= 100 and DETAIL_RE.match(text):
        return "detail"
    for kind, pattern in SECTION_PATTERNS:
        m = pattern.match(text)
        if m and len(text) <= 90 and not (m.groupdict().get("inline") or "").strip():
            return kind
    if re.match(r"^[Aa]genda\s+[A-ZÀ-Ý].*\b(?:19|20)\d{2}$", text) and len(text) <= 120:
        return "agenda"
    return None


def _blocks(lines: list[Line]) -> list[tuple[int, int]]:
    """(start, end) index ranges of the runs of non-blank lines."""
    out: list[tuple[int, int]] = []
    start = None
    for index, line in enumerate(lines):
        if line.blank:
            if start is not None:
                out.append((start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        out.append((start, len(lines)))
    return out


def _undo_double_spacing(lines: list[Line]) -> list[Line]:
    """A rendering that follows (nearly) every line with a blank line: there a single
    blank line is no paragraph boundary. Wrapped lines, list items and the lines of a
    section come together again; a wider gap, a heading, or — when every gap is one
    blank line — the end of a sentence before a new one still separate paragraphs."""
    if not _double_spaced(lines):
        return lines
    nonblank = [i for i, line in enumerate(lines) if not line.blank]
    gap_coded = _gap_coded(lines)
    out: list[Line] = []
    for position, index in enumerate(nonblank):
        line = lines[index]
        if out:
            prev = out[-1]
            gap = nonblank[position] - nonblank[position - 1] - 1
            after = lines[nonblank[position + 1]] if position + 1 < len(nonblank) else None
            before = lines[nonblank[position - 2]] if position >= 2 else None
            if gap >= 2 or (gap == 1 and _paragraph_break(
                    prev, line, before=before, after=after, gap_coded=gap_coded)):
                out.append(Line(prev.no + 1, ""))
        out.append(line)
    return out


def _gap_coded(lines: list[Line]) -> bool:
    """Are paragraphs set apart by wider gaps (two blank lines or more) than lines?"""
    nonblank = [i for i, line in enumerate(lines) if not line.blank]
    gaps = [after - before - 1 for before, after in zip(nonblank, nonblank[1:], strict=False)]
    return sum(1 for n in gaps if n >= 2) >= 0.05 * len(gaps)


def _double_spaced(lines: list[Line]) -> bool:
    """Does (nearly) every line have a blank line after it?"""
    nonblank = [i for i, line in enumerate(lines) if not line.blank]
    if len(nonblank) < 20:
        return False
    adjacent = sum(1 for i in nonblank if i + 1 < len(lines) and not lines[i + 1].blank)
    return adjacent / len(nonblank) <= 0.15


def _paragraph_break(prev: Line, line: Line, *, before: Line | None, after: Line | None,
                     gap_coded: bool, sentence_ends: bool = True) -> bool:
    if heading_kind(prev.text) == "programme" and line.text[:1].islower() \
            and not line.bullet and heading_kind(line.text) is None:
        return False  # a title wrapped: "5. Programma Aansluiting jeugdhulp-Passend" / "onderwijs"
    if heading_kind(prev.text) or heading_kind(line.text):
        return True
    if gap_coded:
        return False
    if BARE_HEADING_RE.match(line.text):
        return True
    # A title stands alone: "Programma X" followed by a section heading (not an item of
    # a list of dependencies that happens to name a programme).
    if _is_title(line.text) and after is not None and (
            heading_kind(after.text) or NUMBERED_RE.match(after.text)):
        return True
    if _is_title(prev.text) and before is not None and (
            heading_kind(line.text) or NUMBERED_RE.match(line.text)):
        return True
    return (sentence_ends and prev.text.endswith((".", "!", "?")) and not line.bullet
            and not _continues(prev.text, line))


UNGAPPED = ("uniform", "tight")
# Sections of running text: there a line that ends short of the wrap width ends its
# paragraph. Elsewhere (lists, teams, budgets, milestones) it ends an item of
# the list, and the list goes on.
PROSE_SECTIONS = {"ambition", "background", "description", "intro", None}
# A remark after a list, set apart from it ("Resultaat: sluitende keten …").
REMARK_RE = re.compile(r"^(?:resultaat|toelichting|opmerking|let op|noot)\s*:", re.I)


def _gaps_miss_headings(lines: list[Line]) -> bool:
    """Blank lines that are not where paragraphs start: most headings ("Mijlpalen
    2020:", "Opdrachtgever:") without one above them, as a layout rendering gives that
    sets a blank line only where the page has a wider gap (a fifth of them, against
    nine in ten or more in text whose blank lines are its paragraph gaps). Read then
    as text without blank lines."""
    headings = [i for i, line in enumerate(lines)
                if i and not line.blank and not line.bullet and heading_kind(line.text)]
    if len(headings) < 20:
        return False
    gapped = sum(1 for i in headings if lines[i - 1].blank)
    return gapped < 0.5 * len(headings)


def _tight(lines: list[Line]) -> bool:
    """A long text with (nearly) no blank lines at all: plain text extraction."""
    nonblank = sum(1 for line in lines if not line.blank)
    return nonblank >= 50 and len(lines) - nonblank <= 0.02 * nonblank


def _restore_paragraphs(lines: list[Line]) -> list[Line]:
    """A text whose blank lines say nothing of paragraphs (none at all, or one after every
    line): the paragraph gaps back, decided line by line from the lines themselves — a
    heading and what the document's structure puts after it, a list's numbering starting
    again, a title above "Opdrachtgever:", a remark label, a sentence that ends short of
    the wrap width in running text — while a line that continues the one above (lower
    case, an open bracket, a connector or comma at the end, a hyphenated word) stays in
    its paragraph. The lines come without blank lines."""
    width = _wrap_width(lines)
    repeats = _repeated_box_starts(lines)
    out: list[Line] = []
    context: str | None = None  # the kind of the section the line stands in
    in_detail = False  # in a "…: projecten" part: numbered lines head deelprojecten
    item_number: int | None = None  # the numbered item the line above is part of
    for index, line in enumerate(lines):
        after = lines[index + 1] if index + 1 < len(lines) else None
        if out:
            prev = out[-1] if not out[-1].blank else out[-2]
            before = lines[index - 2] if index >= 2 else None
            if _starts_paragraph(prev, line, before=before, after=after, context=context,
                                 width=width, in_detail=in_detail, item_number=item_number,
                                 repeat_follows=index + 1 in repeats) or (
                    context not in PROSE_SECTIONS and _comment_after_list(lines, index, width)):
                out.append(Line(prev.no + 1, ""))
                item_number = None
            wrapped = _filled(prev, line.text, width)
            if line.number is not None or line.bullet or not (
                    wrapped or _continues(prev.text, line)):
                item_number = line.number if not line.bullet else None
        else:
            item_number = line.number
        starts = not out or out[-1].blank
        out.append(line)
        kind = heading_kind(line.text) if not line.bullet else None
        if kind is not None and starts:
            context = kind
            if kind in ("detail", "programme", "opdrachtgever"):
                in_detail = kind == "detail"
        elif starts and in_detail and _numbered_title(line):
            context = "description"
        elif starts and _is_title(line.text) and after is not None and after.number is not None:
            in_detail, context = True, "detail"  # "Programma Inzicht in kosten" / "1. …"
    return out


def _repeated_box_starts(lines: list[Line], reach: int = 240, length: int = 3) -> set[int]:
    """Indexes of headings whose next lines repeat the same heading's a little before: a
    box rendered twice. (Lines come without blank lines.)"""
    starts: set[int] = set()
    last: dict[tuple[str, ...], int] = {}
    for index, line in enumerate(lines):
        if line.bullet or heading_kind(line.text) in (None, "programme"):
            continue
        run = tuple(ln.text for ln in lines[index:index + length])
        if len(run) == length and index - last.get(run, -reach - 1) <= reach:
            starts.add(index)
        last[run] = index
    return starts


def _gaps_around_repeats(lines: list[Line], reach: int = 240) -> list[Line]:
    """A box rendered twice shows where its paragraphs start and end: a run of lines equal
    to a whole paragraph before it (two lines or more, 40 characters) is a paragraph of
    its own too, so that `_drop_repeated_blocks` sees the repetition."""
    index = [i for i, line in enumerate(lines) if not line.blank]
    seq = [(lines[i].text, lines[i].bullet) for i in index]
    starts = [p for p in range(len(seq)) if index[p] == 0 or lines[index[p] - 1].blank]
    paragraphs = [(a, b) for a, b in zip(starts, [*starts[1:], len(seq)], strict=True)]
    first_at: dict[tuple, list[tuple[int, int]]] = {}
    for a, b in paragraphs:
        if b - a >= 2 and sum(len(seq[k][0]) for k in range(a, b)) >= 40:
            first_at.setdefault(seq[a], []).append((a, b))
    gaps: set[int] = set()  # positions in `seq` a paragraph starts at
    for p in range(len(seq)):
        for a, b in first_at.get(seq[p], []):
            if a < p <= a + reach and p >= b and seq[p:p + b - a] == seq[a:b]:
                gaps.update((p, p + b - a))
    gaps = {p for p in gaps if 0 < p < len(seq) and not lines[index[p] - 1].blank}
    if not gaps:
        return lines
    out: list[Line] = []
    for p, i in enumerate(index):
        if p in gaps:
            out.append(Line(lines[i].no, ""))
        out.extend(lines[i:index[p + 1]] if p + 1 < len(index) else lines[i:])
    return out


def _comment_after_list(lines: list[Line], index: int, width: int | None) -> bool:
    """A paragraph of running text (several sentences, longer than a list's items run)
    below a list whose last item ended a sentence: comment on the list, not an item."""
    prev, line = lines[index - 1], lines[index]
    if (line.bullet or line.number is not None or not prev.text.endswith(".")
            or not line.text[:1].isupper() or _continues(prev.text, line)):
        return False
    # Where the sentence ended at the wrap width, only a long text of sentences tells.
    wrapped = _filled(prev, line.text, width)
    unit, last = line.text, line.text
    for nxt in lines[index + 1:]:
        full = width is not None and len(last) + 1 + len(_first_word(nxt.text)) > width
        if nxt.bullet or heading_kind(nxt.text) or not (full or _continues(unit, nxt)):
            break
        unit, last = _join(unit, nxt.text), nxt.text
    sentences = len(re.findall(r"[a-zà-ÿ)]\.\s+[A-ZÀ-Ý]", unit))
    return (len(unit) >= 300 and sentences >= 2) if wrapped else (
        len(unit) >= 160 and sentences >= 1)


def _running_text(text: str, width: int | None) -> bool:
    """A line of running text rather than a list's item: a sentence ends in it, or it is
    long (filled to the wrap width)."""
    return (len(text) >= min(60, int(0.75 * width) if width else 60)
            or re.search(r"[a-zà-ÿ)]\.\s+[A-ZÀ-Ý]", text) is not None)


def _numbered_title(line: Line) -> bool:
    """ "2. Experttafel": a numbered line that names something, no sentence or list item."""
    return (line.number is not None and not line.bullet and len(line.text) <= 100
            and not line.text.endswith((".", ";", ":", ",")))


def _starts_paragraph(prev: Line, line: Line, *, before: Line | None, after: Line | None,
                      context: str | None, width: int | None, in_detail: bool,
                      item_number: int | None = None, repeat_follows: bool = False) -> bool:
    """In a text without paragraph gaps: does `line` start a paragraph (a block the
    parser reads apart), rather than continue `prev` or stand as the next line of its
    list? (`item_number`: the number of the numbered item `prev` is part of;
    `repeat_follows`: the lines after `line` repeat a box rendered shortly before.)"""
    text, kind_prev = line.text, heading_kind(prev.text)
    # The line break fell at the wrap width: the line may be the rest of the one above.
    wrapped = _filled(prev, text, width)
    if not line.bullet and (heading_kind(text) is not None or any(
            p.match(text) for _, p in SECTION_PATTERNS)):
        return True  # a heading, also one with its text inline ("Omschrijving: …")
    continues = not line.bullet and line.number is None and _continues(prev.text, line)
    if kind_prev is not None and not prev.bullet:
        # A heading ends its line, unless wrapped: "Projectteam 2020 – 2021 (incl" /
        # "capaciteit)", "5. Programma Aansluiting jeugdhulp-Passend" / "onderwijs".
        open_bracket = prev.text.count("(") > prev.text.count(")")
        return not (open_bracket or (not prev.text.endswith(":") and text[:1].islower()))
    if continues:
        return False
    if _paragraph_break(prev, line, before=before, after=after, gap_coded=False,
                        sentence_ends=False):
        return True  # a bare "1. Programma", a title above a heading or a numbered line
    if (after is not None and heading_kind(after.text) == "opdrachtgever"
            and _title_like(line) and not prev.text.endswith(":") and not repeat_follows):
        # A sheet's title stands above its "Opdrachtgever:" — not above the box again,
        # rendered twice after the sheet's partners ("… Bureau OOG" / "Jeugdhulp-
        # aanbieders" / "Opdrachtgever:" …).
        return True
    if (context == "opdrachtgever" and _title_like(line) and after is not None
            and heading_kind(after.text) is not None):
        return True  # no "Bestuurlijk: …" line: the sheet's title, rendered below the box
    if (context in PROSE_SECTIONS and _title_like(line) and len(text.split()) <= 6
            and after is not None and heading_kind(after.text) not in (None, "programme")):
        # "… integraal handhavingsbeleid" / "Rechtmatigheid en kwaliteit" / "Deelprojecten:":
        # a short title-like line between running text and a heading is a sheet's
        # title rendered after its first boxes, not the running text's last words.
        return True
    if line.number is not None and not line.bullet and not prev.text.endswith(":") and (
            item_number is None or line.number != item_number + 1):
        return True  # a numbered list (or a deelproject) starts anew
    # Clearly short of the wrap width (a proportional font fills lines unevenly): the
    # line above ended there, whatever the next line starts with.
    ended = not _filled(prev, text, int(width * 0.9) if width else None)
    if (_numbered_title(prev) and ended and line.number is None and not line.bullet
            and (in_detail or _running_text(text, width))):
        return True  # "2. Experttafel" heads the text below it
    if REMARK_RE.match(text) and not line.bullet:
        return True
    if prev.bullet and not line.bullet and ended:
        return True  # a bulleted list ends: its items' wrapped rest comes at the wrap width
    # Running text fills its lines to the wrap width but for a paragraph's last line.
    return context in PROSE_SECTIONS and not wrapped and not line.bullet and text[:1].isupper()


def _split_glued_repeats(lines: list[Line]) -> list[Line]:
    """A heading glued to its own repetition on one line ("X: projecten X: projecten"),
    also when that line was wrapped, once or twice ("X: proje-" / "cten X:" /
    "projecten"): the heading once."""
    out = list(lines)
    drop: set[int] = set()
    for index, line in enumerate(out):
        if line.blank or index in drop:
            continue
        doubled = DOUBLED_RE.match(line.text) or _doubled_heading(line.text)
        joined, j = line.text, index + 1
        for _piece in range(2):
            if doubled is not None:
                break
            # the rest of a wrapped line, right below or after one blank line
            if j < len(out) and out[j].blank:
                j += 1
            if j >= len(out) or out[j].blank:
                break
            joined = _join(joined, out[j].text)
            doubled = DOUBLED_RE.match(joined)
            # Not the rest of a line wrapped above, joined to the next copy of that line
            # ("projecten" / "X: projecten X:" reads as "projecten X:" twice).
            if doubled and doubled["once"][:1].islower():
                doubled = None
            if doubled:
                drop.update(range(index + 1, j + 1))
            j += 1
        if doubled:
            out[index] = Line(line.no, doubled["once"], line.bullet, line.level)
        # A heading or title right below itself (a box rendered twice, single spaced).
        nxt = index + 1
        if (nxt < len(out) and out[nxt].text == out[index].text and not line.bullet
                and (heading_kind(line.text) or _is_title(line.text))):
            drop.add(nxt)
        elif not line.bullet:
            drop.update(_wrapped_heading_repeated(out, index))
    return [line for index, line in enumerate(out) if index not in drop]


def _wrapped_heading_repeated(lines: list[Line], index: int) -> list[int]:
    """A heading wrapped over two lines and rendered twice in a row ("X:" / "projecten"
    / "X:" / "projecten", each line maybe followed by a blank): the indices of the
    repeat and the blanks before it, to drop; else none."""
    found: list[int] = []
    j = index + 1
    while len(found) < 3 and j < len(lines):
        if lines[j].blank and j + 1 < len(lines) and not lines[j + 1].blank:
            j += 1
        if lines[j].blank:
            break
        found.append(j)
        j += 1
    if len(found) < 3:
        return []
    first, second = lines[index], lines[found[0]]
    joined = _join(first.text, second.text)
    if (second.bullet or not second.text[:1].islower()
            or not (heading_kind(joined) or _is_title(joined))
            or [lines[k].text for k in found[1:]] != [first.text, second.text]):
        return []
    return list(range(found[0] + 1, found[2] + 1))


BARE_HEADING_RE = re.compile(r"^(?:\d{1,2}\s*\.\s*)?(?:programma|project)\s*:?$", re.I)


def _join_split_titles(lines: list[Line]) -> list[Line]:
    """A heading split over two lines, with blank lines between them: "1. Programma" /
    "Maatschappelijke zorg", and the document's title ("Dynamisch Programma Sociaal
    Domein" / "Midden Holland 2020")."""
    out = list(lines)
    nonblank = [i for i, line in enumerate(out) if not line.blank]
    drop: set[int] = set()
    for a, b in zip(nonblank, nonblank[1:], strict=False):
        if a in drop:
            continue
        first, second = out[a], out[b]
        if first.bullet or second.bullet or len(second.text) > 80:
            continue
        title = (a == nonblank[0] and not re.search(r"(?:19|20)\d{2}", first.text)
                 and re.search(r"\b(?:19|20)\d{2}$", second.text) and len(first.text) <= 80
                 and not first.text.endswith((".", ":")))
        if BARE_HEADING_RE.match(first.text) or title:
            out[a] = Line(first.no, f"{first.text} {second.text}")
            drop.add(b)
            drop.update(range(a + 1, b))
    return [line for index, line in enumerate(out) if index not in drop]


def _drop_repeated_blocks(lines: list[Line], reach: int = 60) -> list[Line]:
    """A text box rendered twice goes: a run of lines equal to a run that started at most
    `reach` lines before (blank lines aside: a page break inside one copy changes only
    those) — two lines or more with 40 characters of text, four or more with 200 up to
    four times as far (a box repeated after the next box; not a sheet with its title,
    which the parser reads as the same programme and reports), or one line of 20 within
    a few lines. Then a heading left with nothing under it, its box's content having gone
    as a repeat, goes too. Headings alone ("Mijlpalen 2020:") repeat legitimately.

    Where a page break fell inside the copy that stays and not inside the other, the
    paragraph gap there is the other copy's: at a break it was decided, not read
    ("verbeterplannen." / page / "Zicht op …" is one list in the copy without a break)."""
    index = [i for i, line in enumerate(lines) if not line.blank]
    seq = [(lines[i].text, lines[i].bullet, lines[i].level) for i in index]
    drop: set[int] = set()  # positions in `seq`
    gap_after: dict[int, bool] = {}  # positions in `seq` whose gap below is the other copy's

    def gapped(p: int) -> bool:  # a blank line between seq[p] and seq[p + 1]
        return index[p + 1] - index[p] > 1

    def broken(p: int) -> bool:  # a page break between seq[p] and seq[p + 1]
        return lines[index[p + 1]].after_page_break

    def starts(p: int) -> bool:  # a paragraph starts at seq[p]
        return index[p] == 0 or lines[index[p] - 1].blank or _heading_only(seq[p][0])

    def ends(p: int) -> bool:  # a paragraph ends with seq[p]
        return (index[p] + 1 >= len(lines) or lines[index[p] + 1].blank
                or p + 1 >= len(seq) or _heading_only(seq[p + 1][0]))

    i = 0
    while i < len(seq):
        best_length = best_from = 0
        # A long run (a box with its list or text) repeats farther off: after the next
        # box, itself long.
        for j in range(max(0, i - 4 * reach), i):
            if seq[j] != seq[i] or not starts(i):
                continue
            length = 0
            while i + length < len(seq) and j + length < i and seq[j + length] == seq[i + length]:
                length += 1
            # A box repeated is whole: the run ends where a paragraph ends (a sentence the
            # document itself repeats at the start of a paragraph is no repeated box).
            while length and not ends(i + length - 1):
                length -= 1
            chars = sum(len(seq[k][0]) for k in range(i, i + length)
                        if not _heading_only(seq[k][0]))
            if length > best_length and (
                    (length >= 2 and chars >= 40 and i - j <= reach)
                    or (length >= 4 and chars >= 200 and not any(
                        heading_kind(seq[k][0]) == "programme" for k in range(i, i + length)))
                    or (length == 1 and chars >= 20 and i - j <= 8)):
                best_length, best_from = length, j
        if best_length:
            drop.update(range(i, i + best_length))
            for k in range(best_length - 1):
                staying, going = best_from + k, i + k
                if broken(staying) and not broken(going) and gapped(staying) != gapped(going):
                    gap_after[staying] = gapped(going)
            i += best_length
        else:
            i += 1
    kept = [p for p in range(len(seq)) if p not in drop]
    # A heading whose content went as a repeat, with the same heading shortly before.
    for position, p in enumerate(kept):
        text = seq[p][0]
        if not _heading_only(text):
            continue
        nxt = kept[position + 1] if position + 1 < len(kept) else None
        if (nxt is not None and nxt != p + 1 and _heading_only(seq[nxt][0])
                and any(seq[q][0] == text for q in kept[max(0, position - 12):position])):
            drop.add(p)
    if not drop:
        return lines
    gone = {index[p] for p in drop}
    # (Not where the heading pass dropped one of the two lines after all.)
    gap_after = {p: gap for p, gap in gap_after.items() if p not in drop and p + 1 not in drop}
    # The blank lines between a kept line and the next, where the other copy says none.
    gone.update(b for p, gap in gap_after.items() if not gap for b in range(index[p] + 1, index[p + 1]))
    gap_below = {index[p] for p, gap in gap_after.items() if gap}
    out: list[Line] = []
    for i, line in enumerate(lines):
        if i in gone:
            continue
        if line.blank and out and out[-1].blank:
            continue
        out.append(line)
        if i in gap_below:
            out.append(Line(line.no + 1, ""))
    return out


def _heading_only(text: str) -> bool:
    return heading_kind(text) not in (None, "programme")


def _rebuild(lines: list[Line], order: list[int], blocks: list[tuple[int, int]]) -> list[Line]:
    """The given blocks in the given order, one blank line between them."""
    out: list[Line] = []
    for bi in order:
        start, end = blocks[bi]
        if out:
            out.append(Line(lines[start].no, ""))
        out.extend(lines[start:end])
    return out


def _is_title(text: str) -> bool:
    """A programme's title as it can be told without its context: "2. Programma …",
    "9. Project: …", "Programma …"."""
    return heading_kind(text) == "programme" or (
        PROGRAMME_RE.match(text) is not None and len(text) <= 80)


TOP_OF_SHEET = ("opdrachtgever", "team", "partners", "ambition")


def _move_titles_up(lines: list[Line]) -> list[Line]:
    """A sheet whose title box was rendered after its first boxes (opdrachtgever,
    projectteam, partners): the title goes back above them, so that every programme
    starts with its title."""
    blocks = _blocks(lines)
    kinds = [heading_kind(lines[start].text) for start, _ in blocks]
    moves: list[tuple[int, int]] = []  # (title block, block to put it before)
    titles: set[str] = set()
    for bi, (start, end) in enumerate(blocks):
        text = lines[start].text
        # A title alone in its block, or wrapped: "5. Programma Aansluiting …" / "onderwijs".
        wrapped_title = end - start == 2 and lines[start + 1].text[:1].islower() \
            and not lines[start + 1].bullet
        # A projects part's title: "X: projecten", or the programme's title again.
        repeated_title = _is_title(text) and text in titles
        if end - start == 1 and _is_title(text):
            titles.add(text)
        detail = kinds[bi] == "detail" or (wrapped_title and heading_kind(
            _join(text, lines[start + 1].text)) == "detail")
        if (end - start == 1 or wrapped_title) and (detail or repeated_title):
            target = _first_deelproject_above(lines, blocks, kinds, bi)
            if target is not None:
                moves.append((bi, target))
            continue
        if end - start == 1 and _bare_title_after_opdrachtgever(lines, blocks, kinds, bi):
            moves.append((bi, max(j for j in range(bi) if kinds[j] == "opdrachtgever")))
            continue
        if not (end - start == 1 or wrapped_title) or not _is_title(lines[start].text):
            continue
        following = next((k for k in kinds[bi + 1:] if k is not None), None)
        if following == "opdrachtgever":
            continue
        target, seen = None, set()
        for j in range(bi - 1, -1, -1):
            kind = kinds[j]
            if kind in TOP_OF_SHEET:
                # A sheet's first boxes; one of them may come twice ("Projectteam X:"
                # inside the team box). Its opdrachtgever is where the sheet starts.
                seen.add(kind)
                target = j
                if kind == "opdrachtgever":
                    break
            elif kind is not None or NUMBERED_RE.match(lines[blocks[j][0]].text):
                break
        if target is not None and "opdrachtgever" in seen:
            moves.append((bi, target))
    if not moves:
        return lines
    order = list(range(len(blocks)))
    for title, target in moves:
        order.remove(title)
        order.insert(order.index(target), title)
    return _rebuild(lines, order, blocks)


def _title_like(line: Line) -> bool:
    """A line that can be a sheet's title without the words "Programma" or "Project"
    ("Rechtmatigheid en kwaliteit"): short, capitalised, no sentence, label or item."""
    text = line.text
    return (not line.bullet and 3 <= len(text) <= 80 and text[:1].isupper()
            and not text.endswith((".", ":", ";", ",", ")")) and ":" not in text
            and heading_kind(text) is None and not MARKED_RE.match(text))


def _bare_title_after_opdrachtgever(lines: list[Line], blocks: list[tuple[int, int]],
                                    kinds: list[str | None], bi: int) -> bool:
    """A sheet's title without "Programma" rendered after its opdrachtgever box (and
    maybe its next boxes: ambitie, projectteam, partners), a section of the sheet below
    it, while above that opdrachtgever stands no title of its own (the text before ends a
    sentence or list) and no other line between could be the title."""
    if not _title_like(lines[blocks[bi][0]]) or kinds[bi] is not None:
        return False
    following = next((k for k in kinds[bi + 1:] if k is not None), None)
    if following in (None, "opdrachtgever", "programme", "detail", "appendix", "agenda"):
        return False
    j = bi - 1
    while j >= 0 and bi - j <= 10 and kinds[j] != "opdrachtgever":
        first = lines[blocks[j][0]]
        if kinds[j] not in (None, *TOP_OF_SHEET) or _is_title(first.text) or (
                kinds[j] is None and blocks[j][1] - blocks[j][0] == 1 and _title_like(first)):
            return False  # another sheet's part, or another line that could be the title
        j -= 1
    if j < 1 or kinds[j] != "opdrachtgever":
        return False
    # The sheet has a title of its own below ("5. Programma …", also rendered late).
    end = next((k for k in range(j + 1, len(blocks)) if kinds[k] == "opdrachtgever"),
               len(blocks))
    if any(_title_block(lines, *blocks[k]) is not None
           and next((x for x in kinds[k + 1:] if x is not None), None) != "opdrachtgever"
           for k in range(j + 1, end)):
        return False  # (the next sheet's title stands above the next "Opdrachtgever:")
    above = lines[blocks[j - 1][1] - 1]
    return not (_title_like(above) or _is_title(above.text))


def _title_block(lines: list[Line], start: int, end: int) -> str | None:
    """The title a block is ("2. Programma …", "Programma …", also wrapped over two
    lines), or None: a block of more, or an item that names a project in brackets."""
    if end - start == 2 and lines[start + 1].text[:1].islower() and not lines[start + 1].bullet:
        text = _join(lines[start].text, lines[start + 1].text)
    elif end - start == 1:
        text = lines[start].text
    else:
        return None
    return text if _is_title(text) and text.count("(") == text.count(")") else None


def _first_deelproject_above(lines: list[Line], blocks: list[tuple[int, int]],
                             kinds: list[str | None], bi: int) -> int | None:
    """A projects part's title ("X: projecten") rendered after its first deelproject's
    boxes ("1. …", its description and milestones): the block of that "1. …" heading,
    when only that deelproject's own boxes stand between it and the title."""
    numbers: list[int] = []  # deelproject headings passed on the way up: "2. …"
    for j in range(bi - 1, max(-1, bi - 12), -1):
        first = lines[blocks[j][0]]
        heading = not first.bullet and blocks[j][1] - blocks[j][0] == 1
        if first.number == 1 and heading:
            before = next((k for k in reversed(kinds[:j]) if k is not None), None)
            # The title went below its first deelprojecten: those passed count up from 2.
            counted = numbers[::-1] == list(range(2, 2 + len(numbers)))
            return j if before != "detail" and counted else None
        if heading and first.number is not None and _numbered_title(first) and (
                not numbers or first.number == numbers[-1] - 1):
            numbers.append(first.number)
            continue
        if kinds[j] is None and j and kinds[j - 1] == "milestones":
            continue  # a milestone list, numbered or not
        if kinds[j] not in (None, "description", "milestones") or first.number is not None:
            return None
    return None


def _one_line(no: int, raw: str) -> Line:
    text = raw
    if PAGE_NUMBER_RE.match(text.strip()):
        return Line(no=no, text=text.strip(), page_number=True)
    margin = len(raw[: len(raw) - len(raw.lstrip())].replace("\t", "    "))
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
    return Line(no=no, text=text, bullet=bullet, level=level, indent=margin)


def _drop_page_furniture(lines: list[Line]) -> list[Line]:
    """Page headers (the title repeated) and page numbers of a PDF rendering.

    The blank lines around them go too: a page break is not a paragraph break, and a
    list that runs over a page is one list."""
    first_lines = [ln.text for ln in lines if not ln.blank][:2]
    titles = set(first_lines[:1])
    if len(first_lines) == 2:  # a title over two lines stands on one in a page header
        titles.add(" ".join(first_lines))
    furniture: set[int] = set(_bare_page_numbers(lines, alone=not _tight(lines)))
    seen_title = False
    for index, line in enumerate(lines):
        if line.blank:
            continue
        if line.text in titles and not line.bullet:
            if seen_title:
                furniture.add(index)
            seen_title = True
        if line.page_number:
            furniture.add(index)
    furniture |= _running_heads(lines, furniture)
    if not furniture:
        return lines
    lines = list(lines)  # the lines after a break are marked
    # A page break says nothing of paragraphs: the run of furniture and blank lines
    # becomes a line break as the text writes one (a blank line in a double-spaced
    # text), or a paragraph gap where a heading or a new sentence starts after it.
    double = _double_spaced(lines)
    # Without the furniture: a running head on every page is no wrapped line, and at 70
    # pages or more its length would pass for the width the text was wrapped at.
    width = _wrap_width([line for index, line in enumerate(lines) if index not in furniture])
    out: list[Line] = []
    index = 0
    while index < len(lines):
        if index not in furniture:
            out.append(lines[index])
            index += 1
            continue
        before = 0
        while out and out[-1].blank:
            out.pop()
            before += 1
        after = 0
        while index < len(lines) and (lines[index].blank or index in furniture):
            after = 0 if index in furniture else after + 1
            index += 1
        if not out or index >= len(lines):
            continue
        prev, nxt = out[-1], replace(lines[index], after_page_break=True)
        lines[index] = nxt
        if double:
            # As wide a gap as the text shows on both sides of the page's furniture: a
            # paragraph that ends with the page is set apart on the next page too.
            out += [Line(prev.no + 1, "")] * max(1, min(before, after, 2))
            continue
        after = next((line for line in lines[index + 1:] if not line.blank), None)
        if _gap_at_page_break(prev, nxt, width, after=after, item=_item_above(out)):
            out.append(Line(prev.no + 1, ""))
    return out


def _item_above(lines: list[Line]) -> Line | None:
    """The list item, bulleted or numbered, that the last line is or is the wrapped
    rest of ("- Verbeteren deskundigheid m.b.t. omgaan met situaties" / "van
    onveiligheid"); None after running text."""
    for line in reversed(lines):
        if line.bullet or line.number is not None:
            return line
        if line.blank or not line.text[:1].islower():
            return None
    return None


def _gap_at_page_break(prev: Line, nxt: Line, width: int | None, *,
                       after: Line | None = None, item: Line | None = None) -> bool:
    """Single spacing: do the lines on either side of a page break stand in two
    paragraphs, rather than one paragraph or list running over the page? `item`: the
    list item, bulleted or numbered, that `prev` is or is the wrapped rest of; `after`:
    the line below `nxt`."""
    in_item = item is not None and item.bullet
    return (
        prev.text == nxt.text  # a box rendered again on the next page
        or REMARK_RE.match(nxt.text) is not None
        or heading_kind(prev.text) is not None
        or heading_kind(nxt.text) is not None
        # also one wrapped over two lines ("…Passend Onderwijs: proje-" / "cten")
        or (after is not None and not after.bullet and after.text[:1].islower()
            and heading_kind(_join(nxt.text, after.text)) is not None)
        # A title starts a page; a line like one before the break is one only where a
        # numbered deelproject follows ("Programma Inzicht in kosten" / "1.Werkgroep …"):
        # otherwise it is more likely an item of a list ("Afhankelijkheden:" /
        # "Programma Maatschappelijke Zorg"), which a gap after it would make a heading.
        or _is_title(nxt.text)
        or (_is_title(prev.text) and nxt.number is not None)
        # A sentence ends short of the wrap width: its paragraph ends (one that fills its
        # line goes on: "… levert ureninzet lokaal." / page / "Deels kopen …").
        or (prev.text.endswith((".", "!", "?")) and _starts_anew(nxt) and not nxt.bullet
            and not _filled(prev, nxt.text, width))
        or _introduces(nxt)
        # A sheet's title without "Programma" heading the page, above one of a sheet's
        # first boxes: "(Gouda)" / page / "Rechtmatigheid en kwaliteit" / "Ambitie" (a
        # list's last item before "Welke opdracht ligt er lokaal?" is no title); or, where
        # the title was rendered after those boxes, above its deelprojecten: "…
        # handhavingsbeleid" / page / "Rechtmatigheid en kwaliteit" / "Deelprojecten:".
        or (_title_like(nxt) and len(nxt.text.split()) <= 6 and after is not None
            and heading_kind(after.text) in (*TOP_OF_SHEET, "projects")
            and not _continues(prev.text, nxt))
        or _list_ended(prev, nxt, width, in_item=in_item)
        or _numbering_restarts(item or prev, nxt)
    )


def _introduces(line: Line) -> bool:
    """ "Bovenregionaal project:", "5 regionale projecten … partners:": a line of its
    own that introduces what follows; after a page break it starts a paragraph (the rest
    of a wrapped line starts lower-case: "… met aanbieders en" / "partners:")."""
    return not line.bullet and line.text.endswith(":") and line.text[:1].isupper()


def _list_ended(prev: Line, nxt: Line, width: int | None, *, in_item: bool = False) -> bool:
    """ "• 2x andere experimenten pleegzorg" / page / "Als opgroeien thuis …" or "1.
    Samenwerking in de JB-keten": an item (or the wrapped rest of one: `in_item`) short
    of the wrap width, then a capitalised or numbered line that is no item, starts a
    paragraph (an item wrapped over the page fills its line). So does a numbered line
    before running text ("1. Veilig Thuis" / page / "Bij de inrichting van Veilig Thuis
    zijn de gemeentebesturen …"), not before the short rest of a numbered item ("3.
    Samenwerkingsafspraken VT - lokale teams" / page / "Hollands Midden (zie 12)");
    numbered lines that count on stay one list."""
    item = prev.bullet or in_item or (prev.number is not None and nxt.number is None
                                      and not _continues(prev.text, nxt)
                                      and _running_text(nxt.text, width))
    return (item and not nxt.bullet and _starts_anew(nxt) and not _hangs_under(prev, nxt)
            and width is not None and not _filled(prev, nxt.text, width))


def _hangs_under(prev: Line, nxt: Line) -> bool:
    """ "- Evaluatie declaratiegedrag (na Q1 2020)" / page / "  Uitkomst is 0-meting …":
    a line without a mark indented further than the item's mark (or as far as the
    item's wrapped rest above it) is more of that item, however it starts. Relative, so
    that a rendering which indents every line by its margin does not count."""
    if nxt.bullet:
        return False
    if prev.bullet:
        return nxt.indent > prev.indent
    return 0 < prev.indent <= nxt.indent


def _numbering_restarts(prev: Line, nxt: Line) -> bool:
    """ "5. Implementeren samenwerkingsafspraken …" (also wrapped: "… VT – Lokale" /
    "teams") / page / "1. Veilig Thuis": numbered lines that do not count on are two
    lists (or a list and a heading)."""
    return prev.number is not None and nxt.number is not None and nxt.number != prev.number + 1


def _starts_anew(line: Line) -> bool:
    """A capitalised or numbered line ("1.Jeugdhulp op School (JOS)"): what a sentence,
    an item or a heading starts with, not the rest of a wrapped line."""
    return line.text[:1].isupper() or line.number is not None


def _standalone(lines: list[Line], index: int) -> bool:
    """A line with a blank line (or the text's edge) above or below it."""
    return (index == 0 or lines[index - 1].blank or index + 1 == len(lines)
            or lines[index + 1].blank)


def _bare_page_numbers(lines: list[Line], alone: bool = True) -> list[int]:
    """Lines holding only a number that are page numbers: standing alone (`alone`: with a
    blank line next to them, where the text has blank lines) and counting up one by one
    through the text (at least three of them), not a number of a list."""
    candidates = [i for i, line in enumerate(lines) if not line.blank and not line.bullet
                  and BARE_NUMBER_RE.match(line.text) and (not alone or _standalone(lines, i))]
    chains: list[list[int]] = []
    for index in candidates:
        value = int(lines[index].text)
        chain = next((c for c in chains if int(lines[c[-1]].text) + 1 == value), None)
        if chain is not None:
            chain.append(index)
        else:
            chains.append([index])
    return [i for chain in chains if len(chain) >= 3 for i in chain]


def _running_heads(lines: list[Line], numbers: set[int]) -> set[int]:
    """A page header or footer that is not the title: a line that stands next to the
    page numbers (blank lines aside) on most pages."""
    if len(numbers) < 3:
        return set()
    neighbours: dict[str, list[int]] = {}
    for index in numbers:
        for step in (-1, 1):
            j = index + step
            while 0 <= j < len(lines) and lines[j].blank:
                j += step
            if 0 <= j < len(lines) and j not in numbers and len(lines[j].text) <= 120:
                neighbours.setdefault(lines[j].text, []).append(j)
    return {j for text, found in neighbours.items() if len(found) >= max(3, len(numbers) // 2)
            for j in found}


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0] if text else ""


def _last_word(text: str) -> str:
    return text.rsplit(" ", 1)[-1] if text else ""


def _continues(prev: str, nxt: Line) -> bool:
    """Is `nxt` the wrapped rest of the line `prev`? (Both non-blank, `nxt` no bullet.)"""
    t = nxt.text
    if not t or nxt.bullet:
        return False
    if nxt.continued:
        return True
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

