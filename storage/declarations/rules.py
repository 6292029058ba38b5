"""The timeliness rules of iJw 3.2 (docs/architecture.md §5) and the 0-meting KPIs, as of
a given day.

The rules (Regels op berichten iJw release 3.2, Zorginstituut):
- OP271: the provider sends a start message (305) within five working days after the day
  care actually started; for an assignment with retroactive effect, within five working
  days after receiving the assignment (301).
- OP272: a stop message (307) within five working days after the day care ended.
- OP288: a delivery started with a 305 is always closed with a 307, also when it ends as
  planned on the assignment's end date.
- OP274: per requested product of a 315 the municipality sends a 301 or a 319 within five
  working days; after a 319 "in onderzoek" (VerzoekAntwoord 2) a final answer (a 301, or
  a 319 "afgewezen") within eight weeks after the request's Dagtekening.
- OP090x4: a 325 within ten working days after receiving each 323.
- Regional (OP354 sets no hard deadline): a month of care is declared (323) by the end of
  the following month; the number of months is a setting.
- Controls from the normenkader: an assignment whose start passed with no 305
  (START_NO_305), and one whose end passed with neither a 305 nor a 307 (END_NO_307);
  one that did start and was never stopped is OP288.

Each obligation has a due date and, when met, the day it was met (the message's
Dagtekening: the rules are about sending; a receipt date is used where a rule counts
from receipt and the source gave one). Working days are
docs/architecture.md §4's (storage.workdays).
The rules are pure functions of one group of data at a time (one assignment with its
start and stop lines, one requested product with its answers, one provider's
declarations). `evaluate` streams those groups from the store and counts KPIs and
findings as it goes — a region's year of events is never in memory at once; `load`
followed by `obligations`, `kpis` and `findings` does the same on a dataset held in
memory (tests, small data).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy.orm import Session

from storage.declarations import store
from storage.declarations.models import (
    ANSWER_INVESTIGATING,
    DECLARATION_REJECTED,
    STATUS_DELETE,
)
from storage.workdays import _holidays_of, is_working_day
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
    "START_REPORTED_EARLY": "305 sent before the care's Begindatum",
}
# Checks rather than deadlines: the message itself is wrong, whatever the day. Such an
# obligation's `due` is the day the message may be sent at the earliest (the care's
# Begindatum) and `done` the day it was sent; it is a finding when sent before `due`.
CHECKS = frozenset({"START_REPORTED_EARLY"})
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
    # 301: Toewijzingsdatum (which 301 describes the assignment as of a day).
    assigned_on: date | None = None

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
    # Where the whole-dataset computation lists it: breaks ties between findings.
    order: object = field(default=(), compare=False, repr=False)

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
        if self.rule in CHECKS:
            return self.done is not None and self.done < self.due
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
    order: object = field(default=(), compare=False, repr=False)

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


@lru_cache(maxsize=4096)
def declaration_deadline(year: int, month: int, *, months_after: int = 1, moved: bool = True) -> date:
    """The regional deadline for declaring a month: the end of the month `months_after`
    later (default: the end of the following month). With `moved` (the default, as the
    Algemene termijnenwet has it), a deadline on a Saturday, Sunday or algemeen erkende
    feestdag moves to the next working day."""
    index = year * 12 + (month - 1) + months_after
    deadline = month_end(index // 12, index % 12 + 1)
    while moved and not is_working_day(deadline):
        deadline += timedelta(days=1)
    return deadline


def start_due(care_start: date, assignment: AssignmentFact | None) -> date:
    """OP271's due date for a 305 about care that started on `care_start`.

    A 305 cannot be sent before the 301 arrived: for a retroactive assignment, and in any
    case where care started before the 301, the five working days run from the 301.
    """
    if assignment is None:
        return add_working_days(care_start, START_DAYS)
    return add_working_days(max(care_start, assignment.first_message_date), START_DAYS)


def assignment_as_of(
    stored: AssignmentFact | None, issued: list[EventFact], *, today: date
) -> AssignmentFact | None:
    """The assignment as the 301s known on `today` describe it (OP033x1: the one with
    the latest Toewijzingsdatum; of equal ones the last sent), with the date the first of
    them was received; None when none is known yet. `issued` are its 301 lines dated up
    to `today`, in event order. The stored row holds the latest 301 whatever the day: it
    stands in only for an assignment the store holds without its 301s, from its first
    message date on (whoever wrote the row and not the 301s)."""
    if not issued:
        return stored if stored is not None and stored.first_message_date <= today else None
    latest = issued[0]
    for e in issued[1:]:
        if (e.assigned_on or e.message_date, e.message_date) >= (
            latest.assigned_on or latest.message_date,
            latest.message_date,
        ):
            latest = e
    start = latest.period_start
    return AssignmentFact(
        latest.municipality_code,
        str(latest.toewijzing_nummer),
        latest.provider_agb,
        start,
        latest.period_end,
        min(e.received for e in issued),
        start < (latest.assigned_on or latest.message_date),
    )


def _active(items: list[tuple[object, EventFact]]) -> list[tuple[object, EventFact]]:
    """The start (or stop) lines of one assignment that stand, as (order, line) pairs in
    event order: the delivery each care date names.

    A deletion (StatusAanlevering 3) removes itself and the standing line with its care
    date — only what was sent before it: a line sent again after the deletion (the usual
    iJw correction) stands. A line whose care date already has a standing line is a copy
    (re-sent under a new identificatie, or a change): the delivery was made by the first,
    so the copy is no new obligation."""
    standing: dict[date | None, tuple[object, EventFact]] = {}
    for order, e in items:
        if e.status == STATUS_DELETE:
            standing.pop(e.care_date, None)
        elif e.care_date not in standing:
            standing[e.care_date] = (order, e)
    if len(standing) == len(items):
        return items
    return sorted(standing.values(), key=itemgetter(0))


# The rules work on one group of data at a time: everything about one assignment, one
# requested product, or one provider's declarations. Both the whole-dataset functions
# (`obligations`, `kpis`) and the streamed evaluation (`evaluate`) hand each group to the
# same functions below. An obligation carries an `order` that reproduces where the
# whole-dataset computation would have listed it (the order of the events, and within a
# rule by assignment, request or declaration), so that findings with equal sort keys
# come out in the same order however the data was read.


def _assignment_group(
    assignment: AssignmentFact | None,
    assignment_order: object,
    starts: list[tuple[object, EventFact]],
    stops: list[tuple[object, EventFact]],
    *,
    today: date,
    emit,
    months: set[tuple[str, str, int, int]],
) -> None:
    """OP271, OP272, START_NO_305, OP288 and END_NO_307 for one (municipality code,
    ToewijzingNummer), and the months of care it implies (for REGIONAL_323).

    `starts` and `stops` are its 305 and 307 lines known as of `today`, as (order, line)
    pairs in the order of the events."""
    starts = _active(starts)
    stops = _active(stops)
    _line_rules(assignment, starts, stops, today=today, emit=emit, months=months)
    if assignment is not None:
        _assignment_rules(assignment, assignment_order, starts, stops, today=today, emit=emit)


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
            if e.care_date > e.message_date:
                # A start reported before it happened.
                emit(
                    Obligation("START_REPORTED_EARLY", e.provider_agb, e.municipality_code,
                               str(e.toewijzing_nummer), "assignment", e.care_date, e.message_date,
                               order=(first, order))
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
    weeks after "in onderzoek" — both counted from the day the 315 was received (its
    receipt date, else its Dagtekening). An "in onderzoek" in time stands for the first
    answer, so only the final one counts; a late one counts late, and the final answer
    is still owed. `answers` are the 301s and 319s with that reference, by date (301s
    before 319s on the same day)."""
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
            if not investigating:
                continue
        final = next(
            (e for e in replies[1:] if e.message_type == "301" or e.status != ANSWER_INVESTIGATING),
            None,
        )
        emit(
            Obligation("OP274", request.provider_agb, request.municipality_code, subject, "request",
                       request.received + timedelta(days=INVESTIGATION_DAYS),
                       final.message_date if final else None, note="final answer after in onderzoek",
                       order=order)
        )


