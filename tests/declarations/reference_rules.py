"""The whole-dataset declaration rules as they were before `declaration_rules.evaluate`
(commit bed6366), kept verbatim as the reference the streamed evaluation is compared
with: `load` reads every event into memory, then `obligations`, `findings` and `kpis`.
Do not change it to follow the production code: it is the fixed point of the
comparison."""


from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy.orm import Session

from storage import declarations as store
from storage.declarations import ANSWER_INVESTIGATING, STATUS_DELETE
from storage.workdays import _holidays_of
from storage.workdays import add_working_days as _add_working_days

# Deadlines repeat (a few hundred days × a few day counts) across a region's messages.
add_working_days = lru_cache(maxsize=65536)(_add_working_days)

START_DAYS = 5  # OP271
STOP_DAYS = 5  # OP272, OP288
ANSWER_DAYS = 5  # OP274
INVESTIGATION_DAYS = 56  # OP274: eight weeks
DECLARATION_ANSWER_DAYS = 10  # OP090x4

RULES = {
    "OP271": "305 within 5 working days after care started",
    "START_NO_305": "start date passed, no 305",
    "OP272": "307 within 5 working days after care ended",
    "OP288": "started delivery never closed with a 307",
    "END_NO_307": "end date passed, no 305 or 307",
    "OP274": "301 or 319 within 5 working days after a 315 (8 weeks after 'in onderzoek')",
    "OP090x4": "325 within 10 working days after a 323",
    "REGIONAL_323": "month declared (323) by the regional deadline",
}
# Which KPI an obligation counts towards; None: a finding only.
KPI_OF_RULE = {
    "OP271": "305",
    "START_NO_305": "305",
    "OP272": "307",
    "OP288": "307",
    "OP274": "315",
    "OP090x4": "325",
}
KPIS = ("305", "307", "315", "325")


# --- Data --------------------------------------------------------------------------


class AssignmentFact(NamedTuple):
    municipality_code: str
    toewijzing_nummer: str
    provider_agb: str
    start_date: date
    end_date: date | None
    first_message_date: date
    retroactive: bool


class EventFact(NamedTuple):
    # A named tuple, not a dataclass: a year of a region is a million of these.
    message_type: str
    provider_agb: str
    municipality_code: str
    message_id: str
    message_date: date
    receipt_date: date | None = None
    toewijzing_nummer: str | None = None
    reference: str | None = None
    care_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    status: str | None = None
    declaration_number: str | None = None
    related_id: str | None = None
    related_date: date | None = None
    line_count: int | None = None
    rejected_count: int | None = None

    @property
    def received(self) -> date:
        return self.receipt_date or self.message_date


@dataclass
class Dataset:
    assignments: list[AssignmentFact] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)


def load(session: Session, *, provider_agb: str | None = None) -> Dataset:
    """Everything the rules need, for one provider or the region."""
    assignments = [
        AssignmentFact._make(row)
        for row in store.assignment_rows(session, columns=AssignmentFact._fields, provider_agb=provider_agb)
    ]
    events = [
        EventFact._make(row)
        for row in store.event_rows(
            session,
            columns=EventFact._fields,
            types=("301", "305", "307", "315", "319", "323", "325"),
            provider_agb=provider_agb,
        )
    ]
    return Dataset(assignments=assignments, events=events)


# --- Obligations and findings ------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """Something someone had to send by `due`; `done` is when they did (None: not yet)."""

    rule: str
    provider_agb: str
    municipality_code: str
    # What it is about: a ToewijzingNummer, a ReferentieAanbieder, a DeclaratieNummer or a
    # declared month — never anything about the client.
    subject: str
    kind: str  # "assignment", "request", "declaration", "period"
    due: date
    done: date | None
    note: str = ""

    @property
    def kpi(self) -> str | None:
        return KPI_OF_RULE.get(self.rule)

    @property
    def on_time(self) -> bool:
        return self.done is not None and self.done <= self.due

    def decided(self, today: date) -> bool:
        """Met, or past due: it counts in a KPI as of `today`."""
        return self.done is not None or today > self.due

    def late(self, today: date) -> bool:
        return (self.done is not None and self.done > self.due) or (self.done is None and today > self.due)


