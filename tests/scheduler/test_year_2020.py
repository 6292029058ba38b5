"""Stepping a clock through 2020 with the Midden-Holland programme posts exactly the
reminders, digests and BOSD posts the rules ask for — counted here from the data, with
the working-day rule, not from the planner."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from scheduler.planner import run_planner
from scheduler.sender import Sender
from storage import deliveries
from storage.db import transaction
from storage.importers import programme_document
from storage.models import Meeting, Milestone, Person, Programme, Role, Subscription
from storage.workdays import add_working_days, is_working_day
from tests.scheduler.helpers import SEEDED_AT, moments

DOCUMENT = (Path(__file__).resolve().parents[2] / "storage" / "data"
            / "midden-holland-programma-sociaal-domein-2020.txt")
FIRST, LAST = date(2020, 1, 2), date(2020, 12, 31)


def _load_2020(factory) -> None:
    with transaction(factory) as session:
        programme_document.import_programme_document(session, DOCUMENT, now=SEEDED_AT)
    with transaction(factory) as session:
        people = list(session.scalars(select(Person).order_by(Person.name)))
        linked = people[:4]
        for index, person in enumerate(linked):
            person.slack_user_id = f"U0PERSON{index}"
        milestones = list(session.scalars(select(Milestone).order_by(Milestone.id)))
        # Every sixth milestone owned by a linked person, every third by someone who is
        # not on Slack, the rest by nobody; two were done before the year began.
        for index, milestone in enumerate(milestones):
            if index % 6 == 0:
                milestone.owner_id = linked[index % len(linked)].id
            elif index % 3 == 1:
                milestone.owner_id = people[-1].id
        for milestone in milestones[5:7]:
            milestone.status = "done"
        programmes = list(session.scalars(select(Programme).order_by(Programme.position)))
        follows = [("C0JEUGD", programmes[0]), ("C0JEUGD", programmes[1]),
                   ("C0WMO", programmes[1])]
        for channel, programme in follows:
            session.add(Subscription(channel_id=channel, topic="programme",
                                     programme_id=programme.id,
                                     programme_id_key=programme.id, created_at=SEEDED_AT))
        session.add(Subscription(channel_id="C0BOSD", topic="bosd", programme_id_key=0,
                                 created_at=SEEDED_AT))
        session.add(Subscription(channel_id="C0SECR", topic="bosd", programme_id_key=0,
                                 created_at=SEEDED_AT))


def responsible_by_hand(milestones, roles) -> dict[int, int]:
    """{milestone id: person id} by docs/architecture.md §3, in Python (not
    storage.responsible): the owner; else the first projectleider of its project; else the first programmamanager
    of its programme — people only, not vacancies."""
    def first(kind, match):
        for role in roles:
            if role.kind == kind and role.person_id is not None and match(role):
                return role.person_id
        return None

    out = {}
    for m in milestones:
        person = m.owner_id
        if person is None and m.project_id is not None:
            person = first("projectleider", lambda r, m=m: r.project_id == m.project_id)
        if person is None:
            person = first("programmamanager", lambda r, m=m: r.programme_id == m.programme_id
                           and r.project_id is None)
        if person is not None:
            out[m.id] = person
    return out


def _expected(factory) -> Counter:
    """What the rules of issues 4 and 12 ask for, from the store's data."""
    with factory() as session:
        milestones = list(session.scalars(select(Milestone).where(Milestone.status == "open")))
        slack_of = {p.id: p.slack_user_id for p in session.scalars(select(Person))}
        subscriptions = list(session.scalars(select(Subscription)))
        meetings = list(session.scalars(select(Meeting).where(Meeting.status == "scheduled")))
        roles = list(session.scalars(select(Role).order_by(Role.position, Role.id)))
    responsible = responsible_by_hand(milestones, roles)
    following: dict[int, set[str]] = {}
    for sub in subscriptions:
        if sub.topic == "programme":
            following.setdefault(sub.programme_id, set()).add(sub.channel_id)
    bosd_channels = {s.channel_id for s in subscriptions if s.topic == "bosd"}

    def targets(group) -> set[str]:
        out = set()
        for m in group:
            person = responsible.get(m.id)
            if person and slack_of.get(person):
                out.add(slack_of[person])
            out |= following.get(m.programme_id, set())
        return out

    expected = Counter()
    for m in milestones:
        due_day = m.due_date if is_working_day(m.due_date) else add_working_days(m.due_date, -1)
        days = {add_working_days(m.due_date, -10), add_working_days(m.due_date, -2), due_day}
        if m.due_date >= FIRST:
            # Nothing was due before the clock started (else only the latest would count).
            assert min(days) >= FIRST
        expected["reminder"] += len([d for d in days if FIRST <= d <= LAST]) * len(targets([m]))
    # A digest per week (on its first working day) to everyone with a late milestone.
    tick_days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    weeks = sorted({d - timedelta(days=d.weekday()) for d in tick_days if is_working_day(d)})
    for monday in weeks:
        digest_day = monday if is_working_day(monday) else add_working_days(monday, 1)
        late = [m for m in milestones if m.due_date < digest_day]
        # Channels get the digest of late milestones of the programmes they follow ...
        expected["digest"] += len({c for m in late for c in following.get(m.programme_id, ())})
        # ... people "Jouw week": anything of theirs due by Sunday (late ones included).
        week = [m for m in milestones if m.due_date <= monday + timedelta(days=6)]
        expected["week"] += len({slack_of[responsible[m.id]] for m in week
                                 if slack_of.get(responsible.get(m.id))})
    for meeting in meetings:
        for kind, n in (("bosd_call", 10), ("bosd_agenda", 5)):
            if FIRST <= add_working_days(meeting.date, -n) <= LAST:
                expected[kind] += len(bosd_channels)
    return expected


def test_it_posts_exactly_the_expected_posts_through_2020(store, schedule, console):
    _load_2020(store.factory)
    expected = _expected(store.factory)
    sender = Sender(store.factory, console, schedule=schedule, worker="clock")
    for now in moments(FIRST, LAST):
        run_planner(store.factory, now=now, schedule=schedule)
        sender.run(now=now)
    keys = [key for _, key, _ in console.posts]
    assert len(keys) == len(set(keys))  # nothing twice
    assert Counter(key.split(":")[0] for key in keys) == expected
    assert expected["reminder"] > 50 and expected["digest"] > 40  # a real year, not empty
    assert expected["week"] > 40
    assert expected["bosd_call"] == expected["bosd_agenda"] == 16  # 8 meetings, 2 channels
    with store.session() as session:
        assert deliveries.count_by_status(session) == {"sent": len(keys)}