class _Answers:
    """325s of one provider, found for a 323: by the 323 they name (DeclaratieIdentificatie:
    its BerichtIdentificatie and date); by DeclaratieNummer only for a 325 that names
    none, and only when one 323 carries that number — a 323 re-sent under a new
    identificatie may reuse its number, and the 325 of the first does not answer it."""

    def __init__(self, declarations: Iterable[EventFact], answers: Iterable[EventFact]):
        self.by_id: dict[tuple, list[EventFact]] = defaultdict(list)
        self.by_number: dict[tuple, list[EventFact]] = defaultdict(list)
        for e in answers:
            if e.related_id:
                self.by_id[(e.provider_agb, e.related_id, e.related_date)].append(e)
            elif e.declaration_number:
                self.by_number[(e.provider_agb, e.municipality_code, e.declaration_number)].append(e)
        self.numbers = Counter(
            (d.provider_agb, d.municipality_code, d.declaration_number) for d in declarations
        )

    def of(self, d: EventFact) -> list[EventFact]:
        """The 325s answering this 323, in the order given."""
        found = self.by_id.get((d.provider_agb, d.message_id, d.message_date))
        if found:
            return found
        number = (d.provider_agb, d.municipality_code, d.declaration_number)
        if self.numbers[number] == 1:
            return self.by_number.get(number, [])
        return []


