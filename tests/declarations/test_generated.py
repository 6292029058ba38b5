"""The demo generator: schema-valid XML, deterministic, and KPIs that match a count made
from the generator's own intentions (not from the KPI code)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select

from storage.declarations import MessageEvent
from storage.declarations.demo import generate, write_demo
from storage.declarations.ijw_csv import import_ijw_csv
from storage.declarations.ijw_xml import import_ijw
from storage.declarations.rules import kpis, load

from .conftest import NOW

SCHEMAS = Path(__file__).resolve().parents[2] / "storage" / "data" / "ijw-3.2"
AS_OF = date(2021, 12, 31)


def test_it_writes_xml_that_validates_against_the_xsds(demo_year):
    out, truth = demo_year
    files = sorted((out / "xml").rglob("*.xml"))
    assert len(files) == truth.messages
    assert {f.name.split("-")[0] for f in files} == {"JW301", "JW305", "JW307", "JW315", "JW319", "JW323", "JW325"}
    schemas = {}
    for path in files:
        kind = path.name[2:5]
        if kind not in schemas:
            schemas[kind] = etree.XMLSchema(etree.parse(str(SCHEMAS / f"JW{kind}.xsd")))
        document = etree.parse(str(path))
        assert schemas[kind].validate(document), (path.name, schemas[kind].error_log.last_error)


def test_it_generates_the_same_data_for_the_same_seed(tmp_path):
    write_demo(tmp_path / "a", messages=80, seed=5)
    write_demo(tmp_path / "b", messages=80, seed=5)
    write_demo(tmp_path / "c", messages=80, seed=6)

    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
        return h.hexdigest()

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_it_streams_without_keeping_the_messages():
    stream, truth = generate(2000, seed=1, keep_lines=False)
    kinds = {}
    for message in stream:
        kinds[message.type] = kinds.get(message.type, 0) + 1
    assert sum(kinds.values()) == truth.messages > 1500
    assert truth.by_type == kinds


def _kpi_counts(session):
    per, _region = kpis(load(session), today=AS_OF)
    counted = {
        (kpi, row.provider_agb, row.month): list(row.counts[kpi])
        for row in per
        for kpi in row.counts
        if row.counts[kpi][1]
    }
    lines = {(row.provider_agb, row.month): [row.lines, row.rejected] for row in per if row.lines}
    return counted, lines


def test_it_computes_kpis_equal_to_the_generators_count(store, demo_year):
    out, truth = demo_year
    with store.session() as session, session.begin():
        import_ijw(session, [out / "xml"], now=NOW)
    with store.session() as session:
        counted, lines = _kpi_counts(session)
    assert counted == {key: value for key, value in truth.kpis.items()}
    assert lines == {key: value for key, value in truth.lines.items() if value[0]}
    # Some of everything: late, missing, rejected.
    assert any(on_time < total for on_time, total in counted.values())
    assert sum(rejected for _, rejected in lines.values()) > 0


def test_it_imports_the_csv_export_to_the_same_kpis(store, demo_year):
    out, truth = demo_year
    with store.session() as session, session.begin():
        report = import_ijw_csv(session, [out / "declaraties.csv", out / "aanbieders.csv"], now=NOW)
    assert report.counts["messages imported"] == truth.messages
    with store.session() as session:
        counted, _lines = _kpi_counts(session)
        assert counted == {key: value for key, value in truth.kpis.items()}
        # The XML of the same traffic is the same messages: nothing new.
        before = session.scalar(select(func.count()).select_from(MessageEvent))
    with store.session() as session, session.begin():
        again = import_ijw(session, [out / "xml"], now=NOW)
    assert again.counts["messages already imported"] == truth.messages
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(MessageEvent)) == before
