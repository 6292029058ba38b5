"""The back-office CSV export of iJw message traffic (columns in docs/declarations.md).

One row per message event, keyed like the XML messages (type, sender, BerichtIdentificatie,
position), so the CSV and the XML of the same traffic import to the same store and
re-importing either changes nothing. The export carries no client data; columns that are
not ours are never read. Errors name the file, the line and the column, never the value.

The file is read twice: first to check every line (all-or-nothing, every problem listed),
then to store it in chunks of whole messages, which keeps memory flat for large exports.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from storage.declarations.models import (
    DECLARATION_REJECTED,
    MESSAGE_TYPES,
    AssignmentRow,
    Extracted,
)
from storage.declarations.store import ensure_providers, store_extracted
from storage.importers import ImportRefused, ImportReport, Problem, decode_utf8, source_name

CSV_COLUMNS = [
    "berichttype",
    "afzender",
    "ontvanger",
    "identificatie",
    "dagtekening",
    "positie",
    "ontvangstdatum",
    "toewijzingnummer",
    "referentie",
    "productcategorie",
    "productcode",
    "zorgdatum",
    "periode_begin",
    "periode_eind",
    "toewijzingsdatum",
    "status",
    "declaratienummer",
    "gerelateerd_identificatie",
    "gerelateerd_dagtekening",
    "regels",
    "afgewezen_regels",
]
REQUIRED_COLUMNS = ("berichttype", "afzender", "ontvanger", "identificatie", "dagtekening")
# A file of provider names: AGB code and name.
PROVIDER_COLUMNS = ["agb_code", "naam"]
# What each message type needs besides the header columns.
REQUIRED_BY_TYPE = {
    "301": ("toewijzingnummer", "toewijzingsdatum", "periode_begin"),
    "305": ("zorgdatum",),
    "307": ("zorgdatum",),
    "315": ("referentie",),
    "319": ("referentie", "status"),
    "323": ("declaratienummer", "periode_begin", "periode_eind", "regels"),
    "325": ("regels", "afgewezen_regels"),
}
DATE_COLUMNS = (
    "dagtekening",
    "ontvangstdatum",
    "zorgdatum",
    "periode_begin",
    "periode_eind",
    "toewijzingsdatum",
    "gerelateerd_dagtekening",
)
_PATTERNS = {
    "identificatie": (re.compile(r"^\S.{0,11}$"), "1 to 12 characters"),
    "gerelateerd_identificatie": (re.compile(r"^\S.{0,11}$"), "1 to 12 characters"),
    "toewijzingnummer": (re.compile(r"^\d{1,9}$"), "a number of up to 9 digits"),
    "productcategorie": (re.compile(r"^\w{1,2}$"), "up to 2 characters"),
    "productcode": (re.compile(r"^\w{1,5}$"), "up to 5 characters"),
    "referentie": (re.compile(r"^.{1,36}$"), "up to 36 characters"),
    "declaratienummer": (re.compile(r"^[A-Za-z0-9]{1,12}$"), "up to 12 letters and digits"),
    "positie": (re.compile(r"^\d{1,6}$"), "a whole number"),
    "regels": (re.compile(r"^\d{1,9}$"), "a whole number"),
    "afgewezen_regels": (re.compile(r"^\d{1,9}$"), "a whole number"),
    "status": (re.compile(r"^\d$"), "one digit"),
}
CHUNK_MESSAGES = 20_000


def _open(path: Path):
    # utf-8-sig: spreadsheet exports often start with a byte-order mark.
    return open(path, newline="", encoding="utf-8-sig")


# Where a line ends in universal-newlines text mode.
_LINE_END = re.compile(r"\r\n?|\n")


def _header(path: Path) -> str:
    """The first line, decoded on its own: text mode decodes a whole buffer at once, so
    a bad byte further down would be blamed on the header. Ended where the rows' reader
    (text mode, universal newlines) ends it: at a lone carriage return too, which csv
    refuses inside an unquoted field."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20).decode("utf-8-sig")
    return _LINE_END.split(first, maxsplit=1)[0]


def _dialect(path: Path) -> str:
    header = _header(path)
    return ";" if header.count(";") > header.count(",") else ","


def not_utf8(path: Path, *, source: str | None = None) -> Problem | None:
    """Where the file first holds bytes that are not UTF-8, as every importer says it
    (`storage.importers.decode_utf8`: line, column in characters, the byte), or None.
    Line by line: an export can be large."""
    source = source or source_name(path)
    with open(path, "rb") as handle:
        for line, raw in enumerate(handle, 1):
            try:
                decode_utf8(raw, source=source)
            except ImportRefused as refused:
                return replace(refused.problems[0], line=line)
    return None


