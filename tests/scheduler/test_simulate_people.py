"""`regiobot simulate` over 2020 on a store where only the programme managers are
linked and no milestone has an owner (issue 12, "Show"): each manager gets DMs about
their own programme's milestones only, as many as the data asks for (counted here by
hand, not by the planner), and a milestone's later reminders reply in its thread."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from regiobot.settings import reset_settings_cache
from regiobot_cli import main
from storage.db import make_engine, make_sessionmaker, transaction
from storage.importers import programme_document
from storage.migrate import upgrade
from storage.models import Milestone, Person, Role
from storage.workdays import add_working_days, is_working_day
from tests.scheduler.helpers import SEEDED_AT
from tests.scheduler.test_year_2020 import DOCUMENT, responsible_by_hand

FIRST, LAST = date(2020, 1, 2), date(2020, 12, 31)
LINE = re.compile(r"^(post to|reply to) (\S+)(?: thread=(\S+))?(?: \(also in the channel\))?"
                  r" ts=(\S+) key=(\S+)")


@pytest.fixture
def managers_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'simulate.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        programme_document.import_programme_document(session, DOCUMENT, now=SEEDED_AT)
    with transaction(factory) as session:
        managers = session.scalars(
            select(Person).join(Role, Role.person_id == Person.id)
            .where(Role.kind == "programmamanager").distinct().order_by(Person.name)
        )
        for index, person in enumerate(managers):
            person.slack_user_id = f"U0PM{index:04d}"
        assert session.scalar(select(Milestone).where(Milestone.owner_id.is_not(None))) is None
    yield url, factory
    engine.dispose()


def _expected(factory) -> tuple[Counter, Counter, dict[str, set[int]]]:
    """(reminders per Slack user, "Jouw week" DMs per Slack user, programmes per user)."""
    with factory() as session:
        milestones = list(session.scalars(select(Milestone).where(Milestone.status == "open")))
        roles = list(session.scalars(select(Role).order_by(Role.position, Role.id)))
        slack_of = {p.id: p.slack_user_id for p in session.scalars(select(Person))}
    responsible = responsible_by_hand(milestones, roles)
    programmes: dict[str, set[int]] = defaultdict(set)
    for role in roles:
        if role.kind == "programmamanager" and role.project_id is None and role.person_id:
            programmes[slack_of[role.person_id]].add(role.programme_id)
    reminders, digests = Counter(), Counter()
    for m in milestones:
        user = slack_of.get(responsible.get(m.id))
        if not user:
            continue
        due_day = m.due_date if is_working_day(m.due_date) else add_working_days(m.due_date, -1)
        days = {add_working_days(m.due_date, -10), add_working_days(m.due_date, -2), due_day}
        reminders[user] += len([d for d in days if FIRST <= d <= LAST])
    monday = FIRST - timedelta(days=FIRST.weekday())
    while monday <= LAST:
        day = monday if is_working_day(monday) else add_working_days(monday, 1)
        if FIRST <= day <= LAST:
            # "Jouw week": anything of theirs due by Sunday, late ones included.
            week = {slack_of.get(responsible.get(m.id)) for m in milestones
                    if m.due_date <= monday + timedelta(days=6)}
            for user in week - {None}:
                digests[user] += 1
        monday += timedelta(days=7)
    return reminders, digests, programmes


def test_it_reminds_each_programme_manager_of_their_own_programme_in_threads(
    managers_store, capsys, monkeypatch
):
    url, factory = managers_store
    reminders, digests, programmes = _expected(factory)
    monkeypatch.delenv("REGIOBOT_TODAY", raising=False)
    reset_settings_cache()
    try:
        code = main(["simulate", "--database", url, "--from", FIRST.isoformat(),
                     "--to", LAST.isoformat(), "--quiet"])
    finally:
        reset_settings_cache()
    assert code == 0
    lines = [LINE.match(line) for line in capsys.readouterr().out.splitlines()]
    posts = [m for m in lines if m]
    with factory() as session:
        programme_of = dict(session.execute(select(Milestone.id, Milestone.programme_id)).all())
    got_reminders, got_digests = Counter(), Counter()
    roots: dict[tuple[str, str], str] = {}
    for how, target, thread, ts, key in (m.groups() for m in posts):
        assert target.startswith("U0PM")  # nobody else is linked, no channel follows
        kind = key.split(":")[0]
        if kind == "week":
            got_digests[target] += 1
            continue
        assert kind == "reminder"
        got_reminders[target] += 1
        milestone_id = int(key.split(":")[1].lstrip("m"))
        assert programme_of[milestone_id] in programmes[target]  # never another's
        group = (key.split(":")[1], target)
        if group not in roots:
            assert how == "post to" and thread is None
            roots[group] = ts
        else:
            assert how == "reply to" and thread == roots[group]
    assert got_reminders == reminders and got_digests == digests
    assert set(reminders) == set(programmes)  # every manager heard about their own
    assert sum(reminders.values()) > 100
    assert len(roots) < sum(reminders.values())  # threads, not only first posts
