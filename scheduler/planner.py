"""The planner: given the store and `now`, which posts are due by now → delivery rows.

It is run every few minutes and may run in two processes at once, or again after a
week of downtime: every post has a unique key, so planning it again changes nothing.

What is posted (all at `post_time`, Europe/Amsterdam, on working days — docs/architecture.md §4):

- milestone reminders, to the owner (a DM, when the person is linked to a Slack user)
  and to every channel following the programme: N working days before the due date
  for each N in `reminder_working_days` (10 and 2), and on the due date itself (on the
  last working day before it when it is not a working day);
- a weekly digest of late milestones (`digest_weekday`/`digest_time`, on the first
  working day from there) per owner and per channel, while any stays open;
- for the BOSD, to channels following `bosd`: a call for agenda items
  `bosd_call_working_days` before each meeting and the agenda
  `bosd_agenda_working_days` before it;
- to channels following `declaraties`: the weekly declarations digest
  (`commands.declaraties.weekly_digest`) at the digest moment.

Keys (unique; they name everything that makes a post different):

    reminder:m<milestone id>:<due date>:<stage>:<target>   stage w10, w2, due
    digest:<monday of the week>:<target>
    bosd_call:mt<meeting id>:<meeting date>:<target>
    bosd_agenda:mt<meeting id>:<meeting date>:<target>
    declarations_digest:<monday of the week>:<channel>
    admin_alert:<failed key>:<admin user id>

The due date is in the key, so a moved milestone is reminded for its new date only
(rows for the old date lapse). Each post of a stage is relevant from its moment until
the next stage's moment: the planner plans only the stage current at `now`, so after
downtime only the latest relevant reminder of a milestone is posted and older missed
ones are never planned; rows planned but not sent when a later stage begins are
marked `superseded` (their `expires_at` has passed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from regiobot.clock import AMSTERDAM
from storage import deliveries as store
from storage import queries
from storage.db import transaction
from storage.models import Meeting
from storage.workdays import add_working_days, is_working_day

log = logging.getLogger(__name__)

STAGE_DUE = "due"
# A margin past "N working days from today" when selecting due dates and meetings, so
# the selection can never be the reason a stage is missed (due dates on holidays and
# weekends are the edge cases); which stage is current is decided exactly afterwards.
SLACK_DAYS = timedelta(days=10)


@dataclass(frozen=True)
class Schedule:
    """The posting rules, from the settings."""

    reminder_days: tuple[int, ...] = (10, 2)
    post_time: time = time(9, 0)
    digest_weekday: int = 0
    digest_time: time = time(9, 0)
    bosd_call_days: int = 10
    bosd_agenda_days: int = 5

    @classmethod
    def from_settings(cls, settings) -> Schedule:
        return cls(
            reminder_days=tuple(sorted(set(settings.reminder_working_days), reverse=True)),
            post_time=settings.post_time,
            digest_weekday=settings.digest_weekday,
            digest_time=settings.digest_time,
            bosd_call_days=settings.bosd_call_working_days,
            bosd_agenda_days=settings.bosd_agenda_working_days,
        )


def moment(day: date, at: time) -> datetime:
    """A wall-clock time in Amsterdam on `day`, as the aware UTC instant stored."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def local_day(now: datetime) -> date:
    return now.astimezone(AMSTERDAM).date()


def _on_or_before_working_day(day: date) -> date:
    return day if is_working_day(day) else add_working_days(day, -1)


def _on_or_after_working_day(day: date) -> date:
    return day if is_working_day(day) else add_working_days(day, 1)


@dataclass(frozen=True)
class Stage:
    name: str
    day: date
    at: datetime
    until: datetime


def milestone_stages(due: date, schedule: Schedule) -> list[Stage]:
    """The reminder stages of a milestone due on `due`, earliest first."""
    days = [(f"w{n}", add_working_days(due, -n)) for n in sorted(schedule.reminder_days,
                                                                    reverse=True)]
    days.append((STAGE_DUE, _on_or_before_working_day(due)))
    # Two stages on one day (a "1 working day before" and a due date on a Sunday): the
    # later stage says more, keep it alone.
    kept: list[tuple[str, date]] = []
    for name, day in days:
        while kept and kept[-1][1] >= day:
            kept.pop()
        kept.append((name, day))
    ats = [moment(day, schedule.post_time) for _, day in kept]
    # The due-day reminder is stale once the due date is over; then the digest speaks.
    untils = ats[1:] + [moment(due + timedelta(days=1), time(0, 0))]
    return [Stage(name, day, at, until)
            for (name, day), at, until in zip(kept, ats, untils, strict=True)]