def _declaration_group(
    declarations: list[tuple[object, EventFact]],
    answers: list[EventFact],
    months: Iterable[tuple[str, str, int, int]],
    *,
    deadline_months: int,
    deadline_moved: bool = True,
    emit,
) -> None:
    """OP090x4 (a 325 for every 323) and REGIONAL_323 (every month with care declared
    by the deadline) for one provider's declarations and answers, in event order, and
    that provider's months of care."""
    replies = _Answers((d for _, d in declarations), answers)
    for order, d in declarations:
        done = min((e.message_date for e in replies.of(d)), default=None)
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
                       declaration_deadline(year, month, months_after=deadline_months,
                                            moved=deadline_moved),
                       min(covering, default=None), order=(provider, municipality, year, month))
        )


def _declaration_lines(declarations: Iterable[EventFact], answers: Iterable[EventFact], add) -> None:
    """Declaration lines and rejected lines per declared month (the 323's
    DeclaratiePeriode), over 323s that have a 325 (the first one, in event order, found
    as `_Answers` finds it): `add(provider, "YYYY-MM", lines, rejected)`. A 325 that
    rejects the whole declaration (a rejecting RetourCode on the DeclaratieAntwoord or
    the message, no lines listed) rejects every line of its 323."""
    declarations = list(declarations)
    replies = _Answers(declarations, answers)
    for d in declarations:
        if d.period_start is None:
            continue
        found = replies.of(d)
        if not found:
            continue
        answer = found[0]
        lines = d.line_count or 0
        rejected = lines if answer.status == DECLARATION_REJECTED else answer.rejected_count or 0
        add(d.provider_agb, f"{d.period_start.year:04d}-{d.period_start.month:02d}", lines, rejected)


def obligations(
    data: Dataset, *, today: date, deadline_months: int = 1, deadline_moved: bool = True
) -> list[Obligation]:
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
    issued: dict[tuple, list[EventFact]] = defaultdict(list)
    for n, e in numbered:
        kind = e.message_type
        # 301 lines with an Ingangsdatum: what a 301 always has (the CSV requires it too).
        if kind == "301" and e.period_start is not None:
            issued[(e.municipality_code, e.toewijzing_nummer)].append(e)
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
    def as_of(key, stored):
        return assignment_as_of(stored, issued.get(key, []), today=today)

    assignment_of = {(a.municipality_code, a.toewijzing_nummer): a for a in data.assignments}
    active = {key: (_active(starts), _active(stops)) for key, (starts, stops) in lines.items()}
    for key, (starts, stops) in active.items():
        _line_rules(as_of(key, assignment_of.get(key)), starts, stops, today=today, emit=emit,
                    months=months)
    for n, stored in enumerate(data.assignments):
        key = (stored.municipality_code, stored.toewijzing_nummer)
        a = as_of(key, stored)
        if a is None:
            continue
        starts, stops = active.get(key, ([], []))
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
                           deadline_months=deadline_months, deadline_moved=deadline_moved,
                           emit=emit)
    return out


def finding_of(o: Obligation, *, today: date) -> Finding | None:
    """The obligation as a finding, if it is late or missing past its due date."""
    if not o.late(today):
        return None
    until = o.done or today
    if o.rule in CHECKS:  # how early, not how late
        return _finding(o, working_days_between(until, o.due), (o.due - until).days)
    return _finding(o, working_days_between(o.due, until), (until - o.due).days)


def _finding(o: Obligation, working_days_late: int, days_late: int) -> Finding:
    return Finding(
        rule=o.rule,
        provider_agb=o.provider_agb,
        municipality_code=o.municipality_code,
        subject=o.subject,
        kind=o.kind,
        due=o.due,
        done=o.done,
        working_days_late=working_days_late,
        days_late=days_late,
        note=o.note,
        order=o.order,
    )


def sort_findings(items: list[Finding]) -> list[Finding]:
    """Most overdue first; ties in the order the whole-dataset computation found them
    (`order` is compared only within one rule, where its shape is the same)."""
    items.sort(key=lambda f: (-f.days_late, f.rule, f.provider_agb, f.subject, f.order))
    return items


