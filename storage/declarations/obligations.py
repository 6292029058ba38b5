"""Obligations kept in the store (issue 15 #2; docs/declarations.md, "Obligations kept").

The rules (`rules`) say, for one group of messages — one assignment with its 301s and its
start and stop lines, one requested product with its answers, one provider's declarations
with one DeclaratieNummer and their answers — which obligations follow as of a day. What
follows changes only on the days a message of the group is dated (or received), so the
derivation evaluates the group as of each of those days and keeps every obligation with
the span of days it was known so (`known_from` ≤ D < `known_until`). The rules stay the
reference: they are called here, group by group, and nothing of them is written twice.

The months of care that REGIONAL_323 asks to be declared come from many assignments at
once (a provider's care in a municipality); each assignment group keeps its care spans,
their sum per month is kept as changes per day (`declaration_care_month`), and the
REGIONAL_323 obligations of a month are derived from that sum and the first 323 that
covers the month.

`refresh` brings the kept obligations up to date with the events stored: it re-derives
only the groups of events added since the last refresh (by event id), so after an import
of a day's messages it re-derives the groups those messages belong to. The import does
not call it (it would cost four times the import): the clock does, every 30 seconds, and
every read here does first. KPIs and findings as of a day are then grouped queries
(`store.tally`, `store.kept_findings`, …).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date, timedelta
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.orm import Session

from storage.declarations import rules, store
from storage.declarations.rules import AssignmentFact, EventFact, Obligation

# A start line with neither a stop nor an assignment end date implies care every month
# from then on; months that far after the day it became known are kept (an evaluation
# day more than this many months after a group's last message would miss later months).
HORIZON_MONTHS = 36

Item = TypeVar("Item", bound=Hashable)

# A first derivation at national scale takes many minutes (`regiobot migrate`, the clock
# after a first import): say how far it is. A day's messages touch far fewer groups.
PROGRESS_FROM_GROUPS = 50_000

log = logging.getLogger(__name__)


class Kept(NamedTuple):
    """An obligation as kept: what `rules.Obligation` says, plus the line counts of a
    "LINES" row (a 323 with its first 325)."""

    rule: str
    provider_agb: str
    municipality_code: str
    subject: str
    kind: str
    due: date
    done: date | None
    note: str = ""
    lines: int | None = None
    rejected: int | None = None


class Span(NamedTuple):
    provider_agb: str
    municipality_code: str
    first_month: date
    last_month: date


def days_late_when_met(k: Kept) -> int | None:
    """How late a met obligation was (a check: how early its message was sent), if it
    was: what it shows as a finding whatever the day. None when unmet or in time."""
    if k.done is None or k.rule == "LINES":
        return None
    if k.rule in rules.CHECKS:
        return (k.due - k.done).days if k.done < k.due else None
    return (k.done - k.due).days if k.done > k.due else None


def _kept(o: Obligation) -> Kept:
    return Kept(o.rule, o.provider_agb, o.municipality_code, o.subject, o.kind, o.due, o.done, o.note)


def spans_of(versions: Sequence[tuple[date, Iterable[Item]]],
             standing_before: Iterable[tuple[Item, date]] = ()) -> list[tuple[Item, date, date | None]]:
    """Per-day versions of a group's items (each the whole multiset as of that day, in
    day order) as (item, known_from, known_until) rows: an item unchanged from one
    version to the next is one row. `standing_before`: the items standing before the
    first version, as (item, known_from)."""
    standing: dict[Item, list[date]] = {}
    for item, start in sorted(standing_before, key=itemgetter(1)):
        standing.setdefault(item, []).append(start)
    out: list[tuple[Item, date, date | None]] = []
    previous: Counter | None = None
    for day, items in versions:
        counts = Counter(items)
        if counts == previous:
            continue  # nothing ends or starts that day
        previous = counts
        for item in list(standing):
            starts = standing[item]
            while len(starts) > counts.get(item, 0):
                out.append((item, starts.pop(), day))
            if not starts:
                del standing[item]
        for item, n in counts.items():
            starts = standing.setdefault(item, [])
            while len(starts) < n:
                starts.append(day)
    for item, starts in standing.items():
        out.extend((item, start, None) for start in starts)
    return out


class Before(NamedTuple):
    """What a group kept before a refresh whose new messages are all dated `since` or
    later: the versions before that day stay as they were, so only the days from it on
    are evaluated again, continuing the rows standing the day before."""

    since: date
    rows: Sequence[tuple[Any, date, date | None]]


def _rows_of(versions: list[tuple[date, list]], before: Before | None) -> list[tuple[Any, date, date | None]]:
    if before is None:
        return spans_of(versions)
    since = before.since
    ended = [r for r in before.rows if r[2] is not None and r[2] < since]
    standing = [(item, start) for item, start, until in before.rows
                if start < since and (until is None or until >= since)]
    return ended + spans_of(versions, standing)


def _days(days: Iterable[date], before: Before | None) -> list[date]:
    return sorted(d for d in set(days) if before is None or d >= before.since)


def _first_of_month(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def care_spans(a: AssignmentFact | None, starts, stops, *, day: date) -> list[Span]:
    """The months of care the standing start lines imply as of `day`, as `rules` counts
    them for REGIONAL_323 — from the Begindatum to the first stop on or after it, else
    the assignment's end, else (open) HORIZON_MONTHS past `day` — without the cut at
    the evaluation day, which the query makes (a month counts once it has ended)."""
    out = []
    for _, s in starts:
        if s.care_date is None:
            continue
        later_stops = [t.care_date for _, t in stops if t.care_date and t.care_date >= s.care_date]
        end = min(later_stops) if later_stops else (a.end_date if a and a.end_date else None)
        first = _first_of_month(s.care_date)
        last = _first_of_month(end) if end else _first_of_month(day, HORIZON_MONTHS)
        if last >= first:
            out.append(Span(s.provider_agb, s.municipality_code, first, last))
    return out


def assignment_group(
    stored: AssignmentFact | None, stored_id: int | None, events: Sequence[tuple[int, EventFact]],
    *, kept_before: Before | None = None, spans_before: Before | None = None,
) -> tuple[list[tuple[Kept, date, date | None]], list[tuple[Span, date, date | None]]]:
    """The kept obligations and care spans of one assignment: `stored` its row (or None),
    `events` its 301, 305 and 307 lines as (id, line) in (Dagtekening, id) order; with
    `kept_before` and `spans_before` (the same `since`), continuing what it kept."""
    changes = {e.message_date for _, e in events}
    changes.update(e.received for _, e in events if e.message_type == "301")
    if stored is not None:
        changes.add(stored.first_message_date)
    obligations: list[tuple[date, list[Kept]]] = []
    spans: list[tuple[date, list[Span]]] = []
    for day in _days(changes, kept_before):
        known = [(n, e) for n, e in events if e.message_date <= day]
        issued = [e for _, e in known if e.message_type == "301" and e.period_start is not None]
        a = rules.assignment_as_of(stored, issued, today=day)
        # (order, event) pairs as rules takes them: the order is (Dagtekening, id).
        starts: list[tuple[object, EventFact]] = [
            ((e.message_date, n), e) for n, e in known if e.message_type == "305"]
        stops: list[tuple[object, EventFact]] = [
            ((e.message_date, n), e) for n, e in known if e.message_type == "307"]
        out: list[Obligation] = []
        if starts or stops:
            rules._assignment_group(a, stored_id, starts, stops, today=day, emit=out.append,
                                    months=set())
            spans.append((day, care_spans(a, rules._active(starts), rules._active(stops), day=day)))
        else:
            if a is not None and a.first_message_date <= day:
                rules._assignment_rules(a, stored_id, [], [], today=day, emit=out.append)
            spans.append((day, []))
        obligations.append((day, [_kept(o) for o in out]))
    return _rows_of(obligations, kept_before), _rows_of(spans, spans_before)


def since_for_assignment(stored: AssignmentFact | None, events: Sequence[tuple[int, EventFact]],
                         after_id: int) -> date | None:
    """The first day the events above `after_id` change this assignment's versions
    from, or None when it must be derived whole: no new events, or the stored row
    stands in for 301s (`rules.assignment_as_of`) on some day before them — a row the
    import may just have changed."""
    new = [e for n, e in events if n > after_id]
    if not new:
        return None
    since = min(min(e.message_date for e in new),
                min((e.received for e in new if e.message_type == "301"), default=date.max))
    if stored is not None:
        first_issued = min((e.message_date for _, e in events
                            if e.message_type == "301" and e.period_start is not None), default=date.max)
        if stored.first_message_date < min(since, first_issued):
            return None
    return since


def since_for_events(events: Sequence[tuple[int, EventFact]], after_id: int) -> date | None:
    """The first day the events above `after_id` change a request's or a declaration's
    versions from (None: no new events, derive it whole)."""
    return min((e.message_date for n, e in events if n > after_id), default=None)


def request_group(events: Sequence[tuple[int, EventFact]], *,
                  before: Before | None = None) -> list[tuple[Kept, date, date | None]]:
    """OP274 for one (provider, municipality, ReferentieAanbieder): its 315s and the 301s
    and 319s naming the reference, as (id, event)."""
    versions = []
    for day in _days((e.message_date for _, e in events), before):
        requests: list[tuple[object, EventFact]] = list(sorted(
            ((e.message_date, n), e) for n, e in events
            if e.message_type == "315" and e.message_date <= day))
        answers = sorted(((e.message_date, e.message_type == "319", n), e) for n, e in events
                         if e.message_type != "315" and e.message_date <= day)
        out: list[Obligation] = []
        if requests:
            rules._request_group(requests, [e for _, e in answers], emit=out.append)
        versions.append((day, [_kept(o) for o in out]))
    return _rows_of(versions, before)


def declaration_group(events: Sequence[tuple[int, EventFact]], *,
                      before: Before | None = None) -> list[tuple[Kept, date, date | None]]:
    """OP090x4 and the rejected lines for a provider's 323s with one DeclaratieNummer and
    the 325s answering them, as (id, event) in (Dagtekening, id) order."""
    versions = []
    for day in _days((e.message_date for _, e in events), before):
        made: list[tuple[object, EventFact]] = [
            ((e.message_date, n), e) for n, e in events
            if e.message_type == "323" and e.message_date <= day]
        answered = [e for _, e in events if e.message_type == "325" and e.message_date <= day]
        out: list[Kept] = []
        found: list[Obligation] = []
        rules._declaration_group(made, answered, [], deadline_months=1, emit=found.append)
        out.extend(_kept(o) for o in found)
        rules._declaration_lines((e for _, e in made), answered, partial(_lines_row, out))
        versions.append((day, out))
    return _rows_of(versions, before)


def _lines_row(out: list[Kept], provider: str, month: str, count: int, rejected: int) -> None:
    # Municipality and due are not read for LINES rows; the declared month is the subject.
    out.append(Kept("LINES", provider, "", month, "period", date(int(month[:4]), int(month[5:]), 1),
                    None, "", count, rejected))


def month_changes(spans: Iterable[tuple[Span, date, date | None]], sign: int, into: Counter) -> None:
    """Add (or with sign -1 take back) what care spans say about each month: the month
    counts from the later of the day the span was known and the first day after the
    month (a month is declared once it has ended), until the span's end."""
    for span, known_from, known_until in spans:
        month = span.first_month
        while month <= span.last_month:
            following = _first_of_month(month, 1)
            start = max(known_from, following)
            if known_until is None or start < known_until:
                into[(span.provider_agb, span.municipality_code, month, start)] += sign
                if known_until is not None:
                    into[(span.provider_agb, span.municipality_code, month, known_until)] -= sign
            month = following


