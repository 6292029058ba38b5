"""docs/architecture.md §8, points 1–9 and 11, on feeds built from the store."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select

from calendars.ics_export import AMSTERDAM, CANCELLED_RETENTION, amsterdam_timezone
from storage.models import Milestone, Person, Programme
from tests.calendars.conftest import (
    LONG_TITLE,
    MEETING_STARTS_UTC,
    NOW,
    build,
    load,
    region_data,
)


def unfolded(body: bytes) -> list[str]:
    text = body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.split("\r\n")


def events(body: bytes) -> list[list[str]]:
    out, current = [], None
    for line in unfolded(body):
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            out.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return out


def prop(event: list[str], name: str) -> list[str]:
    return [line for line in event if re.match(rf"{name}[;:]", line)]


def event_with(body: bytes, text: str) -> list[str]:
    (found,) = [e for e in events(body) if any(text in line for line in e)]
    return found


# 1. CRLF, ≤ 75 octets, no split UTF-8 character or escape


def test_it_ends_every_line_with_crlf_and_folds_at_75_octets(region):
    body = build(region).body
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    folded = [line for line in lines if line.startswith(b" ")]
    assert len(folded) >= 3, "the long Dutch title must be folded"
    for line in lines:
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own
        # No escape split across a fold: a line never ends in an unpaired backslash.
        trailing = len(line) - len(line.rstrip(b"\\"))
        assert trailing % 2 == 0, line
    assert LONG_TITLE.replace(",", "\\,") in "\n".join(unfolded(body))


# 2. one PRODID, VERSION:2.0; one UID and one UTC DTSTAMP per VEVENT


def test_it_has_one_prodid_and_version_and_one_uid_and_dtstamp_per_event(region):
    lines = unfolded(build(region).body)
    assert sum(line.startswith("PRODID:") for line in lines) == 1
    assert sum(line.startswith("VERSION:") for line in lines) == 1
    assert "VERSION:2.0" in lines
    found = events(build(region).body)
    assert len(found) == 5 + 5
    for event in found:
        assert len(prop(event, "UID")) == 1
        (stamp,) = prop(event, "DTSTAMP")
        assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", stamp)


# 3. stable UIDs, free of personal data


def test_it_keeps_uids_stable_across_builds_and_stores_and_free_of_names(region, tmp_path):
    first = [prop(e, "UID")[0] for e in events(build(region).body)]
    assert first == [prop(e, "UID")[0] for e in events(build(region).body)]
    assert len(set(first)) == len(first)
    for uid in first:
        assert re.fullmatch(r"UID:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", uid)
    text = "\n".join(first).lower()
    for word in ("anne", "bram", "chantal", "jansen", "boer", "bosd", "pleegzorg", "thuis"):
        assert word not in text


def test_it_gives_the_same_uids_after_rebuilding_the_store_with_other_ids(store):
    data = region_data()
    # Other row ids: people and programmes in another order.
    data.people.reverse()
    data.regions[0].programmes.reverse()
    load(store, data)
    with store.session() as session:
        ids = sorted(session.scalars(select(Milestone.id)))
    assert ids
    reversed_uids = sorted(prop(e, "UID")[0] for e in events(build(store).body))
    from calendars.ics_export import stable_uid

    expected = sorted(
        f"UID:{stable_uid('milestone', f'midden-holland/{p.slug}/{m.key}')}"
        for p in data.regions[0].programmes
        for m in p.milestones
    ) + sorted(
        f"UID:{stable_uid('meeting', m.uid)}" for m in data.regions[0].bodies[0].meetings
    )
    assert reversed_uids == sorted(expected)


# 4. milestones: all-day VEVENTs, exclusive DTEND, no VTODO


def test_it_writes_milestones_as_all_day_events_ending_the_next_day(region):
    body = build(region).body
    assert b"VTODO" not in body
    event = event_with(body, "Wervingsactie pleegzorg")
    assert prop(event, "DTSTART") == ["DTSTART;VALUE=DATE:20200630"]
    assert prop(event, "DTEND") == ["DTEND;VALUE=DATE:20200701"]
    year_end = event_with(body, "SUMMARY:JGGZ: Inkoop")
    assert prop(year_end, "DTEND") == ["DTEND;VALUE=DATE:20210101"]


def test_it_describes_programme_project_owner_and_period_as_written(region):
    body = build(region).body
    (description,) = prop(event_with(body, "Coördinatie verblijfszorg"), "DESCRIPTION")
    assert "Programma: 3. Gewoon thuis" in description
    assert "Deelproject: Verblijfszorg" in description
    assert "Programmamanager: Anne Jansen" in description
    assert "Periode: K2/K3 2020 (1 april 2020 – 30 september 2020)" in description
    (owned,) = prop(event_with(body, "experimenten pleegzorg"), "DESCRIPTION")
    assert "Eigenaar: Bram de Boer" in owned and "K3/4 2020" in owned
    (dated,) = prop(event_with(body, "voortgangsrapportage"), "DESCRIPTION")
    assert "Periode: 30 jan 2020 (uiterlijk 30 januari 2020)" in dated


# 5. meetings: TZID=Europe/Amsterdam and an RRULE VTIMEZONE


def test_it_times_meetings_in_amsterdam_with_an_rrule_timezone(region):
    body = build(region).body
    lines = unfolded(body)
    start = prop(event_with(body, "SUMMARY:BOSD 1"), "DTSTART")
    assert start == ["DTSTART;TZID=Europe/Amsterdam:20260326T093000"]
    assert prop(event_with(body, "SUMMARY:BOSD 3"), "DTEND") == [
        "DTEND;TZID=Europe/Amsterdam:20261022T160000"
    ]
    assert lines.count("BEGIN:VTIMEZONE") == 1
    assert "TZID:Europe/Amsterdam" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in lines
    assert not any(line.startswith("RDATE") for line in lines)
    # The untimed meeting is an all-day event.
    assert prop(event_with(body, "20261210"), "DTSTART") == ["DTSTART;VALUE=DATE:20261210"]


def test_it_writes_a_timezone_rule_that_agrees_with_zoneinfo(region):
    """The hand-written RRULE zone gives zoneinfo's offset at every hour of 1996–2040."""
    tz = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + amsterdam_timezone().to_ical() + b"END:VCALENDAR\r\n"
    ).timezones[0].to_tz()
    moment = datetime(1996, 1, 1, tzinfo=UTC)
    while moment.year <= 2040:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(AMSTERDAM).utcoffset()
        moment += timedelta(hours=1)


