"""docs/architecture.md §8 on the real Midden-Holland 2020 feeds: the programme document imported
by its importer, plus the secretariat's timed 2026 BOSD meetings read from .ics."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from pathlib import Path

import ics
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlalchemy import select

from calendars.ics_import import import_meetings_ics
from regiobot.settings import reset_settings_cache
from storage import queries
from storage.importers.programme_document import import_programme_document
from storage.models import Milestone, Person, Programme
from tests.calendars.conftest import build
from tests.calendars.test_ics_import import APRIL, MARCH, OCTOBER
from tests.calendars.test_ics_import import ics as ics_file

DOCUMENT = Path(__file__).resolve().parents[2] / "storage" / "data" / (
    "midden-holland-programma-sociaal-domein-2020.txt"
)
IMPORTED = datetime(2020, 1, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)
OCTOBER_EARLY = OCTOBER.replace("oktober@", "oktober-vroeg@").replace("20261029", "20261022")
EXPECTED_UTC = sorted([
    datetime(2026, 3, 26, 8, 30, tzinfo=UTC),  # 09:30 CET
    datetime(2026, 4, 2, 7, 30, tzinfo=UTC),  # 09:30 CEST
    datetime(2026, 10, 22, 12, 0, tzinfo=UTC),  # 14:00 CEST
    datetime(2026, 10, 29, 13, 0, tzinfo=UTC),  # 14:00 CET
])


@pytest.fixture
def mh(store, tmp_path):
    with store.session() as session, session.begin():
        import_programme_document(session, DOCUMENT, now=IMPORTED)
    path = tmp_path / "bosd-2026.ics"
    path.write_bytes(ics_file(MARCH, APRIL, OCTOBER_EARLY, OCTOBER))
    with store.session() as session, session.begin():
        import_meetings_ics(session, path, now=IMPORTED)
    return store


def _id(store, model, **where):
    with store.session() as session:
        query = select(model.id)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def all_feeds(store) -> dict[str, bytes]:
    feeds = {"region": build(store, now=NOW).body, "meetings": build(store, "meetings", now=NOW).body}
    with store.session() as session:
        for programme in session.scalars(select(Programme)):
            feeds[programme.slug] = build(
                store, "programme", programme_id=programme.id, now=NOW
            ).body
    anke = _id(store, Person, name="Anke van der Landen")
    feeds["anke"] = build(store, "person", person_id=anke, now=NOW).body
    return feeds


def _utc_starts_in_every_parser(body: bytes) -> dict[str, list[datetime]]:
    text = body.decode("utf-8")
    out = {}
    v = vobject.readOne(text, validate=True)
    out["vobject"] = [e.dtstart.value for e in getattr(v, "vevent_list", [])]
    out["ical"] = [e.dtstart for e in IcsCalendarStream.calendar_from_ics(text).events]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["ics"] = [e.begin.datetime for e in ics.Calendar(text).events if not e.all_day]
    cal = Calendar.from_ical(body)
    assert cal.get_missing_tzids() == set()
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    out["icalendar"] = [e.start for e in cal.walk("VEVENT")]
    return {
        name: sorted(s.astimezone(UTC) for s in starts if isinstance(s, datetime))
        for name, starts in out.items()
    }


def test_it_builds_valid_feeds_of_the_whole_document(mh):
    feeds = all_feeds(mh)
    assert len(feeds) == 2 + 9 + 1
    for name, body in feeds.items():
        lines = body.split(b"\r\n")
        assert lines[-1] == b"" and all(b"\n" not in line for line in lines), name
        assert max(len(line) for line in lines) <= 75, name
        for line in lines:
            line.decode("utf-8")
        text = body.decode().replace("\r\n ", "")
        assert text.count("PRODID:") == 1 and "\r\nVERSION:2.0\r\n" in text
        n = text.count("BEGIN:VEVENT")
        assert n and text.count("\r\nUID:") == n and len(re.findall(r"\r\nDTSTAMP:\d{8}T\d{6}Z", text)) == n
        assert "VTODO" not in text and "RDATE" not in text
        starts = _utc_starts_in_every_parser(body)
        timed = EXPECTED_UTC if name in ("region", "meetings") else []
        assert starts == {p: timed for p in ("vobject", "ical", "ics", "icalendar")}, name


def test_it_writes_the_document_periods_as_written(mh):
    text = build(mh, now=NOW).body.decode().replace("\r\n ", "")
    assert "Periode: K2/K3 2020 (1 april 2020 – 30 september 2020)" in text
    assert "Periode: K3/4 2020 (1 juli 2020 – 31 december 2020)" in text
    assert "Programmamanager: Anke van der Landen" in text
    assert "SUMMARY:GTJ: Start coördinatie verblijfszorg" in text
    assert text.count("BEGIN:VEVENT") == 118 + 8 + 4


def test_it_builds_identical_bytes_after_reimporting_the_document(mh):
    before = all_feeds(mh)
    with mh.session() as session, session.begin():
        report = import_programme_document(session, DOCUMENT, now=NOW)
    assert not any("milestones" in what for what in report.counts)
    assert all_feeds(mh) == before


def test_it_bumps_a_real_milestone_marked_done_through_the_command_layer(mh):
    with mh.session() as session, session.begin():
        milestone = session.scalar(
            select(Milestone).where(Milestone.title == "Start coördinatie verblijfszorg")
        )
        queries.set_milestone_status(session, milestone=milestone, status="done", now=NOW)
    text = build(mh, now=NOW).body.decode().replace("\r\n ", "")
    (event,) = [e for e in text.split("BEGIN:VEVENT") if "verblijfszorg\r\n" in e]
    assert "SUMMARY:✓ GTJ: Start coördinatie verblijfszorg" in event
    assert "SEQUENCE:1" in event and "LAST-MODIFIED:20200301T090000Z" in event
    # Re-importing the document keeps it done and does not bump it again.
    with mh.session() as session, session.begin():
        import_programme_document(session, DOCUMENT, now=NOW)
    assert build(mh, now=NOW).body.decode().replace("\r\n ", "") == text


def test_it_exports_feeds_from_the_command_line(mh, tmp_path, monkeypatch, capsysbinary):
    from regiobot_cli import main

    monkeypatch.setenv("DATABASE_URL", mh.url)
    reset_settings_cache()
    try:
        out = tmp_path / "gtj.ics"
        assert main(["calendar", "export", "--programme", "GTJ", "-o", str(out)]) == 0
        gtj = _id(mh, Programme, slug="gewoon-thuis-jeugd")
        assert out.read_bytes() == build(mh, "programme", programme_id=gtj).body
        capsysbinary.readouterr()
        assert main(["calendar", "export", "--meetings"]) == 0
        assert capsysbinary.readouterr().out == build(mh, "meetings").body
        assert main(["calendar", "export", "--person", "Anke van der Landen"]) == 0
        assert b"Mijlpalen van Anke van der Landen" in capsysbinary.readouterr().out
        assert main(["calendar", "export", "--programme", "niet-bestaand"]) == 2
        assert b"no programme matches" in capsysbinary.readouterr().err
        assert main(["calendar", "url", "--meetings", "--owner", "UANKE01"]) == 0
        urls = capsysbinary.readouterr().out.decode().split()
        assert urls[0].endswith(".ics") and urls[1].startswith("webcal://")
        assert main(["calendar", "revoke", "UANKE01"]) == 0
        assert b"1 feed URL(s) revoked" in capsysbinary.readouterr().out
    finally:
        reset_settings_cache()
