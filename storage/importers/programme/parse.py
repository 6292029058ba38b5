"""Stage 3: normalised lines → sections → builders (programmes, deelprojecten, roles,
milestones, budget lines, the BOSD agenda and the verdeelsleutel).

A single pass recognises headings and hands each section's lines to a small reader;
whatever a reader cannot place is reported with its line number."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz

from storage.importers import ImportRefused, Problem
from storage.schema import (
    AgendaItemData,
    BudgetLineData,
    GoverningBodyData,
    MeetingData,
    MunicipalityData,
)

from .normalise import (
    CONNECTORS,
    DETAIL_RE,
    NUMBERED_RE,
    PROGRAMME_RE,
    SECTION_PATTERNS,
    Line,
    _continues,
    _join,
    _last_word,
    normalise_with_spacing,
)
from .values import (
    AD_RE,
    BODY_WORDS,
    CBS_CODES,
    MONTH_RE,
    MONTHS,
    _clean_title,
    _first_split,
    _hours,
    _is_person_name,
    _label_and_name,
    _name_wrapped,
    _numbered_parts,
    _role_kind,
    _split_top_level,
    _strip_hours,
    parse_amount,
    slugify,
)


@dataclass
class Item:
    text: str
    no: int
    bullet: bool = False
    level: int = 0
    block: int = 0
    number: int | None = None
    after_full_sentence: bool = False  # see `Line.after_full_sentence`


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
                          block=block, number=number,
                          after_full_sentence=same_block and line.after_full_sentence))
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



def _second_sentences_joined(items: list[Item]) -> list[Item]:
    """A plain milestone list wrapped right after a sentence ("… d.m.v.
    werkbijeenkomsten." / "Lokale keuzes maken / prioriteren."): a line that is a
    sentence too is the milestone's second sentence — the document's plain milestone
    items do not end with a full stop one after another."""
    out: list[Item] = []
    for item in items:
        last = out[-1] if out else None
        if (last is not None and item.after_full_sentence and item.text.endswith(".")
                and not item.bullet and item.number is None and not last.bullet
                and last.number is None and last.block == item.block):
            last.text = f"{last.text} {item.text}"
            continue
        out.append(item)
    return out


def _sentences(text: str) -> bool:
    """Running text: a sentence ended within it ("… via BOSD. Bureau")."""
    return re.search(r"[a-zà-ÿ)]\.\s+[A-ZÀ-Ý]", text) is not None


def _budget_label(text: str) -> bool:
    """Does a budget line start with a label of its own ("Regionaal: …")?"""
    head = text.split(":", 1)[0]
    return ":" in text and len(head) <= 40 and not head.endswith(".")


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
    # What the plausibility gate weighs: lines of milestone lists in a detail part
    # without a deelproject; (line, name) of deelprojecten matched on a guess or not at all.
    detached: list[int] = field(default_factory=list)
    doubtful: list[tuple[int, str]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.name)


def _add_unique(target: list, value) -> None:
    if value and value not in target:
        target.append(value)


# --------------------------------------------------------------------------- parser

@dataclass
class Section:
    kind: str
    heading: Line
    lines: list[Line] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    programme: ProgrammeBuilder | None = None
    project: ProjectBuilder | None = None
    appendix: int | None = None
    detail: bool = False  # in a "…: projecten" part


class DocumentParser:
    def __init__(self, text: str, source: str):
        self.source = source
        self.lines, self.spacing = normalise_with_spacing(text)
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
        # The introduction's paragraphs, with their first line: the plausibility gate
        # compares what it says ("in zes programma's …") with what was read.
        self.intro: list[tuple[int, str]] = []

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
                    # A numbered list's items are no title ("1. Vaststelling …" /
                    # "2. Implementatieplan …" above a sheet whose title went below).
                    and not NUMBERED_RE.match(block[0].text)
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
            first = next((ln for ln in self.lines if not ln.blank), None)
            title = f" (its title: {first.text[:80]!r})" if first is not None else ""
            raise ImportRefused([Problem(
                self.source, first.no if first is not None else 1,
                f"not a programme document{title}: expected a regional programme document "
                "with a sheet per programme — a heading such as '1. Programma …' followed by "
                "'Opdrachtgever:', 'Projectteam …' and 'Mijlpalen 2020:' — but found no "
                "programme headings",
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
                              appendix=appendix, detail=mode == "detail", **kw)
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
        self.intro += _paragraphs(content)
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
        examples = re.compile(r"^(?:zoals|o\.a\.|oa|bijv\.|waaronder)\s+", re.I)
        for item in _items(content):
            if item.text.endswith(":"):
                continue
            parts = _split_top_level(item.text)
            # "Jeugd ggz aanbieders, zoals Curium": a kind of partner, then one of them.
            parts = [part for index, part in enumerate(parts)
                     if not (index + 1 < len(parts) and examples.match(parts[index + 1]))]
            for part in parts:
                part = re.sub(r"^(?:zoals|o\.a\.|oa|bijv\.|waaronder)\s+", "", part, flags=re.I)
                if len(part) > 150:
                    self._unplaced([Line(item.no, part)], "too long for an organisation name")
                    continue
                _add_unique(sec.programme.partners, part.strip())

    def _read_budget(self, sec: Section, content: list[Line]) -> None:
        programme = sec.programme
        items: list[Item] = []
        for item in _items(content):
            # A remark in sentences, without amounts, is one remark however it was wrapped.
            last = items[-1] if items else None
            if (last is not None and last.block == item.block and not item.bullet
                    and (last.text.endswith(".") or _sentences(last.text))
                    and not _budget_label(last.text)
                    and not _budget_label(item.text)
                    and parse_amount(last.text)[0] is None
                    and parse_amount(item.text)[0] is None):
                last.text = f"{last.text} {item.text}"
                continue
            items.append(item)
        for item in items:
            text = item.text.strip()
            amount, money = parse_amount(text)
            colon = _split_top_level(text, r":") if ":" in text else [text]
            if len(colon) >= 2 and len(colon[0]) <= 80:
                label, value = colon[0], text.split(":", 1)[1].strip()
            elif money is not None and money.start() > 0:
                label, value = text[: money.start()].strip(), text[money.start():].strip()
            else:
                label, value = text, text
            if len(label) > 80 and label == value:
                # A remark in sentences has no label of its own: the section's heading is
                # its label, so that label and text do not say the same twice.
                label = sec.heading.text.rstrip(": ")
            elif len(label) > 80:
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
        items = _second_sentences_joined(_items(content))
        target = sec.project.milestones if sec.project is not None else None
        if sec.detail and sec.project is None and any(not i.blank for i in content):
            # Milestones in a detail part with no deelproject heading above them: the
            # plausibility gate asks whether a heading was lost.
            sec.programme.detached.append(sec.heading.no)
        for item in items:
            text = item.text
            if re.match(r"^n\.?\s?b\.?\s*[:.]?\s|^(?:is\s+|overig\s+|deels\s+)?afhankelijk\s+van\b",
                        text, re.I):
                # "N.B. …", "Is afhankelijk van werkgroep …": a note, not a milestone.
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
        members_read = False
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
                members_read = True
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
            body = any(role.get("kind") == "overleg" for role in roles)
            if body and members_read:
                # A body ("Stuurgroep …") after the sub-team's members is no member: the
                # sub-team's lines have ended, also where no blank line says so.
                project_name = None
            members_read = members_read or not body
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
                elif re.match(r"^(?:en|of)\s", text, re.I) and not has_role_word:
                    joins = True  # "… (Bo-Re, 2 u pwk)." / "En Esther Vink (Gouda), …"
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
            supplied = re.match(r"^(?P<label>capaciteit)\s+(?P<holder>[A-ZÀ-Ý].*)$", label, re.I)
            if supplied and name is None:
                # "Capaciteit Samenwerkingsverbanden (SWV'en)": capacity the named
                # organisations supply.
                return [dict(label=supplied["label"].capitalize(), holder=supplied["holder"],
                             person=None, hours_text=hours_text, hours=hours)]
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
        # A date cell wrapped in a narrow column ("6  24" / "september") is one again.
        joined: list[Line] = []
        for line in content:
            if line.blank:
                continue
            prev = joined[-1] if joined else None
            if (prev is not None and re.search(r"(?:^|\t)\d+\.?\t\d{1,2}$", prev.text)
                    and re.match(rf"^(?:{MONTH_RE})\b", line.text, re.I)):
                head, _, rest = line.text.partition("\t")
                joined[-1] = Line(prev.no, f"{prev.text} {head}" + (f"\t{rest}" if rest else ""))
                continue
            joined.append(line)
        for line in joined:
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
                if len(cols) > 1 and not cols[0]:
                    # A wrapped cell's rest under its own cell ("\t\tGedeelde zorg").
                    for i, cell in enumerate(cols):
                        if cell:
                            last.extend([""] * (i + 1 - len(last)))
                            last[i] = f"{last[i]} {cell}".strip()
                    continue
                filled = max(i for i, c in enumerate(last) if c or i < 3)
                last[filled] = f"{last[filled]} {cols[0]}".strip()
                last.extend(cols[1:])
                continue
            self.warn(line.no, f"agenda line not understood: {line.text[:80]!r}")
        for no, cols in rows:
            m_date = re.fullmatch(rf"(\d{{1,2}})\s+({MONTH_RE})\.?", cols[1], re.I)
            number = int(cols[0].rstrip("."))
            try:
                if m_date is None:
                    raise ValueError
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

