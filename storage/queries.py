"""Every query the command handlers need, as keyword-only functions taking a Session.

Handlers never build SQL themselves: they call these, so what the bot reads and writes
is in one file, testable on SQLite and PostgreSQL alike. Writers flush but do not
commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from storage.models import (
    AgendaItem,
    AuditEntry,
    BudgetLine,
    GoverningBody,
    Meeting,
    Milestone,
    Municipality,
    Partner,
    Person,
    Programme,
    ProgrammePartner,
    Project,
    Region,
    Role,
    Subscription,
)
from storage.responsible import responsible_is

# Role kinds that make a person answerable for a programme's milestones.
OWNER_ROLE_KINDS = ("programmamanager", "bestuurlijk opdrachtgever", "ambtelijk opdrachtgever")


# --- regions and municipalities


def find_regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.year.desc(), Region.id)))


def get_region(session: Session, *, region_id: int) -> Region | None:
    return session.get(Region, region_id)


def default_region(session: Session, *, today: date | None = None) -> Region | None:
    """The region the bot speaks about: the one whose plan year is today's, else the newest."""
    # Asked by nearly every command: two indexed single-row queries, not every region.
    if today is not None:
        current = session.scalar(
            select(Region).where(Region.year == today.year).order_by(Region.id).limit(1)
        )
        if current is not None:
            return current
    return session.scalar(select(Region).order_by(Region.year.desc(), Region.id).limit(1))


def find_municipalities(session: Session, *, region_id: int) -> list[Municipality]:
    return list(
        session.scalars(
            select(Municipality)
            .where(Municipality.region_id == region_id)
            .order_by(Municipality.name)
        )
    )


# --- programmes and projects


def find_programmes(session: Session, *, region_id: int | None = None) -> list[Programme]:
    query = select(Programme).order_by(Programme.region_id, Programme.position, Programme.id)
    if region_id is not None:
        query = query.where(Programme.region_id == region_id)
    return list(session.scalars(query))


def get_programme(session: Session, *, programme_id: int) -> Programme | None:
    return session.get(Programme, programme_id)


def get_project(session: Session, *, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def find_projects(
    session: Session, *, programme_id: int | None = None, region_id: int | None = None
) -> list[Project]:
    query = (
        select(Project)
        .join(Programme)
        .options(joinedload(Project.programme))
        .order_by(Programme.position, Project.position, Project.id)
    )
    if programme_id is not None:
        query = query.where(Project.programme_id == programme_id)
    if region_id is not None:
        query = query.where(Programme.region_id == region_id)
    return list(session.scalars(query))


def find_budget_lines(
    session: Session, *, programme_id: int | None = None, region_id: int | None = None
) -> list[BudgetLine]:
    query = (
        select(BudgetLine)
        .join(Programme)
        .options(joinedload(BudgetLine.programme))
        .order_by(Programme.position, BudgetLine.position)
    )
    if programme_id is not None:
        query = query.where(BudgetLine.programme_id == programme_id)
    if region_id is not None:
        query = query.where(Programme.region_id == region_id)
    return list(session.scalars(query))


# --- people and roles


def find_persons(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.name)))


def person_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every person, by name: what name matching needs, without objects."""
    return list(session.execute(select(Person.id, Person.name).order_by(Person.name)))


def milestone_titles(session: Session, *, region_id: int) -> list[tuple[int, str, int]]:
    """(id, title, programme id) of the region's milestones that are not cancelled."""
    return list(session.execute(
        select(Milestone.id, Milestone.title, Milestone.programme_id)
        .join(Programme)
        .where(Programme.region_id == region_id, Milestone.status != "cancelled")
        .order_by(Milestone.id)
    ))


def partner_names(session: Session, *, region_id: int) -> list[tuple[int, str]]:
    """(id, name) of the external partners of the region's programmes."""
    return list(session.execute(
        select(Partner.id, Partner.name)
        .join(ProgrammePartner, ProgrammePartner.partner_id == Partner.id)
        .join(Programme, Programme.id == ProgrammePartner.programme_id)
        .where(Programme.region_id == region_id)
        .distinct()
        .order_by(Partner.name)
    ))


def unlinked_holders(session: Session, *, region_id: int) -> list[tuple[int, str, int]]:
    """(role id, holder, programme id) of the region's roles held by a name that is no
    person of the store."""
    return list(session.execute(
        select(Role.id, Role.holder, Role.programme_id)
        .join(Programme, Programme.id == Role.programme_id)
        .where(Programme.region_id == region_id, Role.person_id.is_(None),
               Role.holder.is_not(None))
        .order_by(Role.id)
    ))


