"""What probing the iJw importers found (issue 13: 7, 9, 10, 11, 12), and a property test:
random and mutated files from the real examples never give a traceback, and a refused
import leaves the store as it was (`regiobot export` byte for byte, and every
declarations table row for row)."""

from __future__ import annotations

import csv
import io
import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.declarations import Assignment, MessageEvent, Provider
from storage.declarations import store as declaration_store
from storage.declarations.ijw_csv import CSV_COLUMNS
from storage.declarations.importing import import_declarations
from storage.importers import ImportRefused
from storage.importers.yaml_store import dump_store

from .conftest import NOW

GOOD_301 = {
    "berichttype": "301", "afzender": "0513", "ontvanger": "73730101", "identificatie": "1",
    "dagtekening": "2020-02-03", "positie": "1", "toewijzingnummer": "100001",
    "toewijzingsdatum": "2020-02-03", "periode_begin": "2020-02-10", "periode_eind": "2020-06-30",
}


def _csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _refused(paths) -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        import_declarations(None, list(paths), now=NOW)
    return [str(p) for p in refused.value.problems]


def test_it_refuses_an_xml_external_entity_naming_file_and_line(examples, tmp_path):
    source = (examples / "JW301.xml").read_bytes()
    doctype = b'<!DOCTYPE Bericht [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    declaration_end = source.index(b"?>") + 2
    message = source[:declaration_end] + b"\n" + doctype + source[declaration_end:].lstrip()
    message = message.replace(b"<jw301:Afzender>", b"<jw301:Afzender>&xxe;", 1)
    path = tmp_path / "JW301.xml"
    path.write_bytes(message)
    [problem] = _refused([path])
    assert problem == f"{path}:2: a DTD (<!DOCTYPE …>) is not allowed in an iJw message, nor are entities"
    # A DTD that declares nothing harmful, in an otherwise valid message, is refused too.
    harmless = source[:declaration_end] + b"\n<!DOCTYPE Bericht>\n" + source[declaration_end:].lstrip()
    path.write_bytes(harmless)
    [problem] = _refused([path])
    assert problem.startswith(f"{path}:2: a DTD")


