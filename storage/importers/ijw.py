"""iJw 3.2 XML messages in: validated against the bundled XSDs, reduced to what the
timeliness rules need, and stored without any personal data (DESIGN §5).

A message carries a client's BSN, name, birth date, gender and address. This module reads
them only as far as the XSD validation needs to; it extracts codes and dates (AGB code,
municipality code, ToewijzingNummer, product, care dates) and drops the parsed tree. The
error messages it produces name the file, the line and the element, never a value: the
XSD validator's own messages quote values (an invalid birth date, a BSN failing its
pattern), so they are rewritten before anyone sees them.

An import is all-or-nothing: one invalid message refuses the whole batch, listing every
problem, so that a folder is never half imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from storage.declarations import (
    AssignmentRow,
    add_events,
    ensure_providers,
    known_messages,
    upsert_assignments,
)
from storage.importers import ImportRefused, ImportReport, Problem

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "ijw-3.2"
BASIS_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
_MESSAGE_NS = re.compile(r"^http://www\.istandaarden\.nl/ijw/3_2/jw(\d{3})/schema$")
MESSAGE_NS = "http://www.istandaarden.nl/ijw/3_2/jw{type}/schema"
RETOUR_TYPES = ("302", "306", "308", "316", "318", "320")
# RetourCodes that do not reject a declared line: "no remark", "not assessed",
# "declaration fully granted" (basisschema LDT_RetourCode).
ACCEPTING_RETOURCODES = frozenset({"0200", "0233", "8001"})


# --- Validation -----------------------------------------------------------------------


def schema_path(message_type: str) -> Path:
    return SCHEMA_DIR / f"JW{message_type}.xsd"


def available_types() -> tuple[str, ...]:
    return tuple(sorted(p.stem[2:] for p in SCHEMA_DIR.glob("JW*.xsd")))


@lru_cache(maxsize=64)
def has_schema(message_type: str) -> bool:
    """Whether the bundled XSDs cover this message type (asked once per type, not per file)."""
    return schema_path(message_type).exists()


@lru_cache(maxsize=32)
def schema_for(message_type: str) -> etree.XMLSchema:
    # Parsed from its file so that the relative import of basisschema.xsd resolves.
    return etree.XMLSchema(etree.parse(str(schema_path(message_type))))


@lru_cache(maxsize=1)
def _schema_names() -> frozenset[str]:
    """Every element and type name the schemas declare: the only quoted words an error
    message may keep."""
    names: set[str] = set()
    for path in SCHEMA_DIR.glob("*.xsd"):
        names.update(re.findall(r'name="([A-Za-z_][\w.-]*)"', path.read_text(encoding="utf-8")))
    return frozenset(names)


_FACETS = frozenset(
    {"pattern", "enumeration", "length", "minLength", "maxLength", "minInclusive",
     "maxInclusive", "minExclusive", "maxExclusive", "totalDigits", "fractionDigits",
     "whiteSpace", "element-only", "empty", "mixed"}
)
_NS_PREFIX = re.compile(r"\{[^}]*\}")
_QUOTED = re.compile(r"'([^']*)'")


def _local(name: str) -> str:
    return _NS_PREFIX.sub("", name)


def _safe_word(word: str) -> bool:
    local = _local(word)
    if local.startswith(("xs:", "ijw:")):
        local = local.split(":", 1)[1]
    return local in _schema_names() or local in _FACETS


_FACET = re.compile(r"\[facet '(\w+)'\]")
_ATOMIC_TYPE = re.compile(r"of the (?:local )?atomic type '([^']+)'\.?\s*$")


def scrub(message: str) -> str:
    """A validator message with every quoted value replaced by '…' and namespaces cut.

    Only element, type and facet names survive: a value in an iJw message may be a BSN,
    a name or a birth date.
    """
    if "value" in message:
        # A message about a value is rebuilt from the facet or type alone: pairing quote
        # marks cannot be trusted when the value itself holds an apostrophe (d'Hondt).
        facet = _FACET.search(message)
        atomic = _ATOMIC_TYPE.search(message)
        if facet:
            return f"'…' does not satisfy the {facet.group(1)} facet of its type"
        if atomic:
            return f"'…' is not a valid value of the atomic type '{_local(atomic.group(1))}'"
        return "'…' is not a valid value here"
    message = _QUOTED.sub(lambda m: m.group(0) if _safe_word(m.group(1)) else "'…'", message)
    # Values libxml2 quotes without quote marks ("The value has a length of 10" is fine;
    # enumeration sets list schema codes only) are not personal; namespaces are noise.
    return _NS_PREFIX.sub("", message).strip()


_ELEMENT = re.compile(r"^Element '([^']+)'(?:, attribute '([^']+)')?: (.*)$", re.S)


def _schema_problem(source: str, error) -> Problem:
    match = _ELEMENT.match(error.message)
    if match:
        element = _local(match.group(1))
        if match.group(2):
            element += "@" + _local(match.group(2))
        return Problem(source, error.line, scrub(match.group(3)), field=element)
    return Problem(source, error.line, scrub(error.message))


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class Checked:
    """A message file that passed (tree set) or failed (problems set) its XSD."""

    source: str
    message_type: str | None = None
    tree: etree._ElementTree | None = None
    problems: list[Problem] = field(default_factory=list)


def check_file(path: Path, *, source: str | None = None) -> Checked:
    source = source or path.name
    try:
        tree = etree.parse(str(path), _PARSER)
    except etree.XMLSyntaxError as error:
        return Checked(source, problems=[Problem(source, error.lineno, "not well-formed XML: " + scrub(error.msg))])
    except OSError as error:
        return Checked(source, problems=[Problem(source, None, f"cannot read: {error.strerror or error}")])
    return check_tree(tree, source=source)


def check_tree(tree: etree._ElementTree, *, source: str) -> Checked:
    root = tree.getroot()
    qname = etree.QName(root)
    match = _MESSAGE_NS.match(qname.namespace or "")
    if not match or qname.localname != "Bericht":
        return Checked(
            source,
            problems=[Problem(source, root.sourceline, "not an iJw 3.2 message", field=qname.localname)],
        )
    message_type = match.group(1)
    if not has_schema(message_type):
        return Checked(
            source,
            problems=[Problem(source, root.sourceline, f"no iJw 3.2 schema for JW{message_type}")],
        )
    schema = schema_for(message_type)
    if schema.validate(tree):
        return Checked(source, message_type=message_type, tree=tree)
    return Checked(
        source,
        message_type=message_type,
        problems=[_schema_problem(source, e) for e in schema.error_log],
    )


# --- Extraction -----------------------------------------------------------------------


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _text(element, path: str, ns: dict) -> str | None:
    found = element.find(path, ns)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _number(text: str | None) -> str | None:
    # LDT_Nummer is an xs:integer: "0300201" and "300201" are the same assignment.
    return str(int(text)) if text else None


@dataclass
class Extracted:
    """What one message contributes: events (dicts for the event table), assignment rows,
    providers. Nothing personal."""

    key: tuple[str, str, str, date]
    events: list[dict]
    assignments: list[AssignmentRow]
    provider_agb: str


def extract(tree: etree._ElementTree, message_type: str, *, now: datetime, source: str = "xml") -> Extracted:
    root = tree.getroot()
    ns = {"m": MESSAGE_NS.format(type=message_type), "i": BASIS_NS}
    header = root.find("m:Header", ns)
    sender = _text(header, "m:Afzender", ns)
    receiver = _text(header, "m:Ontvanger", ns)
    message_id = _text(header, "m:BerichtIdentificatie/i:Identificatie", ns)
    message_date = _date(_text(header, "m:BerichtIdentificatie/i:Dagtekening", ns))
    # Municipalities have a 4-digit CBS code, providers an 8-digit AGB code.
    municipality, provider = (sender, receiver) if len(sender) == 4 else (receiver, sender)
    base = dict(
        message_type=message_type,
        sender=sender,
        receiver=receiver,
        message_id=message_id,
        message_date=message_date,
        municipality_code=municipality,
        provider_agb=provider,
        receipt_date=None,
        toewijzing_nummer=None,
        reference=None,
        product_category=None,
        product_code=None,
        care_date=None,
        period_start=None,
        period_end=None,
        status=None,
        declaration_number=None,
        related_id=None,
        related_date=None,
        line_count=None,
        rejected_count=None,
        source=source,
        imported_at=now,
    )
    events: list[dict] = []
    assignments: list[AssignmentRow] = []

    def event(position: int, **values) -> None:
        events.append({**base, "position": position, **values})

    def product(element) -> dict:
        return dict(
            product_category=_text(element, "m:Product/i:Categorie", ns),
            product_code=_text(element, "m:Product/i:Code", ns),
        )

    if message_type == "301":
        for n, item in enumerate(root.iterfind("m:Client/m:ToegewezenProducten/m:ToegewezenProduct", ns), 1):
            number = _number(_text(item, "m:ToewijzingNummer", ns))
            start = _date(_text(item, "m:Ingangsdatum", ns))
            end = _date(_text(item, "m:Einddatum", ns))
            assigned_on = _date(_text(item, "m:Toewijzingsdatum", ns))
            reference = _text(item, "m:ReferentieAanbieder", ns)
            prod = product(item)
            event(n, toewijzing_nummer=number, reference=reference, care_date=start,
                  period_start=start, period_end=end, **prod)
            assignments.append(
                AssignmentRow(
                    municipality_code=municipality,
                    toewijzing_nummer=number,
                    provider_agb=provider,
                    reference=reference,
                    start_date=start,
                    end_date=end,
                    assigned_on=assigned_on,
                    message_date=message_date,
                    **prod,
                )
            )
    elif message_type == "305":
        for n, item in enumerate(root.iterfind("m:Client/m:StartProducten/m:StartProduct", ns), 1):
            event(
                n,
                toewijzing_nummer=_number(_text(item, "m:ToewijzingNummer", ns)),
                care_date=_date(_text(item, "m:Begindatum", ns)),
                period_start=_date(_text(item, "m:ToewijzingIngangsdatum", ns)),
                status=_text(item, "m:StatusAanlevering", ns),
                **product(item),
            )
    elif message_type == "307":
        for n, item in enumerate(root.iterfind("m:Client/m:StopProducten/m:StopProduct", ns), 1):
            event(
                n,
                toewijzing_nummer=_number(_text(item, "m:ToewijzingNummer", ns)),
                care_date=_date(_text(item, "m:Einddatum", ns)),
                period_start=_date(_text(item, "m:Begindatum", ns)),
                status=_text(item, "m:StatusAanlevering", ns),
                **product(item),
            )
    elif message_type == "315":
        for n, item in enumerate(root.iterfind("m:Client/m:AangevraagdeProducten/m:AangevraagdProduct", ns), 1):
            event(
                n,
                reference=_text(item, "m:ReferentieAanbieder", ns),
                period_start=_date(_text(item, "m:ToewijzingIngangsdatum", ns)),
                period_end=_date(_text(item, "m:ToewijzingEinddatum", ns)),
                **product(item),
            )
    elif message_type == "317":
        event(0, reference=_text(root, "m:Client/m:Verzoek/m:ReferentieAanbieder", ns))
    elif message_type == "319":
        event(
            0,
            reference=_text(root, "m:Antwoord/m:ReferentieAanbieder", ns),
            status=_text(root, "m:Antwoord/m:VerzoekAntwoord", ns),
        )
    elif message_type == "323":
        declaration = root.find("m:Declaratie", ns)
        event(
            0,
            declaration_number=_text(declaration, "m:DeclaratieNummer", ns),
            period_start=_date(_text(declaration, "m:DeclaratiePeriode/i:Begindatum", ns)),
            period_end=_date(_text(declaration, "m:DeclaratiePeriode/i:Einddatum", ns)),
            line_count=sum(1 for _ in declaration.iterfind(".//m:Prestatie", ns)),
        )
    elif message_type == "325":
        answer = root.find("m:DeclaratieAntwoord", ns)
        lines = list(answer.iterfind(".//m:Prestatie", ns)) if answer is not None else []
        rejected = sum(
            1
            for line in lines
            if any(
                (code.text or "").strip() not in ACCEPTING_RETOURCODES
                for code in line.iterfind("m:RetourCodes/m:RetourCode", ns)
            )
        )
        event(
            0,
            declaration_number=_text(answer, "m:DeclaratieNummer", ns) if answer is not None else None,
            related_id=_text(header, "m:DeclaratieIdentificatie/i:Identificatie", ns),
            related_date=_date(_text(header, "m:DeclaratieIdentificatie/i:Dagtekening", ns)),
            line_count=len(lines),
            rejected_count=rejected,
        )
    elif message_type in RETOUR_TYPES:
        event(
            0,
            related_id=_text(header, "m:IdentificatieRetour", ns),
            related_date=_date(_text(header, "m:DagtekeningRetour", ns)),
        )
    return Extracted(
        key=(message_type, sender, message_id, message_date),
        events=events,
        assignments=assignments,
        provider_agb=provider,
    )


# --- Import ---------------------------------------------------------------------------


def iter_files(paths: Iterable[Path], patterns: tuple[str, ...] = ("*.xml",)) -> Iterator[Path]:
    """Files as given, and the matching files in given folders (recursively, sorted)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # Keyed by parts: the order of Path comparison, without its per-comparison cost.
            found = sorted(
                {p for pattern in patterns for p in path.rglob(pattern) if p.is_file()},
                key=lambda p: p.parts,
            )
            yield from found
        else:
            yield path


