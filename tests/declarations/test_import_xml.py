from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from storage.declarations import Assignment, MessageEvent, Provider
from storage.declarations.ijw_xml import check_file, import_ijw
from storage.declarations.importing import import_declarations
from storage.importers import ImportRefused

from .conftest import INVALID_EXAMPLES, NOW, personal_values


def _valid(examples: Path) -> list[Path]:
    return [p for p in sorted(examples.glob("*.xml")) if p.name not in INVALID_EXAMPLES]


def _dump(session) -> list[tuple]:
    rows = []
    for model in (Provider, Assignment, MessageEvent):
        for row in session.execute(select(model.__table__)).all():
            rows.append((model.__tablename__, *row))
    return sorted(rows, key=repr)


def test_it_imports_every_valid_example_and_refuses_the_two_invalid_ones(store, examples):
    for path in sorted(examples.glob("*.xml")):
        with store.session() as session, session.begin():
            if path.name in INVALID_EXAMPLES:
                with pytest.raises(ImportRefused) as refused:
                    import_ijw(session, [path], now=NOW)
                assert refused.value.problems, path.name
            else:
                report = import_ijw(session, [path], now=NOW)
                assert report.counts["messages imported"] == 1, path.name
    with store.session() as session:
        count = session.scalar(select(func.count(func.distinct(MessageEvent.message_type))))
        assert count == len(_valid(examples))


def test_it_names_element_and_line_of_the_invalid_examples(examples):
    jw315 = check_file(examples / "JW315.xml")
    assert [(p.line, p.field) for p in jw315.problems] == [
        (44, "ToewijzingEinddatum"),
        (66, "ToewijzingEinddatum"),
    ]
    assert "not a valid value" in jw315.problems[0].message
    assert str(jw315.problems[0]).startswith(f"{examples / 'JW315.xml'}:44: ToewijzingEinddatum:")
    jw318 = check_file(examples / "JW318.xml")
    assert [(p.line, p.field) for p in jw318.problems] == [(33, "RetourCode")]
    assert "not expected" in jw318.problems[0].message


def test_it_does_not_echo_values_in_errors(examples, tmp_path):
    message = (examples / "JW305.xml").read_text(encoding="utf-8")
    broken = message.replace("<jw305:Bsn>999900006</jw305:Bsn>", "<jw305:Bsn>12345X</jw305:Bsn>", 1)
    broken = broken.replace("<ijw:Achternaam>Wit</ijw:Achternaam>", "<ijw:Achternaam>" + "Q" * 260 + "</ijw:Achternaam>", 1)
    broken = broken.replace("<ijw:Datum>2010-02-14</ijw:Datum>", "<ijw:Datum>2010-02-31</ijw:Datum>", 1)
    path = tmp_path / "broken.xml"
    path.write_text(broken, encoding="utf-8")
    problems = check_file(path).problems
    assert {p.field for p in problems} >= {"Bsn", "Achternaam", "Datum"}
    text_of_errors = "\n".join(str(p) for p in problems)
    for value in ("12345X", "Q" * 50, "2010-02-31", "2027-06-31"):
        assert value not in text_of_errors
    refused = check_file(examples / "JW315.xml").problems
    assert "2027-06-31" not in "\n".join(str(p) for p in refused)


def test_it_refuses_a_whole_folder_with_an_invalid_message_listing_every_problem(store, examples):
    with store.session() as session:
        with pytest.raises(ImportRefused) as refused:
            with session.begin():
                import_declarations(session, [examples], now=NOW)
    sources = [(p.source, p.line) for p in refused.value.problems]
    assert sources == [(str(examples / "JW315.xml"), 44), (str(examples / "JW315.xml"), 66),
                       (str(examples / "JW318.xml"), 33)]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(MessageEvent)) == 0
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_it_changes_nothing_when_a_message_is_imported_again(store, examples):
    with store.session() as session, session.begin():
        first = import_ijw(session, _valid(examples), now=NOW)
    assert first.counts["messages imported"] == 12
    with store.session() as session:
        before = _dump(session)
    with store.session() as session, session.begin():
        again = import_ijw(session, _valid(examples), now=NOW.replace(year=2022))
    assert {k: n for k, n in again.counts.items() if n} == {"messages already imported": 12}
    with store.session() as session:
        assert _dump(session) == before


def test_it_reads_what_the_rules_need_from_the_examples(store, examples):
    with store.session() as session, session.begin():
        import_ijw(session, _valid(examples), now=NOW)
    with store.session() as session:
        assignment = session.scalars(
            select(Assignment).where(Assignment.toewijzing_nummer == "300201")
        ).one()
        assert (assignment.municipality_code, assignment.provider_agb) == ("0384", "42420001")
        assert (assignment.product_code, str(assignment.start_date), str(assignment.end_date)) == (
            "55A11", "2026-04-01", "2026-07-14",
        )
        assert assignment.reference == "40A12341234"
        answer = session.scalars(select(MessageEvent).where(MessageEvent.message_type == "325")).one()
        # Three declared lines came back, each with a rejecting RetourCode.
        assert (answer.line_count, answer.rejected_count) == (3, 3)
        assert answer.related_id == "765432198"
        declaration = session.scalars(select(MessageEvent).where(MessageEvent.message_type == "323")).one()
        assert declaration.line_count == 5
        assert (str(declaration.period_start), str(declaration.period_end)) == ("2026-04-01", "2026-04-30")


