"""Meetings read from an .ics file or URL: idempotent by UID, agenda from the
description, Amsterdam wall-clock times, malformed files refused by line."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from calendars.ics_import import import_meetings_ics, parse_agenda
from storage.importers import ImportRefused
from storage.models import AgendaItem, GoverningBody, Meeting

NOW = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 2, 8, 10, 0, tzinfo=UTC)

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def ics(*events: str) -> bytes:
    body = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Secretariaat//NL\n" + VTIMEZONE
    body += "".join(events) + "END:VCALENDAR\n"
    return body.replace("\n", "\r\n").encode()


def event(uid: str, *lines: str) -> str:
    return "BEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20260101T000000Z\n" + "\n".join(lines) + (
        "\nEND:VEVENT\n"
    )


MARCH = event(
    "bosd-maart@secretariaat.example",
    "SUMMARY:BOSD maart",
    "DTSTART;TZID=Europe/Amsterdam:20260326T093000",
    "DTEND;TZID=Europe/Amsterdam:20260326T110000",
    "LOCATION:Gouda\\, stadhuis",
    "DESCRIPTION:Agenda BOSD\\n1. Opening\\n2. Voortgangsrapportage (beslispunt\\; voorbe",
    " reid door Bram de Boer)\\n3) Rondvraag\\nverder niets",
)
APRIL = event(  # UTC in the file; 07:30Z is 09:30 summer time
    "bosd-april@secretariaat.example",
    "SUMMARY:BOSD april",
    "DTSTART:20260402T073000Z",
    "DURATION:PT2H",
)
OCTOBER = event(  # Outlook's Windows zone name
    "bosd-oktober@secretariaat.example",
    "SUMMARY:BOSD oktober",
    "DTSTART;TZID=W. Europe Standard Time:20261029T140000",
    "DTEND;TZID=W. Europe Standard Time:20261029T163000",
)
DECEMBER = event(
    "bosd-december@secretariaat.example",
    "SUMMARY:BOSD december (hele dag)",
    "DTSTART;VALUE=DATE:20261210",
    "DTEND;VALUE=DATE:20261211",
)


def run(region, data: bytes, tmp_path, *, now=NOW, name="meetings.ics"):
    path = tmp_path / name
    path.write_bytes(data)
    with region.session() as session, session.begin():
        return import_meetings_ics(session, path, now=now)


def meetings(store) -> dict[str, Meeting]:
    with store.session() as session:
        rows = session.scalars(select(Meeting).where(Meeting.uid.like("%@secretariaat%"))).all()
        for row in rows:
            _ = row.agenda_items, row.body
        return {row.uid.split("@")[0]: row for row in rows}


def counts(store) -> tuple[int, int]:
    with store.session() as session:
        return (
            session.scalar(select(func.count(Meeting.id))),
            session.scalar(select(func.count(AgendaItem.id))),
        )


def test_it_adds_meetings_in_amsterdam_time_with_the_agenda(region, tmp_path):
    report = run(region, ics(MARCH, APRIL, OCTOBER, DECEMBER), tmp_path)
    assert report.counts["meetings added"] == 4
    found = meetings(region)
    march, april, october, december = (found[f"bosd-{m}"] for m in
                                        ("maart", "april", "oktober", "december"))
    assert (march.date, march.start_time, march.end_time) == (date(2026, 3, 26), time(9, 30),
                                                             time(11, 0))
    assert (april.date, april.start_time, april.end_time) == (date(2026, 4, 2), time(9, 30),
                                                             time(11, 30))
    assert (october.start_time, october.end_time) == (time(14, 0), time(16, 30))
    assert (december.date, december.start_time) == (date(2026, 12, 10), None)
    assert march.location == "Gouda, stadhuis"
    assert march.body.slug == "bosd"
    assert [(a.position, a.title, a.kind, a.prepared_by) for a in march.agenda_items] == [
        (1, "Opening", None, None),
        (2, "Voortgangsrapportage", "beslispunt", "Bram de Boer"),
        (3, "Rondvraag", None, None),
    ]


def test_it_is_idempotent_by_uid(region, tmp_path):
    data = ics(MARCH, APRIL, OCTOBER, DECEMBER)
    run(region, data, tmp_path)
    before = counts(region)
    report = run(region, data, tmp_path, now=LATER)
    assert counts(region) == before
    assert report.counts == {}
    assert "nothing changed" in report.lines()[0]
    assert {m.sequence for m in meetings(region).values()} == {0}


def test_it_updates_a_changed_meeting_and_bumps_its_sequence(region, tmp_path):
    run(region, ics(MARCH, APRIL), tmp_path)
    moved = MARCH.replace("20260326T093000", "20260326T100000").replace(
        "Gouda\\, stadhuis", "Waddinxveen\\, gemeentehuis"
    )
    report = run(region, ics(moved, APRIL), tmp_path, now=LATER)
    assert report.counts["meetings updated"] == 1
    march = meetings(region)["bosd-maart"]
    assert march.start_time == time(10, 0)
    assert march.location == "Waddinxveen, gemeentehuis"
    assert march.sequence == 1
    assert march.updated_at == LATER
    assert meetings(region)["bosd-april"].sequence == 0


def test_it_cancels_a_meeting_the_file_cancels(region, tmp_path):
    run(region, ics(APRIL), tmp_path)
    run(region, ics(APRIL.replace("DURATION:PT2H", "DURATION:PT2H\nSTATUS:CANCELLED")), tmp_path,
        now=LATER)
    april = meetings(region)["bosd-april"]
    assert (april.status, april.sequence) == ("cancelled", 1)


def test_it_skips_recurring_events_with_a_warning(region, tmp_path):
    weekly = event("weekly@secretariaat.example", "DTSTART:20260105T090000Z",
                   "RRULE:FREQ=WEEKLY")
    report = run(region, ics(weekly, APRIL), tmp_path)
    assert report.counts["meetings added"] == 1
    assert "recurring" in str(report.warnings[0])


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        # The file: 20 header and zone lines, MARCH on 21–30, the broken event from 31.
        (APRIL.replace("SUMMARY:BOSD april", "dit is geen regel"), 34, "not an iCalendar line"),
        (APRIL.replace("DTSTART:20260402T073000Z", "DTSTART:2026-04-02"), 35, "DTSTART"),
        (APRIL.replace("DTSTART:20260402T073000Z", "DTSTART;TZID=Mars/Olympus:20260402T0930"
                       "00"), 35, "unknown time zone"),
        (APRIL.replace("UID:bosd-april@secretariaat.example\n", ""), 31, "no UID"),
        (APRIL.replace("END:VEVENT\n", ""), 37, "closes BEGIN:VEVENT of line 31"),
        (MARCH, 32, "also used by the event of line 21"),
    ],
)
def test_it_refuses_a_malformed_file_naming_the_line_and_changes_nothing(
    region, tmp_path, broken, line, message
):
    run(region, ics(MARCH), tmp_path)
    before = counts(region)
    with pytest.raises(ImportRefused) as refused:
        run(region, ics(MARCH.replace("T093000", "T120000"), broken), tmp_path, now=LATER)
    text = str(refused.value)
    assert f"meetings.ics:{line}:" in text, text
    assert message in text
    assert counts(region) == before
    assert meetings(region)["bosd-maart"].start_time == time(9, 30)


def test_it_refuses_a_property_given_twice_naming_its_line(region, tmp_path):
    before = counts(region)
    data = ics(MARCH).replace(b"TZID:Europe/Amsterdam\r\n", b"TZID:Europe/Amsterdam\r\n" * 2, 1)
    with pytest.raises(ImportRefused, match=r"meetings.ics:6: TZID given twice in the VTIMEZONE of line 4"):
        run(region, data, tmp_path)
    data = ics(APRIL).replace(b"DTSTART:20260402T073000Z\r\n",
                              b"DTSTART:20260402T073000Z\r\nDTSTART:20260403T073000Z\r\n")
    line = data.split(b"\r\n").index(b"DTSTART:20260403T073000Z") + 1
    with pytest.raises(ImportRefused, match=rf"meetings.ics:{line}: DTSTART given twice"):
        run(region, data, tmp_path)
    assert counts(region) == before


def test_it_refuses_a_file_that_is_not_utf8(region, tmp_path):
    with pytest.raises(ImportRefused, match="meetings.ics:24:14: not UTF-8"):
        run(region, ics(APRIL).replace(b"BOSD april", b"BOSD \xff"), tmp_path)


def test_it_refuses_when_there_is_no_region(store, tmp_path):
    with pytest.raises(ImportRefused, match="exactly one region"):
        run(store, ics(APRIL), tmp_path)


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # the http.server API
        if self.path != "/secret-path/bosd.ics":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def ics_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_it_reads_meetings_from_a_url(region, ics_server):
    _Handler.body = ics(MARCH, APRIL)
    with region.session() as session, session.begin():
        report = import_meetings_ics(session, f"{ics_server}/secret-path/bosd.ics", now=NOW)
    assert report.counts["meetings added"] == 2
    assert "secret-path" not in report.source
    with region.session() as session, pytest.raises(ImportRefused, match="cannot fetch"):
        import_meetings_ics(session, f"{ics_server}/elders.ics", now=NOW)


def test_it_creates_the_body_when_the_region_has_none(store, tmp_path):
    from tests.calendars.conftest import load, region_data

    data = region_data()
    data.regions[0].bodies = []
    load(store, data)
    run(store, ics(APRIL), tmp_path)
    with store.session() as session:
        (body,) = session.scalars(select(GoverningBody)).all()
        assert (body.slug, body.abbreviation) == ("bosd", "BOSD")


def test_it_reads_agenda_lines_as_its_own_feeds_write_them():
    items = parse_agenda(
        "Bestuurlijk Overleg Sociaal Domein\n\nAgenda:\n1. Opening\n"
        "2. Begroting (beslispunt; voorbereid door Anne Jansen)\n3. Jeugd (ter informatie)\n"
        "12. Sluiting (met koffie)"
    )
    assert [(i.position, i.title, i.kind, i.prepared_by) for i in items] == [
        (1, "Opening", None, None),
        (2, "Begroting", "beslispunt", "Anne Jansen"),
        (3, "Jeugd", "ter informatie", None),
        (12, "Sluiting (met koffie)", None, None),
    ]


def test_it_is_what_regiobot_import_runs_for_ics_files(region, tmp_path, monkeypatch, capsys):
    from regiobot.settings import reset_settings_cache
    from regiobot_cli import main

    monkeypatch.setenv("DATABASE_URL", region.url)
    reset_settings_cache()
    try:
        path = tmp_path / "bosd.ics"
        path.write_bytes(ics(MARCH, APRIL))
        assert main(["import", str(path)]) == 0
        assert "2 meetings added" in capsys.readouterr().out
        assert main(["import", str(path)]) == 0
        assert "nothing changed" in capsys.readouterr().out
        path.write_bytes(ics(MARCH.replace("DTSTART;", "DTSTART;;")))
        assert main(["import", str(path)]) == 1
        assert "bosd.ics:25:" in capsys.readouterr().err
    finally:
        reset_settings_cache()