def describe(paths: list[Path]) -> str:
    names = [str(p) for p in paths]
    if not names:
        return "(nothing)"
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} more)"


def store_extracted(session: Session, items: list[Extracted], report: ImportReport, *, now: datetime) -> None:
    """Write extracted messages; those already stored (same BerichtIdentificatie) are
    skipped whole, so re-importing changes nothing."""
    known = known_messages(session, keys=[item.key for item in items])
    seen: set[tuple] = set()
    fresh: list[Extracted] = []
    for item in items:
        if item.key in known or item.key in seen:
            report.count("messages already imported")
            continue
        seen.add(item.key)
        fresh.append(item)
    report.count("providers added", ensure_providers(session, names={i.provider_agb: None for i in fresh}))
    rows = [row for item in fresh for row in item.assignments]
    for what, n in upsert_assignments(session, rows=rows, now=now).items():
        report.count(what, n)
    report.count("message events added", add_events(session, events=[e for i in fresh for e in i.events]))
    report.count("messages imported", len(fresh))


def read_ijw(paths: Iterable[Path], *, now: datetime) -> tuple[list[Extracted], list[Problem]]:
    """Validate and extract every message; problems of all files together."""
    items: list[Extracted] = []
    problems: list[Problem] = []
    for path in iter_files(paths):
        checked = check_file(path)
        if checked.problems:
            problems.extend(checked.problems)
            continue
        items.append(extract(checked.tree, checked.message_type, now=now))
    return items, problems