def kind_of(path: Path) -> str | None:
    """"events", "providers" or None, from the header line."""
    try:
        header = next(csv.reader([_header(path)], delimiter=_dialect(path)), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    names = {h.strip().lower() for h in header}
    if set(REQUIRED_COLUMNS) <= names:
        return "events"
    if set(PROVIDER_COLUMNS) <= names:
        return "providers"
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with _open(path) as handle:
        reader = csv.DictReader(handle, delimiter=_dialect(path))
        reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k in _WANTED}


_WANTED = frozenset(CSV_COLUMNS) | frozenset(PROVIDER_COLUMNS)


def _check_row(source: str, line: int, row: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(source, line, message, field=column))

    kind = row.get("berichttype", "")
    if kind not in MESSAGE_TYPES:
        bad("berichttype", "not an iJw message type (301, 305, 307, 315, 317, 319, 323, 325 or a retour type)")
    for column in REQUIRED_COLUMNS + REQUIRED_BY_TYPE.get(kind, ()):
        if not row.get(column):
            bad(column, "missing")
    parties = (row.get("afzender", ""), row.get("ontvanger", ""))
    if sorted(len(p) for p in parties) != [4, 8] or not all(p.isdigit() for p in parties):
        bad("afzender", "one of afzender and ontvanger must be a municipality code (4 digits), the other an AGB code (8 digits)")
    for column in DATE_COLUMNS:
        value = row.get(column)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                bad(column, "not a date (YYYY-MM-DD)")
    for column, (pattern, what) in _PATTERNS.items():
        value = row.get(column)
        if value and not pattern.match(value):
            bad(column, f"must be {what}")
    if kind == "319" and row.get("status") and row["status"] not in ("1", "2"):
        bad("status", "VerzoekAntwoord must be 1 (afgewezen) or 2 (in onderzoek)")
    if kind == "325" and row.get("status") and row["status"] != DECLARATION_REJECTED:
        bad("status", "must be empty, or 1 when the whole declaration is rejected")
    return problems


def check_csv(path: Path, *, source: str | None = None) -> list[Problem]:
    """Every problem in an events CSV, by line; an empty list means it imports. Problems
    name the file as given."""
    source = source or source_name(path)
    try:
        header = next(csv.reader([_header(path)], delimiter=_dialect(path)), None)
    except UnicodeDecodeError:
        return [not_utf8(path, source=source)]
    except csv.Error as error:
        return [Problem(source, 1, f"unreadable CSV: {type(error).__name__}")]
    except OSError as error:
        return [Problem(source, None, f"cannot read: {error.strerror or error}")]
    if not header:
        return [Problem(source, 1, "empty file")]
    names = {h.strip().lower() for h in header}
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        return [Problem(source, 1, "missing columns: " + ", ".join(missing))]
    problems: list[Problem] = []
    try:
        for line, row in _rows(path):
            problems.extend(_check_row(source, line, row))
    except UnicodeDecodeError:
        problems.append(not_utf8(path, source=source))
    except csv.Error as error:
        problems.append(Problem(source, None, f"unreadable CSV: {type(error).__name__}"))
    return problems


def unreadable(path: Path) -> Problem:
    """What to say of a .csv that is neither kind: bytes that are not UTF-8 where they
    are, else the columns that were expected."""
    try:
        found = not_utf8(path)
    except OSError as error:
        return Problem(source_name(path), None, f"cannot read: {error.strerror or error}")
    return found or Problem(
        source_name(path), 1, "not a declarations CSV: expected the columns of docs/declarations.md"
    )


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _int(value: str) -> int | None:
    return int(value) if value else None