def meeting_stages(meeting_day: date, start: time | None, schedule: Schedule) -> list[Stage]:
    """The BOSD posts of a meeting: the call for agenda items, then the agenda."""
    call_day = add_working_days(meeting_day, -schedule.bosd_call_days)
    agenda_day = add_working_days(meeting_day, -schedule.bosd_agenda_days)
    starts = moment(meeting_day, start or time(0, 0))
    call_at = moment(call_day, schedule.post_time)
    agenda_at = moment(agenda_day, schedule.post_time)
    stages = []
    if call_day < agenda_day:
        stages.append(Stage(store.BOSD_CALL, call_day, call_at, agenda_at))
    stages.append(Stage(store.BOSD_AGENDA, agenda_day, agenda_at, starts))
    return stages


def current(stages: list[Stage], now: datetime) -> Stage | None:
    """The stage whose moment has come and not yet passed: the only one worth posting."""
    for stage in reversed(stages):
        if stage.at <= now:
            return stage if now < stage.until else None
    return None


def catch_up_moment(stage: Stage, now: datetime) -> datetime | None:
    """When to post a stage whose moment came: at its moment on its own day; a stage
    missed on an earlier day (downtime) on a working day at the posting hour — today
    when that hour has come on a working day, else the next working day's — and not at
    all when its successor is due by then. Its words are counted from that day."""
    if stage.at > now or local_day(now) == stage.day:
        return stage.at
    at_time = stage.at.astimezone(AMSTERDAM).time()
    day = local_day(now)
    if not (is_working_day(day) and moment(day, at_time) <= now):
        day = day if is_working_day(day) and moment(day, at_time) > now else (
            add_working_days(day, 1))
    at = moment(day, at_time)
    return at if at < stage.until else None


def digest_day(monday: date, schedule: Schedule) -> date:
    return _on_or_after_working_day(monday + timedelta(days=schedule.digest_weekday))


def current_digest(now: datetime, schedule: Schedule) -> tuple[date, date, datetime, datetime]:
    """(monday of the week, digest day, its moment, the next digest's moment) current at now."""
    today = local_day(now)
    monday = today - timedelta(days=today.weekday())
    at = moment(digest_day(monday, schedule), schedule.digest_time)
    if at > now:
        monday -= timedelta(days=7)
    day = digest_day(monday, schedule)
    next_day = digest_day(monday + timedelta(days=7), schedule)
    return monday, day, moment(day, schedule.digest_time), moment(next_day, schedule.digest_time)


def _unique(items) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def reminder_key(milestone_id: int, due: date, stage: str, target: str) -> str:
    return f"{store.REMINDER}:m{milestone_id}:{due.isoformat()}:{stage}:{target}"


@dataclass
class PlanReport:
    planned: list[str] = field(default_factory=list)
    superseded: int = 0