def test_it_leaves_out_the_timezone_when_nothing_is_timed(region):
    with region.session() as session:
        programme_id = session.scalar(select(Programme.id).where(Programme.slug == "gewoon-thuis"))
    body = build(region, "programme", programme_id=programme_id).body
    assert b"VTIMEZONE" not in body
    assert Calendar.from_ical(body).get_missing_tzids() == set()


# 6. TEXT escaping, also of the calendar name


def test_it_escapes_text_and_the_calendar_name(region):
    with region.session() as session:
        programme_id = session.scalar(select(Programme.id).where(Programme.slug == "jeugd-ggz"))
    body = build(region, "programme", programme_id=programme_id).body
    lines = unfolded(body)
    escaped_name = 'Jeugd\\, GGZ\\; "zorg" \\\\ preventie – mijlpalen'
    assert f"NAME:{escaped_name}" in lines
    assert f"X-WR-CALNAME:{escaped_name}" in lines
    assert "SUMMARY:Inkoop\\; regels\\, \\\\ en nog wat\\nnieuwe regel" in lines
    parsed = Calendar.from_ical(body)
    (event,) = [e for e in parsed.walk("VEVENT") if "Inkoop" in str(e["SUMMARY"])]
    assert str(event["SUMMARY"]) == "Inkoop; regels, \\ en nog wat\nnieuwe regel"


# 7. a change bumps SEQUENCE and LAST-MODIFIED; removed/cancelled → STATUS:CANCELLED


def _change_milestone(store, key: str, *, when: datetime, **values) -> None:
    """What the command layer does: change, bump sequence, stamp updated_at."""
    with store.session() as session, session.begin():
        milestone = session.scalar(select(Milestone).where(Milestone.key == key))
        for name, value in values.items():
            setattr(milestone, name, value)
        milestone.sequence += 1
        milestone.updated_at = when


def test_it_bumps_sequence_and_last_modified_when_a_milestone_is_done(region):
    before = event_with(build(region).body, "Wervingsactie")
    assert prop(before, "SEQUENCE") == ["SEQUENCE:0"]
    assert prop(before, "LAST-MODIFIED") == ["LAST-MODIFIED:20200115T080000Z"]
    done = datetime(2020, 6, 12, 10, 15, tzinfo=UTC)
    _change_milestone(region, "wervingsactie-pleegzorg", when=done, status="done", done_at=done)
    after = event_with(build(region).body, "Wervingsactie")
    assert prop(after, "SEQUENCE") == ["SEQUENCE:1"]
    assert prop(after, "LAST-MODIFIED") == ["LAST-MODIFIED:20200612T101500Z"]
    assert prop(after, "DTSTAMP") == ["DTSTAMP:20200612T101500Z"]
    assert prop(after, "SUMMARY") == ["SUMMARY:✓ GHNT: Wervingsactie pleegzorg"]
    assert "Status: gereed op 12 juni 2020" in prop(after, "DESCRIPTION")[0]
    assert prop(after, "UID") == prop(before, "UID")