def regional_rows(
    provider: str, municipality: str, month: date, changes: Iterable[tuple[date, int]],
    first_declared: date | None, *, deadline_months: int, deadline_moved: bool,
) -> list[tuple[Kept, date, date | None]]:
    """REGIONAL_323 for one provider, municipality and month: known while some start
    line says care was delivered that month (the sum of `changes` up to the day above
    zero), met by the first 323 covering the month (`first_declared`) from its day on."""
    due = rules.declaration_deadline(month.year, month.month, months_after=deadline_months,
                                     moved=deadline_moved)
    subject = f"{month.year:04d}-{month.month:02d}"
    pending = Kept("REGIONAL_323", provider, municipality, subject, "period", due, None)
    met = pending._replace(done=first_declared)
    out: list[tuple[Kept, date, date | None]] = []

    def add(start: date, end: date | None) -> None:
        if first_declared is None or (end is not None and first_declared >= end):
            out.append((pending, start, end))
        elif first_declared <= start:
            out.append((met, start, end))
        else:
            out.append((pending, start, first_declared))
            out.append((met, first_declared, end))

    total, opened = 0, None
    for day, delta in sorted(changes):
        before = total
        total += delta
        if before <= 0 < total:
            opened = day
        elif total <= 0 < before and opened is not None:
            if day > opened:
                add(opened, day)
            opened = None
    if opened is not None and total > 0:
        add(opened, None)
    return out


