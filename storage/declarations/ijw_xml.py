"""iJw 3.2 XML messages in: validated against the bundled XSDs, reduced to what the
timeliness rules need, and stored without any personal data (docs/architecture.md §5).

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

import fnmatch
import gc
import logging
import os
import pickle
import re
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import NoReturn

from lxml import etree
from sqlalchemy.orm import Session

from storage.declarations.models import (
    DECLARATION_REJECTED,
    AssignmentRow,
    Extracted,
)
from storage.declarations.store import store_extracted
from storage.importers import ImportRefused, ImportReport, Problem, decode_utf8, source_name

log = logging.getLogger(__name__)

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


# libxml2's errors for bytes that are not text in the declared encoding.
_NOT_UTF8 = ("Invalid bytes in character encoding", "Input is not proper UTF-8", "Char 0x")
_AT_LINE = re.compile(r",? line \d+, column \d+$")


def check_file(path: Path | str, *, source: str | None = None) -> Checked:
    """A message file checked: well-formed, no DTD, a known iJw 3.2 type, valid against
    its XSD. Problems name the file as given (`amb/b/JW301.xml`, not `JW301.xml`)."""
    filename = os.fspath(path)
    source = source or source_name(filename)
    try:
        tree = etree.parse(filename, _PARSER)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (error.lineno, None)
        message = _AT_LINE.sub("", error.msg or "")
        if message.startswith(_NOT_UTF8):
            return Checked(source, problems=[_not_utf8(filename, source, line, column)])
        what = "not well-formed XML: " + scrub(message)
        return Checked(source, problems=[Problem(source, line, what, column=column)])
    except OSError as error:
        if any(words in str(error) for words in _NOT_UTF8):
            # libxml2 gives up reading (no line) when the bad bytes come early.
            return Checked(source, problems=[_not_utf8(filename, source, None, None)])
        return Checked(source, problems=[Problem(source, None, f"cannot read: {error.strerror or error}")])
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        return Checked(source, problems=[_dtd_problem(filename, source)])
    return check_tree(tree, source=source)


def _not_utf8(filename: str, source: str, line: int | None, column: int | None) -> Problem:
    """Bytes that are not UTF-8 (the encoding of iJw messages), at the line and column
    of the first of them as every importer says it (`decode_utf8`); libxml2's own
    position if the file decodes (another declared encoding)."""
    try:
        with open(filename, "rb") as handle:
            decode_utf8(handle.read(), source=source)
    except ImportRefused as refused:
        return refused.problems[0]
    except OSError:
        pass
    return Problem(source, line, "not text in the message's declared encoding", column=column)


def _dtd_problem(filename: str, source: str) -> Problem:
    """A document type declaration: iJw messages have none, and its entities could name
    files or URLs. Nothing of it was read or resolved (the parser resolves no entities
    and reads nothing from the network)."""
    line = None
    try:
        with open(filename, "rb") as handle:
            head = handle.read(1 << 16)
        found = head.find(b"<!DOCTYPE")
        line = head.count(b"\n", 0, found) + 1 if found >= 0 else None
    except OSError:
        pass
    return Problem(source, line, "a DTD (<!DOCTYPE …>) is not allowed in an iJw message, nor are entities")


@lru_cache(maxsize=64)
def _message_type(root_tag: str) -> str | None:
    """The type an iJw 3.2 root tag names ("301" for `{…/jw301/schema}Bericht`), or None.

    Cached by tag: a folder holds a handful of types, and taking the tag apart for every
    file cost more than the rest of the check outside validation (BENCHMARKS.md (c)).
    """
    qname = etree.QName(root_tag)
    match = _MESSAGE_NS.match(qname.namespace or "")
    return match.group(1) if match and qname.localname == "Bericht" else None


def check_tree(tree: etree._ElementTree, *, source: str) -> Checked:
    root = tree.getroot()
    message_type = _message_type(root.tag)
    if message_type is None:
        return Checked(
            source,
            problems=[
                Problem(source, root.sourceline, "not an iJw 3.2 message", field=etree.QName(root).localname)
            ],
        )
    if not has_schema(message_type):
        return Checked(
            source,
            problems=[Problem(source, root.sourceline, f"no iJw 3.2 schema for JW{message_type}")],
        )
    schema = schema_for(message_type)
    try:
        valid = schema.validate(tree)
    except etree.XMLSchemaValidateError:
        # libxml2 gives up on what it cannot validate (an unresolved entity reference).
        return Checked(source, message_type=message_type, problems=[
            Problem(source, root.sourceline, "cannot be validated against its XSD (an entity reference?)")
        ])
    if valid:
        return Checked(source, message_type=message_type, tree=tree)
    return Checked(
        source,
        message_type=message_type,
        problems=[_schema_problem(source, e) for e in schema.error_log],
    )


def _valid_tree(filename: str) -> tuple[etree._ElementTree, str] | None:
    """The tree and message type of a message that parses and passes its XSD; None for
    any other file, which `check_file` then describes.

    The common case without a `Checked` record and a source name per file, which cost a
    tenth of parsing and validating a folder (BENCHMARKS.md (c)).
    """
    try:
        tree = etree.parse(filename, _PARSER)
        message_type = _message_type(tree.getroot().tag)
        if (
            message_type is None
            or tree.docinfo.internalDTD is not None
            or tree.docinfo.doctype
            or not has_schema(message_type)
            or not schema_for(message_type).validate(tree)
        ):
            return None
    except (etree.XMLSyntaxError, etree.XMLSchemaValidateError, OSError):
        return None
    return tree, message_type


# --- Extraction -----------------------------------------------------------------------


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _stripped(text: str | None) -> str | None:
    return (text.strip() or None) if text else None


def _value(element) -> str | None:
    return _stripped(element.text) if element is not None else None


def _children(element) -> dict:
    """Child elements by Clark tag, the first of each tag (what `find` returned).

    One pass over the children replaces a `find(path, namespaces)` per field: lxml's
    `find` builds a path iterator from the namespace map on every call, which cost more
    than the rest of the extraction together (BENCHMARKS.md (c)).
    """
    return {child.tag: child for child in reversed(element)}


def _child(parent, index: int, tag: str):
    """The child with this Clark tag, looked for first at the index where the XSD's
    sequence puts it: reading the header's fields by position instead of through
    `_children` halved the header's cost (BENCHMARKS.md (c)). A comment or processing
    instruction before it moves it; then it is found by tag."""
    if len(parent) > index:
        child = parent[index]
        if child.tag == tag:
            return child
    return _children(parent).get(tag)


def _at(fields: dict, *tags: str):
    """The element at this path of Clark tags, starting from a `_children` dict; None if
    a step is missing. The first child at each step is what `find` returned: every step
    on the paths read here occurs at most once in a validated message (maxOccurs 1)."""
    element = fields.get(tags[0])
    for tag in tags[1:]:
        if element is None:
            return None
        element = _children(element).get(tag)
    return element


def _number(text: str | None) -> str | None:
    # LDT_Nummer is an xs:integer: "0300201" and "300201" are the same assignment.
    return str(int(text)) if text else None


@lru_cache(maxsize=64)
def _prefixes(message_type: str) -> tuple[str, str]:
    """The Clark prefixes of the message's own namespace and of the basisschema."""
    return "{" + MESSAGE_NS.format(type=message_type) + "}", "{" + BASIS_NS + "}"