def test_it_keeps_no_personal_data_in_the_database_file(store, examples):
    if not store.url.startswith("sqlite"):
        pytest.skip("reads the SQLite database file")
    personal = personal_values(sorted(examples.glob("*.xml")))
    assert {"999900006", "999900018", "Wit", "Tom", "2010-02-14", "1971-04-07"} <= personal
    with store.session() as session, session.begin():
        import_ijw(session, _valid(examples), now=NOW)
    db_file = Path(store.url.removeprefix("sqlite:///"))
    # Read the WAL while it still holds the writes, then again after a checkpoint.
    raw = db_file.read_bytes()
    wal = db_file.with_name(db_file.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    with store.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(FULL)"))
    raw += db_file.read_bytes()
    assert b"42420001" in raw  # the import did write to this file
    leaked = sorted(value for value in personal if value.encode("utf-8") in raw)
    assert leaked == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bsn=st.text(alphabet="0123456789ABCXYZ", min_size=6, max_size=12).filter(lambda v: not v.isdigit() or len(v) != 9),
    surname=st.text(alphabet="abcdefghijklmnopqrstuvwxyzéë -'", min_size=3, max_size=12),
)
def test_it_never_echoes_an_invalid_value(examples, tmp_path_factory, bsn, surname):
    from xml.sax.saxutils import escape

    message = (examples / "JW305.xml").read_text(encoding="utf-8")
    message = message.replace("<jw305:Bsn>999900006</jw305:Bsn>", f"<jw305:Bsn>{bsn}</jw305:Bsn>", 1)
    # Too long for LDT_Naam (200), so the validator complains about this value too.
    long_name = escape(surname * (201 // len(surname) + 1))
    message = message.replace("<ijw:Achternaam>Wit</ijw:Achternaam>", f"<ijw:Achternaam>{long_name}</ijw:Achternaam>", 1)
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.xml"
    path.write_text(message, encoding="utf-8")
    problems = check_file(path).problems
    assert {p.field for p in problems} >= {"Bsn", "Achternaam"}
    text_of_errors = "\n".join(str(p) for p in problems)
    assert bsn not in text_of_errors
    assert long_name not in text_of_errors and long_name[:40] not in text_of_errors


@pytest.mark.parametrize(
    "message",
    [
        "[facet 'pattern'] The value '12a4'56789' is not accepted by the pattern '[0-9]{9}'.",
        "'d'Hondt' is not a valid value of the local atomic type.",
        "[facet 'maxLength'] The value 'd'Hondt 56789' has a length of '13'; this exceeds "
        "the allowed maximum length of '9'.",
    ],
)
def test_it_keeps_values_with_apostrophes_out_of_validation_errors(message):
    from storage.declarations.ijw_xml import scrub

    scrubbed = scrub(message)
    assert "56789" not in scrubbed and "Hondt" not in scrubbed


def test_comments_and_processing_instructions_do_not_change_what_is_read(examples, tmp_path):
    # The header's fields are read by their position in the XSD's sequence first; a
    # comment before them moves them, and they must still be found by name.
    import re

    from storage.declarations.ijw_xml import extract

    for path in _valid(examples):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(<jw\d+:Bericht\b[^>]*>)", r"\1<!-- a -->", text, count=1)
        text = re.sub(r"(<jw\d+:Header>)", r"\1<!-- b --><?note x?>", text, count=1)
        text = re.sub(r"(<jw\d+:BerichtIdentificatie>)", r"\1<!-- c -->", text, count=1)
        text = re.sub(r"(<jw\d+:Product>)", r"\1<!-- d -->", text)
        moved = tmp_path / path.name
        moved.write_text(text, encoding="utf-8")
        plain, commented = check_file(path), check_file(moved)
        assert not commented.problems, path.name
        expected = extract(plain.tree, plain.message_type, now=NOW)
        assert extract(commented.tree, commented.message_type, now=NOW) == expected, path.name


def test_folders_are_listed_as_rglob_lists_them(tmp_path):
    from storage.declarations.ijw_xml import iter_files

    for folder in ("a/b", ".hidden", "c.xml", "d"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("z.xml", "a/1.xml", "a/2.XML", "a/3.csv", "a/b/4.xml", ".hidden/5.xml", ".6.xml", "d/7.xml.bak", "d/8.xml"):
        (tmp_path / name).write_text("<x/>", encoding="utf-8")
    (tmp_path / "a" / "link.xml").symlink_to(tmp_path / "a" / "b" / "4.xml")
    (tmp_path / "a" / "broken.xml").symlink_to(tmp_path / "missing.xml")
    (tmp_path / "a" / "folder-link").symlink_to(tmp_path / "d")
    for patterns in (("*.xml",), ("*.xml", "*.csv")):
        expected = sorted(
            {p for pattern in patterns for p in tmp_path.rglob(pattern) if p.is_file()}, key=lambda p: p.parts
        )
        assert list(iter_files([tmp_path], patterns)) == expected
    assert list(iter_files([tmp_path / "a", tmp_path / "z.xml"])) == [
        tmp_path / "a" / name for name in ("1.xml", "b/4.xml", "link.xml")
    ] + [tmp_path / "z.xml"]


# --- A long import reads its files in two processes ------------------------------------


def _folder_of_messages(tmp_path: Path, examples: Path) -> Path:
    """Generated messages with a broken one in each half of the listing, so that both
    processes have something to say."""
    from storage.declarations.demo import write_demo_declarations

    write_demo_declarations(tmp_path, messages=60, csv_export=False)
    folder = tmp_path / "xml"
    for name in ("JW315.xml", "JW318.xml"):
        for where in ("0-first", "zz-last"):
            (folder / where).mkdir(exist_ok=True)
            (folder / where / name).write_bytes((examples / name).read_bytes())
    return folder


@pytest.fixture
def forks(monkeypatch):
    """Every read of two files or more goes through a fork, even with other threads in
    the test process (a fake Slack server's, say): the child needs none of their locks,
    only lxml, pickle and a pipe. Returns the list of the children's pids."""
    import os

    from storage.declarations import ijw_xml

    children: list[int] = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(ijw_xml, "PARALLEL_FROM", 2)
    monkeypatch.setattr(ijw_xml, "_may_fork", lambda: True)
    monkeypatch.setattr(ijw_xml.os, "fork", fork)
    return children


def _read_in_one_process(folder: Path):
    from storage.declarations import ijw_xml

    return ijw_xml._read(list(ijw_xml._filenames([folder])), now=NOW)


def test_it_reads_a_folder_in_two_processes_to_what_one_process_reads(tmp_path, examples, forks):
    from storage.declarations.ijw_xml import read_ijw

    folder = _folder_of_messages(tmp_path, examples)
    expected_items, expected_problems = _read_in_one_process(folder)
    items, problems = read_ijw([folder], now=NOW)
    assert len(forks) == 1
    assert items == expected_items and len(items) > 90
    # Every problem of both halves, in the order of the files.
    assert problems == expected_problems
    assert [Path(p.source).parent.name for p in problems][:1] == ["0-first"]
    assert [Path(p.source).parent.name for p in problems][-1:] == ["zz-last"]


def test_it_reads_the_second_half_itself_when_the_child_fails(tmp_path, examples, forks, monkeypatch):
    import os

    from storage.declarations import ijw_xml

    folder = _folder_of_messages(tmp_path, examples)
    expected = _read_in_one_process(folder)
    # Runs in the child: it dies without sending anything.
    monkeypatch.setattr(ijw_xml, "_read_for_parent", lambda names, *, now, writer: os._exit(3))
    assert ijw_xml.read_ijw([folder], now=NOW) == expected
    assert len(forks) == 1


def test_it_reads_the_second_half_itself_when_the_child_sends_garbage(tmp_path, examples, forks, monkeypatch,
                                                                      caplog):
    import os

    from storage.declarations import ijw_xml

    folder = _folder_of_messages(tmp_path, examples)
    expected = _read_in_one_process(folder)

    def garbage(names, *, now, writer):
        os.write(writer, b"not a pickle")
        os._exit(0)

    monkeypatch.setattr(ijw_xml, "_read_for_parent", garbage)
    with caplog.at_level("WARNING", logger="storage.declarations.ijw_xml"):
        assert ijw_xml.read_ijw([folder], now=NOW) == expected
    assert "the second process did not deliver" in caplog.text
    assert len(forks) == 1


def test_it_stores_what_a_read_in_one_process_stores(store, tmp_path, examples, forks, monkeypatch):
    from storage.declarations import ijw_xml

    folder = _folder_of_messages(tmp_path, examples)
    for broken in folder.glob("*/JW3[01][58].xml"):
        broken.unlink()

    def imported() -> tuple[dict, list]:
        with store.session() as session:
            report = import_ijw(session, [folder], now=NOW)
            # Without the ids, which PostgreSQL does not hand out again after a rollback.
            rows = sorted(
                (
                    (model.__tablename__, *(value for column, value in row._mapping.items() if column != "id"))
                    for model in (Provider, Assignment, MessageEvent)
                    for row in session.execute(select(model.__table__))
                ),
                key=repr,
            )
            session.rollback()
        return report.counts, rows

    forked = imported()
    assert len(forks) == 1
    monkeypatch.setattr(ijw_xml, "PARALLEL_FROM", 10**9)
    assert imported() == forked
    assert len(forks) == 1
    assert forked[0]["messages imported"] > 90


def test_it_reads_in_one_process_while_another_thread_runs():
    import threading

    from storage.declarations import ijw_xml

    if threading.active_count() != 1:
        pytest.skip("this test process runs other threads already")
    assert ijw_xml._may_fork() == (ijw_xml.sys.platform == "linux" and len(ijw_xml.os.sched_getaffinity(0)) >= 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not ijw_xml._may_fork()
    finally:
        stop.set()
        other.join()