@dataclass(frozen=True)
class Finding:
    """A rule broken: late or missing, with how late in working days and in days."""

    rule: str
    provider_agb: str
    municipality_code: str
    subject: str
    kind: str
    due: date
    done: date | None
    working_days_late: int
    days_late: int
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.done is None

    @property
    def description(self) -> str:
        return RULES.get(self.rule, self.rule)


def working_days_between(start: date, end: date) -> int:
    """storage.workdays.working_days_between, in constant time per year: a long-missing
    message is hundreds of working days late, and a region has thousands of them."""
    if end < start:
        return -working_days_between(end, start)
    weeks, rest = divmod((end - start).days, 7)
    count = 5 * weeks
    day = start + timedelta(days=7 * weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(1 for h in _holidays_of(year) if start < h <= end and h.weekday() < 5)
    return count


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def declaration_deadline(year: int, month: int, *, months_after: int = 1) -> date:
    """The regional deadline for declaring a month: the end of the month `months_after`
    later (default: the end of the following month)."""
    index = year * 12 + (month - 1) + months_after
    return month_end(index // 12, index % 12 + 1)


def start_due(care_start: date, assignment: AssignmentFact | None) -> date:
    """OP271's due date for a 305 about care that started on `care_start`.

    A 305 cannot be sent before the 301 arrived: for a retroactive assignment, and in any
    case where care started before the 301, the five working days run from the 301.
    """
    if assignment is None:
        return add_working_days(care_start, START_DAYS)
    return add_working_days(max(care_start, assignment.first_message_date), START_DAYS)


def _active(events: list[EventFact]) -> list[EventFact]:
    """Start/stop lines minus deletions (StatusAanlevering 3) and what they delete."""
    deleted = {
        (e.municipality_code, e.toewijzing_nummer, e.care_date)
        for e in events
        if e.status == STATUS_DELETE
    }
    return [
        e
        for e in events
        if e.status != STATUS_DELETE
        and (e.municipality_code, e.toewijzing_nummer, e.care_date) not in deleted
    ]


def obligations(data: Dataset, *, today: date, deadline_months: int = 1) -> list[Obligation]:
    """Every obligation the data implies as of `today` (messages dated after `today`
    are not known yet)."""
    events = [e for e in data.events if e.message_date <= today]
    by_type: dict[str, list[EventFact]] = defaultdict(list)
    for e in events:
        by_type[e.message_type].append(e)
    assignment_of = {(a.municipality_code, a.toewijzing_nummer): a for a in data.assignments}
    out: list[Obligation] = []

    starts = _active(by_type["305"])
    stops = _active(by_type["307"])
    starts_of: dict[tuple, list[EventFact]] = defaultdict(list)
    stops_of: dict[tuple, list[EventFact]] = defaultdict(list)
    for e in starts:
        starts_of[(e.municipality_code, e.toewijzing_nummer)].append(e)
    for e in stops:
        stops_of[(e.municipality_code, e.toewijzing_nummer)].append(e)

    # OP271: every 305 against its due date.
    for key, items in starts_of.items():
        assignment = assignment_of.get(key)
        for e in items:
            if e.care_date is None:
                continue
            retro = assignment is not None and assignment.retroactive
            out.append(
                Obligation("OP271", e.provider_agb, e.municipality_code, str(e.toewijzing_nummer),
                           "assignment", start_due(e.care_date, assignment), e.message_date,
                           note="retroactive" if retro else "")
            )
    # OP272: every 307 against its due date.
    for e in stops:
        if e.care_date is None:
            continue
        out.append(
            Obligation("OP272", e.provider_agb, e.municipality_code, str(e.toewijzing_nummer),
                       "assignment", add_working_days(e.care_date, STOP_DAYS), e.message_date)
        )
    # START_NO_305, OP288, END_NO_307: per assignment.
    for a in data.assignments:
        if a.first_message_date > today:
            continue
        if a.end_date is not None and a.end_date <= a.start_date:
            continue  # withdrawn or deleted (OP087: end date equal to start date)
        key = (a.municipality_code, a.toewijzing_nummer)
        started = sorted(starts_of.get(key, []), key=lambda e: e.care_date or e.message_date)
        stopped = stops_of.get(key, [])
        if not started:
            out.append(
                Obligation("START_NO_305", a.provider_agb, a.municipality_code, a.toewijzing_nummer,
                           "assignment", start_due(a.start_date, a), None,
                           note="retroactive" if a.retroactive else "")
            )
            if not stopped and a.end_date is not None:
                out.append(
                    Obligation("END_NO_307", a.provider_agb, a.municipality_code, a.toewijzing_nummer,
                               "assignment", add_working_days(a.end_date, STOP_DAYS), None)
                )
            continue
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
                out.append(
                    Obligation("OP288", a.provider_agb, a.municipality_code, a.toewijzing_nummer,
                               "assignment", add_working_days(a.end_date, STOP_DAYS), None)
                )

    # OP274: per requested product, the first answer in 5 working days, and a final one
    # within 8 weeks after "in onderzoek".
    answers: dict[tuple, list[EventFact]] = defaultdict(list)
    for e in by_type["301"] + by_type["319"]:
        if e.reference:
            answers[(e.provider_agb, e.municipality_code, e.reference)].append(e)
    for items in answers.values():
        items.sort(key=lambda e: e.message_date)
    for request in by_type["315"]:
        due = add_working_days(request.received, ANSWER_DAYS)
        replies = [
            e
            for e in answers.get((request.provider_agb, request.municipality_code, request.reference), [])
            if e.message_date >= request.message_date
        ]
        subject = str(request.reference)
        first = replies[0] if replies else None
        investigating = first is not None and first.message_type == "319" and first.status == ANSWER_INVESTIGATING
        if first is None or not investigating or first.message_date > due:
            out.append(
                Obligation("OP274", request.provider_agb, request.municipality_code, subject, "request",
                           due, first.message_date if first else None,
                           note="in onderzoek" if investigating else "")
            )
            continue
        final = next(
            (e for e in replies[1:] if e.message_type == "301" or e.status != ANSWER_INVESTIGATING),
            None,
        )
        out.append(
            Obligation("OP274", request.provider_agb, request.municipality_code, subject, "request",
                       request.message_date + timedelta(days=INVESTIGATION_DAYS),
                       final.message_date if final else None, note="final answer after in onderzoek")
        )

    # OP090x4: a 325 for every 323.
    answers_by_id: dict[tuple, list[EventFact]] = defaultdict(list)
    answers_by_number: dict[tuple, list[EventFact]] = defaultdict(list)
    for e in by_type["325"]:
        if e.related_id:
            answers_by_id[(e.provider_agb, e.related_id, e.related_date)].append(e)
        if e.declaration_number:
            answers_by_number[(e.provider_agb, e.municipality_code, e.declaration_number)].append(e)
    for d in by_type["323"]:
        replies = answers_by_id.get((d.provider_agb, d.message_id, d.message_date)) or answers_by_number.get(
            (d.provider_agb, d.municipality_code, d.declaration_number), []
        )
        done = min((e.message_date for e in replies), default=None)
        out.append(
            Obligation("OP090x4", d.provider_agb, d.municipality_code, str(d.declaration_number),
                       "declaration", add_working_days(d.received, DECLARATION_ANSWER_DAYS), done)
        )

    # Regional: every month with care delivered is declared by the deadline.
    declared: dict[tuple, list[EventFact]] = defaultdict(list)
    for d in by_type["323"]:
        declared[(d.provider_agb, d.municipality_code)].append(d)
    months: set[tuple[str, str, int, int]] = set()
    for key, items in starts_of.items():
        a = assignment_of.get(key)
        for s in items:
            if s.care_date is None:
                continue
            later_stops = [t.care_date for t in stops_of.get(key, []) if t.care_date and t.care_date >= s.care_date]
            end = min(later_stops) if later_stops else (a.end_date if a and a.end_date else today)
            for year, month in _months(s.care_date, min(end, today)):
                if month_end(year, month) < today:
                    months.add((s.provider_agb, s.municipality_code, year, month))
    for provider, municipality, year, month in sorted(months):
        first_day, last_day = date(year, month, 1), month_end(year, month)
        covering = [
            d.message_date
            for d in declared.get((provider, municipality), [])
            if d.period_start and d.period_end and d.period_start <= last_day and d.period_end >= first_day
        ]
        out.append(
            Obligation("REGIONAL_323", provider, municipality, f"{year:04d}-{month:02d}", "period",
                       declaration_deadline(year, month, months_after=deadline_months),
                       min(covering, default=None))
        )
    return out


def findings(data: Dataset | list[Obligation], *, today: date, deadline_months: int = 1) -> list[Finding]:
    """The broken rules as of `today`: late messages and missing ones past their due date,
    most overdue first."""
    items = (
        data
        if isinstance(data, list)
        else obligations(data, today=today, deadline_months=deadline_months)
    )
    out = []
    for o in items:
        if not o.late(today):
            continue
        until = o.done or today
        out.append(
            Finding(
                rule=o.rule,
                provider_agb=o.provider_agb,
                municipality_code=o.municipality_code,
                subject=o.subject,
                kind=o.kind,
                due=o.due,
                done=o.done,
                working_days_late=working_days_between(o.due, until),
                days_late=(until - o.due).days,
                note=o.note,
            )
        )
    out.sort(key=lambda f: (-f.days_late, f.rule, f.provider_agb, f.subject))
    return out


# --- KPIs ------------------------------------------------------------------------------


@dataclass
class KpiRow:
    """One provider (or the region: provider_agb None) in one month ("YYYY-MM")."""

    provider_agb: str | None
    month: str
    # kpi → [on time, counted]
    counts: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in KPIS})
    lines: int = 0
    rejected: int = 0

    def percentage(self, kpi: str) -> float | None:
        on_time, total = self.counts[kpi]
        return None if total == 0 else 100.0 * on_time / total

    @property
    def rejected_percentage(self) -> float | None:
        return None if self.lines == 0 else 100.0 * self.rejected / self.lines


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
    per: dict[tuple[str, str], KpiRow] = {}
    region: dict[str, KpiRow] = {}

    def rows(provider: str, key: str) -> tuple[KpiRow, KpiRow]:
        if (provider, key) not in per:
            per[(provider, key)] = KpiRow(provider, key)
        if key not in region:
            region[key] = KpiRow(None, key)
        return per[(provider, key)], region[key]

    for o in items:
        if o.kpi is None or not o.decided(today):
            continue
        key = f"{o.due.year:04d}-{o.due.month:02d}"
        if month and key != month:
            continue
        for row in rows(o.provider_agb, key):
            row.counts[o.kpi][1] += 1
            if o.on_time:
                row.counts[o.kpi][0] += 1

    known = [e for e in data.events if e.message_date <= today]
    answers_by_id: dict[tuple, EventFact] = {}
    answers_by_number: dict[tuple, EventFact] = {}
    for e in known:
        if e.message_type != "325":
            continue
        if e.related_id:
            answers_by_id.setdefault((e.provider_agb, e.related_id, e.related_date), e)
        if e.declaration_number:
            answers_by_number.setdefault((e.provider_agb, e.municipality_code, e.declaration_number), e)
    for d in known:
        if d.message_type != "323" or d.period_start is None:
            continue
        answer = answers_by_id.get((d.provider_agb, d.message_id, d.message_date)) or answers_by_number.get(
            (d.provider_agb, d.municipality_code, d.declaration_number)
        )
        if answer is None:
            continue
        key = f"{d.period_start.year:04d}-{d.period_start.month:02d}"
        if month and key != month:
            continue
        for row in rows(d.provider_agb, key):
            row.lines += d.line_count or 0
            row.rejected += answer.rejected_count or 0
    ordered = sorted(per.values(), key=lambda r: (r.month, r.provider_agb))
    return ordered, sorted(region.values(), key=lambda r: r.month)


def provider_summary(rows: list[KpiRow]) -> dict[str | None, KpiRow]:
    """KPI rows summed over months, per provider (a period's totals)."""
    out: dict[str | None, KpiRow] = {}
    for r in rows:
        total = out.setdefault(r.provider_agb, KpiRow(r.provider_agb, "*"))
        for k in KPIS:
            total.counts[k][0] += r.counts[k][0]
            total.counts[k][1] += r.counts[k][1]
        total.lines += r.lines
        total.rejected += r.rejected
    return out

