"""Hand-built cases for each rule on both sides of its deadline (docs/architecture.md §5), including
deadlines across Bevrijdingsdag (5 May 2020) and Easter 2020 (Goede Vrijdag 10 April,
Tweede Paasdag 13 April)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from storage.declarations.rules import (
    AssignmentFact,
    Dataset,
    EventFact,
    declaration_deadline,
    findings,
    kpis,
    obligations,
    start_due,
)

P, G = "73730101", "0513"
_ids = count(1)


def assignment(number="100001", *, start, end=None, first=None, retroactive=None):
    first = first or start
    return AssignmentFact(
        municipality_code=G,
        toewijzing_nummer=number,
        provider_agb=P,
        start_date=start,
        end_date=end,
        first_message_date=first,
        retroactive=start < first if retroactive is None else retroactive,
    )


def event(kind, day, **values):
    return EventFact(message_type=kind, provider_agb=P, municipality_code=G,
                     message_id=str(next(_ids)), message_date=day, **values)


def found(data, today, rule, **kw):
    return [f for f in findings(data, today=today, **kw) if f.rule == rule]


def test_it_counts_op271_across_bevrijdingsdag():
    a = assignment(start=date(2020, 4, 30), end=date(2020, 9, 30), first=date(2020, 4, 20))
    assert start_due(date(2020, 4, 30), a) == date(2020, 5, 8)  # 1, 4, 6, 7, 8 May
    on_time = Dataset([a], [event("305", date(2020, 5, 8), toewijzing_nummer="100001", care_date=date(2020, 4, 30))])
    assert found(on_time, date(2020, 6, 1), "OP271") == []
    late = Dataset([a], [event("305", date(2020, 5, 11), toewijzing_nummer="100001", care_date=date(2020, 4, 30))])
    [f] = found(late, date(2020, 6, 1), "OP271")
    assert (f.subject, f.due, f.done, f.working_days_late, f.days_late) == (
        "100001", date(2020, 5, 8), date(2020, 5, 11), 1, 3,
    )


def test_it_counts_op271_from_the_301_for_a_retroactive_assignment():
    a = assignment(start=date(2020, 3, 2), end=date(2020, 9, 30), first=date(2020, 3, 20))
    assert a.retroactive
    ok = Dataset([a], [event("305", date(2020, 3, 27), toewijzing_nummer="100001", care_date=date(2020, 3, 2))])
    assert found(ok, date(2020, 6, 1), "OP271") == []
    late = Dataset([a], [event("305", date(2020, 3, 30), toewijzing_nummer="100001", care_date=date(2020, 3, 2))])
    [f] = found(late, date(2020, 6, 1), "OP271")
    assert (f.due, f.working_days_late, f.note) == (date(2020, 3, 27), 1, "retroactive")


def test_it_counts_op272_across_easter():
    stop = {"toewijzing_nummer": "100001", "care_date": date(2020, 4, 9), "period_start": date(2020, 1, 6)}
    # 9 April + 5 working days: 14, 15, 16, 17, 20 April (10 and 13 April are holidays).
    assert found(Dataset([], [event("307", date(2020, 4, 20), **stop)]), date(2020, 6, 1), "OP272") == []
    [f] = found(Dataset([], [event("307", date(2020, 4, 21), **stop)]), date(2020, 6, 1), "OP272")
    assert (f.due, f.working_days_late, f.days_late) == (date(2020, 4, 20), 1, 1)


def test_it_reports_a_start_date_passed_without_a_305():
    data = Dataset([assignment(start=date(2020, 4, 30), end=date(2020, 9, 30), first=date(2020, 4, 20))], [])
    assert found(data, date(2020, 5, 8), "START_NO_305") == []
    [f] = found(data, date(2020, 5, 11), "START_NO_305")
    assert (f.due, f.done, f.missing, f.working_days_late) == (date(2020, 5, 8), None, True, 1)


def test_it_reports_a_started_delivery_never_closed_op288():
    a = assignment(start=date(2020, 6, 1), end=date(2020, 6, 30), first=date(2020, 5, 25))
    start = event("305", date(2020, 6, 2), toewijzing_nummer="100001", care_date=date(2020, 6, 1))
    data = Dataset([a], [start])
    # Planned end 30 June + 5 working days: 7 July.
    assert found(data, date(2020, 7, 7), "OP288") == []
    [f] = found(data, date(2020, 7, 8), "OP288")
    assert (f.due, f.working_days_late) == (date(2020, 7, 7), 1)
    stop = event("307", date(2020, 7, 1), toewijzing_nummer="100001", care_date=date(2020, 6, 30),
                 period_start=date(2020, 6, 1))
    assert found(Dataset([a], [start, stop]), date(2020, 8, 1), "OP288") == []
    assert found(Dataset([a], [start, stop]), date(2020, 8, 1), "END_NO_307") == []


def test_it_reports_an_end_date_passed_without_any_start_or_stop():
    data = Dataset([assignment(start=date(2020, 6, 1), end=date(2020, 6, 30), first=date(2020, 5, 25))], [])
    assert found(data, date(2020, 7, 7), "END_NO_307") == []
    [f] = found(data, date(2020, 7, 8), "END_NO_307")
    assert f.due == date(2020, 7, 7)
    assert found(data, date(2020, 7, 8), "OP288") == []


def test_it_counts_op274_five_working_days_across_easter():
    request = event("315", date(2020, 4, 8), reference="REF1")
    # 8 April + 5 working days: 9, 14, 15, 16, 17 April.
    answer = event("301", date(2020, 4, 17), reference="REF1", toewijzing_nummer="100001")
    assert found(Dataset([], [request, answer]), date(2020, 6, 1), "OP274") == []
    late = event("301", date(2020, 4, 20), reference="REF1", toewijzing_nummer="100001")
    [f] = found(Dataset([], [request, late]), date(2020, 6, 1), "OP274")
    assert (f.subject, f.due, f.working_days_late, f.days_late) == ("REF1", date(2020, 4, 17), 1, 3)
    # No answer at all: missing once the five working days are over.
    assert found(Dataset([], [request]), date(2020, 4, 17), "OP274") == []
    [f] = found(Dataset([], [request]), date(2020, 4, 20), "OP274")
    assert f.missing
    # An answer about another request does not count.
    other = event("301", date(2020, 4, 9), reference="REF2", toewijzing_nummer="100002")
    assert len(found(Dataset([], [request, other]), date(2020, 4, 20), "OP274")) == 1


def test_it_counts_op274_eight_weeks_after_in_onderzoek():
    request = event("315", date(2020, 4, 8), reference="REF1")
    investigating = event("319", date(2020, 4, 9), reference="REF1", status="2")
    final_ok = event("319", date(2020, 6, 3), reference="REF1", status="1")  # 8 April + 56 days
    assert found(Dataset([], [request, investigating, final_ok]), date(2020, 7, 1), "OP274") == []
    final_late = event("319", date(2020, 6, 4), reference="REF1", status="1")
    [f] = found(Dataset([], [request, investigating, final_late]), date(2020, 7, 1), "OP274")
    assert (f.due, f.days_late) == (date(2020, 6, 3), 1)
    assert found(Dataset([], [request, investigating]), date(2020, 6, 3), "OP274") == []
    [f] = found(Dataset([], [request, investigating]), date(2020, 6, 4), "OP274")
    assert f.missing and f.due == date(2020, 6, 3)


def test_it_counts_op090x4_ten_working_days_across_bevrijdingsdag():
    declaration = event("323", date(2020, 4, 28), declaration_number="D1", line_count=3,
                        period_start=date(2020, 3, 1), period_end=date(2020, 3, 31))
    # 28 April + 10 working days: 29, 30 April, 1, 4, 6, 7, 8, 11, 12, 13 May.
    answer = event("325", date(2020, 5, 13), related_id=declaration.message_id,
                   related_date=declaration.message_date, line_count=0, rejected_count=0)
    assert found(Dataset([], [declaration, answer]), date(2020, 6, 1), "OP090x4") == []
    late = event("325", date(2020, 5, 14), related_id=declaration.message_id,
                 related_date=declaration.message_date, line_count=0, rejected_count=0)
    [f] = found(Dataset([], [declaration, late]), date(2020, 6, 1), "OP090x4")
    assert (f.subject, f.due, f.working_days_late) == ("D1", date(2020, 5, 13), 1)
    [f] = found(Dataset([], [declaration]), date(2020, 5, 14), "OP090x4")
    assert f.missing
    assert found(Dataset([], [declaration]), date(2020, 5, 13), "OP090x4") == []


def test_it_counts_op090x4_from_the_receipt_date_when_known():
    declaration = event("323", date(2020, 4, 28), receipt_date=date(2020, 4, 30), declaration_number="D1",
                        line_count=1, period_start=date(2020, 3, 1), period_end=date(2020, 3, 31))
    [o] = [o for o in obligations(Dataset([], [declaration]), today=date(2020, 6, 1)) if o.rule == "OP090x4"]
    assert o.due == date(2020, 5, 15)


def _march_of_care(declared_on: date | None):
    a = assignment(start=date(2020, 3, 2), end=date(2020, 12, 31), first=date(2020, 2, 24))
    items = [
        event("305", date(2020, 3, 3), toewijzing_nummer="100001", care_date=date(2020, 3, 2)),
        event("307", date(2020, 4, 1), toewijzing_nummer="100001", care_date=date(2020, 3, 31),
              period_start=date(2020, 3, 2)),
    ]
    if declared_on:
        items.append(event("323", declared_on, declaration_number="D9", line_count=1,
                           period_start=date(2020, 3, 1), period_end=date(2020, 3, 31)))
    return Dataset([a], items)


def test_it_checks_the_regional_declaration_deadline():
    assert declaration_deadline(2020, 3) == date(2020, 4, 30)
    assert declaration_deadline(2020, 12, moved=False) == date(2021, 1, 31)
    assert declaration_deadline(2020, 3, months_after=2, moved=False) == date(2020, 5, 31)
    assert found(_march_of_care(date(2020, 4, 30)), date(2020, 7, 1), "REGIONAL_323") == []
    [f] = found(_march_of_care(date(2020, 5, 1)), date(2020, 7, 1), "REGIONAL_323")
    assert (f.subject, f.due, f.days_late) == ("2020-03", date(2020, 4, 30), 1)
    assert found(_march_of_care(None), date(2020, 4, 30), "REGIONAL_323") == []
    [f] = found(_march_of_care(None), date(2020, 5, 1), "REGIONAL_323")
    assert f.missing
    # The deadline is a setting: two months after gives until 31 May.
    assert found(_march_of_care(date(2020, 5, 1)), date(2020, 7, 1), "REGIONAL_323", deadline_months=2) == []


def test_it_moves_the_regional_deadline_off_weekends_and_holidays():
    # 31 January 2021 is a Sunday; 31 May 2020 a Sunday, and 1 June Tweede Pinksterdag.
    assert declaration_deadline(2020, 12) == date(2021, 2, 1)
    assert declaration_deadline(2020, 3, months_after=2) == date(2020, 6, 2)
    declared_2_june = _march_of_care(date(2020, 6, 2))
    assert found(declared_2_june, date(2020, 7, 1), "REGIONAL_323", deadline_months=2) == []
    # As a region setting, not moved: 2 days late.
    [f] = found(declared_2_june, date(2020, 7, 1), "REGIONAL_323", deadline_months=2,
                deadline_moved=False)
    assert (f.due, f.days_late) == (date(2020, 5, 31), 2)


def test_it_ignores_a_deleted_start_and_messages_after_today():
    a = assignment(start=date(2020, 4, 30), end=date(2020, 9, 30), first=date(2020, 4, 20))
    start = event("305", date(2020, 5, 20), toewijzing_nummer="100001", care_date=date(2020, 4, 30))
    delete = event("305", date(2020, 5, 21), toewijzing_nummer="100001", care_date=date(2020, 4, 30), status="3")
    data = Dataset([a], [start, delete])
    assert found(data, date(2020, 6, 1), "OP271") == []
    assert len(found(data, date(2020, 6, 1), "START_NO_305")) == 1
    # As of 15 May the late 305 of 20 May is not known yet: the start is simply missing.
    assert [f.rule for f in findings(Dataset([a], [start]), today=date(2020, 5, 15))] == ["START_NO_305"]


def test_it_counts_kpis_by_the_month_of_the_deadline():
    a = assignment(start=date(2020, 4, 30), end=date(2020, 9, 30), first=date(2020, 4, 20))
    b = assignment("100002", start=date(2020, 4, 1), end=date(2020, 9, 30), first=date(2020, 3, 25))
    data = Dataset([a, b], [
        event("305", date(2020, 5, 11), toewijzing_nummer="100001", care_date=date(2020, 4, 30)),  # late, due 8 May
        event("305", date(2020, 4, 2), toewijzing_nummer="100002", care_date=date(2020, 4, 1)),  # on time, due 8 April
    ])
    per, region = kpis(data, today=date(2020, 12, 31))
    assert {(r.month, tuple(r.counts["305"])) for r in per if r.counts["305"][1]} == {
        ("2020-04", (1, 1)),
        ("2020-05", (0, 1)),
    }
    assert [r.percentage("305") for r in region if r.counts["305"][1]] == [100.0, 0.0]
    # Both deliveries are still open after their planned end: two missing 307s in October.
    assert [(r.month, tuple(r.counts["307"])) for r in region if r.counts["307"][1]] == [("2020-10", (0, 2))]


def test_it_counts_working_days_late_like_storage_workdays():
    import random

    from storage import workdays
    from storage.declarations import rules as declaration_rules

    rng = random.Random(4)
    for _ in range(400):
        start = date(2019, 12, 1) + timedelta(days=rng.randint(0, 800))
        end = start + timedelta(days=rng.randint(-40, 400))
        assert declaration_rules.working_days_between(start, end) == workdays.working_days_between(start, end)