def findings(
    data: Dataset | list[Obligation], *, today: date, deadline_months: int = 1,
    deadline_moved: bool = True,
) -> list[Finding]:
    """The broken rules as of `today`: late messages and missing ones past their due date,
    most overdue first."""
    items = (
        data
        if isinstance(data, list)
        else obligations(data, today=today, deadline_months=deadline_months,
                         deadline_moved=deadline_moved)
    )
    out = [f for f in (finding_of(o, today=today) for o in items) if f is not None]
    return sort_findings(out)


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


@lru_cache(maxsize=4096)
def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class KpiTally:
    """KPI rows counted one obligation (and one declared month) at a time: per provider
    per month and for the region per month, by the month of the due date, an obligation
    counted once decided as of `today`; only `month` ("YYYY-MM") if given."""

    def __init__(self, *, today: date, month: str | None = None):
        self.today = today
        self.month = month
        self.per: dict[tuple[str, str], KpiRow] = {}
        self.region: dict[str, KpiRow] = {}

    def _rows(self, provider: str, key: str) -> tuple[KpiRow, KpiRow]:
        row = self.per.get((provider, key))
        if row is None:
            row = self.per[(provider, key)] = KpiRow(provider, key)
        total = self.region.get(key)
        if total is None:
            total = self.region[key] = KpiRow(None, key)
        return row, total

    def add(self, o: Obligation) -> None:
        kpi = KPI_OF_RULE.get(o.rule)
        done, due = o.done, o.due
        if kpi is None or (done is None and self.today <= due):  # not decided yet
            return
        key = _month_key(due)
        if self.month and key != self.month:
            return
        on_time = done is not None and done <= due
        for row in self._rows(o.provider_agb, key):
            counts = row.counts[kpi]
            counts[1] += 1
            if on_time:
                counts[0] += 1

    def add_lines(self, provider: str, key: str, lines: int, rejected: int) -> None:
        if self.month and key != self.month:
            return
        for row in self._rows(provider, key):
            row.lines += lines
            row.rejected += rejected

    def rows(self) -> tuple[list[KpiRow], list[KpiRow]]:
        ordered = sorted(self.per.values(), key=lambda r: (r.month, r.provider_agb))
        return ordered, sorted(self.region.values(), key=lambda r: r.month)


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


# --- Streamed from the store ---------------------------------------------------------


@dataclass
class Evaluation:
    """What `evaluate` found: KPI rows per provider per month and for the region per
    month (as `kpis` returns them) and, if asked for, the findings (as `findings`)."""

    per: list[KpiRow]
    region: list[KpiRow]
    findings: list[Finding] = field(default_factory=list)
    # Provider → (findings, of which new in the seven days up to the day): filled by
    # obligations.evaluate, which reads them in the same query as the KPIs.
    finding_counts: dict[str, tuple[int, int]] = field(default_factory=dict)


def _groups(rows: Iterable[tuple], width: int) -> Iterable[tuple[tuple, list[tuple]]]:
    """Adjacent rows with equal first `width` columns, as (key, rows)."""
    return groupby(rows, key=lambda row: row[:width])


