"""Read a regional programme document ("Programma Sociaal Domein … 2020") into the store.

The reader follows the document's *structure*, not the line numbers of one file: the
same plan circulates as clean text, as a PDF-to-text rendering, as .docx and as .pdf.
The data passes through these stages, one module each:

1. `read`: a file (.txt, .docx, .pdf) → text with one paragraph, list item or table row
   a line (tables as tab-separated cells, columns of a PDF page in reading order).
2. `normalise`: text → `Line`s, each keeping its source line: characters, bullets and
   numbering of every kind, HTML remnants and page furniture, and what renderings do —
   double spacing, blank lines that say nothing of paragraphs (then the paragraph gaps
   are restored line by line), text boxes repeated, wrapped lines and titles, glued
   headings.
3. `parse`: lines → sections (programme headings, "X: projecten" detail parts,
   deelprojecten, "Doelen:", "Mijlpalen 2020:", Bijlagen) read into builders.
4. `assemble`: builders → a `StoreData` (people resolved, projects merged, milestone
   keys, aliases).
5. `check`: the plausibility gate — an import that does not look like a programme
   document is refused with a report, before anything is applied.
6. `storage.apply`: the `StoreData` into the store, keeping what was changed from Slack.

Whatever cannot be placed is returned as a `Problem` with its line number; the import
never drops a line silently. Timing rules for milestones are those of docs/architecture.md §3.

Choices where the document leaves room:

- Timing. "(K2)": period K2, due at the quarter's end. "(K1 en K3)": one milestone per
  quarter. "(K2/K3)", "(K3/4)": one window, label as written. "Q1": the Q1 window.
  "(na Q1 2020)": after Q1 — from 1 April to the end of the plan year. "30 jan 2020", "per 1-1-2021", "start per 1/4/2020": due
  that day, no window. "november 2019 tot januari 2020": that window. "vanaf januari
  2020": starts then, due at the end of the plan year. No timing: due 31 December of the
  plan year, label "in 2020", no window. The title loses its timing marker.
- "Wervingsactie pleegzorg (K2) en twee andere experimenten pleegzorg (K3/4)" is two
  milestones. Nested bullets under a milestone are milestones of their own (each is a
  deliverable); the parent stays one too. "Ad 1. …" in a programme's list is about
  deelproject 1 (its `project`); "Ad 2 en 11. …" names two, so it stays programme-wide
  and keeps its prefix. Keys: "<project slug or 'programma'>/<title slug>/<label slug>";
  a milestone whose label the document changed keeps its identity (`storage.apply`).
  "Is afhankelijk van …", "Overig afhankelijk van …", "N.B. …" under a milestone list are
  notes on the project (its description), not milestones.
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
  table of common ones; an alias two programmes would share is given to neither, and
  an abbreviation found in the name of something else in the document ("PO" in
  "Samenwerkingsverband PO …", "JB" in "JB West") is no alias.
- Partners: "Jeugd ggz aanbieders, zoals Curium" names a kind of partner and then one:
  Curium is the partner. "Capaciteit Samenwerkingsverbanden (SWV'en)" in a team is a
  team line (capacity those organisations supply). A budget remark in sentences,
  without a label of its own, is labelled by its heading ("Financiën 2020").
- A plain (unbulleted) list line that a PDF rendering wrapped right before a capitalised
  word is re-joined when the document writes the words around that break as one run
  elsewhere (in a line, or in a bulleted or numbered item): "… methodische
  samenwerking" / "Kwintes VO en Lokale teams"; otherwise it is two items. In a plain
  milestone list, a line ending a sentence at the rendering's wrap width followed by a
  line that is a sentence too is one milestone of two sentences. Bulleted and numbered
  lists, prose, headings, names and table rows are re-joined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from storage.apply import ChangeReport, MergeOptions, apply_store_data
from storage.importers import ImportRefused, Problem
from storage.schema import StoreData

from .assemble import Assembler
from .check import findings
from .parse import DocumentParser
from .read import KINDS, read_document
from .values import parse_timing

__all__ = ["KINDS", "ProgrammeSummary", "import_programme_document", "parse_programme_document",
           "parse_timing", "summarise"]

STAGES = ("read", "normalise and parse", "assemble", "check", "apply")


@dataclass(frozen=True)
class ProgrammeSummary:
    """What was read per programme: the table an import ends with."""

    name: str
    roles: int
    partners: int
    budget_lines: int
    projects: int
    milestones: int


def summarise(data: StoreData) -> list[ProgrammeSummary]:
    return [
        ProgrammeSummary(p.name, len(p.roles), len(p.partners), len(p.budget_lines),
                         len(p.projects), len(p.milestones))
        for region in data.regions for p in region.programmes
    ]


def _parse(text: str, source: str,
           stage: Callable[[str], None]) -> tuple[DocumentParser, StoreData]:
    stage("normalise and parse")
    parser = DocumentParser(text, source)
    parser.run()
    stage("assemble")
    return parser, Assembler(parser).build()


def parse_programme_document(text: str, *, source: str, force: bool = False,
                             stage: Callable[[str], None] = lambda _: None,
                             ) -> tuple[StoreData, list[Problem]]:
    """Read a programme document. Raises `ImportRefused` when the text is not one, or —
    unless `force` — when what was read does not look like one (`check`); forced, the
    gate's findings come back first among the problems."""
    data, found, problems = _read(text, source=source, force=force, stage=stage)
    return data, [*found, *problems]


def _read(text: str, *, source: str, force: bool, stage: Callable[[str], None],
          ) -> tuple[StoreData, list[Problem], list[Problem]]:
    parser, data = _parse(text, source, stage)
    stage("check")
    found = findings(parser, data)
    if found and not force:
        raise ImportRefused([
            Problem(source, None, "refused: this does not look like a programme document "
                                  "read correctly (nothing was changed; --force applies it "
                                  "anyway):"),
            *found,
        ])
    problems = sorted(parser.problems, key=lambda p: (p.line or 0, p.message))
    return data, found, problems


def import_programme_document(
    session: Session, path: Path, *, now: datetime, force: bool = False,
    overwrite_slack_changes: bool = False, stage: Callable[[str], None] = lambda _: None,
) -> ChangeReport:
    """Read `path` (.txt, .docx, .pdf) and apply it within the caller's transaction."""
    source = str(path)
    stage("read")
    text = read_document(Path(path), source=source)
    data, found, warnings = _read(text, source=source, force=force, stage=stage)
    report = ChangeReport(source=source)
    report.notices += [f"applied with --force although: {p}" for p in found]
    stage("apply")
    apply_store_data(session, data, now=now, report=report, options=MergeOptions(
        from_document=True, overwrite_slack_changes=overwrite_slack_changes))
    report.warnings.extend(warnings)
    report.summary = summarise(data)
    return report
