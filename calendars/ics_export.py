"""Build iCalendar feeds from records: pure, records in, bytes out (docs/architecture.md §8).

Nothing here touches a database session or reads the clock: the storage layer loads
the records (`storage.feeds.feed_records`), `now` is passed in, and the same records
and `now` always give the same bytes, so the HTTP layer can use a strong ETag.

Choices, each for a reason:

- Milestones are one-day all-day VEVENTs on their due date (DTSTART;VALUE=DATE, DTEND
  the day after, exclusive), not VTODOs, which Google and Outlook ignore. A window such
  as "K2/K3" is *not* spanned: a six-month all-day bar sits on top of every day of the
  window in Outlook and Google, hiding everything else for months, and the moment
  people act on is the deadline. The window is written out in the description instead
  ("Periode: K2/K3 2020 (1 april – 30 september 2020)").
- Done milestones stay in the feed (people want to see what was achieved) with "✓ "
  before the SUMMARY; STATUS stays CONFIRMED because RFC 5545 has no "done" for events.
- Cancelled milestones and meetings stay as STATUS:CANCELLED for `CANCELLED_RETENTION`
  after their last change, so subscribed clients see them go, and then drop out.
- Meetings are timed in Europe/Amsterdam with a hand-written RRULE-based VTIMEZONE:
  Outlook reads only RRULE-style zones, while icalendar's `add_missing_timezones`
  writes one RDATE per transition.
- UIDs are UUIDv5 of a fixed namespace and the record's natural key (region,
  programme and milestone key; the meeting's uid), so they survive rebuilding the
  store from an export, and reveal nothing about people.
- DTSTAMP and LAST-MODIFIED are the record's last change (UTC), never "now": a feed
  without METHOD uses DTSTAMP as the last revision of the event (RFC 5545 §3.8.7.2),
  and a "now" stamp would make every build differ.
- Events are ordered by start, kind and UID, and their properties in a fixed order, so
  identical data gives identical bytes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
    vText,
)

from storage.feeds import FeedContent
from storage.models import Meeting, Milestone, Programme

TZID = "Europe/Amsterdam"
AMSTERDAM = ZoneInfo(TZID)
PRODID = "-//Regiobot//Regiobot kalender 1.0//NL"
# How often clients should fetch again; Google ignores it, Apple and Outlook honour it.
REFRESH = timedelta(hours=1)
# How long a cancelled item stays in the feed as STATUS:CANCELLED after its last change.
CANCELLED_RETENTION = timedelta(days=90)
# Meetings with a start time but no end time: the document never gives one, and a
# zero-length event is easy to miss in a week view.
DEFAULT_MEETING_LENGTH = timedelta(hours=2)
# Fixed forever: changing it changes every UID and duplicates every event in clients.
UID_NAMESPACE = uuid.UUID("5b0e7c8e-3f0a-5d59-9a53-7c1f0c2d6e41")

_DUTCH_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december",
)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class MilestoneRecord:
    """What a feed needs of a milestone, as plain data."""

    uid_key: str
    title: str
    programme: str
    due_date: date
    period_label: str
    status: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    programme_short: str | None = None
    project: str | None = None
    owner: str | None = None
    # "Eigenaar" when the milestone has an owner, else the role the name comes from.
    owner_label: str = "Eigenaar"
    period_start: date | None = None
    plan_year: int | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class AgendaLine:
    position: int
    title: str
    kind: str | None = None
    prepared_by: str | None = None


@dataclass(frozen=True)
class MeetingRecord:
    uid_key: str
    body: str
    date: date
    status: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    body_short: str | None = None
    number: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    location: str | None = None
    agenda: tuple[AgendaLine, ...] = ()


@dataclass(frozen=True)
class Feed:
    """A built feed: the bytes, their strong ETag and the latest change in them."""

    body: bytes
    etag: str
    last_modified: datetime | None
    events: int = 0
    # When the same records stop giving these bytes: a cancelled item's retention ends.
    expires: datetime | None = None


@dataclass(frozen=True)
class FeedSpec:
    """What to build: the calendar's name and description and the records in it."""

    name: str
    description: str
    milestones: tuple[MilestoneRecord, ...] = ()
    meetings: tuple[MeetingRecord, ...] = ()


