"""Shared pieces of the scheduler tests: a small region (Alice, Bob, Charlie), a way to
seed it, and a loop that steps a simulated clock through a period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from regiobot.clock import AMSTERDAM
from scheduler.planner import Schedule, run_planner
from scheduler.sender import Sender
from storage.apply import apply_store_data
from storage.db import transaction
from storage.importers import ImportReport
from storage.schema import StoreData
from storage.workdays import is_working_day

ALICE, BOB = "U0ALICE", "U0BOB"
PROGRAMME_CHANNEL, BOSD_CHANNEL = "C0PROG", "C0BOSD"
SEEDED_AT = datetime(2019, 12, 1, 12, 0, tzinfo=UTC)


def amsterdam(day: date, at: str = "09:00") -> datetime:
    """A wall-clock moment in Amsterdam as an aware UTC datetime."""
    return datetime.combine(day, time.fromisoformat(at), tzinfo=AMSTERDAM).astimezone(UTC)


def region(
    milestones: list[dict] | None = None,
    meetings: list[dict] | None = None,
    *,
    subscriptions: bool = True,
) -> StoreData:
    """Alice and Bob are linked to Slack, Charlie is not. One programme, one BOSD."""
    data = {
        "people": [
            {"name": "Alice de Vries", "slack_user_id": ALICE},
            {"name": "Bob Jansen", "slack_user_id": BOB},
            {"name": "Charlie Bakker"},
        ],
        "regions": [
            {
                "slug": "mh",
                "name": "Midden-Holland",
                "year": 2020,
                "programmes": [
                    {
                        "slug": "gewoon-thuis",
                        "name": "Gewoon Thuis",
                        "milestones": milestones or [],
                    },
                    {"slug": "stil", "name": "Stil programma", "milestones": []},
                ],
                "bodies": [
                    {
                        "slug": "bosd",
                        "name": "Bestuurlijk Overleg Sociaal Domein",
                        "abbreviation": "BOSD",
                        "meetings": meetings or [],
                    }
                ],
            }
        ],
        "subscriptions": (
            [
                {"channel_id": PROGRAMME_CHANNEL, "topic": "programme",
                 "programme": "gewoon-thuis"},
                {"channel_id": BOSD_CHANNEL, "topic": "bosd"},
            ]
            if subscriptions
            else []
        ),
    }
    return StoreData.model_validate(data)


def milestone(key: str, due: date, owner: str | None = "Alice de Vries", **extra) -> dict:
    return {"key": key, "title": f"Mijlpaal {key}", "due_date": due.isoformat(),
            "period_label": "K2", "owner": owner, **extra}


def meeting(uid: str, day: date, number: int = 1, agenda: list[str] | None = None) -> dict:
    return {
        "uid": uid, "number": number, "date": day.isoformat(), "start_time": "13:00:00",
        "location": "Gouda",
        "agenda": [{"position": i, "title": t} for i, t in enumerate(agenda or [], start=1)],
    }


def seed(factory: sessionmaker[Session], data: StoreData, *, now: datetime = SEEDED_AT) -> None:
    with transaction(factory) as session:
        apply_store_data(session, data, now=now, report=ImportReport("test"))


def moments(start: date, end: date, *, at: tuple[str, ...] = ("09:00",),
            every_day: bool = False) -> Iterator[datetime]:
    """Each working day (or every day) from start to end (inclusive), at `at`: posts go
    out at the post time on working days only, so that is where a clock must look."""
    day = start
    while day <= end:
        if every_day or is_working_day(day):
            for clock_time in at:
                yield amsterdam(day, clock_time)
        day += timedelta(days=1)


def tick(factory, sender: Sender, now: datetime, schedule: Schedule):
    run_planner(factory, now=now, schedule=schedule)
    return sender.run(now=now)


def age_claims(factory: sessionmaker[Session], by: timedelta) -> None:
    """Make every `sending` claim look `by` older, as if that long had passed since the
    claim: stale claims are judged by the database's clock, which a test cannot set."""
    from sqlalchemy import select

    from storage.deliveries import Delivery

    with transaction(factory) as session:
        for row in session.scalars(select(Delivery).where(Delivery.status == "sending")):
            row.claimed_at = row.claimed_at - by