# Every column an extracted event sets, None unless the message says otherwise: the
# rows of one executemany must all have the same keys.
_EVENT = dict.fromkeys((
    "message_type", "sender", "receiver", "message_id", "message_date", "position",
    "municipality_code", "provider_agb", "receipt_date", "toewijzing_nummer", "reference",
    "product_category", "product_code", "care_date", "period_start", "period_end", "status",
    "declaration_number", "related_id", "related_date", "line_count", "rejected_count",
    "assigned_on", "source", "imported_at",
))


def _rejecting(element, m: str) -> bool:
    """Whether the RetourCodes directly under this element hold a code that rejects."""
    return any(
        (code.text or "").strip() not in ACCEPTING_RETOURCODES
        for codes in element.iterchildren(m + "RetourCodes")
        for code in codes.iterchildren(m + "RetourCode")
    )


def _date_in(text: str | None) -> date | None:
    return _date(_stripped(text))


def _number_in(text: str | None) -> str | None:
    return _number(_stripped(text))


# The product lines: the element of each line, and which of its children go to which
# event columns, read how. A child element with a table of its own (the Product) is a
# container whose children are read by that table. Columns a message leaves out stay
# None (`_EVENT`).
_LINE_ELEMENT = {
    "301": "ToegewezenProduct", "305": "StartProduct", "307": "StopProduct",
    "315": "AangevraagdProduct",
}
_PRODUCT = {"Categorie": (_stripped, "product_category"), "Code": (_stripped, "product_code")}
_LINE_FIELDS: dict[str, dict[str, tuple]] = {
    "301": {
        "ToewijzingNummer": (_number_in, "toewijzing_nummer"),
        "Ingangsdatum": (_date_in, "care_date", "period_start"),
        "Einddatum": (_date_in, "period_end"),
        "Toewijzingsdatum": (_date_in, "assigned_on"),
        "ReferentieAanbieder": (_stripped, "reference"),
    },
    "305": {
        "ToewijzingNummer": (_number_in, "toewijzing_nummer"),
        "Begindatum": (_date_in, "care_date"),
        "ToewijzingIngangsdatum": (_date_in, "period_start"),
        "StatusAanlevering": (_stripped, "status"),
    },
    "307": {
        "ToewijzingNummer": (_number_in, "toewijzing_nummer"),
        "Einddatum": (_date_in, "care_date"),
        "Begindatum": (_date_in, "period_start"),
        "StatusAanlevering": (_stripped, "status"),
    },
    "315": {
        "ReferentieAanbieder": (_stripped, "reference"),
        "ToewijzingIngangsdatum": (_date_in, "period_start"),
        "ToewijzingEinddatum": (_date_in, "period_end"),
    },
}


