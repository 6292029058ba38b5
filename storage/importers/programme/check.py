"""Stage 5: the plausibility gate. Before anything is applied, the parsed document is
checked against what a programme document looks like; an import that fails is refused
with a report (unless forced), because a mangled rendering read "successfully" is worse
than no import: it would replace good data with labels and fragments.

What is checked:
- headings of the document standing after running text on one line ("… Bodegraven-
  Reeuwijk. Doelen:"): a PDF tool read two columns across the page and ran them
  together; said first, since it explains the findings that follow from it;
- programme names that look like section labels ("Ambtelijk: …", "Opdrachtgever"),
  fragments ("(Gouda)", "Thuis Jeugd)", a sentence, a lower-case start) or the title;
- the number of programmes against what the introduction says ("… in zes programma's.
  … Daarnaast … de projecten A, B en het project C");
- deelprojecten named like a section label or a fragment ("projecten");
- programmes without an opdrachtgever, or without a single milestone, or with
  milestones named like its deelprojecten (their headings read as milestones), or with
  the same milestones under two deelprojecten (a box rendered twice);
- a projects part whose milestone list stands under no deelproject heading, or whose
  deelprojecten match the programme's list of them neither by name nor by number;
- an agenda ("Agenda Bestuurlijk Overleg …") whose table gave no meetings;
- the share of lines that could not be placed;
- a region name that is missing or one generic word ("Regio").
"""

from __future__ import annotations

import re

from storage.importers import Problem
from storage.schema import StoreData

from .normalise import SECTION_PATTERNS
from .parse import DocumentParser

NUMBER_WORDS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
}
GENERIC_REGION_WORDS = {"regio", "region", "gemeente", "gemeenten", "programma", "plan",
                        "sociaal", "domein", "jeugd", "wmo"}
LABEL_WORDS = re.compile(
    r"^(?:bestuurlijk|ambtelijk|opdrachtgever|programmamanager|projectleider|projectteam|"
    r"externe partners|mijlpalen|doelen|ambitie|achtergrond|afhankelijkheden|financi[eë]n|"
    r"deelprojecten|omschrijving|welke opdracht|bijlage)\b", re.I)
# This many listed deelprojecten without a section, or with one of another name: the
# document's own lists and headings disagree (the plan as written has at most one a
# programme: a project only mentioned).
DOUBTFUL_PROJECTS = 2
# This many lines with a heading after running text: columns run together (no rendering
# read right has one; one read across two columns, dozens).
RUN_TOGETHER_LINES = 5
# The sections a heading starts on a line of its own; the ones that may carry their
# text inline ("Omschrijving: …", "Bijlage 1 …") can stand after other words.
_OWN_LINE_SECTIONS = [p for kind, p in SECTION_PATTERNS
                      if kind not in ("local", "description", "mentions", "appendix")]
# Where running text may end and a heading begin: after a lower-case word or a
# punctuation mark, before a capital.
_TEXT_THEN_CAPITAL = re.compile(r"(?<=[a-zà-ÿ0-9.,;)]) (?=[A-ZÀ-Þ])")
# More than this share of the document's lines not placed: the reading went wrong.
UNPLACED_SHARE = 0.10


def findings(doc: DocumentParser, data: StoreData) -> list[Problem]:
    """Why this does not look like a programme document; empty when it does."""
    out: list[Problem] = []

    def find(line: int | None, message: str) -> None:
        out.append(Problem(doc.source, line, message))

    run_together = [ln for ln in doc.lines if _heading_after_text(ln.text)]
    if len(run_together) >= RUN_TOGETHER_LINES:
        first = run_together[0]
        find(first.no, f"{len(run_together)} lines hold a heading of the document after "
                       f"running text ({first.text!r} …): the text was taken from a page set "
                       "in columns and a PDF tool ran them together line by line; import "
                       "the .pdf itself, which reads each column in turn, or a text export "
                       "that keeps the columns apart")

    region = data.regions[0]
    if not doc.region_name or doc.region_name.lower() in GENERIC_REGION_WORDS:
        find(None, f"region name {region.name!r} is no region: the title line should name "
                   "it (\"Programma Sociaal Domein Midden-Holland 2020\")")

    for builder, programme in zip(doc.programmes, region.programmes, strict=True):
        why = _bad_name(programme.name)
        if why:
            find(builder.no, f"programme name {programme.name!r} {why}")
        if not any(r.kind.endswith("opdrachtgever") for r in programme.roles):
            find(builder.no, f"programme {programme.name!r} has no opdrachtgever")
        if not programme.milestones:
            find(builder.no, f"programme {programme.name!r} has no milestones")
        if builder.detached:
            find(builder.detached[0], f"programme {programme.name!r}: a milestone list in its "
                                      "projects part stands under no deelproject heading (one "
                                      "was lost, or read as something else)")
        if len(builder.doubtful) >= DOUBTFUL_PROJECTS:
            names = ", ".join(repr(name) for _, name in builder.doubtful[:3])
            find(builder.doubtful[0][0],
                 f"programme {programme.name!r}: {len(builder.doubtful)} listed deelprojecten "
                 f"match no section by name or number ({names} …): its projects part was "
                 "not read as written")
        repeated = _milestones_under_two_projects(programme.milestones)
        if repeated:
            find(repeated[0].source_line or builder.no,
                 f"programme {programme.name!r}: {len(repeated)} milestones stand under two "
                 f"deelprojecten alike ({repeated[0].title!r} …): a box rendered twice was "
                 "read under the wrong heading")
        # (A deelproject's name may be long or hold a colon: "Samen leren: academische
        # werkplaats".)
        odd = [(j.name, why) for j in programme.projects if (why := _label_or_fragment(j.name))]
        if odd:
            find(builder.no, f"programme {programme.name!r}: deelproject {odd[0][0]!r} {odd[0][1]}"
                             f"{f' (and {len(odd) - 1} more)' if len(odd) > 1 else ''}: its projects "
                             "part was not read as written")
        projects = {j.name.lower() for j in programme.projects}
        named = [m for m in programme.milestones if m.title.lower() in projects]
        if len(named) >= 2:
            find(named[0].source_line or builder.no,
                 f"programme {programme.name!r}: {len(named)} milestones are named like its "
                 f"deelprojecten ({named[0].title!r} …): their headings were read as milestones")

    if doc.body is not None and not doc.meetings:
        find(None, f"the agenda of the {doc.body.name} gave no meetings: its table was not "
                   "read as rows (a tool that writes a table cell by cell, column by column)")

    stated = _stated_count(doc.intro)
    if stated is not None:
        line, count, sentence = stated
        if count != len(region.programmes):
            find(line, f"the introduction speaks of {count} programmes and projects "
                       f"({sentence!r}), but {len(region.programmes)} were read")

    lines = sum(1 for ln in doc.lines if not ln.blank)
    unplaced = sum(1 for p in doc.problems if "not placed" in p.message
                   or "not understood" in p.message)
    if lines and unplaced > UNPLACED_SHARE * lines:
        find(None, f"{unplaced} of {lines} lines could not be placed "
                   f"(more than {UNPLACED_SHARE:.0%})")
    return out


