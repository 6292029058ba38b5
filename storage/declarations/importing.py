"""One import of declarations: iJw XML messages, back-office CSV exports and provider
names together, all-or-nothing across every file (docs/declarations.md).

The XML reader (`ijw_xml`) and the CSV reader (`ijw_csv`) each turn a file into
`Extracted` messages; `store.store_extracted` writes them. This module only sorts the
files, collects every problem first, and then writes — it is the one place that knows
both readers, so neither needs the other.

It does not derive the kept obligations of what it wrote (`obligations.refresh`): the
clock does, within half a minute of the import's commit (`scheduler.clock_process`), and
an answer asked before that derives what is left itself. So a day's import costs what it
cost before obligations were kept (issue 15), and nothing it imported is missed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from storage.declarations import ijw_csv, ijw_xml, store
from storage.importers import ImportRefused, ImportReport, Problem, source_name


def import_declarations(session: Session, paths: list[Path], *, now: datetime) -> ImportReport:
    """What `regiobot import` calls for declarations: iJw XML messages (*.xml), back-office
    CSV exports and provider-name files (*.csv), or folders holding them.

    All-or-nothing across every file: any problem refuses the lot (ImportRefused lists
    them all) before anything is written.
    """
    xml_files: list[Path] = []
    csv_files: list[Path] = []
    problems: list[Problem] = [Problem(source_name(path), None, "no such file or folder")
                               for path in paths if not path.exists()]
    for path in ijw_xml.iter_files([path for path in paths if path.exists()], ("*.xml", "*.csv")):
        suffix = path.suffix.lower()
        if suffix == ".xml":
            xml_files.append(path)
        elif suffix == ".csv":
            csv_files.append(path)
        else:
            problems.append(Problem(source_name(path), None, "not an iJw XML message (.xml) or a declarations CSV (.csv)"))
    items, xml_problems = ijw_xml.read_ijw(xml_files, now=now)
    problems.extend(xml_problems)
    for path in csv_files:
        kind = ijw_csv.kind_of(path)
        if kind == "events":
            problems.extend(ijw_csv.check_csv(path))
        elif kind == "providers":
            problems.extend(ijw_csv.read_providers(path)[1])
        else:
            problems.append(ijw_csv.unreadable(path))
    if problems:
        raise ImportRefused(problems)
    report = ImportReport(source=ijw_xml.describe(paths))
    store.store_extracted(session, items, report, now=now)
    if csv_files:
        # Events first, provider names last, so names replace the code-only ones.
        csv_files.sort(key=lambda p: ijw_csv.kind_of(p) == "providers")
        # The event files were checked above: not read a second time for that.
        imported = ijw_csv.import_ijw_csv(session, csv_files, now=now, checked=True)
        for what, n in imported.counts.items():
            report.count(what, n)
    session.flush()
    return report


__all__ = ["import_declarations"]