def get_role(session: Session, *, role_id: int) -> Role | None:
    return session.get(Role, role_id)


def partner_programmes(session: Session, *, partner_id: int) -> list[Programme]:
    """The programmes that name this partner, in document order."""
    return list(session.scalars(
        select(Programme)
        .join(ProgrammePartner, ProgrammePartner.programme_id == Programme.id)
        .where(ProgrammePartner.partner_id == partner_id)
        .order_by(Programme.position, Programme.id)
    ))


def get_partner(session: Session, *, partner_id: int) -> Partner | None:
    return session.get(Partner, partner_id)


def provider_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the care providers the declarations know."""
    from storage.declarations import Provider

    return list(session.execute(select(Provider.id, Provider.name).order_by(Provider.name)))


def get_person(session: Session, *, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def person_for_slack_user(session: Session, *, slack_user_id: str | None) -> Person | None:
    if not slack_user_id:
        return None
    return session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))


def find_roles(
    session: Session,
    *,
    programme_id: int | None = None,
    project_id: int | None = None,
    person_id: int | None = None,
    kinds: Iterable[str] | None = None,
) -> list[Role]:
    query = (
        select(Role)
        .join(Programme)
        .options(joinedload(Role.person), joinedload(Role.programme),
                 joinedload(Role.project))
        .order_by(Programme.position, Role.position, Role.id)
    )
    if programme_id is not None:
        query = query.where(Role.programme_id == programme_id)
    if project_id is not None:
        query = query.where(Role.project_id == project_id)
    if person_id is not None:
        query = query.where(Role.person_id == person_id)
    if kinds is not None:
        query = query.where(Role.kind.in_(list(kinds)))
    return list(session.scalars(query))


def link_person(session: Session, *, person: Person, slack_user_id: str) -> Person | None:
    """Link `slack_user_id` to `person`; returns the person it was linked to before, if another."""
    previous = person_for_slack_user(session, slack_user_id=slack_user_id)
    if previous is not None and previous.id != person.id:
        # slack_user_id is unique: free it first, in its own flush.
        previous.slack_user_id = None
        session.flush()
    person.slack_user_id = slack_user_id
    session.flush()
    return previous if previous is not None and previous.id != person.id else None


# --- milestones


def get_milestone(session: Session, *, milestone_id: int) -> Milestone | None:
    return session.scalar(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .options(joinedload(Milestone.programme), joinedload(Milestone.project),
                 joinedload(Milestone.owner))
    )


def _where_milestones(
    query,
    *,
    region_id: int | None = None,
    programme_id: int | None = None,
    project_id: int | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    window_from: date | None = None,
    window_to: date | None = None,
    statuses: Iterable[str] | None = ("open", "done"),
    late_on: date | None = None,
    owner_id: int | None = None,
    own_for_person_id: int | None = None,
):
    """`query` (over Milestone joined to Programme) narrowed by `find_milestones`'s filters."""
    if region_id is not None:
        query = query.where(Programme.region_id == region_id)
    if programme_id is not None:
        query = query.where(Milestone.programme_id == programme_id)
    if project_id is not None:
        query = query.where(Milestone.project_id == project_id)
    if due_from is not None:
        query = query.where(Milestone.due_date >= due_from)
    if due_to is not None:
        query = query.where(Milestone.due_date <= due_to)
    if window_from is not None:
        query = query.where(Milestone.due_date >= window_from)
    if window_to is not None:
        query = query.where(func.coalesce(Milestone.period_start, Milestone.due_date) <= window_to)
    if statuses is not None:
        query = query.where(Milestone.status.in_(list(statuses)))
    if late_on is not None:
        query = query.where(Milestone.status == "open", Milestone.due_date < late_on)
    if owner_id is not None:
        query = query.where(Milestone.owner_id == owner_id)
    if own_for_person_id is not None:
        query = query.where(responsible_is(own_for_person_id))
    return query