def stable_uid(kind: str, key: str) -> str:
    """A UID that stays the same across builds and stores and says nothing personal."""
    return str(uuid.uuid5(UID_NAMESPACE, f"{kind}:{key}"))


def dutch_date(day: date) -> str:
    return f"{day.day} {_DUTCH_MONTHS[day.month - 1]} {day.year}"


def period_as_written(label: str, plan_year: int | None) -> str:
    """The period as the document writes it, with the plan year when it has none:
    "K2/K3" → "K2/K3 2020"; "30 jan 2020" and "in 2020" stay as they are."""
    label = label.strip()
    if plan_year is None or _YEAR.search(label):
        return label
    return f"{label} {plan_year}"


def amsterdam_timezone() -> Timezone:
    """VTIMEZONE for Europe/Amsterdam as yearly RRULEs (the EU rule since 1996:
    last Sunday of March 02:00 → CEST, last Sunday of October 03:00 → CET).

    Written by hand because Outlook only understands RRULE-style zones; the DTSTART in
    1970 is what Outlook-oriented zone sets (tzurl's zoneinfo-outlook) use. The rule is
    checked against zoneinfo for every day of the years the feeds cover in the tests.
    """
    tz = Timezone()
    tz.add("TZID", TZID)
    tz.add("X-LIC-LOCATION", TZID)
    daylight = TimezoneDaylight()
    daylight.add("TZNAME", "CEST")
    daylight.add("TZOFFSETFROM", timedelta(hours=1))
    daylight.add("TZOFFSETTO", timedelta(hours=2))
    daylight.add("DTSTART", datetime(1970, 3, 29, 2, 0, 0))  # noqa: DTZ001 - floating by design
    daylight.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    standard = TimezoneStandard()
    standard.add("TZNAME", "CET")
    standard.add("TZOFFSETFROM", timedelta(hours=2))
    standard.add("TZOFFSETTO", timedelta(hours=1))
    standard.add("DTSTART", datetime(1970, 10, 25, 3, 0, 0))  # noqa: DTZ001 - floating by design
    standard.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in a feed record")
    # Whole seconds: iCalendar has no fractions, and HTTP dates neither.
    return moment.astimezone(UTC).replace(microsecond=0)


def _still_shown(status: str, updated_at: datetime, now: datetime) -> bool:
    return status != "cancelled" or _utc(updated_at) >= _utc(now) - CANCELLED_RETENTION


def milestone_description(m: MilestoneRecord) -> str:
    lines = [f"Programma: {m.programme}"]
    if m.project:
        lines.append(f"Deelproject: {m.project}")
    if m.owner:
        lines.append(f"{m.owner_label}: {m.owner}")
    period = period_as_written(m.period_label, m.plan_year)
    if m.period_start and m.period_start != m.due_date:
        window = f"{dutch_date(m.period_start)} – {dutch_date(m.due_date)}"
    else:
        window = f"uiterlijk {dutch_date(m.due_date)}"
    lines.append(f"Periode: {period} ({window})")
    if m.status == "done":
        when = f" op {dutch_date(m.done_at.astimezone(AMSTERDAM).date())}" if m.done_at else ""
        lines.append(f"Status: gereed{when}")
    elif m.status == "cancelled":
        lines.append("Status: vervallen")
    else:
        lines.append("Status: open")
    return "\n".join(lines)


# --- Content lines --------------------------------------------------------------------
#
# Events are written as content lines here rather than as icalendar components: making
# 20.000 `Event`s through `Component.add` and serialising them costs twice what the
# lines cost, and the feed has a fixed, small set of properties. The output is what
# icalendar 7.3 writes for the same events (its property order: SUMMARY, DTSTART, DTEND,
# DTSTAMP, UID, SEQUENCE, then alphabetical), folded by `fold_line` so that no fold
# splits an escape; the tests parse it back with icalendar and other parsers.
# The calendar's own properties and the VTIMEZONE are still made by icalendar.


# RFC 5545 allows no control characters in a value but HTAB: Word's manual line break
# (VT) and a page break (FF) become line breaks, the rest is dropped.
_CONTROLS = {c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)}
_CONTROLS.update({0x0B: "\n", 0x0C: "\n"})


