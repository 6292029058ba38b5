"""Read meetings of a governing body (the BOSD) from an .ics file or URL — the
secretariat's own calendar — and add or update them, idempotently by UID.

- Timed events are converted to Europe/Amsterdam wall-clock date and times, whatever
  zone (or UTC) the file uses; all-day events become meetings without a time.
- The agenda comes from the DESCRIPTION: its numbered lines ("1. Opening", "2) …").
  Lines as this module's own feeds write them ("2. Begroting (beslispunt; voorbereid
  door X)") give the kind and who prepares the item back.
- STATUS:CANCELLED cancels the meeting. Recurring series and single overridden
  occurrences are not meetings of their own: they are reported and skipped.
- A malformed file is refused as a whole, with every problem named by line, before
  anything is written; the caller's transaction then has nothing to roll back.
- The SUMMARY is not kept: a meeting has no title of its own in the store.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy.orm import Session

from storage.feeds import DEFAULT_BODY_SLUG, find_body, upsert_meetings
from storage.importers import ImportRefused, ImportReport, Problem, decode_utf8
from storage.schema import AgendaItemData, MeetingData

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FETCH_TIMEOUT = 20  # seconds
MAX_BYTES = 5 * 1024 * 1024  # a body's calendar is kilobytes; refuse anything absurd
AGENDA_KINDS = ("beslispunt", "special", "ter informatie")

_NAME = r"[A-Za-z0-9-]+"
_PARAM_VALUE = r'(?:"[^"]*"|[^";:,]*)'
_CONTENT_LINE = re.compile(
    rf"{_NAME}(?:;{_NAME}={_PARAM_VALUE}(?:,{_PARAM_VALUE})*)*:", re.ASCII
)
_AGENDA_LINE = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*?)\s*$")
_AGENDA_EXTRA = re.compile(
    rf"^(?P<title>.*?)\s*\((?P<kind>{'|'.join(AGENDA_KINDS)})?(?:;\s*)?"
    r"(?:voorbereid door (?P<by>[^)]+))?\)$"
)


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and bool(re.match(r"(?i)(https?|webcal)://", source))


def source_label(source: str | Path) -> str:
    """How to name the source in reports and errors. A URL's path is left out: a
    published calendar URL usually holds a secret of its own."""
    if is_url(source):
        parts = urlsplit(str(source))
        return f"{parts.scheme}://{parts.hostname}/…"
    return str(source)


def read_source(source: str | Path) -> bytes:
    label = source_label(source)
    if is_url(source):
        url = re.sub(r"(?i)^webcal://", "https://", str(source))
        request = urllib.request.Request(url, headers={"User-Agent": "Regiobot ics import"})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                data = response.read(MAX_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or getattr(error, "code", None) or error
            raise ImportRefused([Problem(label, None, f"cannot fetch the calendar: {reason}")]) from None
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise ImportRefused([Problem(label, None, f"cannot read: {error.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise ImportRefused([Problem(label, None, f"larger than {MAX_BYTES // 1024 // 1024} MB")])
    return data


# --- Structure, with line numbers ------------------------------------------------------

# Properties RFC 5545 allows at most once per component (§3.6.1, §3.6.5) that this
# importer reads; a second one is refused rather than one of them guessed.
_ONCE = {
    "VEVENT": ("UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION",
               "LOCATION", "STATUS", "RECURRENCE-ID", "SEQUENCE"),
    "VTIMEZONE": ("TZID",),
    "STANDARD": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
    "DAYLIGHT": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
}


@dataclass
class _Component:
    name: str
    line: int
    # property name → line of its first occurrence
    props: dict[str, int] = field(default_factory=dict)


def _check_structure(text: str, label: str) -> tuple[list[_Component], list[Problem]]:
    """Every content line well-formed and BEGIN/END balanced; the VEVENTs in order,
    with the line of each property, for naming lines in later errors."""
    problems: list[Problem] = []
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and logical:
            start, previous = logical[-1]
            logical[-1] = (start, previous + line[1:])
        elif line.strip():
            logical.append((number, line))
    events: list[_Component] = []
    stack: list[_Component] = []
    for number, line in logical:
        if not _CONTENT_LINE.match(line):
            problems.append(Problem(label, number, "not an iCalendar line (NAME:value)"))
            continue
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        value = line.split(":", 1)[1] if name in ("BEGIN", "END") else ""
        if name == "BEGIN":
            component = _Component(value.strip().upper(), number)
            if not stack and component.name != "VCALENDAR":
                problems.append(Problem(label, number, "the file must start with BEGIN:VCALENDAR"))
            stack.append(component)
            if component.name == "VEVENT":
                events.append(component)
        elif name == "END":
            ended = value.strip().upper()
            if not stack or stack[-1].name != ended:
                opened = f"BEGIN:{stack[-1].name} of line {stack[-1].line}" if stack else "nothing"
                problems.append(Problem(label, number, f"END:{ended} closes {opened}"))
                break
            stack.pop()
        elif not stack:
            problems.append(Problem(label, number, "a property outside BEGIN:VCALENDAR"))
        else:
            component = stack[-1]
            first = component.props.setdefault(name, number)
            if first != number and name in _ONCE.get(component.name, ()):
                problems.append(Problem(
                    label, number, f"{name} given twice in the {component.name} of line "
                    f"{component.line} (first on line {first})"
                ))
    if stack and not problems:
        problems.append(
            Problem(label, stack[-1].line, f"BEGIN:{stack[-1].name} is never closed")
        )
    if not logical:
        problems.append(Problem(label, None, "the file is empty"))
    return events, problems


# --- Events → meetings --------------------------------------------------------------------


def parse_agenda(description: str) -> list[AgendaItemData]:
    items: dict[int, AgendaItemData] = {}
    for line in description.splitlines():
        match = _AGENDA_LINE.match(line)
        if not match:
            continue
        position, title = int(match.group(1)), match.group(2)
        kind = prepared_by = None
        extra = _AGENDA_EXTRA.match(title)
        if extra and (extra.group("kind") or extra.group("by")) and extra.group("title"):
            title, kind, prepared_by = extra.group("title"), extra.group("kind"), extra.group("by")
        if position >= 1 and position not in items:
            items[position] = AgendaItemData(
                position=position, title=title, kind=kind, prepared_by=prepared_by
            )
    return [items[p] for p in sorted(items)]


def _local(value: date | datetime) -> tuple[date, time | None]:
    if not isinstance(value, datetime):
        return value, None
    if value.tzinfo is None:
        # Floating time (no zone): the wall clock of the people who meet.
        return value.date(), value.time().replace(tzinfo=None)
    local = value.astimezone(AMSTERDAM)
    return local.date(), local.time().replace(tzinfo=None)


@dataclass
class ParsedMeetings:
    meetings: list[MeetingData]
    skipped: list[Problem]


def parse_meetings(data: bytes, *, label: str) -> ParsedMeetings:
    """The meetings in an .ics file, or ImportRefused naming every problem's line."""
    text = decode_utf8(data, source=label)
    structure, problems = _check_structure(text, label)
    if problems:
        raise ImportRefused(problems)
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        raise ImportRefused([Problem(label, None, f"unreadable calendar: {error}")]) from None
    except (TypeError, AttributeError, KeyError, IndexError, OverflowError):
        # icalendar trips over shapes the structure check lets through (it reads time
        # zones while parsing); say so rather than show its traceback.
        raise ImportRefused([Problem(label, None, "unreadable calendar")]) from None
    events = calendar.walk("VEVENT")
    if len(events) != len(structure):  # cannot happen for a balanced file; be safe
        raise ImportRefused([Problem(label, None, "the events could not be told apart")])

    meetings: list[MeetingData] = []
    skipped: list[Problem] = []
    seen: dict[str, int] = {}
    for event, where in zip(events, structure, strict=True):
        def at(prop: str, *, _where: _Component = where) -> int:
            return _where.props.get(prop, _where.line)

        before = len(problems)
        for prop, message in event.errors:
            problems.append(Problem(label, at(str(prop).upper()), message, field=str(prop)))
        uid = str(event.get("UID", "")).strip()
        if not uid:
            problems.append(Problem(label, where.line, "the event has no UID"))
        elif len(uid) > 300:
            problems.append(Problem(label, at("UID"), "UID longer than 300 characters"))
        elif uid in seen and "RECURRENCE-ID" not in event:
            problems.append(
                Problem(label, at("UID"), f"UID {uid!r} also used by the event of line {seen[uid]}")
            )
        start_prop = event.get("DTSTART")
        broken = {str(prop).upper() for prop, _ in event.errors}
        start = None if "DTSTART" in broken else getattr(start_prop, "dt", None)
        if not isinstance(start, date):
            if "DTSTART" not in broken:
                problems.append(Problem(label, at("DTSTART"), "the event has no valid DTSTART"))
        elif isinstance(start, datetime) and start.tzinfo is None and "TZID" in start_prop.params:
            problems.append(
                Problem(label, at("DTSTART"), f"unknown time zone {start_prop.params['TZID']!r}")
            )
        if len(problems) > before:
            continue
        seen.setdefault(uid, where.line)
        if "RRULE" in event or "RDATE" in event or "RECURRENCE-ID" in event:
            skipped.append(
                Problem(label, where.line, f"recurring event {uid!r} skipped (not a single meeting)")
            )
            continue
        day, start_time = _local(start)
        end_time = None
        end_prop = event.get("DTEND")
        end = getattr(end_prop, "dt", None)
        if end is None and "DURATION" in event:
            end = start + event["DURATION"].dt
        if start_time is not None and isinstance(end, datetime):
            end_day, end_clock = _local(end)
            if end_day == day and end_clock > start_time:
                end_time = end_clock
        location = str(event.get("LOCATION", "")).strip() or None
        status = "cancelled" if str(event.get("STATUS", "")).upper() == "CANCELLED" else "scheduled"
        meetings.append(
            MeetingData(
                uid=uid,
                date=day,
                start_time=start_time,
                end_time=end_time,
                location=location[:300] if location else None,
                status=status,
                agenda=parse_agenda(str(event.get("DESCRIPTION", ""))),
            )
        )
    if problems:
        raise ImportRefused(problems)
    return ParsedMeetings(meetings=meetings, skipped=skipped)


def import_meetings_ics(
    session: Session,
    source: str | Path,
    *,
    body_slug: str = DEFAULT_BODY_SLUG,
    region_slug: str | None = None,
    now: datetime,
) -> ImportReport:
    """Add or update the meetings in an .ics file or http(s)/webcal URL as meetings of
    the region's body `body_slug` (the BOSD by default), idempotently by UID.

    Runs in the caller's transaction; raises ImportRefused, having written nothing,
    when the file is malformed or the region is unclear.
    """
    label = source_label(source)
    parsed = parse_meetings(read_source(source), label=label)
    region, _body = find_body(session, body_slug=body_slug, region_slug=region_slug)
    if region is None:
        which = f"region {region_slug!r}" if region_slug else "exactly one region"
        raise ImportRefused(
            [Problem(label, None, f"the store must hold {which} to file the meetings under; "
                     "import the programme first or name the region")]
        )
    report = ImportReport(source=label)
    report.warnings.extend(parsed.skipped)
    upsert_meetings(
        session, region=region, body_slug=body_slug, meetings=parsed.meetings, now=now,
        report=report,
    )
    if not parsed.meetings:
        report.warnings.append(Problem(label, None, "no events in the calendar"))
    return report