def _heading_after_text(text: str) -> bool:
    """ "… Bodegraven-Reeuwijk. Doelen:": a heading that starts a line of its own in a
    programme document ends a line of running text."""
    return any(
        pattern.match(text[m.end():])
        for m in _TEXT_THEN_CAPITAL.finditer(text)
        for pattern in _OWN_LINE_SECTIONS
    )


def _milestones_under_two_projects(milestones: list) -> list:
    """Milestones whose title stands under another deelproject too, when two or more of
    one deelproject's do: a list read twice (one alike may be a coincidence)."""
    by_project: dict[str, set[str]] = {}
    for m in milestones:
        if m.project:
            by_project.setdefault(m.project, set()).add(m.title)
    out = []
    for project, titles in by_project.items():
        for other, other_titles in by_project.items():
            if other > project and len(titles & other_titles) >= 2:
                out += [m for m in milestones if m.project == other and m.title in titles]
    return out


def _label_or_fragment(name: str) -> str | None:
    """Why a programme's or a deelproject's name is no name: a section label, or a piece
    of a line ("(Gouda)", "projecten")."""
    if LABEL_WORDS.match(name) or any(p.match(name) for _, p in SECTION_PATTERNS):
        return "looks like a section label"
    if name.count("(") != name.count(")") or name.startswith(("(", ")", "-", ",")):
        return "looks like a fragment of a line"
    if name[:1].islower() and len(name.split()) < 2:
        return "looks like a fragment of a line"
    return None


def _bad_name(name: str) -> str | None:
    why = _label_or_fragment(name)
    if why:
        return why
    if re.fullmatch(r"(?P<once>.{4,}?)\s+(?P=once)", name):
        return "is one name twice (a box rendered twice, run together)"
    if ":" in name or len(name) > 80 or name.endswith((".", ",", ";")):
        return "looks like a sentence or two headings run together, not a name"
    if re.search(r"\b(?:19|20)\d{2}\b", name) and re.search(r"programma|plan", name, re.I):
        return "looks like the document's title"
    if re.match(r"^\d+\.\s", name):
        return "looks like a numbered item, not a name"
    return None


def _stated_count(intro: list[tuple[int, str]]) -> tuple[int, int, str] | None:
    """ "… in zes programma's. … Daarnaast zijn te onderscheiden de projecten A & B en C
    en het project D." → 6 + 3. None when the introduction names no number."""
    words = "|".join(NUMBER_WORDS)
    for no, paragraph in intro:
        m = re.search(rf"\b(?P<n>\d{{1,2}}|{words})\s+(?:programma's|programmas|programma’s)\b",
                      paragraph, re.I)
        if not m:
            continue
        n = m["n"].lower()
        count = int(n) if n.isdigit() else NUMBER_WORDS[n]
        sentence = m.group()
        extra = re.search(r"\bDaarnaast\b[^.]*?\bde\s+projecten\s+(?P<list>[^.]+)\.", paragraph)
        if extra:
            # "rechtmatigheid & kwaliteit en inzicht in kosten van de RDS en het project
            # gedeelde zorg": items joined by "en", an "&" inside a name.
            items = [i for i in re.split(r",|\s+en\s+(?:het\s+project\s+)?", extra["list"])
                     if i.strip()]
            count += len(items)
            sentence += f" + {len(items)} projects"
        return no, count, sentence
    return None