def _interval(into: Counter, key: tuple, start: date, end: date | None, delta: int) -> None:
    if delta and (end is None or start < end):
        into[(*key, start)] += delta
        if end is not None:
            into[(*key, end)] -= delta


WEEK = timedelta(days=7)


def tally_changes(rows: Iterable[tuple], sign: int, into: Counter, by_rule: Counter) -> None:
    """What kept obligation rows (group key, Kept, known_from, known_until) add to the
    tally (`declaration_tally`): (provider, measure, month, day) → change, and to its
    findings per rule (`declaration_finding_tally`, into `by_rule`): (provider, rule,
    month, day) → change. A row counts in its KPI from the day it is decided (known and
    met, else the day after its due date), on time while known if met by the due date;
    it is a finding from the day it is late, "new" for the seven days after it became
    one (it was sent late that day, or its due date passed)."""
    day_after = timedelta(days=1)
    for _group, k, known_from, known_until in rows:
        p = k.provider_agb
        if k.rule == "LINES":
            _interval(into, (p, "answered", k.subject), known_from, known_until, sign)
            _interval(into, (p, "lines", k.subject), known_from, known_until, sign * (k.lines or 0))
            _interval(into, (p, "rejected", k.subject), known_from, known_until, sign * (k.rejected or 0))
            continue
        month = f"{k.due.year:04d}-{k.due.month:02d}"
        kpi = rules.KPI_OF_RULE.get(k.rule)
        if kpi is not None:
            decided = known_from if k.done is not None else max(known_from, k.due + day_after)
            _interval(into, (p, f"{kpi}:counted", month), decided, known_until, sign)
            if k.done is not None and k.done <= k.due:
                _interval(into, (p, f"{kpi}:on_time", month), known_from, known_until, sign)
        if k.rule in rules.CHECKS:
            late = known_from if k.done is not None and k.done < k.due else None
        elif k.done is not None:
            late = known_from if k.done > k.due else None
        else:
            late = max(known_from, k.due + day_after)
        if late is None:
            continue
        _interval(into, (p, "findings", month), late, known_until, sign)
        _interval(by_rule, (p, k.rule, month), late, known_until, sign)
        # New in the week up to D: sent in it, or its due date passed in it.
        fresh = (k.done + WEEK) if k.done is not None else (k.due + day_after + WEEK)
        _interval(into, (p, "new", month), late,
                  fresh if known_until is None else min(fresh, known_until), sign)