def evaluate(
    session: Session,
    *,
    today: date,
    deadline_months: int = 1,
    deadline_moved: bool = True,
    provider_agb: str | None = None,
    month: str | None = None,
    keep_findings: bool = False,
    on_finding: Callable[[Finding], None] | None = None,
) -> Evaluation:
    """`obligations`, `kpis` and `findings` of the store as of `today` (for one provider
    or the region), read a group at a time: one assignment with its start and stop lines,
    one requested product with its answers, one provider's declarations. Memory holds a
    group, the KPI rows and what the caller keeps of the findings, never the region's
    events. The results are those of `load` followed by the whole-dataset functions.

    Each finding goes to `on_finding` (for counting) and, with `keep_findings`, into
    `Evaluation.findings`, sorted like `findings` sorts them. `month` limits the KPI
    rows, not the findings."""
    tally = KpiTally(today=today, month=month)
    kept: list[Finding] = []

    def emit(o: Obligation) -> None:
        tally.add(o)
        if o.done is not None and o.done <= o.due and o.rule not in CHECKS:
            return  # on time: not a finding
        found = finding_of(o, today=today)
        if found is None:
            return
        if on_finding is not None:
            on_finding(found)
        if keep_findings:
            kept.append(found)

    months: set[tuple[str, str, int, int]] = set()
    # Assignments and their 305/307 lines, per (municipality, ToewijzingNummer).
    for (municipality, number), rows in _groups(
        store.assignment_stream(session, until=today, provider_agb=provider_agb), 2
    ):
        assignment = None
        assignment_id = None
        starts: list[tuple[object, EventFact]] = []
        stops: list[tuple[object, EventFact]] = []
        # The 301s known as of `today`: (Toewijzingsdatum or Dagtekening, Dagtekening, id,
        # provider, start, end, received) — the latest describes the assignment.
        latest = None
        first_received = None
        for _m, _n, kind, provider, row_id, d1, d2, d3, retroactive, status, d4, d5 in rows:
            if kind == "A":
                assignment = AssignmentFact(municipality, number, provider, d1, d2, d3, bool(retroactive))
                assignment_id = row_id
                continue
            if kind == "301":
                issue = (d5 or d3, d3, row_id, provider, d1, d2)
                if latest is None or issue >= latest:
                    latest = issue
                received = d4 or d3
                if first_received is None or received < first_received:
                    first_received = received
                continue
            line = EventFact(kind, provider, municipality, "", d3, toewijzing_nummer=number,
                             care_date=d1, period_start=d2, status=status)
            (starts if kind == "305" else stops).append(((d3, row_id), line))
        if latest is not None:
            # As assignment_as_of has it, without a record per 301.
            assigned_on, _day, _id, provider, start, end = latest
            assignment = AssignmentFact(municipality, number, provider, start, end, first_received,
                                        start < assigned_on)
        elif assignment is not None and assignment.first_message_date > today:
            assignment = None
        if not starts and not stops:
            # Most groups: an assignment without start or stop lines (yet).
            if assignment is not None and assignment.first_message_date <= today:
                _assignment_rules(assignment, assignment_id, starts, stops, today=today, emit=emit)
            continue
        starts.sort(key=itemgetter(0))
        stops.sort(key=itemgetter(0))
        _assignment_group(assignment, assignment_id, starts, stops, today=today, emit=emit, months=months)

    # Requests (315) and their answers, per (provider, municipality, reference).
    for _key, rows in _groups(store.request_stream(session, until=today, provider_agb=provider_agb), 3):
        requests: list[tuple[object, EventFact]] = []
        answers: list[tuple[tuple, EventFact]] = []
        for provider, municipality, reference, kind, row_id, day, received, status in rows:
            e = EventFact(kind, provider, municipality, "", day, receipt_date=received,
                          reference=reference, status=status)
            if kind == "315":
                requests.append(((day, row_id), e))
            elif reference:
                answers.append(((day, kind == "319", row_id), e))
        if not requests:
            continue
        requests.sort(key=itemgetter(0))
        answers.sort(key=itemgetter(0))
        _request_group(requests, [e for _, e in answers], emit=emit)

    # Declarations (323) and answers (325) per provider, with its months of care.
    months_of: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for m in months:
        months_of[m[0]].append(m)
    for (provider,), rows in _groups(
        store.declaration_stream(session, until=today, provider_agb=provider_agb), 1
    ):
        made: list[tuple[object, EventFact]] = []
        answered: list[tuple[object, EventFact]] = []
        for row in rows:
            (agb, municipality, kind, row_id, message_id, day, received, period_start, period_end,
             number, related_id, related_date, line_count, rejected_count, status) = row
            e = EventFact(kind, agb, municipality, message_id, day, receipt_date=received,
                          period_start=period_start, period_end=period_end, status=status,
                          declaration_number=number, related_id=related_id,
                          related_date=related_date, line_count=line_count,
                          rejected_count=rejected_count)
            (made if kind == "323" else answered).append(((day, row_id), e))
        made.sort(key=itemgetter(0))
        answered.sort(key=itemgetter(0))
        _declaration_group(made, [e for _, e in answered], months_of.pop(provider, []),
                           deadline_months=deadline_months, deadline_moved=deadline_moved,
                           emit=emit)
        _declaration_lines((e for _, e in made), (e for _, e in answered), tally.add_lines)
    for provider_months in months_of.values():
        _declaration_group([], [], provider_months, deadline_months=deadline_months,
                           deadline_moved=deadline_moved, emit=emit)

    per, region = tally.rows()
    return Evaluation(per=per, region=region, findings=sort_findings(kept) if keep_findings else [])


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


__all__ = [
    "AssignmentFact",
    "Dataset",
    "EventFact",
    "Evaluation",
    "Finding",
    "KPIS",
    "KpiRow",
    "Obligation",
    "RULES",
    "KpiTally",
    "declaration_deadline",
    "evaluate",
    "finding_of",
    "findings",
    "kpis",
    "load",
    "month_end",
    "obligations",
    "provider_summary",
    "sort_findings",
    "start_due",
    "working_days_between",
]
