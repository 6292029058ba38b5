"""The corrected rules against the old ones (`storage.declarations.reference`) and the
generator's corrections: on generated traffic without corrections the two give the same
KPIs and findings as of any day; with them, the KPIs still equal the generator's own
count, and every kind of correction is in the traffic."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest

from storage.declarations import reference, rules
from storage.declarations.demo import write_demo
from storage.declarations.ijw_csv import import_ijw_csv

from .conftest import NOW

DAYS = (date(2020, 2, 14), date(2020, 5, 20), date(2020, 9, 1), date(2020, 12, 31), date(2021, 6, 30))


def _import(store, folder) -> None:
    with store.session() as session, session.begin():
        import_ijw_csv(session, [folder / "declaraties.csv", folder / "aanbieders.csv"], now=NOW)


def _finding(f) -> tuple:
    return (f.rule, f.provider_agb, f.municipality_code, f.subject, f.kind, f.due, f.done,
            f.working_days_late, f.days_late, f.note)


def _row(r) -> tuple:
    return (r.provider_agb, r.month, {k: tuple(v) for k, v in r.counts.items()}, r.lines, r.rejected)


@pytest.fixture(scope="module")
def plain_year(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plain")
    write_demo(folder, messages=2500, seed=15, xml=False, corrections=False)
    return folder


def test_it_gives_what_the_old_rules_gave_on_traffic_without_corrections(store, plain_year):
    _import(store, plain_year)
    compared = Counter()
    with store.session() as session:
        data = rules.load(session)
        for today in DAYS:
            # The old rules never moved a regional deadline off a weekend.
            result = rules.evaluate(session, today=today, keep_findings=True, deadline_moved=False)
            old_findings = reference.findings(data, today=today)
            assert [_finding(f) for f in result.findings] == [_finding(f) for f in old_findings]
            per, region = reference.kpis(data, today=today)
            assert [_row(r) for r in result.per] == [_row(r) for r in per]
            assert [_row(r) for r in result.region] == [_row(r) for r in region]
            compared.update(f.rule for f in old_findings)
    # Something to compare: every old rule broken somewhere.
    assert set(compared) == set(rules.RULES) - rules.CHECKS


def test_it_generates_corrections_and_counts_them_as_the_generator_meant(store, tmp_path):
    truth = write_demo(tmp_path, messages=3000, seed=21, xml=False)
    with open(tmp_path / "declaraties.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    starts = Counter((r["afzender"], r["toewijzingnummer"], r["zorgdatum"]) for r in rows
                     if r["berichttype"] == "305" and r["status"] == "1")
    stops = Counter((r["afzender"], r["toewijzingnummer"], r["zorgdatum"]) for r in rows
                    if r["berichttype"] == "307")
    issued = Counter((r["afzender"], r["toewijzingnummer"]) for r in rows if r["berichttype"] == "301")
    assert any(n > 1 for n in starts.values())  # re-sent (or deleted and sent again)
    assert any(r["berichttype"] == "305" and r["status"] == "3" for r in rows)
    assert any(n > 1 for n in stops.values())
    assert any(n > 1 for n in issued.values())  # extended or shortened
    assert any(r["berichttype"] == "325" and r["status"] == "1" for r in rows)
    _import(store, tmp_path)
    with store.session() as session:
        per = rules.evaluate(session, today=date(2021, 12, 31)).per
    counted = {(kpi, r.provider_agb, r.month): list(r.counts[kpi])
               for r in per for kpi in r.counts if r.counts[kpi][1]}
    assert counted == dict(truth.kpis)
    lines = {(r.provider_agb, r.month): [r.lines, r.rejected] for r in per if r.lines}
    assert lines == {key: value for key, value in truth.lines.items() if value[0]}
    # And the old rules did not: the copies counted twice.
    with store.session() as session:
        old_per, _ = reference.kpis(rules.load(session), today=date(2021, 12, 31))
    old_counted = {(kpi, r.provider_agb, r.month): list(r.counts[kpi])
                   for r in old_per for kpi in r.counts if r.counts[kpi][1]}
    assert old_counted != counted