def find_milestones(session: Session, *, limit: int | None = None, **filters) -> list[Milestone]:
    """Milestones by programme, project, due window, status, lateness and owner, in due
    order; at most `limit`.

    Filters (keyword-only): `region_id`, `programme_id`, `project_id`, `due_from`,
    `due_to`, `statuses` (default open and done), `owner_id`, and:
    `window_from`/`window_to`: milestones whose window (period start, or the due date
    when there is none, up to the due date) overlaps those days — "K2/K3" is in K2 too.
    `late_on`: only open milestones due before that day. `own_for_person_id`: the
    milestones the person is responsible for (`storage.responsible`: the owner, else
    the project's projectleider, else the programme's programmamanager).
    """
    query = (
        select(Milestone)
        .join(Programme)
        .options(joinedload(Milestone.programme), joinedload(Milestone.project),
                 joinedload(Milestone.owner))
        .order_by(Milestone.due_date, Programme.position, Milestone.position, Milestone.id)
    )
    query = _where_milestones(query, **filters)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_milestones(session: Session, **filters) -> int:
    """How many milestones `find_milestones` would give for the same filters."""
    query = select(func.count(Milestone.id)).select_from(Milestone).join(Programme)
    return session.scalar(_where_milestones(query, **filters)) or 0


def milestone_counts(session: Session, *, programme_id: int, today: date) -> dict[str, int]:
    """{'open': n, 'done': n, 'late': n} for one programme."""
    rows = session.execute(
        select(Milestone.status, func.count())
        .where(Milestone.programme_id == programme_id)
        .group_by(Milestone.status)
    ).all()
    counts = {"open": 0, "done": 0, "cancelled": 0}
    counts.update({status: n for status, n in rows})
    counts["late"] = session.scalar(
        select(func.count())
        .select_from(Milestone)
        .where(Milestone.programme_id == programme_id, Milestone.status == "open",
               Milestone.due_date < today)
    ) or 0
    return counts


def _touch(milestone: Milestone, now: datetime) -> None:
    milestone.updated_at = now
    milestone.sequence = (milestone.sequence or 0) + 1


def set_milestone_status(
    session: Session, *, milestone: Milestone, status: str, now: datetime
) -> None:
    milestone.status = status
    milestone.done_at = now if status == "done" else None
    _touch(milestone, now)
    session.flush()


def move_milestone(session: Session, *, milestone: Milestone, due_date: date, now: datetime) -> None:
    milestone.due_date = due_date
    if milestone.period_start is not None and milestone.period_start > due_date:
        # The window may not end before it starts; the label as written still says
        # what the plan said.
        milestone.period_start = None
    _touch(milestone, now)
    session.flush()


def persons_answerable_for(session: Session, *, programme_id: int) -> list[Person]:
    """The programme's programmamanager and opdrachtgevers (people, not bodies)."""
    roles = find_roles(session, programme_id=programme_id, kinds=OWNER_ROLE_KINDS)
    return [role.person for role in roles if role.person is not None and role.project_id is None]


def project_leads(session: Session, *, project_id: int) -> list[Person]:
    roles = find_roles(session, project_id=project_id, kinds=("projectleider",))
    return [role.person for role in roles if role.person is not None]


# --- meetings and agendas


def governing_bodies(session: Session, *, region_id: int) -> list[GoverningBody]:
    return list(session.scalars(select(GoverningBody).where(GoverningBody.region_id == region_id)))


def _bosd_bodies(session: Session):
    """The BOSD's body ids; when no body is called BOSD, every body (a single-body region)."""
    bosd = select(GoverningBody.id).where(
        or_(func.lower(GoverningBody.slug) == "bosd",
            func.lower(GoverningBody.abbreviation) == "bosd")
    )
    if session.scalar(select(func.count()).select_from(bosd.subquery())):
        return bosd
    return select(GoverningBody.id)


def _meetings(session: Session):
    return (
        select(Meeting)
        .where(Meeting.body_id.in_(_bosd_bodies(session)))
        .options(selectinload(Meeting.agenda_items), joinedload(Meeting.body))
    )


def get_meeting(session: Session, *, meeting_id: int) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(selectinload(Meeting.agenda_items), joinedload(Meeting.body))
    )


def bosd_meetings_between(session: Session, *, start: date, end: date) -> list[Meeting]:
    """Scheduled BOSD meetings in [start, end], by date (the scheduler's posts about them)."""
    return list(session.scalars(
        _meetings(session)
        .where(Meeting.status == "scheduled", Meeting.date >= start, Meeting.date <= end)
        .order_by(Meeting.date, Meeting.id)
    ))


def next_meeting(session: Session, *, on_or_after: date) -> Meeting | None:
    return session.scalar(
        _meetings(session)
        .where(Meeting.date >= on_or_after, Meeting.status == "scheduled")
        .order_by(Meeting.date, Meeting.id)
        .limit(1)
    )


