"""docs/architecture.md §8.11: the feed parses in four independent parsers, and each gives the same
UTC instant for meetings on both sides of the 2026 clock changes."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime

import ics
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from tests.calendars.conftest import MEETING_STARTS_UTC, TRICKY_NAME, build

EXPECTED = sorted(MEETING_STARTS_UTC.values())


def _feed_text(region) -> str:
    return build(region).body.decode("utf-8")


def _timed(starts) -> list[datetime]:
    return sorted(s.astimezone(UTC) for s in starts if isinstance(s, datetime))


def test_it_parses_in_vobject_with_validation(region):
    cal = vobject.readOne(_feed_text(region), validate=True)
    assert cal.version.value == "2.0"
    assert cal.x_wr_calname.value == "Regiobot – Midden-Holland"
    events = cal.vevent_list
    assert len(events) == 10
    # vobject computes the offsets from the feed's own VTIMEZONE (the RRULE form).
    assert "tzicalvtz" in type(events[-2].dtstart.value.tzinfo).__name__
    assert _timed(e.dtstart.value for e in events) == EXPECTED
    summaries = [e.summary.value for e in events]
    assert "JGGZ: Inkoop; regels, \\ en nog wat\nnieuwe regel" in summaries


def test_it_parses_in_ical(region):
    cal = IcsCalendarStream.calendar_from_ics(_feed_text(region))
    assert cal.prodid == "-//Regiobot//Regiobot kalender 1.0//NL"
    assert len(cal.events) == 10
    assert [tz.tz_id for tz in cal.timezones] == ["Europe/Amsterdam"]
    assert _timed(e.dtstart for e in cal.events) == EXPECTED
    all_day = [e for e in cal.events if not isinstance(e.dtstart, datetime)]
    assert all(isinstance(e.dtstart, date) and (e.dtend - e.dtstart).days == 1 for e in all_day)


def test_it_parses_in_ics(region):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ics warns about its own future API
        cal = ics.Calendar(_feed_text(region))
    events = list(cal.events)
    assert len(events) == 10
    assert _timed(e.begin.datetime for e in events if not e.all_day) == EXPECTED
    assert sum(e.all_day for e in events) == 6


def test_it_parses_in_icalendar_without_errors_or_missing_timezones(region):
    cal = Calendar.from_ical(build(region).body)
    assert cal.get_missing_tzids() == set()
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    events = cal.walk("VEVENT")
    assert len(events) == 10
    assert _timed(e.start for e in events) == EXPECTED
    # The zone icalendar builds from the VTIMEZONE agrees too.
    tz = cal.timezones[0].to_tz()
    assert _timed(e.start.replace(tzinfo=tz) for e in events if isinstance(e.start, datetime)) == (
        EXPECTED
    )


def test_it_parses_an_escaped_calendar_name_back(region):
    from sqlalchemy import select

    from storage.models import Programme

    with region.session() as session:
        programme_id = session.scalar(select(Programme.id).where(Programme.slug == "jeugd-ggz"))
    text = build(region, "programme", programme_id=programme_id).body.decode()
    cal = vobject.readOne(text, validate=True)
    assert cal.x_wr_calname.value == f"{TRICKY_NAME} – mijlpalen"
    assert IcsCalendarStream.calendar_from_ics(text).events
