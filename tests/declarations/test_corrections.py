"""Corrections as iJw sends them (issue 15 A–F) and the checks that came with them, each
through a real import on both engines, evaluated streamed from the store and on the
whole dataset in memory (which must agree), and where the old rules were wrong, shown
against them (`storage.declarations.reference`)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from lxml import etree

from storage.declarations import obligations, reference, rules
from storage.declarations.ijw_csv import CSV_COLUMNS
from storage.declarations.importing import import_declarations

from .conftest import NOW

P, G = "73730101", "0513"
_ids = iter(range(1, 10_000))


def row(kind: str, day: str, **values) -> dict:
    """One CSV row: a message of its own, from the provider or the municipality."""
    from_provider = kind in ("305", "307", "315", "323")
    out = {
        "berichttype": kind,
        "afzender": P if from_provider else G,
        "ontvanger": G if from_provider else P,
        "identificatie": values.pop("identificatie", f"M{next(_ids):06d}"),
        "dagtekening": day,
    }
    out.update(values)
    return out


def assignment_301(day: str, *, number="100001", start="2020-03-03", end="2020-09-30", **values):
    return row("301", day, toewijzingnummer=number, toewijzingsdatum=day, zorgdatum=start,
               periode_begin=start, periode_eind=end, **values)


def load_rows(store, tmp_path: Path, rows: list[dict], name="export.csv") -> None:
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for r in rows:
            writer.writerow(r)
    with store.session() as session, session.begin():
        import_declarations(session, [path], now=NOW)
    # What the clock does at its next tick: so a test importing in steps derives in steps.
    with store.session() as session, session.begin():
        obligations.refresh(session)


def evaluated(store, today: date, **options):
    """(findings, per-provider KPI rows) as of `today`: the streamed evaluation, checked
    against the whole-dataset functions on the same data and against the obligations
    kept in the store (derived after each import, step by step where a test imports in
    steps)."""
    with store.session() as session:
        result = rules.evaluate(session, today=today, keep_findings=True, **options)
        data = rules.load(session)
        kept = obligations.evaluate(session, today=today, **options)
        kept_findings = obligations.findings(session, today=today, provider_agb=None)
    whole = rules.findings(data, today=today, **options)
    assert [_f(f) for f in result.findings] == [_f(f) for f in whole]
    assert sorted(_f(f) for f in kept_findings) == sorted(_f(f) for f in whole)
    per, _region = rules.kpis(
        data, today=today, items=rules.obligations(data, today=today, **options)
    )
    assert [_k(r) for r in result.per] == [_k(r) for r in per]
    assert [_k(r) for r in kept.per] == [_k(r) for r in per]
    return result.findings, result.per


def old(store, today: date):
    """What the rules before issue 15 made of the same store."""
    with store.session() as session:
        data = rules.load(session)
    return reference.findings(data, today=today), reference.kpis(data, today=today)[0]


def _f(f) -> tuple:
    return (f.rule, f.subject, f.due, f.done, f.working_days_late, f.days_late, f.note)


def _k(r) -> tuple:
    return (r.provider_agb, r.month, {k: tuple(v) for k, v in r.counts.items()}, r.lines, r.rejected)


def counted(rows, kpi: str) -> tuple[int, int]:
    """(on time, counted) for a KPI over all months."""
    return (sum(r.counts[kpi][0] for r in rows), sum(r.counts[kpi][1] for r in rows))


def test_it_counts_a_305_resent_under_a_new_identificatie_once(store, tmp_path):
    # Care started 3 March: due 10 March. Sent on time, and the same start re-sent 30 March.
    start = {"toewijzingnummer": "100001", "zorgdatum": "2020-03-03", "periode_begin": "2020-03-03"}
    load_rows(store, tmp_path, [
        assignment_301("2020-02-20"),
        row("305", "2020-03-10", **start),
        row("305", "2020-03-30", **start),
    ])
    found, per = evaluated(store, date(2020, 6, 1))
    assert [f.rule for f in found if f.rule == "OP271"] == []
    assert counted(per, "305") == (1, 1)
    # The old rules counted the copy as a second, late start.
    old_found, old_per = old(store, date(2020, 6, 1))
    assert [(f.rule, f.working_days_late) for f in old_found if f.rule == "OP271"] == [("OP271", 14)]
    assert counted(old_per, "305") == (1, 2)


def test_it_counts_a_307_resent_under_a_new_identificatie_once(store, tmp_path):
    stop = {"toewijzingnummer": "100001", "zorgdatum": "2020-04-30", "periode_begin": "2020-03-03"}
    load_rows(store, tmp_path, [
        assignment_301("2020-02-20", end="2020-04-30"),
        row("305", "2020-03-05", toewijzingnummer="100001", zorgdatum="2020-03-03"),
        row("307", "2020-05-04", **stop),
        row("307", "2020-05-25", **stop),
    ])
    found, per = evaluated(store, date(2020, 6, 1))
    assert [f.rule for f in found if f.rule in ("OP272", "OP288")] == []
    assert counted(per, "307") == (1, 1)


def test_it_keeps_a_305_deleted_and_sent_again(store, tmp_path):
    start = {"toewijzingnummer": "100001", "zorgdatum": "2020-03-03"}
    load_rows(store, tmp_path, [
        assignment_301("2020-02-20"),
        row("305", "2020-03-05", productcode="45A03", **start),
        row("305", "2020-03-11", status="3", productcode="45A03", **start),
        row("305", "2020-03-12", productcode="45A04", **start),
    ])
    today = date(2020, 5, 15)
    found, per = evaluated(store, today)
    assert "START_NO_305" not in {f.rule for f in found}
    # The delivery that stands is the one sent again, on 12 March: 2 working days late.
    [late] = [f for f in found if f.rule == "OP271"]
    assert (late.due, late.done, late.working_days_late) == (date(2020, 3, 10), date(2020, 3, 12), 2)
    # Its months of care are there for the regional rule: March, undeclared at the end
    # of April (April's deadline, the end of May, has not passed).
    assert sorted(f.subject for f in found if f.rule == "REGIONAL_323") == ["2020-03"]
    old_found, _ = old(store, today)
    assert "START_NO_305" in {f.rule for f in old_found}
    assert not [f for f in old_found if f.rule == "REGIONAL_323"]


def test_it_evaluates_an_assignment_as_its_301s_known_that_day_describe_it(store, tmp_path):
    # Ended 30 April (no 307), extended on 15 June by a 301 to the end of the year.
    load_rows(store, tmp_path, [
        assignment_301("2020-01-02", start="2020-01-06", end="2020-04-30"),
        row("305", "2020-01-08", toewijzingnummer="100001", zorgdatum="2020-01-06"),
        assignment_301("2020-06-15", start="2020-01-06", end="2020-12-31"),
    ])
    found, _ = evaluated(store, date(2020, 5, 20))
    [op288] = [f for f in found if f.rule == "OP288"]
    # 30 April + 5 working days: 1, 4, 6, 7, 8 May (5 May is Bevrijdingsdag).
    assert (op288.due, op288.missing) == (date(2020, 5, 8), True)
    found, _ = evaluated(store, date(2020, 7, 1))
    assert "OP288" not in {f.rule for f in found}
    # The old rules used the 15 June 301 on 20 May too.
    assert "OP288" not in {f.rule for f in old(store, date(2020, 5, 20))[0]}


def test_it_shortens_an_assignment_from_the_day_the_301_says_so(store, tmp_path):
    # Shortened on 1 May, with effect from 31 March.
    load_rows(store, tmp_path, [
        assignment_301("2020-01-02", start="2020-01-06", end="2020-12-31"),
        row("305", "2020-01-08", toewijzingnummer="100001", zorgdatum="2020-01-06"),
        assignment_301("2020-05-01", start="2020-01-06", end="2020-03-31"),
    ])
    assert "OP288" not in {f.rule for f in evaluated(store, date(2020, 4, 15))[0]}
    assert "OP288" in {f.rule for f in old(store, date(2020, 4, 15))[0]}
    [op288] = [f for f in evaluated(store, date(2020, 5, 15))[0] if f.rule == "OP288"]
    assert op288.due == date(2020, 4, 7)


DECLARATION = {"declaratienummer": "DEC1", "periode_begin": "2020-03-01", "periode_eind": "2020-03-31"}


def test_it_counts_a_whole_rejected_declaration_as_every_line_rejected(store, tmp_path):
    load_rows(store, tmp_path, [
        row("323", "2020-04-03", identificatie="D1", regels="3", **DECLARATION),
        row("325", "2020-04-08", declaratienummer="DEC1", gerelateerd_identificatie="D1",
            gerelateerd_dagtekening="2020-04-03", regels="0", afgewezen_regels="0", status="1"),
    ])
    _, per = evaluated(store, date(2020, 6, 1))
    assert [(r.month, r.lines, r.rejected) for r in per if r.lines] == [("2020-03", 3, 3)]
    assert [(r.lines, r.rejected) for r in old(store, date(2020, 6, 1))[1] if r.lines] == [(3, 0)]


def test_it_reads_a_whole_declaration_rejection_from_the_xml(store, tmp_path, examples):
    """JW325 with RetourCode 9333 on the DeclaratieAntwoord, nothing granted, no lines,
    answering the example JW323 (5 lines)."""
    tree = etree.parse(str(examples / "JW325.xml"))
    ns = {"jw325": "http://www.istandaarden.nl/ijw/3_2/jw325/schema",
          "ijw": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"}
    header = tree.find("jw325:Header", ns)
    header.find("jw325:BerichtIdentificatie/ijw:Dagtekening", ns).text = "2026-05-10"
    header.find("jw325:DeclaratieIdentificatie/ijw:Dagtekening", ns).text = "2026-05-06"
    answer = tree.find("jw325:DeclaratieAntwoord", ns)
    answer.remove(answer.find("jw325:Clienten", ns))
    answer.find("jw325:TotaalToegekendBedrag/ijw:TotaalBedrag", ns).text = "0"
    answer.find("jw325:RetourCodes/jw325:RetourCode", ns).text = "9333"
    tree.write(str(tmp_path / "JW325.xml"), xml_declaration=True, encoding="UTF-8")
    with store.session() as session, session.begin():
        import_declarations(session, [examples / "JW323.xml", tmp_path / "JW325.xml"], now=NOW)
    _, per = evaluated(store, date(2026, 7, 1))
    assert [(r.month, r.lines, r.rejected) for r in per if r.lines] == [("2026-04", 5, 5)]


def test_it_links_a_325_by_the_323_it_names_not_by_a_reused_number(store, tmp_path):
    load_rows(store, tmp_path, [
        row("323", "2020-04-03", identificatie="D1", regels="3", **DECLARATION),
        row("325", "2020-04-08", declaratienummer="DEC1", gerelateerd_identificatie="D1",
            gerelateerd_dagtekening="2020-04-03", regels="1", afgewezen_regels="1"),
        # Re-sent under a new identificatie with the same DeclaratieNummer; never answered.
        row("323", "2020-04-20", identificatie="D2", regels="3", **DECLARATION),
    ])
    found, _ = evaluated(store, date(2020, 6, 1))
    [missing] = [f for f in found if f.rule == "OP090x4"]
    # 20 April + 10 working days (27 April is Koningsdag, 5 May Bevrijdingsdag).
    assert (missing.missing, missing.due) == (True, date(2020, 5, 6))
    assert "OP090x4" not in {f.rule for f in old(store, date(2020, 6, 1))[0]}


def test_it_links_a_325_by_number_only_when_it_names_no_323_and_the_number_is_unique(store, tmp_path):
    load_rows(store, tmp_path, [
        row("323", "2020-04-03", identificatie="D1", regels="3", **DECLARATION),
        row("325", "2020-04-08", declaratienummer="DEC1", regels="1", afgewezen_regels="1"),
        row("323", "2020-04-03", identificatie="D3", regels="2", declaratienummer="DEC2",
            periode_begin="2020-03-01", periode_eind="2020-03-31"),
        row("323", "2020-04-20", identificatie="D4", regels="2", declaratienummer="DEC2",
            periode_begin="2020-03-01", periode_eind="2020-03-31"),
        row("325", "2020-04-08", declaratienummer="DEC2", regels="1", afgewezen_regels="1"),
    ])
    found, per = evaluated(store, date(2020, 6, 1))
    # DEC1 is answered by number; DEC2 is on two 323s, so its 325 answers neither.
    assert sorted(f.subject for f in found if f.rule == "OP090x4") == ["DEC2", "DEC2"]
    assert [(r.lines, r.rejected) for r in per if r.lines] == [(3, 1)]


def test_it_counts_both_legs_of_op274_from_the_receipt_of_the_315(store, tmp_path):
    load_rows(store, tmp_path, [
        row("315", "2020-03-02", referentie="REF1", ontvangstdatum="2020-03-09"),
        row("319", "2020-03-10", referentie="REF1", status="2"),
        assignment_301("2020-05-01", referentie="REF1"),
    ])
    with store.session() as session:
        data = rules.load(session)
    [op274] = [o for o in rules.obligations(data, today=date(2020, 6, 1)) if o.rule == "OP274"]
    # Received 9 March: 8 weeks later is 4 May (from the Dagtekening it was 27 April).
    assert (op274.due, op274.done) == (date(2020, 5, 4), date(2020, 5, 1))
    found, _ = evaluated(store, date(2020, 6, 1))
    assert "OP274" not in {f.rule for f in found}
    assert "OP274" in {f.rule for f in old(store, date(2020, 6, 1))[0]}


def test_it_still_wants_a_final_answer_after_a_late_in_onderzoek(store, tmp_path):
    # A 315 of 2 March: answered "in onderzoek" on 12 March, 3 working days late. The
    # 8 weeks for the final answer hold all the same (to 27 April); none comes.
    load_rows(store, tmp_path, [
        row("315", "2020-03-02", referentie="REF1"),
        row("319", "2020-03-12", referentie="REF1", status="2"),
        row("315", "2020-03-02", referentie="REF2"),
        row("319", "2020-03-12", referentie="REF2", status="2"),
    ])
    # REF2's final answer in an import of its own: the kept obligations follow.
    load_rows(store, tmp_path, [row("319", "2020-04-10", referentie="REF2", status="1")], name="later.csv")
    found, per = evaluated(store, date(2020, 6, 15))
    op274 = sorted((f.subject, f.due, f.done) for f in found if f.rule == "OP274")
    assert op274 == [
        ("REF1", date(2020, 3, 9), date(2020, 3, 12)),  # the first answer, late
        ("REF1", date(2020, 4, 27), None),  # the final answer, missing
        ("REF2", date(2020, 3, 9), date(2020, 3, 12)),  # REF2's final answer came in time
    ]
    assert {r.month: tuple(r.counts["315"]) for r in per} == {"2020-03": (0, 2), "2020-04": (1, 2)}
    # Before a late "in onderzoek", no final answer was asked for.
    assert ("REF1", date(2020, 4, 27)) not in {(f.subject, f.due) for f in old(store, date(2020, 6, 15))[0]}


def test_it_derives_a_store_kept_by_the_old_op274_again_when_migrating(store, tmp_path, monkeypatch):
    from alembic import command

    from storage.declarations import store as queries
    from storage.migrate import alembic_config, upgrade

    late_in_onderzoek = [row("315", "2020-03-02", referentie="REF1"),
                         row("319", "2020-03-12", referentie="REF1", status="2")]
    command.downgrade(alembic_config(store.url), "0018")
    # Kept as the rules before the fix kept it: the late first answer only.
    with monkeypatch.context() as old_rules:
        old_rules.setattr(rules, "_request_group", reference._request_group)
        load_rows(store, tmp_path, late_in_onderzoek)
    with store.session() as session:
        assert [f.due for f in obligations.findings(session, today=date(2020, 6, 15), provider_agb=None)] == [
            date(2020, 3, 9)]
    store.engine.dispose()
    upgrade(store.url)
    with store.session() as session:
        assert queries.derivation_state(session) is not None  # derived again, in the migration
    found, _ = evaluated(store, date(2020, 6, 15))
    assert sorted(f.due for f in found) == [date(2020, 3, 9), date(2020, 4, 27)]


def test_it_holds_a_305_to_its_begindatum_until_its_retroactive_301_is_known(store, tmp_path):
    # Care from 2 March; the 305 on 10 March, the (retroactive) 301 only on 16 March.
    load_rows(store, tmp_path, [
        row("305", "2020-03-10", toewijzingnummer="100001", zorgdatum="2020-03-02"),
        assignment_301("2020-03-16", start="2020-03-02"),
    ])
    before, _ = evaluated(store, date(2020, 3, 12))
    assert [(f.rule, f.due, f.done) for f in before] == [("OP271", date(2020, 3, 9), date(2020, 3, 10))]
    after, per = evaluated(store, date(2020, 3, 20))
    assert "OP271" not in {f.rule for f in after}  # due 23 March, 5 working days after the 301
    assert counted(per, "305") == (1, 1)


def test_it_reports_a_305_whose_begindatum_is_after_its_dagtekening(store, tmp_path):
    load_rows(store, tmp_path, [
        assignment_301("2020-02-20", start="2020-03-09"),
        row("305", "2020-03-02", toewijzingnummer="100001", zorgdatum="2020-03-09"),
    ])
    found, _ = evaluated(store, date(2020, 6, 1))
    [early] = [f for f in found if f.rule == "START_REPORTED_EARLY"]
    assert (early.subject, early.due, early.done, early.working_days_late, early.days_late) == (
        "100001", date(2020, 3, 9), date(2020, 3, 2), 5, 7,
    )
    # It still counts as a 305 on time.
    assert "OP271" not in {f.rule for f in found}


def test_it_moves_the_regional_deadline_as_the_region_says(store, tmp_path):
    # Care in January 2021 (from a 305); the deadline, 28 February 2021, is a Sunday.
    load_rows(store, tmp_path, [
        assignment_301("2021-01-04", start="2021-01-04", end="2021-01-31"),
        row("305", "2021-01-05", toewijzingnummer="100001", zorgdatum="2021-01-04"),
        row("307", "2021-02-01", toewijzingnummer="100001", zorgdatum="2021-01-31",
            periode_begin="2021-01-04"),
        row("323", "2021-03-01", identificatie="D1", regels="1", declaratienummer="DEC9",
            periode_begin="2021-01-01", periode_eind="2021-01-31"),
    ])
    found, _ = evaluated(store, date(2021, 4, 1))
    assert "REGIONAL_323" not in {f.rule for f in found}
    found, _ = evaluated(store, date(2021, 4, 1), deadline_moved=False)
    [late] = [f for f in found if f.rule == "REGIONAL_323"]
    assert (late.due, late.days_late) == (date(2021, 2, 28), 1)


def test_it_fills_in_the_latest_301_of_stored_assignments_when_migrating(tmp_path):
    """Migration 0007 on a store with declarations: each assignment gets the Dagtekening
    of its latest 301 event; one without 301 events keeps none (its row stands for it)."""
    from sqlalchemy import create_engine, text

    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    for revision in ("0002", "0003", "0004", "0005"):
        upgrade(url, revision)
    engine = create_engine(url)
    with engine.begin() as connection:
        for number in ("1", "2"):
            connection.execute(text(
                "INSERT INTO declaration_assignment (municipality_code, toewijzing_nummer, provider_agb,"
                " start_date, assigned_on, first_message_date, retroactive, updated_at)"
                f" VALUES ('{G}', '{number}', '{P}', '2020-01-06', '2020-03-02', '2020-01-02', 0,"
                " '2020-03-02 00:00:00')"))
        for ident, day in (("A", "2020-01-02"), ("B", "2020-03-02")):
            connection.execute(text(
                "INSERT INTO declaration_event (message_type, sender, receiver, message_id, message_date,"
                " position, municipality_code, provider_agb, toewijzing_nummer, period_start, source,"
                f" imported_at) VALUES ('301', '{G}', '{P}', '{ident}', '{day}', 1, '{G}', '{P}', '1',"
                " '2020-01-06', 'csv', '2020-03-02 00:00:00')"))
    upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT toewijzing_nummer, last_message_date FROM declaration_assignment"
            " ORDER BY toewijzing_nummer")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("1", "2020-03-02"), ("2", None)]
