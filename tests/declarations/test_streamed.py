"""The streamed evaluation (`rules.evaluate`, a group at a time from the
store) gives exactly what the whole-dataset computation gives (`load`, `obligations`,
`findings`, `kpis` on everything in memory, with the same per-group rules): the same
KPI rows, the same findings in the same order, and the same weekly digest — on a
generated year plus the odd cases a generator does not make (deletions, lines without or with an unknown
ToewijzingNummer, a 305 sent before its 301, a 305 from another provider, answers on
the same day, duplicate 325s)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from commands import declaraties
from commands.render import to_message
from storage.declarations import rules, store
from storage.declarations.demo import write_demo
from storage.declarations.ijw_csv import import_ijw_csv

from .conftest import NOW

P1, P2, G1, G2 = "73730101", "73730202", "0513", "1931"
DAYS = (date(2020, 1, 31), date(2020, 3, 1), date(2020, 5, 10), date(2020, 8, 16), date(2021, 6, 30))


def _event(n: int, kind: str, day: date, *, provider=P1, municipality=G1, **values) -> dict:
    row = dict(
        message_type=kind, sender=provider if kind in ("305", "307", "315", "323") else municipality,
        receiver=municipality if kind in ("305", "307", "315", "323") else provider,
        message_id=f"X{n:07d}", message_date=day, position=0, municipality_code=municipality,
        provider_agb=provider, receipt_date=None, toewijzing_nummer=None, reference=None,
        product_category=None, product_code=None, care_date=None, period_start=None,
        period_end=None, status=None, declaration_number=None, related_id=None,
        related_date=None, line_count=None, rejected_count=None, source="test", imported_at=NOW,
    )
    row.update(values)
    return row


def _odd_cases(session) -> None:
    d = date
    store.upsert_assignments(session, now=NOW, rows=[
        store.AssignmentRow(G1, "ODD001", P1, "45", "45A03", None, d(2020, 2, 3), d(2020, 6, 30),
                            d(2020, 2, 1), d(2020, 2, 1)),
        # First sent (301) long after a 305 about it arrived.
        store.AssignmentRow(G1, "ODD002", P1, "45", "45A03", None, d(2020, 1, 6), d(2020, 12, 31),
                            d(2020, 9, 1), d(2020, 9, 1)),
        store.AssignmentRow(G2, "ODD003", P2, "55", "55A11", None, d(2020, 3, 2), None,
                            d(2020, 3, 2), d(2020, 3, 2)),
        # One ToewijzingNummer in two municipalities: findings that tie on every sort key
        # but the municipality keep the order of the events.
        store.AssignmentRow(G1, "ODD004", P1, "45", "45A03", None, d(2020, 1, 13), d(2020, 5, 1),
                            d(2020, 1, 10), d(2020, 1, 10)),
        store.AssignmentRow(G2, "ODD004", P1, "45", "45A03", None, d(2020, 1, 6), d(2020, 5, 1),
                            d(2020, 1, 3), d(2020, 1, 3)),
    ])
    store.ensure_providers(session, names={P1: None, P2: None})
    events = [
        # Two starts the same days late, one deleted and resent.
        _event(1, "305", d(2020, 2, 20), toewijzing_nummer="ODD001", care_date=d(2020, 2, 3)),
        _event(2, "305", d(2020, 2, 20), toewijzing_nummer="ODD001", care_date=d(2020, 2, 10)),
        _event(3, "305", d(2020, 2, 21), toewijzing_nummer="ODD001", care_date=d(2020, 2, 10),
               status="3"),
        _event(4, "305", d(2020, 2, 24), toewijzing_nummer="ODD001", care_date=d(2020, 2, 11)),
        # A start reported before it happened, and its copy under a new identificatie.
        _event(28, "305", d(2020, 2, 20), toewijzing_nummer="ODD001", care_date=d(2020, 2, 26)),
        _event(29, "305", d(2020, 2, 27), toewijzing_nummer="ODD001", care_date=d(2020, 2, 26)),
        _event(5, "307", d(2020, 7, 20), toewijzing_nummer="ODD001", care_date=d(2020, 6, 30),
               period_start=d(2020, 2, 3)),
        # A 305 before the 301 (first sent in September).
        _event(6, "305", d(2020, 1, 20), toewijzing_nummer="ODD002", care_date=d(2020, 1, 6)),
        # Lines without a ToewijzingNummer, and about an unknown one.
        _event(7, "305", d(2020, 2, 5), care_date=d(2020, 1, 27)),
        _event(8, "307", d(2020, 4, 5), care_date=d(2020, 3, 27)),
        _event(9, "305", d(2020, 2, 5), toewijzing_nummer="NOSUCH", care_date=d(2020, 1, 13)),
        _event(10, "307", d(2020, 2, 28), municipality=G2, toewijzing_nummer="NOSUCH",
               care_date=d(2020, 2, 14)),
        # Another provider's 305 for P2's assignment.
        _event(11, "305", d(2020, 3, 20), provider=P1, municipality=G2, toewijzing_nummer="ODD003",
               care_date=d(2020, 3, 2)),
        # A request answered by a 301 and a 319 on the same day; one with an empty rules.
        _event(12, "315", d(2020, 3, 2), reference="REF-ODD"),
        _event(13, "319", d(2020, 3, 5), reference="REF-ODD", status="2"),
        _event(14, "301", d(2020, 3, 5), reference="REF-ODD", toewijzing_nummer="ODD001"),
        _event(15, "315", d(2020, 3, 2), reference=""),
        _event(16, "319", d(2020, 3, 3), reference="", status="1"),
        _event(17, "315", d(2020, 4, 1)),
        # Declarations: answered twice by id, by number only, and not at all.
        _event(18, "323", d(2020, 3, 10), declaration_number="DEC-1", period_start=d(2020, 2, 1),
               period_end=d(2020, 2, 29), line_count=7),
        _event(19, "325", d(2020, 3, 30), related_id="X0000018", related_date=d(2020, 3, 10),
               rejected_count=2),
        _event(20, "325", d(2020, 3, 12), related_id="X0000018", related_date=d(2020, 3, 10),
               rejected_count=5),
        _event(21, "323", d(2020, 4, 10), municipality=G2, declaration_number="DEC-2",
               period_start=d(2020, 3, 1), period_end=d(2020, 3, 31), line_count=3),
        _event(22, "325", d(2020, 4, 28), municipality=G2, declaration_number="DEC-2",
               rejected_count=1),
        _event(24, "305", d(2020, 1, 27), toewijzing_nummer="ODD004", care_date=d(2020, 1, 13)),
        _event(25, "305", d(2020, 1, 20), municipality=G2, toewijzing_nummer="ODD004",
               care_date=d(2020, 1, 6)),
        _event(26, "315", d(2020, 3, 2), municipality=G2, reference="REF-TIE"),
        _event(27, "315", d(2020, 2, 3), reference="REF-TIE"),
        _event(23, "323", d(2020, 5, 10), provider=P2, municipality=G2, declaration_number="DEC-3",
               period_start=d(2020, 3, 1), period_end=d(2020, 4, 30), line_count=4,
               receipt_date=d(2020, 5, 12)),
    ]
    store.add_events(session, events=events)


@pytest.fixture
def year(store, tmp_path):
    out = tmp_path / "demo"
    write_demo(out, messages=1500, seed=7, xml=False)
    with store.session() as session, session.begin():
        import_ijw_csv(session, [out / "declaraties.csv", out / "aanbieders.csv"], now=NOW)
        _odd_cases(session)
    return store


def _finding(f) -> tuple:
    return (f.rule, f.provider_agb, f.municipality_code, f.subject, f.kind, f.due, f.done,
            f.working_days_late, f.days_late, f.note)


def _row(r) -> tuple:
    return (r.provider_agb, r.month, {k: tuple(v) for k, v in r.counts.items()}, r.lines, r.rejected)


def _obligation(o) -> tuple:
    return (o.rule, o.provider_agb, o.municipality_code, o.subject, o.kind, o.due, o.done, o.note)


def test_it_streams_the_same_kpis_and_findings_as_the_whole_dataset(year):
    with year.session() as session:
        providers = [None, *sorted(store.providers(session))]
        checked = Counter()
        for today in DAYS:
            for agb in providers:
                data = rules.load(session, provider_agb=agb)
                items = rules.obligations(data, today=today, deadline_months=2)
                expected_findings = [_finding(f) for f in rules.findings(items, today=today)]
                for month in (None, f"{today.year:04d}-{max(today.month - 1, 1):02d}"):
                    per, region = rules.kpis(data, today=today, month=month, items=items)
                    seen = []
                    result = rules.evaluate(session, today=today, deadline_months=2, provider_agb=agb,
                                            month=month, keep_findings=True, on_finding=seen.append)
                    assert [_row(r) for r in result.per] == [_row(r) for r in per]
                    assert [_row(r) for r in result.region] == [_row(r) for r in region]
                    assert [_finding(f) for f in result.findings] == expected_findings
                    assert sorted(map(_finding, seen)) == sorted(expected_findings)
                checked["findings"] += len(expected_findings)
                for f in expected_findings:
                    checked[f[0]] += 1
    # The comparison had something to compare: every rule broken somewhere.
    assert {rule for rule in checked if rule in rules.RULES} == set(rules.RULES)
    assert checked["findings"] > 1000


def _reference_digest_lines(session, week_ending: date) -> tuple[Counter, Counter, dict, object]:
    """The weekly digest's figures as the whole-dataset version computed them."""
    data = rules.load(session)
    items = rules.obligations(data, today=week_ending)
    found = rules.findings(items, today=week_ending)
    week_start = week_ending - timedelta(days=6)
    open_count = Counter(f.provider_agb for f in found)
    new_count = Counter(
        f.provider_agb
        for f in found
        if (f.done and week_start <= f.done <= week_ending)
        or (f.done is None and week_start <= f.due + timedelta(days=1) <= week_ending)
    )
    this_year = [o for o in items if o.due.year == week_ending.year]
    per, region = rules.kpis(data, today=week_ending, items=this_year)
    per = [r for r in per if r.month.startswith(f"{week_ending.year:04d}-")]
    region = [r for r in region if r.month.startswith(f"{week_ending.year:04d}-")]
    return open_count, new_count, rules.provider_summary(per), rules.provider_summary(region)


@pytest.mark.parametrize("week_ending", [date(2020, 3, 1), date(2020, 10, 4)])
def test_the_weekly_digest_says_what_it_said(year, week_ending):
    with year.session() as session:
        names = store.providers(session)
        open_count, new_count, totals, region = _reference_digest_lines(session, week_ending)
        reply = declaraties.weekly_digest(session, week_ending=week_ending, lang="nl")
    blocks = to_message(reply, lang="nl")["blocks"]
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert sum(open_count.values()) > 0 and sum(new_count.values()) > 0
    for agb in set(totals) | set(open_count):
        row = totals.get(agb, rules.KpiRow(agb, "*"))
        line = (f"*{names[agb]}*: {open_count.get(agb, 0)} bevindingen ({new_count.get(agb, 0)} nieuw "
                f"deze week) · {declaraties.kpi_text(row, 'nl')}")
        assert line in text
    assert f"*Regio*: {declaraties.kpi_text(region[None], 'nl')}" in text
    assert reply.summary == (f"Declaraties: {sum(open_count.values())} bevindingen bij "
                             f"{len(open_count)} aanbieders")