def find_meetings(
    session: Session,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    excluding_id: int | None = None,
    limit: int | None = None,
    region_id: int | None = None,
) -> list[Meeting]:
    query = _meetings(session).order_by(Meeting.date, Meeting.id)
    if region_id is not None:
        query = query.where(Meeting.body_id.in_(
            select(GoverningBody.id).where(GoverningBody.region_id == region_id)))
    if date_from is not None:
        query = query.where(Meeting.date >= date_from)
    if date_to is not None:
        query = query.where(Meeting.date <= date_to)
    if status is not None:
        query = query.where(Meeting.status == status)
    if excluding_id is not None:
        query = query.where(Meeting.id != excluding_id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


# The largest value an INTEGER column holds (PostgreSQL's 4 bytes).
INTEGER_MAX = 2**31 - 1


def meeting_by_number(session: Session, *, number: int, year: int | None = None) -> Meeting | None:
    """BOSD number `number`: numbers restart every year, so prefer `year`, else the newest."""
    if not 0 <= number <= INTEGER_MAX:
        return None  # no meeting has it, and PostgreSQL refuses to compare (out of range)
    candidates = list(
        session.scalars(_meetings(session).where(Meeting.number == number).order_by(Meeting.date))
    )
    if year is not None:
        for meeting in candidates:
            if meeting.date.year == year:
                return meeting
    return candidates[-1] if candidates else None


def meeting_on(session: Session, *, day: date) -> Meeting | None:
    return session.scalar(_meetings(session).where(Meeting.date == day).order_by(Meeting.id))


def nearest_meeting(session: Session, *, day: date) -> Meeting | None:
    meetings = find_meetings(session)
    if not meetings:
        return None
    return min(meetings, key=lambda m: (abs((m.date - day).days), m.date))


def add_agenda_item(
    session: Session, *, meeting: Meeting, title: str, now: datetime,
    kind: str | None = None, prepared_by: str | None = None,
) -> AgendaItem:
    position = (
        session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
        )
        or 0
    ) + 1
    item = AgendaItem(
        meeting_id=meeting.id, position=position, title=title, kind=kind,
        prepared_by=prepared_by, created_at=now, updated_at=now,
    )
    session.add(item)
    meeting.updated_at = now
    meeting.sequence = (meeting.sequence or 0) + 1
    session.flush()
    session.refresh(meeting, attribute_names=["agenda_items"])
    return item


# --- subscriptions


def find_subscriptions(session: Session, *, channel_id: str | None = None,
                       topic: str | None = None) -> list[Subscription]:
    query = (
        select(Subscription)
        .options(joinedload(Subscription.programme))
        .order_by(Subscription.channel_id, Subscription.topic, Subscription.programme_id_key)
    )
    if channel_id is not None:
        query = query.where(Subscription.channel_id == channel_id)
    if topic is not None:
        query = query.where(Subscription.topic == topic)
    return list(session.scalars(query))


def _subscription(session: Session, *, channel_id: str, topic: str, programme_id: int | None):
    return session.scalar(
        select(Subscription).where(
            Subscription.channel_id == channel_id,
            Subscription.topic == topic,
            Subscription.programme_id_key == (programme_id or 0),
        )
    )


def add_subscription(
    session: Session, *, channel_id: str, topic: str, programme_id: int | None = None,
    created_by: str | None, now: datetime,
) -> tuple[Subscription, bool]:
    """(the subscription, True when it is new)."""
    existing = _subscription(session, channel_id=channel_id, topic=topic,
                             programme_id=programme_id)
    if existing is not None:
        return existing, False
    subscription = Subscription(
        channel_id=channel_id, topic=topic, programme_id=programme_id,
        programme_id_key=programme_id or 0, created_by=created_by, created_at=now,
    )
    session.add(subscription)
    session.flush()
    return subscription, True


def remove_subscription(
    session: Session, *, channel_id: str, topic: str, programme_id: int | None = None
) -> bool:
    existing = _subscription(session, channel_id=channel_id, topic=topic,
                             programme_id=programme_id)
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    return True


# --- audit


def add_audit(
    session: Session, *, at: datetime, actor: str, action: str, object_type: str,
    object_id: int | None, detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(at=at, actor=actor, action=action, object_type=object_type,
                       object_id=object_id, detail=detail or {})
    session.add(entry)
    session.flush()
    return entry


def find_audit(
    session: Session, *, object_type: str | None = None, object_id: int | None = None
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    return list(session.scalars(query))


def store_is_empty(session: Session) -> bool:
    """True until a region has been imported (then `regiobot start` loads nothing)."""
    return session.scalar(select(Region.id).limit(1)) is None
