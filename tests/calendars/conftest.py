"""A small region for the feed tests: programmes with windowed milestones, people, and
a BOSD with timed meetings on both sides of the 2026 clock changes (29 March and
25 October 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from calendars.ics_export import Feed, build_content_feed
from storage.apply import apply_store_data
from storage.feeds import feed_records
from storage.importers import ImportReport
from storage.schema import (
    AgendaItemData,
    GoverningBodyData,
    MeetingData,
    MilestoneData,
    PersonData,
    ProgrammeData,
    ProjectData,
    RegionData,
    RoleData,
    StoreData,
)

LOADED = datetime(2020, 1, 15, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# Long enough to be folded several times, with multi-byte characters everywhere.
LONG_TITLE = (
    "Coördinatie verblijfszorg: naïeve aannames over reïntegratie – financiële "
    "analyse van de ééngezinswoningen, ideeën uit de praktijk en één overzicht "
    "voor alle vijf gemeenten – inclusief Bodegraven-Reeuwijk"
)
TRICKY_NAME = 'Jeugd, GGZ; "zorg" \\ preventie'

MEETING_DAYS = {
    "bosd-2026-03-26": (date(2026, 3, 26), time(9, 30), time(11, 0)),  # CET, +01:00
    "bosd-2026-04-02": (date(2026, 4, 2), time(9, 30), time(11, 0)),  # CEST, +02:00
    "bosd-2026-10-22": (date(2026, 10, 22), time(14, 0), None),  # CEST
    "bosd-2026-10-29": (date(2026, 10, 29), time(14, 0), time(16, 30)),  # CET
}
# The UTC instants those meetings start at.
MEETING_STARTS_UTC = {
    "bosd-2026-03-26": datetime(2026, 3, 26, 8, 30, tzinfo=UTC),
    "bosd-2026-04-02": datetime(2026, 4, 2, 7, 30, tzinfo=UTC),
    "bosd-2026-10-22": datetime(2026, 10, 22, 12, 0, tzinfo=UTC),
    "bosd-2026-10-29": datetime(2026, 10, 29, 13, 0, tzinfo=UTC),
}


def region_data() -> StoreData:
    meetings = [
        MeetingData(
            uid=uid,
            number=number,
            date=day,
            start_time=start,
            end_time=end,
            location="Gouda, stadhuis; zaal 3",
            agenda=[
                AgendaItemData(position=1, title="Opening en mededelingen"),
                AgendaItemData(
                    position=2, title="Voortgangsrapportage sociaal domein",
                    kind="beslispunt", prepared_by="Bram de Boer",
                ),
            ],
        )
        for number, (uid, (day, start, end)) in enumerate(MEETING_DAYS.items(), start=1)
    ]
    meetings.append(MeetingData(uid="bosd-2026-12-10", date=date(2026, 12, 10)))
    return StoreData(
        people=[
            PersonData(name="Anne Jansen", slack_user_id="UANNE01"),
            PersonData(name="Bram de Boer", slack_user_id="UBRAM01"),
            PersonData(name="Chantal Öztürk"),
        ],
        regions=[
            RegionData(
                slug="midden-holland",
                name="Midden-Holland",
                year=2020,
                programmes=[
                    ProgrammeData(
                        slug="gewoon-thuis",
                        number=3,
                        name="Gewoon thuis",
                        aliases=["GHNT", "gewoon thuis"],
                        projects=[ProjectData(slug="verblijf", number=1, name="Verblijfszorg")],
                        roles=[
                            RoleData(kind="programmamanager", label="Programmamanager",
                                     holder="Anne Jansen", person="Anne Jansen",
                                     hours_text="32 uur"),
                        ],
                        milestones=[
                            MilestoneData(
                                key="coordinatie-verblijfszorg", title=LONG_TITLE,
                                period_start=date(2020, 4, 1), due_date=date(2020, 9, 30),
                                period_label="K2/K3", project="verblijf",
                            ),
                            MilestoneData(
                                key="wervingsactie-pleegzorg", title="Wervingsactie pleegzorg",
                                period_start=date(2020, 4, 1), due_date=date(2020, 6, 30),
                                period_label="K2",
                            ),
                            MilestoneData(
                                key="experimenten-pleegzorg",
                                title="Twee andere experimenten pleegzorg",
                                period_start=date(2020, 7, 1), due_date=date(2020, 12, 31),
                                period_label="K3/4", owner="Bram de Boer",
                            ),
                        ],
                    ),
                    ProgrammeData(
                        slug="jeugd-ggz",
                        number=4,
                        name=TRICKY_NAME,
                        aliases=["JGGZ"],
                        milestones=[
                            MilestoneData(
                                key="voortgang", title="BOSD voortgangsrapportage",
                                due_date=date(2020, 1, 30), period_label="30 jan 2020",
                                owner="Chantal Öztürk",
                            ),
                            MilestoneData(
                                key="inkoop", title="Inkoop; regels, \\ en nog wat\nnieuwe regel",
                                due_date=date(2020, 12, 31), period_label="in 2020",
                            ),
                        ],
                    ),
                ],
                bodies=[
                    GoverningBodyData(
                        slug="bosd", name="Bestuurlijk Overleg Sociaal Domein",
                        abbreviation="BOSD", meetings=meetings,
                    )
                ],
            )
        ],
    )


def load(store, data: StoreData | None = None, *, now: datetime = LOADED) -> None:
    with store.session() as session, session.begin():
        apply_store_data(session, data or region_data(), now=now, report=ImportReport("test"))


def build(store, scope: str = "region", *, now: datetime = NOW, **kwargs) -> Feed:
    with store.session() as session:
        content = feed_records(session, scope=scope, **kwargs)
        assert content is not None
        return build_content_feed(content, now=now)


@pytest.fixture
def region(store):
    """The store, loaded with `region_data()`."""
    load(store)
    return store