def test_it_bumps_sequence_when_a_milestone_is_moved(region):
    moved = datetime(2020, 5, 1, 7, 0, tzinfo=UTC)
    _change_milestone(region, "wervingsactie-pleegzorg", when=moved, due_date=date(2020, 7, 31))
    after = event_with(build(region).body, "Wervingsactie")
    assert prop(after, "SEQUENCE") == ["SEQUENCE:1"]
    assert prop(after, "DTSTART") == ["DTSTART;VALUE=DATE:20200731"]
    assert prop(after, "LAST-MODIFIED") == ["LAST-MODIFIED:20200501T070000Z"]


def test_it_keeps_a_removed_milestone_as_cancelled_for_a_while(region):
    removed_at = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    data = region_data()
    data.regions[0].programmes[0].milestones.pop(1)  # the Wervingsactie
    load(region, data, now=removed_at)
    event = event_with(build(region, now=NOW).body, "Wervingsactie")
    assert prop(event, "STATUS") == ["STATUS:CANCELLED"]
    assert prop(event, "SEQUENCE") == ["SEQUENCE:1"]
    assert prop(event, "LAST-MODIFIED") == ["LAST-MODIFIED:20261001T090000Z"]
    # Gone once the retention has passed; the feed's Last-Modified says so.
    later = removed_at + CANCELLED_RETENTION + timedelta(days=1)
    feed = build(region, now=later)
    assert b"Wervingsactie" not in feed.body
    assert feed.last_modified == removed_at + CANCELLED_RETENTION


def test_it_shows_a_cancelled_meeting_as_cancelled(region):
    from storage.models import Meeting

    with region.session() as session, session.begin():
        meeting = session.scalar(select(Meeting).where(Meeting.uid == "bosd-2026-04-02"))
        meeting.status = "cancelled"
        meeting.sequence += 1
        meeting.updated_at = datetime(2026, 3, 30, tzinfo=UTC)
    event = event_with(build(region, now=datetime(2026, 4, 1, tzinfo=UTC)).body, "20260402T")
    assert prop(event, "STATUS") == ["STATUS:CANCELLED"]
    assert prop(event, "SEQUENCE") == ["SEQUENCE:1"]


# 8. header properties


def test_it_writes_the_header_properties(region):
    lines = unfolded(build(region).body)
    header = lines[: lines.index("BEGIN:VTIMEZONE")]
    assert "NAME:Regiobot – Midden-Holland" in header
    assert "X-WR-CALNAME:Regiobot – Midden-Holland" in header
    assert any(line.startswith("DESCRIPTION:") for line in header)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in header
    assert "X-PUBLISHED-TTL:PT1H" in header
    assert "X-WR-TIMEZONE:Europe/Amsterdam" in header
    assert "PRODID:-//Regiobot//Regiobot kalender 1.0//NL" in header


# 9. same data → same bytes