def import_ijw(session: Session, paths: list[Path], *, now: datetime) -> ImportReport:
    """Import iJw 3.2 XML messages (files, or folders of them) in the caller's transaction.

    Raises ImportRefused, with every problem found, if any message fails its XSD; nothing
    is written then.
    """
    report = ImportReport(source=describe(paths))
    items, problems = read_ijw(paths, now=now)
    if problems:
        raise ImportRefused(problems)
    store_extracted(session, items, report, now=now)
    session.flush()
    return report


def import_declarations(session: Session, paths: list[Path], *, now: datetime) -> ImportReport:
    """What `regiobot import` calls for declarations: iJw XML messages (*.xml), back-office
    CSV exports and provider-name files (*.csv), or folders holding them.

    All-or-nothing across every file: any problem refuses the lot (ImportRefused lists
    them all) before anything is written.
    """
    from storage.importers import ijw_csv

    xml_files: list[Path] = []
    csv_files: list[Path] = []
    problems: list[Problem] = []
    for path in iter_files(paths, ("*.xml", "*.csv")):
        suffix = path.suffix.lower()
        if suffix == ".xml":
            xml_files.append(path)
        elif suffix == ".csv":
            csv_files.append(path)
        else:
            problems.append(Problem(path.name, None, "not an iJw XML message (.xml) or a declarations CSV (.csv)"))
    items, xml_problems = read_ijw(xml_files, now=now)
    problems.extend(xml_problems)
    for path in csv_files:
        kind = ijw_csv.kind_of(path)
        if kind == "events":
            problems.extend(ijw_csv.check_csv(path))
        elif kind == "providers":
            problems.extend(ijw_csv.read_providers(path)[1])
        else:
            problems.append(
                Problem(path.name, 1, "not a declarations CSV: expected the columns of docs/declarations.md")
            )
    if problems:
        raise ImportRefused(problems)
    report = ImportReport(source=describe(paths))
    store_extracted(session, items, report, now=now)
    if csv_files:
        # Events first, provider names last, so names replace the code-only ones.
        csv_files.sort(key=lambda p: ijw_csv.kind_of(p) == "providers")
        for what, n in ijw_csv.import_ijw_csv(session, csv_files, now=now).counts.items():
            report.count(what, n)
    session.flush()
    return report


__all__ = [
    "ACCEPTING_RETOURCODES",
    "BASIS_NS",
    "Checked",
    "MESSAGE_NS",
    "SCHEMA_DIR",
    "check_file",
    "check_tree",
    "extract",
    "import_declarations",
    "import_ijw",
    "iter_files",
    "schema_for",
    "scrub",
]