def test_it_names_the_path_as_given_not_the_basename(examples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder, data in (("a", (examples / "JW301.xml").read_bytes()), ("b", b"<not xml")):
        os.makedirs(f"amb/{folder}")
        Path(f"amb/{folder}/JW301.xml").write_bytes(data)
    _csv(Path("amb/b/export.csv"), [{**GOOD_301, "dagtekening": "2020-02-30"}])
    problems = _refused([Path("amb")])
    assert [p.split(": ")[0] for p in problems] == ["amb/b/JW301.xml:1:9", "amb/b/export.csv:2"]


def test_it_reports_bytes_that_are_not_utf8_in_a_csv_at_their_line_and_column(tmp_path):
    path = _csv(tmp_path / "export.csv", [GOOD_301])
    data = path.read_bytes().splitlines(keepends=True)
    data[1] = data[1][:4] + b"\xff\xfe" + data[1][4:]
    path.write_bytes(b"".join(data))
    assert _refused([path]) == [f"{path}:2:5: not UTF-8 (byte 0xff)"]
    # In the header itself (after a byte-order mark, which is allowed).
    path.write_bytes(b"\xef\xbb\xbfberichttype,af\xc3zender\n")
    assert _refused([path]) == [f"{path}:1:15: not UTF-8 (byte 0xc3)"]


def test_it_reports_bytes_that_are_not_utf8_in_xml_at_their_line_and_column(examples, tmp_path):
    lines = (examples / "JW301.xml").read_bytes().split(b"\n")
    number = next(n for n, line in enumerate(lines) if b"<jw301:Afzender>" in line)
    column = lines[number].index(b"<jw301:Afzender>") + len(b"<jw301:Afzender>")
    lines[number] = lines[number][:column] + b"\xff" + lines[number][column:]
    path = tmp_path / "JW301.xml"
    path.write_bytes(b"\n".join(lines))
    [problem] = _refused([path])
    assert problem.startswith(f"{path}:{number + 1}:")
    assert problem.endswith(": not UTF-8 (byte 0xff)")


def _tables(session) -> list:
    return [
        sorted(tuple(row) for row in session.execute(select(*table.__table__.c)).all())
        for table in (Provider, Assignment, MessageEvent)
    ]


def test_it_runs_two_imports_at_once_one_after_the_other(store, examples):
    """Both succeed: the second waits for the first and then finds its messages known
    (before, it read the store before the first committed and then inserted the same
    assignment: an IntegrityError)."""
    first = store.session()
    first.begin()
    report_first = import_declarations(first, [examples / "JW301.xml"], now=NOW)
    outcome = {}

    def second() -> None:
        with store.session() as session, session.begin():
            outcome["report"] = import_declarations(session, [examples / "JW301.xml"], now=NOW)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # waiting for the first import's transaction
    first.commit()
    first.close()
    thread.join(20)
    assert report_first.counts["messages imported"] == 1
    counts = outcome["report"].counts
    assert (counts["messages already imported"], counts["messages imported"]) == (1, 0)
    with store.session() as session:
        assert len(session.scalars(select(Assignment)).all()) == report_first.counts["assignments added"] == 2


def test_it_says_the_store_is_busy_when_another_import_holds_it_too_long(store, examples, monkeypatch):
    monkeypatch.setattr(declaration_store, "IMPORT_LOCK_WAIT_S", 1)
    holder = store.session()
    holder.begin()
    declaration_store.lock_for_import(holder)
    try:
        with store.session() as session, session.begin():
            if store.url.startswith("sqlite"):
                session.connection().exec_driver_sql("PRAGMA busy_timeout = 300")
            with pytest.raises(ImportRefused) as refused:
                import_declarations(session, [examples / "JW301.xml"], now=NOW)
            session.rollback()
        assert str(refused.value).startswith("store: busy: another import or a derivation has been writing")
    finally:
        holder.rollback()
        holder.close()
    with store.session() as session:
        assert session.scalars(select(MessageEvent)).all() == []


# --- The property test -----------------------------------------------------------------

_EXAMPLE_NAMES = ["JW301.xml", "JW305.xml", "JW307.xml", "JW319.xml", "JW323.xml", "JW325.xml"]


def _mutated(data: bytes, draw) -> bytes:
    """A few byte-level edits: cut, insert, replace, duplicate a stretch."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "insert", "replace", "duplicate", "truncate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at:]
        elif kind == "replace":
            data = data[:at] + draw(st.sampled_from([b"<", b">", b"&", b"\xff", b"\x00", b"9", b"-"])) + data[at + 1:]
        elif kind == "duplicate":
            data = data[:at] + data[at:at + 60] + data[at:]
        else:
            data = data[:at]
    return data


@st.composite
def _files(draw, examples: Path, csv_example: bytes):
    """(name, bytes): a mutated example message, a mutated CSV export, or noise."""
    source = draw(st.sampled_from(["xml", "csv", "noise"]))
    if source == "xml":
        name = draw(st.sampled_from(_EXAMPLE_NAMES))
        return name, _mutated((examples / name).read_bytes(), draw)
    if source == "csv":
        return "export.csv", _mutated(csv_example, draw)
    return draw(st.sampled_from(["JW301.xml", "x.csv"])), draw(st.binary(max_size=300))


def _csv_example() -> bytes:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(GOOD_301)
    writer.writerow({**GOOD_301, "berichttype": "305", "afzender": "73730101", "ontvanger": "0513",
                     "identificatie": "2", "zorgdatum": "2020-02-10", "status": "1"})
    return handle.getvalue().encode()


def test_it_never_gives_a_traceback_and_a_refused_import_changes_nothing(store, examples, tmp_path_factory):
    with store.session() as session, session.begin():
        import_declarations(session, [examples / "JW301.xml", examples / "JW305.xml"], now=NOW)
    with store.session() as session:
        before = (dump_store(session), _tables(session))
    csv_example = _csv_example()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(files=st.lists(_files(examples, csv_example), min_size=1, max_size=3))
    def check(files):
        folder = tmp_path_factory.mktemp("mutated")
        for n, (name, data) in enumerate(files):
            (folder / f"{n}-{name}").write_bytes(data)
        session = store.session()
        session.begin()
        try:
            import_declarations(session, [folder], now=NOW)
        except ImportRefused as refused:
            assert refused.problems and all(str(p) for p in refused.problems)
            # Refused before writing anything: even committing what the session holds
            # changes nothing.
            session.commit()
        else:
            session.rollback()  # what imports is fine; undone, to compare the next one
        finally:
            session.close()
        with store.session() as fresh:
            assert (dump_store(fresh), _tables(fresh)) == before

    check()