# --- Keeping them up to date -------------------------------------------------------------


def refresh(session: Session, *, deadline_months: int | None = None,
            deadline_moved: bool | None = None) -> int:
    """Derive the obligations of every group with events stored since the last refresh
    (all of them the first time); returns how many events it took in. Cheap when nothing
    is new: one indexed query. The regional deadline settings (REGIONAL_323's due date)
    default to those of the last refresh (else 1 month, moved); other ones re-derive the
    REGIONAL_323 obligations."""
    state = store.derivation_state(session)
    if deadline_months is None:
        deadline_months = state.deadline_months if state is not None else 1
    if deadline_moved is None:
        deadline_moved = bool(state.deadline_moved) if state is not None else True
    latest = store.latest_event_id(session)
    if state is None and not latest:
        return 0  # no messages yet: nothing to derive, and nothing to record (a migration)

    def settings_differ(state: store.DerivationState | None) -> bool:
        return state is not None and (
            state.deadline_months != deadline_months or bool(state.deadline_moved) != deadline_moved)

    settings_changed = settings_differ(state)
    if state is not None and state.event_id >= latest and not settings_changed and state.findings_by_rule:
        return 0
    store.lock_for_import(session)
    # Another process (the clock, an answer) may have derived while this one waited for
    # the lock: what it recorded, and every event it committed, read again.
    state = store.derivation_state(session, fresh=True)
    latest = store.latest_event_id(session)
    settings_changed = settings_differ(state)
    after = state.event_id if state is not None else 0
    if state is not None and not state.findings_by_rule:
        # Derived before migration 0018: counted from the kept rows, not derived again.
        count_findings_by_rule(session)
        state.findings_by_rule = True
    if state is not None and state.event_id >= latest and not settings_changed:
        return 0
    if after == 0:
        store.clear_kept(session)
    assignments, requests, declarations, covered = store.groups_of_events(session, after_id=after)
    month_delta: Counter = Counter()
    tally_delta: Counter = Counter()
    rule_delta: Counter = Counter()
    touched_months: set[tuple[str, str, date]] = set()

    def replace(group_keys: list[str], rows: list[tuple], before: dict | None = None) -> None:
        # What changed, only: the tally follows the rows taken away and added.
        if before is None:
            before = store.kept_of_groups(session, group_keys=group_keys) if after else {}
        removed, added = store.update_kept(session, before=before, rows=rows)
        tally_changes(removed, -1, tally_delta, rule_delta)
        tally_changes(added, 1, tally_delta, rule_delta)

    def rows_before(kept: dict, group_key: str, since: date | None) -> Before | None:
        # Without the ids: the rows as the derivation gives them.
        if since is None:
            return None
        return Before(since, [r[1:] for r in kept.get(group_key, [])])

    progress = _Progress(len(assignments) + len(requests) + len(declarations))
    for chunk in _chunks(sorted(assignments, key=_none_first), 500):
        stored, lines = store.assignment_groups(session, keys=chunk)
        keys = [_group_key("A", *key) for key in chunk]
        kept = store.kept_of_groups(session, group_keys=keys) if after else {}
        spans_kept = store.care_spans_of_groups(session, group_keys=keys) if after else {}
        kept_rows: list[tuple[Any, ...]] = []
        span_rows: list[tuple[Any, ...]] = []
        for key, group_key in zip(chunk, keys, strict=True):
            row = stored.get(key)
            fact, row_id = (row if row is not None else (None, None))
            events = lines.get(key, [])
            since = since_for_assignment(fact, events, after) if after else None
            obligations, spans = assignment_group(
                fact, row_id, events, kept_before=rows_before(kept, group_key, since),
                spans_before=rows_before(spans_kept, group_key, since))
            kept_rows.extend((group_key, *r) for r in obligations)
            span_rows.extend((group_key, *r) for r in spans)
        replace(keys, kept_rows, kept)
        spans_removed, spans_added = store.update_care_spans(session, before=spans_kept, rows=span_rows)
        month_changes((r[1:] for r in spans_removed), -1, month_delta)
        month_changes((r[1:] for r in spans_added), 1, month_delta)
        progress.advance(len(chunk))

    for kind, keys_of_kind, read, derive in (
        ("R", requests, store.request_groups, request_group),
        ("D", declarations, store.declaration_groups, declaration_group),
    ):
        for chunk in _chunks(sorted(keys_of_kind, key=_none_first), 500):
            events_of = read(session, keys=chunk)
            keys = [_group_key(kind, *key) for key in chunk]
            kept = store.kept_of_groups(session, group_keys=keys) if after else {}
            kept_rows = []
            for key, group_key in zip(chunk, keys, strict=True):
                events = events_of.get(key, [])
                since = since_for_events(events, after) if after else None
                kept_rows.extend((group_key, *r) for r in derive(events, before=rows_before(kept, group_key, since)))
            replace(keys, kept_rows, kept)
            progress.advance(len(chunk))

    changed = {key: delta for key, delta in month_delta.items() if delta}
    store.add_care_month_changes(session, changes=changed, empty=after == 0)
    touched_months.update((p, m, month) for p, m, month, _day in changed)
    touched_months.update(covered)
    if settings_changed or after == 0:
        touched_months = store.care_months(session)
    _derive_regional(session, touched_months, deadline_months=deadline_months,
                     deadline_moved=deadline_moved, replace=replace)
    store.add_tally_changes(session, changes={key: n for key, n in tally_delta.items() if n},
                            empty=after == 0)
    store.add_finding_tally_changes(session, changes={key: n for key, n in rule_delta.items() if n},
                                    empty=after == 0)
    store.set_derivation_state(session, event_id=latest, deadline_months=deadline_months,
                               deadline_moved=deadline_moved)
    session.flush()
    progress.finish()
    return latest - after


