from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.declarations import MessageEvent, Provider
from storage.declarations.ijw_csv import CSV_COLUMNS, check_csv, import_ijw_csv
from storage.declarations.importing import import_declarations
from storage.importers import ImportRefused

from .conftest import NOW


def _write(path, rows, header=CSV_COLUMNS, delimiter=","):
    lines = [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(row.get(c, "") for c in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD_301 = dict(berichttype="301", afzender="0513", ontvanger="73730101", identificatie="1",
                dagtekening="2020-03-02", positie="1", toewijzingnummer="100001",
                toewijzingsdatum="2020-03-02", periode_begin="2020-03-09", periode_eind="2020-09-30",
                productcategorie="45", productcode="45A03")
GOOD_305 = dict(berichttype="305", afzender="73730101", ontvanger="0513", identificatie="2",
                dagtekening="2020-03-12", positie="1", toewijzingnummer="100001", zorgdatum="2020-03-09",
                status="1")


def test_it_imports_a_csv_export_and_provider_names(store, tmp_path):
    _write(tmp_path / "export.csv", [GOOD_301, GOOD_305], delimiter=";")
    names = tmp_path / "aanbieders.csv"
    names.write_text("agb_code,naam\n73730101,Enver\n", encoding="utf-8")
    with store.session() as session, session.begin():
        report = import_declarations(session, [tmp_path], now=NOW)
    assert report.counts["messages imported"] == 2
    with store.session() as session:
        assert session.scalar(select(Provider.name).where(Provider.agb_code == "73730101")) == "Enver"
        assert session.scalar(select(func.count()).select_from(MessageEvent)) == 2


def test_it_refuses_a_csv_with_line_numbered_errors_and_no_values(store, tmp_path):
    bad_date = {**GOOD_305, "identificatie": "3", "dagtekening": "2020-02-30"}
    bad_type = {**GOOD_305, "identificatie": "4", "berichttype": "999"}
    bad_party = {**GOOD_305, "identificatie": "5", "afzender": "999900006"}
    missing = {**GOOD_301, "identificatie": "6", "toewijzingsdatum": ""}
    path = _write(tmp_path / "export.csv", [GOOD_301, bad_date, bad_type, bad_party, missing])
    problems = check_csv(path)
    assert [(p.line, p.field) for p in problems] == [
        (3, "dagtekening"),
        (4, "berichttype"),
        (5, "afzender"),
        (6, "toewijzingsdatum"),
    ]
    assert str(problems[0]).startswith(f"{path}:3: dagtekening:")
    everything = "\n".join(str(p) for p in problems)
    assert "2020-02-30" not in everything and "999900006" not in everything
    with store.session() as session:
        with pytest.raises(ImportRefused) as refused:
            with session.begin():
                import_ijw_csv(session, [path], now=NOW)
    assert len(refused.value.problems) == 4
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(MessageEvent)) == 0


def test_it_refuses_a_csv_without_the_documented_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("bsn,naam\n999900006,Wit\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_declarations(None, [path], now=NOW)
    [problem] = refused.value.problems
    assert (problem.source, problem.line) == (str(path), 1)
    assert "Wit" not in str(problem)


@pytest.mark.parametrize("data", [b"\r\xc2\x80", b"x\ry,z\n", b"\r"])
def test_it_refuses_a_csv_with_a_lone_carriage_return_in_its_first_line_without_a_traceback(
        store, tmp_path, data):
    # Found by the hardening test's random files: csv refused the header line read as bytes.
    (tmp_path / "x.csv").write_bytes(data)
    with store.session() as session, session.begin():
        with pytest.raises(ImportRefused) as refused:
            import_declarations(session, [tmp_path], now=NOW)
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (1, "not a declarations CSV: expected the columns of docs/declarations.md")
    ]


def test_it_reads_a_csv_export_with_carriage_returns_as_line_ends_like_one_with_newlines(tmp_path):
    from storage.declarations.ijw_csv import kind_of

    row = {column: "" for column in CSV_COLUMNS} | {
        "berichttype": "305", "afzender": "73730101", "ontvanger": "0513", "identificatie": "2",
        "dagtekening": "2020-02-12", "zorgdatum": "2020-02-10", "status": "1",
    }
    lines = [",".join(CSV_COLUMNS), ",".join(row[column] for column in CSV_COLUMNS)]
    for name, ending in (("newlines", "\n"), ("carriage-returns", "\r")):
        path = tmp_path / f"{name}.csv"
        path.write_bytes((ending.join(lines) + ending).encode())
        assert kind_of(path) == "events", name
        assert check_csv(path) == [], name