class _Planner:
    def __init__(self, session: Session, now: datetime, schedule: Schedule) -> None:
        self.session = session
        self.now = now
        self.schedule = schedule
        self.report = PlanReport()
        self.channels = store.programme_channels(session)
        self.candidates: list[dict] = []

    def run(self) -> PlanReport:
        # Lapse first what can no longer be wanted, so a re-planned stage is the only one.
        self.report.superseded += store.supersede_closed_milestones(self.session, now=self.now)
        self.report.superseded += store.supersede_expired(self.session, now=self.now)
        self.reminders()
        self.digests()
        self.meetings()
        self.declarations()
        self.insert()
        return self.report

    def plan(self, *, key: str, group_key: str, stage: Stage, **values) -> None:
        at = catch_up_moment(stage, self.now)
        if at is None:
            return  # missed, and the next stage (or the next digest) comes before it could
        values.update(key=key, group_key=group_key, planned_for=at,
                      expires_at=stage.until, stage=stage.name)
        self.candidates.append(values)

    def insert(self) -> None:
        """Insert the candidates not planned yet; each new stage lapses the earlier
        stages of its group that were planned but never sent. A handful of set-based
        statements for the whole tick, not two per post (issue 16 point 4)."""
        known = store.existing_keys(self.session, keys=[c["key"] for c in self.candidates])
        new = [values for values in self.candidates if values["key"] not in known]
        inserted = store.plan_deliveries(self.session, posts=new, now=self.now)
        self.report.planned.extend(values["key"] for values in new
                                   if values["key"] in inserted)
        # A group's last candidate is the one it keeps, as when each post superseded
        # its group in turn.
        keep = {values["group_key"]: values["key"] for values in new}
        self.report.superseded += store.supersede_groups(self.session, keep=keep, now=self.now)

    def programme_targets(self, programme_id: int) -> list[str]:
        return _unique([*self.channels.get(programme_id, []), *self.channels.get(None, [])])

    def reminders(self) -> None:
        today = local_day(self.now)
        longest = max(self.schedule.reminder_days, default=0)
        milestones = store.open_milestones_due_between(
            self.session, start=today, end=add_working_days(today, longest) + SLACK_DAYS
        )
        # Every reminder goes to the person responsible (storage.responsible) when linked.
        responsible = store.responsible_slack_users(
            self.session, milestone_ids=[m.id for m in milestones]
        )
        for milestone in milestones:
            stage = current(milestone_stages(milestone.due_date, self.schedule), self.now)
            if stage is None:
                continue
            targets = _unique([responsible.get(milestone.id),
                               *self.programme_targets(milestone.programme_id)])
            for target in targets:
                self.plan(
                    key=reminder_key(milestone.id, milestone.due_date, stage.name, target),
                    group_key=f"{store.REMINDER}:m{milestone.id}:{target}",
                    stage=stage,
                    kind=store.REMINDER,
                    target=target,
                    subject_date=milestone.due_date,
                    milestone_id=milestone.id,
                )

    def digests(self) -> None:
        """At the digest moment: "Jouw week" to each linked person responsible for an open
        milestone due this week or late; the digest of late milestones to channels."""
        monday, day, at, until = current_digest(self.now, self.schedule)
        if not at <= self.now < until:
            return
        stage = Stage("digest", day, at, until)
        sunday = monday + timedelta(days=6)
        people = store.responsible_with_open_due_by(self.session, end=sunday)
        for person_id, slack_user in store.people_with_slack(
            self.session, person_ids=people
        ).items():
            self.plan(
                key=f"{store.WEEK}:{monday.isoformat()}:{slack_user}",
                group_key=f"{store.WEEK}:{slack_user}",
                stage=stage,
                kind=store.WEEK,
                target=slack_user,
                subject_date=monday,
                payload={"day": day.isoformat(), "person_id": person_id},
            )
        late = store.late_open_responsible_and_programmes(self.session, before=day)
        targets: list[str] = _unique(
            channel for _, programme_id in late for channel in self.programme_targets(programme_id)
        )
        for target in targets:
            self.plan(
                key=f"{store.DIGEST}:{monday.isoformat()}:{target}",
                group_key=f"{store.DIGEST}:{target}",
                stage=stage,
                kind=store.DIGEST,
                target=target,
                subject_date=monday,
                payload={"day": day.isoformat(), "channel": target},
            )

    def meetings(self) -> None:
        today = local_day(self.now)
        channels = store.topic_channels(self.session, topic="bosd")
        if not channels:
            return
        longest = max(self.schedule.bosd_call_days, self.schedule.bosd_agenda_days)
        meetings: list[Meeting] = queries.bosd_meetings_between(
            self.session, start=today, end=add_working_days(today, longest) + SLACK_DAYS
        )
        for meeting in meetings:
            stage = current(meeting_stages(meeting.date, meeting.start_time, self.schedule),
                            self.now)
            if stage is None:
                continue
            for target in channels:
                self.plan(
                    key=f"{stage.name}:mt{meeting.id}:{meeting.date.isoformat()}:{target}",
                    group_key=f"bosd:mt{meeting.id}:{target}",
                    stage=stage,
                    kind=stage.name,
                    target=target,
                    subject_date=meeting.date,
                    meeting_id=meeting.id,
                )


    def declarations(self) -> None:
        channels = store.topic_channels(self.session, topic="declaraties")
        if not channels:
            return
        monday, day, at, until = current_digest(self.now, self.schedule)
        stage = Stage("weekly", day, at, until)
        for channel in channels:
            self.plan(
                key=f"{store.DECLARATIONS_DIGEST}:{monday.isoformat()}:{channel}",
                group_key=f"{store.DECLARATIONS_DIGEST}:{channel}",
                stage=stage,
                kind=store.DECLARATIONS_DIGEST,
                target=channel,
                subject_date=monday,
                payload={"day": day.isoformat()},
            )


def plan(session: Session, *, now: datetime, schedule: Schedule) -> PlanReport:
    """Insert every post due by `now` (within the caller's transaction)."""
    return _Planner(session, now, schedule).run()


def run_planner(
    factory: sessionmaker[Session], *, now: datetime, schedule: Schedule, attempts: int = 3
) -> PlanReport:
    """Plan in one transaction; a lock conflict with another planner is simply retried
    (planning is idempotent)."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(factory) as session:
                return plan(session, now=now, schedule=schedule)
        except OperationalError as error:
            if attempt == attempts:
                raise
            log.warning("planner: %s; trying again", error.orig or error)
    raise AssertionError("unreachable")


__all__ = [
    "PlanReport",
    "Schedule",
    "Stage",
    "current",
    "current_digest",
    "meeting_stages",
    "milestone_stages",
    "moment",
    "plan",
    "run_planner",
]