def event_of_row(row: dict[str, str], now: datetime) -> tuple[tuple, dict, AssignmentRow | None]:
    sender, receiver = row["afzender"], row["ontvanger"]
    municipality, provider = (sender, receiver) if len(sender) == 4 else (receiver, sender)
    message_date = date.fromisoformat(row["dagtekening"])
    number = str(int(row["toewijzingnummer"])) if row.get("toewijzingnummer") else None
    event = dict(
        message_type=row["berichttype"],
        sender=sender,
        receiver=receiver,
        message_id=row["identificatie"],
        message_date=message_date,
        position=_int(row.get("positie", "")) or 0,
        municipality_code=municipality,
        provider_agb=provider,
        receipt_date=_date(row.get("ontvangstdatum", "")),
        toewijzing_nummer=number,
        reference=row.get("referentie") or None,
        product_category=row.get("productcategorie") or None,
        product_code=row.get("productcode") or None,
        care_date=_date(row.get("zorgdatum", "")),
        period_start=_date(row.get("periode_begin", "")),
        period_end=_date(row.get("periode_eind", "")),
        status=row.get("status") or None,
        declaration_number=row.get("declaratienummer") or None,
        related_id=row.get("gerelateerd_identificatie") or None,
        related_date=_date(row.get("gerelateerd_dagtekening", "")),
        line_count=_int(row.get("regels", "")),
        rejected_count=_int(row.get("afgewezen_regels", "")),
        assigned_on=_date(row.get("toewijzingsdatum", "")) if row["berichttype"] == "301" else None,
        source="csv",
        imported_at=now,
    )
    assignment = None
    if event["message_type"] == "301":
        assignment = AssignmentRow(
            municipality_code=municipality,
            toewijzing_nummer=number,
            provider_agb=provider,
            product_category=event["product_category"],
            product_code=event["product_code"],
            reference=event["reference"],
            start_date=event["period_start"],
            end_date=event["period_end"],
            assigned_on=event["assigned_on"],
            # OP271 counts a retroactive assignment from the 301's receipt.
            message_date=event["receipt_date"] or message_date,
            sent_on=message_date,
        )
    key = (event["message_type"], sender, event["message_id"], message_date)
    return key, event, assignment


def _messages(path: Path, now: datetime) -> Iterator[Extracted]:
    """Rows grouped into messages; an export lists a message's rows together."""
    current: Extracted | None = None
    for _line, row in _rows(path):
        key, event, assignment = event_of_row(row, now)
        if current is None or current.key != key:
            if current is not None:
                yield current
            current = Extracted(key=key, events=[], assignments=[], provider_agb=event["provider_agb"])
        current.events.append(event)
        if assignment is not None:
            current.assignments.append(assignment)
    if current is not None:
        yield current


def read_providers(path: Path) -> tuple[dict[str, str], list[Problem]]:
    names: dict[str, str] = {}
    problems: list[Problem] = []
    source = source_name(path)
    try:
        for line, row in _rows(path):
            agb, name = row.get("agb_code", ""), row.get("naam", "")
            if not re.fullmatch(r"\d{8}", agb):
                problems.append(Problem(source, line, "must be an AGB code of 8 digits", field="agb_code"))
            elif not name:
                problems.append(Problem(source, line, "missing", field="naam"))
            else:
                names[agb] = name[:300]
    except UnicodeDecodeError:
        problems.append(not_utf8(path))
    except csv.Error as error:
        problems.append(Problem(source, None, f"unreadable CSV: {type(error).__name__}"))
    return names, problems


def import_ijw_csv(session: Session, paths: list[Path], *, now: datetime, checked: bool = False) -> ImportReport:
    """Import back-office CSV exports (and provider-name files) in the caller's
    transaction; refuses all of them, listing every problem, if any line is wrong.
    `checked`: the caller has just checked the event files (`check_csv`) and found
    nothing wrong, so they are not read a second time for that."""
    report = ImportReport(source=", ".join(str(p) for p in paths[:1]) + (f" (+{len(paths) - 1} more)" if len(paths) > 1 else ""))
    event_files: list[Path] = []
    names: dict[str, str] = {}
    problems: list[Problem] = []
    for path in paths:
        kind = kind_of(path)
        if kind == "providers":
            found, wrong = read_providers(path)
            names.update(found)
            problems.extend(wrong)
        elif kind == "events":
            event_files.append(path)
            if not checked:
                problems.extend(check_csv(path))
        else:
            problems.append(unreadable(path))
    if problems:
        raise ImportRefused(problems)
    for path in event_files:
        chunk: list[Extracted] = []
        for message in _messages(path, now):
            chunk.append(message)
            if len(chunk) >= CHUNK_MESSAGES:
                store_extracted(session, chunk, report, now=now)
                chunk = []
        if chunk:
            store_extracted(session, chunk, report, now=now)
    if names:
        report.count("providers added", ensure_providers(session, names=names))
        report.count("provider names read", len(names))
    session.flush()
    return report


__all__ = [
    "CSV_COLUMNS",
    "PROVIDER_COLUMNS",
    "check_csv",
    "not_utf8",
    "unreadable",
    "event_of_row",
    "import_ijw_csv",
    "kind_of",
    "read_providers",
]
