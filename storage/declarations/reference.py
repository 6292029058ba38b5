"""The timeliness rules as they were before issue 15 — the reference the tests compare
the current rules (`rules`) with on generated traffic that carries no corrections.

Kept unchanged on purpose (do not fix it): on traffic without re-sent copies,
deletions followed by a new delivery, later 301s, whole-declaration rejections, 323s
re-sent under a reused DeclaratieNummer, receipt dates on 315s, a late "in onderzoek",
starts reported early or regional deadlines on a weekend, the corrected rules must give
exactly what these give. The data types, KPI tally and finding helpers did not change and come from
`rules`; only the functions the corrections touched are here, as they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from storage.declarations.models import ANSWER_INVESTIGATING, STATUS_DELETE
from storage.declarations.rules import (
    ANSWER_DAYS,
    DECLARATION_ANSWER_DAYS,
    INVESTIGATION_DAYS,
    STOP_DAYS,
    AssignmentFact,
    Dataset,
    EventFact,
    Finding,
    KpiRow,
    KpiTally,
    Obligation,
    add_working_days,
    finding_of,
    month_end,
    sort_findings,
    start_due,
)


def declaration_deadline(year: int, month: int, *, months_after: int = 1) -> date:
    """The regional deadline for declaring a month: the end of the month `months_after`
    later (default: the end of the following month)."""
    index = year * 12 + (month - 1) + months_after
    return month_end(index // 12, index % 12 + 1)


def _active(items: list[tuple[object, EventFact]]) -> list[tuple[object, EventFact]]:
    """Start/stop lines of one assignment, (order, line) pairs, minus deletions
    (StatusAanlevering 3) and what they delete (the lines with the same care date)."""
    deleted = {e.care_date for _, e in items if e.status == STATUS_DELETE}
    if not deleted:
        return items
    return [(o, e) for o, e in items if e.status != STATUS_DELETE and e.care_date not in deleted]


# The rules work on one group of data at a time: everything about one assignment, one
# requested product, or one provider's declarations. Both the whole-dataset functions
# (`obligations`, `kpis`) and the streamed evaluation (`evaluate`) hand each group to the
# same functions below. An obligation carries an `order` that reproduces where the
# whole-dataset computation would have listed it (the order of the events, and within a
# rule by assignment, request or declaration), so that findings with equal sort keys
# come out in the same order however the data was read.


def _line_rules(
    a: AssignmentFact | None,
    starts: list[tuple[object, EventFact]],
    stops: list[tuple[object, EventFact]],
    *,
    today: date,
    emit,
    months: set[tuple[str, str, int, int]],
) -> None:
    """OP271 and OP272 for an assignment's active start and stop lines, and its months of
    care."""
    # OP271: every 305 against its due date.
    if starts:
        first = starts[0][0]
        retro = a is not None and a.retroactive
        for order, e in starts:
            if e.care_date is None:
                continue
            emit(
                Obligation("OP271", e.provider_agb, e.municipality_code, str(e.toewijzing_nummer),
                           "assignment", start_due(e.care_date, a), e.message_date,
                           note="retroactive" if retro else "", order=(first, order))
            )
    # OP272: every 307 against its due date.
    for order, e in stops:
        if e.care_date is None:
            continue
        emit(
            Obligation("OP272", e.provider_agb, e.municipality_code, str(e.toewijzing_nummer),
                       "assignment", add_working_days(e.care_date, STOP_DAYS), e.message_date,
                       order=order)
        )
    # Regional: the months with care delivered, up to the last month ended before today
    # (a month has ended before `today` exactly when it comes before today's month).
    before = (today.year, today.month)
    for _, s in starts:
        if s.care_date is None:
            continue
        later_stops = [t.care_date for _, t in stops if t.care_date and t.care_date >= s.care_date]
        end = min(later_stops) if later_stops else (a.end_date if a and a.end_date else today)
        end = min(end, today)
        last = min((end.year, end.month), before)
        year, month = s.care_date.year, s.care_date.month
        while (year, month) <= last and (year, month) < before:
            months.add((s.provider_agb, s.municipality_code, year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _assignment_rules(
    a: AssignmentFact,
    assignment_order: object,
    starts: list[tuple[object, EventFact]],
    stops: list[tuple[object, EventFact]],
    *,
    today: date,
    emit,
) -> None:
    """START_NO_305, OP288 and END_NO_307 for an assignment and its active start and
    stop lines."""
    # START_NO_305, OP288, END_NO_307: per assignment.
    if (
        a.first_message_date <= today
        # withdrawn or deleted (OP087: end date equal to start date)
        and not (a.end_date is not None and a.end_date <= a.start_date)
    ):
        n = 0
        started = sorted((e for _, e in starts), key=lambda e: e.care_date or e.message_date)
        stopped = [e for _, e in stops]
        if not started:
            emit(
                Obligation("START_NO_305", a.provider_agb, a.municipality_code, a.toewijzing_nummer,
                           "assignment", start_due(a.start_date, a), None,
                           note="retroactive" if a.retroactive else "", order=(assignment_order, 0))
            )
            if not stopped and a.end_date is not None:
                emit(
                    Obligation("END_NO_307", a.provider_agb, a.municipality_code, a.toewijzing_nummer,
                               "assignment", add_working_days(a.end_date, STOP_DAYS), None,
                               order=(assignment_order, 1))
                )
        else:
            # Pair each start with a stop that refers to it (307 Begindatum) or follows it.
            unmatched = list(stopped)
            for s in started:
                match = next((t for t in unmatched if t.period_start == s.care_date), None)
                if match is None:
                    match = next(
                        (t for t in unmatched if t.care_date and s.care_date and t.care_date >= s.care_date),
                        None,
                    )
                if match is not None:
                    unmatched.remove(match)
                    continue
                if a.end_date is not None:
                    emit(
                        Obligation("OP288", a.provider_agb, a.municipality_code, a.toewijzing_nummer,
                                   "assignment", add_working_days(a.end_date, STOP_DAYS), None,
                                   order=(assignment_order, n))
                    )
                    n += 1


def _request_group(
    requests: list[tuple[object, EventFact]], answers: list[EventFact], *, emit
) -> None:
    """OP274 for the requests (315) of one (provider, municipality, ReferentieAanbieder):
    per requested product, the first answer in 5 working days, and a final one within 8
    weeks after "in onderzoek". `answers` are the 301s and 319s with that reference, by
    date (301s before 319s on the same day)."""
    for order, request in requests:
        due = add_working_days(request.received, ANSWER_DAYS)
        replies = [e for e in answers if e.message_date >= request.message_date]
        subject = str(request.reference)
        first = replies[0] if replies else None
        investigating = first is not None and first.message_type == "319" and first.status == ANSWER_INVESTIGATING
        if first is None or not investigating or first.message_date > due:
            emit(
                Obligation("OP274", request.provider_agb, request.municipality_code, subject, "request",
                           due, first.message_date if first else None,
                           note="in onderzoek" if investigating else "", order=order)
            )
            continue
        final = next(
            (e for e in replies[1:] if e.message_type == "301" or e.status != ANSWER_INVESTIGATING),
            None,
        )
        emit(
            Obligation("OP274", request.provider_agb, request.municipality_code, subject, "request",
                       request.message_date + timedelta(days=INVESTIGATION_DAYS),
                       final.message_date if final else None, note="final answer after in onderzoek",
                       order=order)
        )


def _answer_indexes(answers: Iterable[EventFact]) -> tuple[dict, dict]:
    """325s by the 323 they name (BerichtIdentificatie and date) and by DeclaratieNummer,
    each list in the order given."""
    by_id: dict[tuple, list[EventFact]] = defaultdict(list)
    by_number: dict[tuple, list[EventFact]] = defaultdict(list)
    for e in answers:
        if e.related_id:
            by_id[(e.provider_agb, e.related_id, e.related_date)].append(e)
        if e.declaration_number:
            by_number[(e.provider_agb, e.municipality_code, e.declaration_number)].append(e)
    return by_id, by_number


def _replies(d: EventFact, by_id: dict, by_number: dict) -> list[EventFact]:
    return by_id.get((d.provider_agb, d.message_id, d.message_date)) or by_number.get(
        (d.provider_agb, d.municipality_code, d.declaration_number), []
    )


def _declaration_group(
    declarations: list[tuple[object, EventFact]],
    answers: list[EventFact],
    months: Iterable[tuple[str, str, int, int]],
    *,
    deadline_months: int,
    emit,
) -> None:
    """OP090x4 (a 325 for every 323) and REGIONAL_323 (every month with care declared
    by the deadline) for one provider's declarations and answers, in event order, and
    that provider's months of care."""
    by_id, by_number = _answer_indexes(answers)
    for order, d in declarations:
        done = min((e.message_date for e in _replies(d, by_id, by_number)), default=None)
        emit(
            Obligation("OP090x4", d.provider_agb, d.municipality_code, str(d.declaration_number),
                       "declaration", add_working_days(d.received, DECLARATION_ANSWER_DAYS), done,
                       order=order)
        )
    declared: dict[tuple, list[EventFact]] = defaultdict(list)
    for _, d in declarations:
        declared[(d.provider_agb, d.municipality_code)].append(d)
    for provider, municipality, year, month in sorted(months):
        first_day, last_day = date(year, month, 1), month_end(year, month)
        covering = [
            d.message_date
            for d in declared.get((provider, municipality), [])
            if d.period_start and d.period_end and d.period_start <= last_day and d.period_end >= first_day
        ]
        emit(
            Obligation("REGIONAL_323", provider, municipality, f"{year:04d}-{month:02d}", "period",
                       declaration_deadline(year, month, months_after=deadline_months),
                       min(covering, default=None), order=(provider, municipality, year, month))
        )