class _Progress:
    """Logs every tenth of the groups derived, and the end, when there are many."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self.step = max(1, total // 10)
        self.next_report = self.step if total >= PROGRESS_FROM_GROUPS else None

    def advance(self, groups: int) -> None:
        if self.next_report is None:
            return
        self.done += groups
        if self.done >= self.next_report and self.done < self.total:
            while self.next_report <= self.done:
                self.next_report += self.step
            log.info("deriving the kept obligations: %d of %d groups, %.0f s",
                     self.done, self.total, time.perf_counter() - self.started)

    def finish(self) -> None:
        if self.next_report is not None:
            log.info("derived the kept obligations of %d groups in %.0f s",
                     self.total, time.perf_counter() - self.started)


def count_findings_by_rule(session: Session) -> None:
    """Count the findings per rule (`store.add_finding_tally_changes`) from the kept
    obligations, for a store derived before they were counted: a pass over the rows,
    without deriving them."""
    by_rule: Counter = Counter()
    tally_changes(store.kept_rows(session), 1, Counter(), by_rule)
    store.clear_finding_tally(session)
    store.add_finding_tally_changes(session, changes={key: n for key, n in by_rule.items() if n}, empty=True)


def _derive_regional(session: Session, months: set[tuple[str, str, date]], *, deadline_months: int,
                     deadline_moved: bool, replace: Callable[[list[str], list[tuple]], None]) -> None:
    by_pair: dict[tuple[str, str], set[date]] = defaultdict(set)
    for provider, municipality, month in months:
        by_pair[(provider, municipality)].add(month)
    for pairs in _chunks(sorted(by_pair), 50):
        changes = store.care_month_changes(session, pairs=pairs)
        declared = store.declared_periods(session, pairs=pairs)
        rows, keys = [], []
        for provider, municipality in pairs:
            periods = declared.get((provider, municipality), [])
            for month in sorted(by_pair[(provider, municipality)]):
                last_day = _first_of_month(month, 1) - timedelta(days=1)
                first = min((day for start, end, day in periods if start <= last_day and end >= month),
                            default=None)
                group_key = _group_key("M", provider, municipality, month.isoformat()[:7])
                keys.append(group_key)
                for r in regional_rows(provider, municipality, month,
                                       changes.get((provider, municipality, month), []), first,
                                       deadline_months=deadline_months, deadline_moved=deadline_moved):
                    rows.append((group_key, *r))
        replace(keys, rows)


# --- Reading them as of a day ------------------------------------------------------------


def _month_bounds(month: str | None) -> tuple[date, date] | None:
    if not month:
        return None
    first = date(int(month[:4]), int(month[5:7]), 1)
    return first, _first_of_month(first, 1) - timedelta(days=1)


def evaluate(
    session: Session, *, today: date, deadline_months: int | None = None,
    deadline_moved: bool | None = None,
    provider_agb: str | None = None, month: str | None = None, keep_findings: bool = False,
) -> rules.Evaluation:
    """What `rules.evaluate` returns — KPI rows per provider per month and for the region
    (of `provider_agb` alone when given), and with `keep_findings` the findings — from the
    kept obligations, brought up to date first. `month` limits the KPI rows, not the
    findings (as there)."""
    refresh(session, deadline_months=deadline_months, deadline_moved=deadline_moved)
    tally: dict[tuple[str, str], rules.KpiRow] = {}

    def row(provider: str, key: str) -> rules.KpiRow:
        found = tally.get((provider, key))
        if found is None:
            found = tally[(provider, key)] = rules.KpiRow(provider, key)
        return found

    answered: set[tuple[str, str]] = set()
    counted_findings: dict[str, list[int]] = {}
    # Findings are counted whatever month is asked (their rows are by due month too).
    for provider, measure, key, count in store.tally(session, today=today, provider_agb=provider_agb):
        if measure in ("findings", "new"):
            counted_findings.setdefault(provider, [0, 0])[measure == "new"] += count
            continue
        if month and key != month:
            continue
        if measure == "answered":
            answered.add((provider, key))
            row(provider, key)
        elif measure in ("lines", "rejected"):
            target = row(provider, key)
            setattr(target, measure, getattr(target, measure) + count)
        else:
            kpi, what = measure.split(":")
            counts = row(provider, key).counts[kpi]
            counts[0 if what == "on_time" else 1] += count
    # A month with only on-time counts cannot be (they come with counted ones); one with
    # lines but no answered 323 neither: drop rows nothing was counted in.
    tally = {k: r for k, r in tally.items()
             if any(r.counts[kpi][1] for kpi in rules.KPIS) or k in answered}
    per = sorted(tally.values(), key=lambda r: (r.month, r.provider_agb))
    region: dict[str, rules.KpiRow] = {}
    for r in per:
        total = region.setdefault(r.month, rules.KpiRow(None, r.month))
        for kpi in rules.KPIS:
            total.counts[kpi][0] += r.counts[kpi][0]
            total.counts[kpi][1] += r.counts[kpi][1]
        total.lines += r.lines
        total.rejected += r.rejected
    found: list[rules.Finding] = []
    if keep_findings:
        found = findings(session, today=today, provider_agb=provider_agb)
    return rules.Evaluation(per=per, region=sorted(region.values(), key=lambda r: r.month), findings=found,
                            finding_counts={p: (n, new) for p, (n, new) in counted_findings.items() if n})


def findings(session: Session, *, today: date, provider_agb: str | None,
             month: str | None = None) -> list[rules.Finding]:
    """A provider's (or with None every provider's) findings as of `today` (due in `month`, if given), most overdue
    first; ties by municipality, due date and the day it was sent."""
    refresh(session)
    return _as_findings(store.kept_findings(session, today=today, provider_agb=provider_agb,
                                            month=_month_bounds(month)), today=today)


def _as_findings(rows: Iterable[tuple], *, today: date) -> list[rules.Finding]:
    out = []
    for rule, provider, municipality, subject, kind, due, done, note in rows:
        o = Obligation(rule, provider, municipality, subject, kind, due, done, note,
                       order=(municipality, due, done or date.min))
        finding = rules.finding_of(o, today=today)
        if finding is not None:
            out.append(finding)
    return rules.sort_findings(out)


class FindingSummary(NamedTuple):
    """A provider's findings as of a day: how many in all and per rule, and the most
    overdue of them."""

    total: int
    by_rule: dict[str, int]
    first: list[rules.Finding]


def finding_summary(session: Session, *, today: date, provider_agb: str, month: str | None = None,
                    first: int = 40) -> FindingSummary:
    """`findings` counted in the store (the tally, per rule), with only the `first` most
    overdue read: what an answer shows of a provider with thousands of findings."""
    refresh(session)
    bounds = _month_bounds(month)
    by_rule = store.findings_by_rule(session, today=today, provider_agb=provider_agb, month=month)
    shown = _as_findings(store.most_overdue_findings(session, today=today, provider_agb=provider_agb,
                                                     month=bounds, first=first), today=today)
    return FindingSummary(sum(by_rule.values()), {r: n for r, n in by_rule.items() if n}, shown[:first])


def finding_counts(
    session: Session, *, today: date, deadline_months: int | None = None,
    deadline_moved: bool | None = None,
) -> dict[str, tuple[int, int]]:
    """Provider → (its findings as of `today`, how many of them are new in the seven days
    up to `today`: sent late in them, or past due in them), from the tally."""
    return evaluate(session, today=today, deadline_months=deadline_months,
                    deadline_moved=deadline_moved).finding_counts


def _none_first(key: tuple) -> tuple:
    # Keys may hold None (a line without a ToewijzingNummer, a request without a reference).
    return tuple((part is not None, part or "") for part in key)


def _group_key(kind: str, *parts: object) -> str:
    return "|".join([kind, *("" if p is None else str(p) for p in parts)])


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "HORIZON_MONTHS",
    "Kept",
    "Span",
    "Before",
    "assignment_group",
    "care_spans",
    "days_late_when_met",
    "declaration_group",
    "evaluate",
    "FindingSummary",
    "finding_counts",
    "finding_summary",
    "findings",
    "month_changes",
    "count_findings_by_rule",
    "refresh",
    "regional_rows",
    "request_group",
    "spans_of",
    "tally_changes",
]


def derive_after_migration(url: str) -> None:
    """Derive what a migrated store's events still owe (all of them after migration
    0015): here, in `regiobot migrate`, rather than in the first `/regio declaraties`
    after it, which at a large store would outlast any answer. Nothing new: one query."""
    from storage.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            refresh(session)
    finally:
        engine.dispose()