def text_value(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says: backslash, semicolon, comma and
    line breaks; control characters other than tab are not written."""
    return (
        value.translate(_CONTROLS)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _date_value(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _utc_value(moment: datetime) -> str:
    m = _utc(moment)
    return f"{_date_value(m)}T{m.hour:02d}{m.minute:02d}{m.second:02d}Z"


def _local_value(moment: datetime) -> str:
    return f"{_date_value(moment)}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def _event_lines(
    uid: str,
    record: MilestoneRecord | MeetingRecord,
    *,
    summary: str,
    start: str,
    end: str,
    category: str,
    description: str,
    location: str | None = None,
    transparent: bool = False,
) -> list[str]:
    """One VEVENT. DTSTAMP is the record's last change, not the build time, so the
    same data gives the same bytes."""
    changed = _utc_value(record.updated_at)
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{text_value(summary)}",
        start,
        end,
        f"DTSTAMP:{changed}",
        f"UID:{uid}",
        f"SEQUENCE:{record.sequence}",
        f"CATEGORIES:{text_value(category)}",
        f"CREATED:{_utc_value(record.created_at)}",
        f"DESCRIPTION:{text_value(description)}",
        f"LAST-MODIFIED:{changed}",
    ]
    if location:
        lines.append(f"LOCATION:{text_value(location)}")
    lines.append("STATUS:CANCELLED" if record.status == "cancelled" else "STATUS:CONFIRMED")
    if transparent:
        lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT")
    return lines


def milestone_event(m: MilestoneRecord, uid: str | None = None) -> list[str]:
    """The milestone's VEVENT as unfolded content lines: a one-day all-day event on
    its due date. `uid` saves computing it again when the caller has it."""
    prefix = f"{m.programme_short}: " if m.programme_short else ""
    tick = "✓ " if m.status == "done" else ""
    return _event_lines(
        uid or stable_uid("milestone", m.uid_key),
        m,
        summary=f"{tick}{prefix}{m.title}",
        start=f"DTSTART;VALUE=DATE:{_date_value(m.due_date)}",
        end=f"DTEND;VALUE=DATE:{_date_value(m.due_date + timedelta(days=1))}",
        category="Mijlpaal",
        description=milestone_description(m),
        # A deadline does not make anyone busy.
        transparent=True,
    )


def meeting_title(m: MeetingRecord) -> str:
    name = m.body_short or m.body
    return f"{name} {m.number}" if m.number is not None else name


def meeting_description(m: MeetingRecord) -> str:
    lines = [m.body]
    if m.agenda:
        lines += ["", "Agenda:"]
        for item in sorted(m.agenda, key=lambda a: a.position):
            extra = "; ".join(
                part
                for part in (item.kind, f"voorbereid door {item.prepared_by}"
                             if item.prepared_by else None)
                if part
            )
            lines.append(f"{item.position}. {item.title}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines)


def meeting_event(m: MeetingRecord, uid: str | None = None) -> list[str]:
    """The meeting's VEVENT as unfolded content lines: timed in Europe/Amsterdam, or
    all-day when it has no start time."""
    if m.start_time is None:
        start = f"DTSTART;VALUE=DATE:{_date_value(m.date)}"
        end = f"DTEND;VALUE=DATE:{_date_value(m.date + timedelta(days=1))}"
    else:
        begins = datetime.combine(m.date, m.start_time)
        if m.end_time is not None and m.end_time > m.start_time:
            ends = datetime.combine(m.date, m.end_time)
        else:
            # Wall-clock addition: a meeting on a DST night still "ends two hours later".
            ends = begins + DEFAULT_MEETING_LENGTH
        start = f"DTSTART;TZID={TZID}:{_local_value(begins)}"
        end = f"DTEND;TZID={TZID}:{_local_value(ends)}"
    return _event_lines(
        uid or stable_uid("meeting", m.uid_key),
        m,
        summary=meeting_title(m),
        start=start,
        end=end,
        category="Vergadering",
        description=meeting_description(m),
        location=m.location,
    )


MAX_LINE_OCTETS = 75
# One escape ("\\,", "\\;", "\\n", "\\\\") or one character: the units a fold may not split.
_FOLD_UNIT = re.compile(r"\\.|.", re.DOTALL)


def fold_line(line: str) -> bytes:
    """One content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8
    character or a TEXT escape."""
    if line.isascii():
        return _fold_ascii(line)
    pieces: list[bytes] = []
    current = b""
    for unit in _FOLD_UNIT.findall(line):
        encoded = unit.encode("utf-8")
        if len(current) + len(encoded) > MAX_LINE_OCTETS:
            pieces.append(current)
            current = b" "
        current += encoded
    pieces.append(current)
    return b"\r\n".join(pieces)


def _fold_ascii(line: str) -> bytes:
    """`fold_line` for an ASCII line (one octet per character), without a per-character
    loop: cut every 75 octets (74 after the leading space of a continuation), one
    earlier when the cut would separate a backslash from the character it escapes."""
    if len(line) <= MAX_LINE_OCTETS:
        return line.encode("ascii")
    pieces: list[str] = []
    start, room = 0, MAX_LINE_OCTETS
    while len(line) - start > room:
        end = start + room
        # Escapes are read left to right from the piece's start: an odd run of
        # backslashes ending at the cut means the last one opens an escape.
        run = 0
        while end - 1 - run >= start and line[end - 1 - run] == "\\":
            run += 1
        if run % 2:
            end -= 1
        pieces.append(line[start:end])
        start, room = end, MAX_LINE_OCTETS - 1
    pieces.append(line[start:])
    return "\r\n ".join(pieces).encode("ascii")


def refold(body: bytes) -> bytes:
    """Refold icalendar's output: icalendar 7.3 keeps UTF-8 characters whole but may
    fold between the two characters of an escape ("\\" | "\\,"), which some clients
    then misread. Unfolding first is lossless: values never hold a raw line break."""
    lines: list[str] = []
    for raw in body.decode("utf-8").split("\r\n"):
        if raw[:1] == " " and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return b"".join(fold_line(line) + b"\r\n" for line in lines)


def _calendar_head(spec: FeedSpec, *, timezone: bool) -> bytes:
    """BEGIN:VCALENDAR, the calendar's properties and (for timed meetings) the VTIMEZONE,
    made by icalendar."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    # icalendar has no type for NAME and the X-WR- properties and would write them
    # unescaped; they are TEXT (RFC 7986 §5.1), so say so.
    cal.add("NAME", vText(spec.name))
    cal.add("X-WR-CALNAME", vText(spec.name))
    cal.add("DESCRIPTION", vText(spec.description))
    cal.add("X-WR-CALDESC", vText(spec.description))
    cal.add("X-WR-TIMEZONE", vText(TZID))
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    if timezone:
        cal.add_component(amsterdam_timezone())
    body = refold(cal.to_ical())
    end = b"END:VCALENDAR\r\n"
    if not body.endswith(end):
        raise AssertionError("icalendar's calendar does not end with END:VCALENDAR")
    return body[: -len(end)]


def build_feed(spec: FeedSpec, *, now: datetime) -> Feed:
    """The feed as bytes (CRLF, folded at 75 octets)."""
    milestones = [m for m in spec.milestones if _still_shown(m.status, m.updated_at, now)]
    meetings = [m for m in spec.meetings if _still_shown(m.status, m.updated_at, now)]

    events: list[tuple[tuple, list[str]]] = []
    for m in milestones:
        uid = stable_uid("milestone", m.uid_key)
        events.append(((m.due_date, 1, uid), milestone_event(m, uid)))
    for m in meetings:
        uid = stable_uid("meeting", m.uid_key)
        events.append(((m.date, 0, uid), meeting_event(m, uid)))
    events.sort(key=lambda pair: pair[0])

    head = _calendar_head(spec, timezone=any(m.start_time is not None for m in meetings))
    body = b"".join(
        [head, *(fold_line(line) + b"\r\n" for _key, lines in events for line in lines),
         b"END:VCALENDAR\r\n"]
    )
    changes = [_utc(m.updated_at) for m in (*milestones, *meetings)]
    # An item leaving the feed after its retention is a change too: without this,
    # If-Modified-Since would answer 304 for a feed that lost an event.
    changes += [
        _utc(m.updated_at) + CANCELLED_RETENTION
        for m in (*spec.milestones, *spec.meetings)
        if not _still_shown(m.status, m.updated_at, now)
    ]
    leaving = [
        _utc(m.updated_at) + CANCELLED_RETENTION
        for m in (*milestones, *meetings)
        if m.status == "cancelled"
    ]
    return Feed(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest() + '"',
        last_modified=max(changes) if changes else None,
        events=len(events),
        expires=min(leaving) if leaving else None,
    )


# --- From store objects (loaded by storage.feeds.feed_records) to records ------------


def _abbreviation(programme: Programme) -> str | None:
    """The programme's abbreviation as the region writes it (GHNT, AJPO), if any: the
    first all-capitals alias, since the document's own abbreviation comes first."""
    shorts = [a for a in (programme.aliases or []) if a.isupper() and len(a) <= 8]
    return shorts[0] if shorts else None


def milestone_record(
    m: Milestone, *, managers: dict[int, str], project_leaders: dict[int, str], prefix: bool
) -> MilestoneRecord:
    programme = m.programme
    region = programme.region
    if m.owner is not None:
        owner, owner_label = m.owner.name, "Eigenaar"
    elif m.project_id is not None and m.project_id in project_leaders:
        owner, owner_label = project_leaders[m.project_id], "Projectleider"
    elif m.programme_id in managers:
        owner, owner_label = managers[m.programme_id], "Programmamanager"
    else:
        owner, owner_label = None, "Eigenaar"
    programme_name = (
        f"{programme.number}. {programme.name}" if programme.number is not None
        else programme.name
    )
    return MilestoneRecord(
        # Natural key, not the row id: survives rebuilding the store from an export.
        uid_key=f"{region.slug}/{programme.slug}/{m.key}",
        title=m.title,
        programme=programme_name,
        programme_short=(_abbreviation(programme) or programme.name) if prefix else None,
        project=m.project.name if m.project is not None else None,
        owner=owner,
        owner_label=owner_label,
        due_date=m.due_date,
        period_start=m.period_start,
        period_label=m.period_label,
        plan_year=region.year,
        status=m.status,
        done_at=m.done_at,
        sequence=m.sequence,
        created_at=m.created_at,
        updated_at=m.updated_at,
    )


def meeting_record(m: Meeting) -> MeetingRecord:
    # An agenda item added later (from Slack) is a change to the meeting for clients.
    changed = max([m.updated_at, *(item.updated_at for item in m.agenda_items)])
    return MeetingRecord(
        uid_key=m.uid,
        body=m.body.name,
        body_short=m.body.abbreviation,
        number=m.number,
        date=m.date,
        start_time=m.start_time,
        end_time=m.end_time,
        location=m.location,
        status=m.status,
        sequence=m.sequence,
        created_at=m.created_at,
        updated_at=changed,
        agenda=tuple(
            AgendaLine(item.position, item.title, item.kind, item.prepared_by)
            for item in m.agenda_items
        ),
    )


def feed_spec(content: FeedContent) -> FeedSpec:
    """Name, description and records of a feed loaded by `storage.feeds.feed_records`."""
    prefix = content.scope != "programme"
    milestones = tuple(
        milestone_record(
            m, managers=content.managers, project_leaders=content.project_leaders, prefix=prefix
        )
        for m in content.milestones
    )
    meetings = tuple(meeting_record(m) for m in content.meetings)
    if content.scope == "region":
        regions = ", ".join(r.name for r in content.regions) or "regio"
        name = f"Regiobot – {regions}"
        description = f"Mijlpalen van de programma's en vergaderingen van {regions}."
    elif content.scope == "programme" and content.programme is not None:
        programme = content.programme
        name = f"{programme.name} – mijlpalen"
        description = (
            f"Mijlpalen van {programme.name} ({programme.region.name} {programme.region.year})."
        )
    elif content.scope == "person" and content.person is not None:
        name = f"Mijlpalen van {content.person.name}"
        description = (
            f"Mijlpalen waarvan {content.person.name} eigenaar, programmamanager "
            "of projectleider is."
        )
    else:
        body = content.body
        short = (body.abbreviation or body.name) if body is not None else "BOSD"
        name = f"{short} – vergaderingen"
        description = (
            f"Vergaderingen van het {body.name} ({body.region.name})." if body is not None
            else "Vergaderingen van het bestuurlijk overleg."
        )
    return FeedSpec(name=name, description=description, milestones=milestones, meetings=meetings)


def build_content_feed(content: FeedContent, *, now: datetime) -> Feed:
    return build_feed(feed_spec(content), now=now)