def test_it_builds_byte_identical_feeds_from_the_same_data(region):
    first, second = build(region), build(region)
    assert first.body == second.body
    assert first.etag == second.etag
    assert first.last_modified == datetime(2020, 1, 15, 8, 0, tzinfo=UTC)
    # Re-importing the same data changes nothing either.
    load(region, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert build(region).body == first.body


@pytest.mark.parametrize("scope", ["region", "programme", "person", "meetings"])
def test_it_builds_every_scope_in_event_order(region, scope):
    kwargs = {}
    with region.session() as session:
        if scope == "programme":
            kwargs["programme_id"] = session.scalar(
                select(Programme.id).where(Programme.slug == "gewoon-thuis")
            )
        if scope == "person":
            kwargs["person_id"] = session.scalar(
                select(Person.id).where(Person.name == "Anne Jansen")
            )
    feed = build(region, scope, **kwargs)
    starts = [prop(e, "DTSTART")[0].split(":")[1][:8] for e in events(feed.body)]
    assert starts == sorted(starts)
    summaries = [prop(e, "SUMMARY")[0] for e in events(feed.body)]
    if scope == "programme":
        assert len(summaries) == 3 and not any("GHNT:" in s for s in summaries)
    if scope == "person":
        # Anne manages Gewoon thuis: its unowned milestones, not Bram's own one.
        assert len(summaries) == 2
        assert not any("experimenten" in s for s in summaries)
    if scope == "meetings":
        assert len(summaries) == 5 and all(s.startswith("SUMMARY:BOSD") for s in summaries)


def test_it_gives_a_person_the_milestones_they_own(region):
    with region.session() as session:
        bram = session.scalar(select(Person.id).where(Person.name == "Bram de Boer"))
    summaries = [prop(e, "SUMMARY")[0] for e in events(build(region, "person", person_id=bram).body)]
    assert summaries == ["SUMMARY:GHNT: Twee andere experimenten pleegzorg"]


def test_it_gives_the_same_utc_instants_as_the_store(region):
    parsed = Calendar.from_ical(build(region).body)
    starts = {
        str(e["DESCRIPTION"]).split("\n")[0] + e.start.isoformat(): e.start
        for e in parsed.walk("VEVENT")
        if isinstance(e.start, datetime)
    }
    assert sorted(s.astimezone(UTC) for s in starts.values()) == sorted(
        MEETING_STARTS_UTC.values()
    )


def test_it_never_folds_inside_an_escape_or_a_character():
    """Escapes and multi-byte characters at every offset of the fold (icalendar 7.3
    alone splits "\\\\" across lines; the feed refolds)."""
    from calendars.ics_export import FeedSpec, MilestoneRecord, build_feed

    stamp = datetime(2020, 1, 1, tzinfo=UTC)
    for offset in range(0, 90):
        for filler in ("x", "ë", "–"):
            title = filler * offset + ",;\\\n,ë\\\\" * 8
            record = MilestoneRecord(
                uid_key="k", title=title, programme="P", due_date=date(2020, 1, 1),
                period_label="K1", status="open", sequence=0, created_at=stamp,
                updated_at=stamp,
            )
            body = build_feed(FeedSpec(name=title, description="d", milestones=(record,)),
                              now=stamp).body
            for line in body.split(b"\r\n"):
                assert len(line) <= 75
                line.decode("utf-8")
                trailing = len(line) - len(line.rstrip(b"\\"))
                assert trailing % 2 == 0, (offset, filler, line)
            (event,) = Calendar.from_ical(body).walk("VEVENT")
            assert str(event["SUMMARY"]) == title


# Any text a user can type reaches a calendar client unchanged. The alphabet leaves out
# "N" after a backslash, which icalendar's parser reads as a line break (its quirk, not
# the feed's), and a lone CR, which the feed writes as a line break on purpose.
_TEXT = st.text(
    alphabet=st.sampled_from(list("abcxyzABC 0123,;:\\\n\"'ëé–✓€日\t😀")), max_size=120
)


@settings(max_examples=150, deadline=None)
@given(title=_TEXT, programme=_TEXT, owner=_TEXT, location=_TEXT, agenda=_TEXT)
def test_it_round_trips_any_text_through_a_parser(title, programme, owner, location, agenda):
    from calendars.ics_export import (
        AgendaLine,
        FeedSpec,
        MeetingRecord,
        MilestoneRecord,
        build_feed,
        meeting_description,
        milestone_description,
    )

    stamp = datetime(2020, 1, 1, tzinfo=UTC)
    milestone = MilestoneRecord(
        uid_key="k", title=title, programme=programme, owner=owner or None,
        due_date=date(2020, 1, 1), period_label="K1", status="open", sequence=0,
        created_at=stamp, updated_at=stamp,
    )
    meeting = MeetingRecord(
        uid_key="m", body=programme or "B", date=date(2020, 1, 2), status="scheduled",
        sequence=0, created_at=stamp, updated_at=stamp, number=1,
        start_time=time(14, 0), location=location or None,
        agenda=(AgendaLine(1, agenda),),
    )
    body = build_feed(
        FeedSpec(name="n", description="d", milestones=(milestone,), meetings=(meeting,)),
        now=stamp,
    ).body
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    parsed = Calendar.from_ical(body)
    due, meets = parsed.walk("VEVENT")  # in date order
    assert str(due["SUMMARY"]) == title
    assert str(due["DESCRIPTION"]) == milestone_description(milestone)
    assert str(meets["DESCRIPTION"]) == meeting_description(meeting)
    assert str(meets.get("LOCATION", "")) == (location or "")


def test_it_writes_no_control_characters_and_makes_word_line_breaks_line_breaks():
    from calendars.ics_export import FeedSpec, MilestoneRecord, build_feed

    stamp = datetime(2020, 1, 1, tzinfo=UTC)
    record = MilestoneRecord(
        uid_key="k", title="Eerste regel\x0btweede\x00 regel\x1b\tmet tab",
        programme="P", due_date=date(2020, 1, 1), period_label="K1", status="open",
        sequence=0, created_at=stamp, updated_at=stamp,
    )
    body = build_feed(FeedSpec(name="n", description="d", milestones=(record,)), now=stamp).body
    assert not any(byte < 0x20 and byte not in b"\t\r\n" for byte in body)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Eerste regel\ntweede regel\tmet tab"