@lru_cache(maxsize=16)
def _line_table(message_type: str) -> dict:
    """`_LINE_FIELDS` of this type by Clark tag, with its Product's table."""
    m, i = _prefixes(message_type)
    table: dict = {m + tag: how for tag, how in _LINE_FIELDS[message_type].items()}
    table[m + "Product"] = {i + tag: how for tag, how in _PRODUCT.items()}
    return table


def _line_values(element, table: dict, values: dict) -> dict:
    """The columns of one product line, added to `values`: one pass over its children, a
    lookup by tag per child. Comments and processing instructions have no tag in the
    table. Every element read here occurs at most once in a line (maxOccurs 1), so the
    order of the pass does not matter."""
    for child in element:
        how = table.get(child.tag)
        if how is None:
            continue
        if type(how) is dict:
            _line_values(child, how, values)
        else:
            value = how[0](child.text)
            for column in how[1:]:
                values[column] = value
    return values


def extract(tree: etree._ElementTree, message_type: str, *, now: datetime, source: str = "xml") -> Extracted:
    root = tree.getroot()
    m, i = _prefixes(message_type)
    header_element = _child(root, 0, m + "Header")
    identification = _child(header_element, 5, m + "BerichtIdentificatie")
    sender = _value(_child(header_element, 3, m + "Afzender"))
    receiver = _value(_child(header_element, 4, m + "Ontvanger"))
    message_id = _value(_child(identification, 0, i + "Identificatie"))
    message_date = _date(_value(_child(identification, 1, i + "Dagtekening")))
    # Municipalities have a 4-digit CBS code, providers an 8-digit AGB code.
    municipality, provider = (sender, receiver) if len(sender) == 4 else (receiver, sender)
    base = _EVENT.copy()
    base.update(
        message_type=message_type,
        sender=sender,
        receiver=receiver,
        message_id=message_id,
        message_date=message_date,
        municipality_code=municipality,
        provider_agb=provider,
        source=source,
        imported_at=now,
    )
    events: list[dict] = []
    assignments: list[AssignmentRow] = []

    def event(position: int, **values) -> None:
        row = base.copy()
        row["position"] = position
        row.update(values)
        events.append(row)

    line_element = _LINE_ELEMENT.get(message_type)
    if line_element is not None:
        table = _line_table(message_type)
        # The line element is declared only inside its container (Client/…Producten/…),
        # so lxml's search of the tree, in C, finds what that path found. Lines are
        # numbered from 1 in document order.
        for n, element in enumerate(root.iter(m + line_element), 1):
            event(n, **_line_values(element, table, {}))
            if message_type == "301":
                row = events[-1]
                assignments.append(
                    AssignmentRow(
                        municipality_code=municipality,
                        toewijzing_nummer=row["toewijzing_nummer"],
                        provider_agb=provider,
                        reference=row["reference"],
                        start_date=row["period_start"],
                        end_date=row["period_end"],
                        assigned_on=row["assigned_on"],
                        message_date=message_date,
                        product_category=row["product_category"],
                        product_code=row["product_code"],
                    )
                )
    elif message_type == "317":
        event(0, reference=_value(_at(_children(root), m + "Client", m + "Verzoek", m + "ReferentieAanbieder")))
    elif message_type == "319":
        answer = _children(root).get(m + "Antwoord")
        fields = _children(answer) if answer is not None else {}
        event(
            0,
            reference=_value(fields.get(m + "ReferentieAanbieder")),
            status=_value(fields.get(m + "VerzoekAntwoord")),
        )
    elif message_type == "323":
        # By the positions of the XSD's sequences, as the header is read.
        declaration = _child(root, 1, m + "Declaratie")
        period = _child(declaration, 1, m + "DeclaratiePeriode")
        event(
            0,
            declaration_number=_value(_child(declaration, 0, m + "DeclaratieNummer")),
            period_start=_date(_value(_child(period, 0, i + "Begindatum"))),
            period_end=_date(_value(_child(period, 1, i + "Einddatum"))),
            # iter(tag) searches the subtree in C; ElementPath's .// searched it in Python.
            line_count=sum(1 for _ in declaration.iter(m + "Prestatie")),
        )
    elif message_type == "325":
        answer = _child(root, 1, m + "DeclaratieAntwoord")
        lines = list(answer.iter(m + "Prestatie")) if answer is not None else []
        rejected = sum(1 for line in lines if _rejecting(line, m))
        # A rejecting RetourCode on the answer itself or on the message, with no line
        # listed, rejects the whole declaration (e.g. 9333, TotaalToegekendBedrag 0).
        whole = not lines and (
            _rejecting(header_element, m) or (answer is not None and _rejecting(answer, m))
        )
        declaration = _child(header_element, 7, m + "DeclaratieIdentificatie")
        event(
            0,
            declaration_number=(
                _value(_child(answer, 0, m + "DeclaratieNummer")) if answer is not None else None
            ),
            related_id=_value(_child(declaration, 0, i + "Identificatie")) if declaration is not None else None,
            related_date=(
                _date(_value(_child(declaration, 1, i + "Dagtekening"))) if declaration is not None else None
            ),
            line_count=len(lines),
            rejected_count=rejected,
            status=DECLARATION_REJECTED if whole else None,
        )
    elif message_type in RETOUR_TYPES:
        header = _children(header_element)
        event(
            0,
            related_id=_value(header.get(m + "IdentificatieRetour")),
            related_date=_date(_value(header.get(m + "DagtekeningRetour"))),
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
    for name in _filenames(paths, patterns):
        yield Path(name)


def _filenames(paths: Iterable[Path], patterns: tuple[str, ...] = ("*.xml",)) -> Iterator[str]:
    """`iter_files` as strings: what lxml and the problem messages take. A Path per file
    cost half the time of listing a folder (BENCHMARKS.md (c))."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _files_below(path, patterns)
        else:
            yield str(path)


def _files_below(folder: Path, patterns: tuple[str, ...]) -> list[str]:
    """The files `folder.rglob(pattern)` finds for any of the patterns, that `is_file()`,
    in the order of their `Path.parts`.

    Walked with os.scandir because its entries know a file from a folder without a stat
    (rglob and then `is_file()` cost a stat per file; BENCHMARKS.md (c)). Like rglob: names
    match case-sensitively, hidden ones too; symlinked folders are not entered; folders
    that cannot be read are skipped. Like `is_file()`: a symlink to a file counts.
    Visiting each folder's entries sorted by name gives the order of `Path.parts` without
    sorting the whole list.
    """
    matches = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)).match
    found: list[str] = []

    def walk(directory: str) -> None:
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except PermissionError:
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.is_symlink():
                    walk(entry.path)
            elif matches(entry.name) and entry.is_file():
                found.append(entry.path)

    walk(str(folder))
    return found


def describe(paths: list[Path]) -> str:
    names = [str(p) for p in paths]
    if not names:
        return "(nothing)"
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} more)"


# Files are validated a batch at a time and then extracted: alternating lxml's parsing
# and validation with Python's extraction file by file cost about a fifth more time in
# all (each evicts the other's working set from the CPU caches; BENCHMARKS.md (c)).
# Parsing and validating stay one file after the other, as lxml alone does them; the
# batch only bounds how many parsed trees are held at once.
_BATCH = 64
# From this many files on, a machine with two cores or more reads them in two processes
# (`_read_in_two_processes`); for fewer, starting the second costs more than it saves.
PARALLEL_FROM = 512


def read_ijw(paths: Iterable[Path], *, now: datetime) -> tuple[list[Extracted], list[Problem]]:
    """Validate and extract every message; problems of all files together, in the order
    of the files."""
    names = list(_filenames(paths))
    if len(names) >= PARALLEL_FROM and _may_fork():
        return _read_in_two_processes(names, now=now)
    return _read(names, now=now)


def _read(names: list[str], *, now: datetime) -> tuple[list[Extracted], list[Problem]]:
    items: list[Extracted] = []
    problems: list[Problem] = []
    files = iter(names)
    while batch := list(islice(files, _BATCH)):
        for filename, valid in zip(batch, [_valid_tree(name) for name in batch], strict=True):
            if valid is None:
                # Read again to say what is wrong; taken whole, in case it changed since.
                checked = check_file(filename)
                if checked.problems:
                    problems.extend(checked.problems)
                    continue
                valid = checked.tree, checked.message_type
            items.append(extract(*valid, now=now))
    return items, problems


def _may_fork() -> bool:
    """Whether a second process may read half the files: on Linux (fork), with a second
    core for it, and with no other thread running — a thread could hold a lock at the
    moment of the fork that the child would then wait for forever. Threads are counted
    by the kernel too, which sees those that C libraries start."""
    return (
        sys.platform == "linux"
        and len(os.sched_getaffinity(0)) >= 2
        and threading.active_count() == 1
        and _kernel_threads() == 1
    )


def _kernel_threads() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0  # unknown: not known to be alone, so one process reads them all


def _read_in_two_processes(names: list[str], *, now: datetime) -> tuple[list[Extracted], list[Problem]]:
    """`_read` of the first half of the files here and of the second half in a forked
    child, which sends back what it read (extracted codes and dates, and problems: no
    personal data) through a pipe. Parsing and validating are most of an import's time,
    and lxml does not run them in parallel threads (BENCHMARKS.md (c4)).

    The result is `_read`'s, in the same order. If the child cannot start or fails in any
    way, this process reads its half itself: a fork is only ever a speed-up.
    """
    half = len(names) // 2
    child = _Child.start(names[half:], now=now)
    try:
        items, problems = _read(names[:half], now=now)
    finally:
        theirs = child.result() if child is not None else None
    if theirs is None:
        log.warning("iJw import: the second process did not deliver; reading its %d files here",
                    len(names) - half)
        theirs = _read(names[half:], now=now)
    return items + theirs[0], problems + theirs[1]


class _Child:
    """The forked reader of `_read_in_two_processes`, from the parent's side."""

    def __init__(self, pid: int, reader: int, unfreeze: bool):
        self.pid, self.reader, self.unfreeze = pid, reader, unfreeze

    @classmethod
    def start(cls, names: list[str], *, now: datetime) -> _Child | None:
        reader, writer = os.pipe()
        # Out of the collector's reach while the two share their memory: a collection
        # would write to every object's header and so copy most pages (copy-on-write).
        # Unfrozen afterwards only if nothing else had frozen objects before.
        unfreeze = gc.get_freeze_count() == 0
        gc.freeze()
        # Ctrl-C and SIGTERM wait until each side has its own handling: the child must
        # never run the parent's handlers (they would unwind it into the parent's code).
        stopping = {signal.SIGINT, signal.SIGTERM}
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: one process reads them all
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            for fd in (reader, writer):
                os.close(fd)
            if unfreeze:
                gc.unfreeze()
            return None
        if pid == 0:  # pragma: no cover - runs in the child, which leaves by os._exit
            for signum in stopping:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(reader)
            _read_for_parent(names, now=now, writer=writer)
        child = cls(pid, reader, unfreeze)
        try:
            os.close(writer)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        except BaseException:
            child.result()
            raise
        return child

    def result(self) -> tuple[list[Extracted], list[Problem]] | None:
        """What the child read, or None; the pipe closed, the child reaped and the
        collector unfrozen whatever happens (a second Ctrl-C included)."""
        sent, status = b"", None
        try:
            # Drained before waiting, so that a child blocked on a full pipe can end.
            with os.fdopen(self.reader, "rb") as pipe:
                sent = pipe.read()
        finally:
            try:
                status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored)
                pass
            finally:
                if self.unfreeze:
                    gc.unfreeze()
        if status is None or os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            return pickle.loads(sent)
        except Exception:
            return None


def _read_for_parent(names: list[str], *, now: datetime, writer: int) -> NoReturn:  # pragma: no cover
    """The child's part: read, send, and leave without running anything of the parent's
    (os._exit: no atexit handlers, no flushing of the parent's buffered output, no
    closing of its database connections). The garbage collector is off: collecting a
    cycle could finalise an object the parent still uses, such as a connection whose
    finaliser would say goodbye to the database over the parent's socket."""
    code = 1
    try:
        gc.disable()
        result = _read(names, now=now)
        with os.fdopen(writer, "wb") as pipe:
            pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # noqa: BLE001 - the parent reads this half itself
        pass
    finally:
        os._exit(code)


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


__all__ = [
    "ACCEPTING_RETOURCODES",
    "BASIS_NS",
    "Checked",
    "MESSAGE_NS",
    "SCHEMA_DIR",
    "check_file",
    "check_tree",
    "extract",
    "import_ijw",
    "iter_files",
    "schema_for",
    "scrub",
]