def _declaration_lines(declarations: Iterable[EventFact], answers: Iterable[EventFact], add) -> None:
    """Declaration lines and rejected lines per declared month (the 323's
    DeclaratiePeriode), over 323s that have a 325 (the first one, in event order):
    `add(provider, "YYYY-MM", lines, rejected)`."""
    first_by_id: dict[tuple, EventFact] = {}
    first_by_number: dict[tuple, EventFact] = {}
    for e in answers:
        if e.related_id:
            first_by_id.setdefault((e.provider_agb, e.related_id, e.related_date), e)
        if e.declaration_number:
            first_by_number.setdefault((e.provider_agb, e.municipality_code, e.declaration_number), e)
    for d in declarations:
        if d.period_start is None:
            continue
        answer = first_by_id.get((d.provider_agb, d.message_id, d.message_date)) or first_by_number.get(
            (d.provider_agb, d.municipality_code, d.declaration_number)
        )
        if answer is None:
            continue
        add(d.provider_agb, f"{d.period_start.year:04d}-{d.period_start.month:02d}",
            d.line_count or 0, answer.rejected_count or 0)


def obligations(data: Dataset, *, today: date, deadline_months: int = 1) -> list[Obligation]:
    """Every obligation the data implies as of `today` (messages dated after `today`
    are not known yet). The whole dataset in memory: for a region's year use `evaluate`,
    which reads the store a group at a time."""
    out: list[Obligation] = []
    emit = out.append
    numbered = [(n, e) for n, e in enumerate(data.events) if e.message_date <= today]
    lines: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    requests: dict[tuple, list] = defaultdict(list)
    answers: dict[tuple, list] = defaultdict(list)
    declarations: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for n, e in numbered:
        kind = e.message_type
        if kind in ("305", "307"):
            lines[(e.municipality_code, e.toewijzing_nummer)][kind == "307"].append((n, e))
        elif kind == "315":
            requests[(e.provider_agb, e.municipality_code, e.reference)].append((n, e))
        elif kind in ("301", "319"):
            if e.reference:
                answers[(e.provider_agb, e.municipality_code, e.reference)].append((kind == "319", n, e))
        elif kind in ("323", "325"):
            declarations[e.provider_agb][kind == "325"].append((n, e))

    months: set[tuple[str, str, int, int]] = set()
    # (A key listed twice in `data.assignments`: the last one is the assignment its lines
    # are checked against; each is checked for its own start and stop.)
    assignment_of = {(a.municipality_code, a.toewijzing_nummer): a for a in data.assignments}
    active = {key: (_active(starts), _active(stops)) for key, (starts, stops) in lines.items()}
    for key, (starts, stops) in active.items():
        _line_rules(assignment_of.get(key), starts, stops, today=today, emit=emit, months=months)
    for n, a in enumerate(data.assignments):
        starts, stops = active.get((a.municipality_code, a.toewijzing_nummer), ([], []))
        _assignment_rules(a, n, starts, stops, today=today, emit=emit)
    for key, items in requests.items():
        replies = [e for _, _, e in sorted(answers.get(key, []), key=lambda t: (t[2].message_date, t[0], t[1]))]
        _request_group(items, replies, emit=emit)
    months_of: dict[str, list] = defaultdict(list)
    for m in months:
        months_of[m[0]].append(m)
    for provider in set(declarations) | set(months_of):
        made, answered = declarations.get(provider, ([], []))
        _declaration_group(made, [e for _, e in answered], months_of.get(provider, []),
                           deadline_months=deadline_months, emit=emit)
    return out


def findings(data: Dataset | list[Obligation], *, today: date, deadline_months: int = 1) -> list[Finding]:
    """The broken rules as of `today`: late messages and missing ones past their due date,
    most overdue first."""
    items = (
        data
        if isinstance(data, list)
        else obligations(data, today=today, deadline_months=deadline_months)
    )
    out = [f for f in (finding_of(o, today=today) for o in items) if f is not None]
    return sort_findings(out)


def kpis(
    data: Dataset,
    *,
    today: date,
    month: str | None = None,
    items: list[Obligation] | None = None,
) -> tuple[list[KpiRow], list[KpiRow]]:
    """(per provider per month, region per month), counting obligations by the month of
    their due date once decided as of `today`; declaration lines rejected by the month
    declared (the 323's DeclaratiePeriode), over 323s that have a 325."""
    items = items if items is not None else obligations(data, today=today)
    tally = KpiTally(today=today, month=month)
    for o in items:
        tally.add(o)
    known = [e for e in data.events if e.message_date <= today]
    _declaration_lines(
        (e for e in known if e.message_type == "323"),
        (e for e in known if e.message_type == "325"),
        tally.add_lines,
    )
    return tally.rows()


__all__ = ["KpiRow", "findings", "kpis", "obligations"]
