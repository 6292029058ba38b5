"""`/regio bosd` and `/regio agenda`: the Bestuurlijk Overleg Sociaal Domein and its agenda."""

from __future__ import annotations

import re

from commands.core import Context, Divider, Header, Note, Part, Reply, Text, subcommand
from commands.helpers import audit
from commands.i18n import escape, format_date, t, weekday_name
from commands.parsing import fold, parse_date, parse_number
from commands.permissions import COORDINATOR, require
from storage import queries
from storage.models import Meeting

NEXT_WORDS = {"volgende", "next", "eerstvolgende", ""}
ADD_WORDS = {"toevoegen", "add", "voeg", "+"}


def meeting_title(meeting: Meeting, ctx: Context) -> str:
    body = meeting.body.abbreviation or meeting.body.name
    nr = meeting.number if meeting.number is not None else ""
    return re.sub(r"\s+", " ", t("bosd.title", ctx.lang, body=body, nr=nr,
                                 date=format_date(meeting.date, ctx.lang)))


def agenda_lines(meeting: Meeting) -> list[str]:
    """'1. Programma's en projecten 2020 _(beslispunt, RDS)_', one line an agenda item."""
    lines = []
    for item in meeting.agenda_items:
        line = f"{item.position}. {escape(item.title)}"
        extra = [escape(x) for x in (item.kind, item.prepared_by) if x]
        if extra:
            line += f" _({', '.join(extra)})_"
        lines.append(line)
    return lines


def meeting_parts(meeting: Meeting, ctx: Context, *, header: bool = True) -> list[Part]:
    """A meeting: when, where, and the agenda items with kind and who prepares them."""
    lang = ctx.lang
    parts: list[Part] = []
    if header:
        parts.append(Header(meeting_title(meeting, ctx)))
    time = f", {meeting.start_time:%H.%M}" if meeting.start_time else ""
    if meeting.start_time and meeting.end_time:
        time += f"–{meeting.end_time:%H.%M}"
    location = f", {escape(meeting.location)}" if meeting.location else ""
    when = t("bosd.when", lang, weekday=weekday_name(meeting.date, lang),
             date=format_date(meeting.date, lang), time=time, location=location)
    parts.append(Text(f"*{when[0].upper()}{when[1:]}*"))
    if meeting.status == "cancelled":
        parts.append(Text(f":no_entry: {t('bosd.cancelled', lang)}"))
    items = meeting.agenda_items
    if items:
        parts.append(Text(f"*{t('bosd.agenda', lang)}*\n" + "\n".join(agenda_lines(meeting))))
    else:
        parts.append(Note(t("bosd.no_agenda", lang, nr=meeting.number or "?")))
    return parts


@subcommand("bosd", "overleg", "meeting")
def bosd(args: str, ctx: Context) -> Reply:
    """`/regio bosd [volgende | <nr> | <datum>]` — de (volgende) BOSD met agenda.

    `/regio bosd` of `/regio bosd volgende`: het eerstvolgende overleg vanaf vandaag.
    `/regio bosd 3`: BOSD nummer 3 van dit jaar. `/regio bosd 12 maart`: het overleg op die dag.
    """
    lang = ctx.lang
    word = fold(args).strip().rstrip("?")
    if word in NEXT_WORDS:
        meeting = queries.next_meeting(ctx.session, on_or_after=ctx.today)
        if meeting is None:
            return Reply.error(t("bosd.none_next", lang, date=format_date(ctx.today, lang)))
        later = queries.find_meetings(
            ctx.session, date_from=meeting.date, status="scheduled", excluding_id=meeting.id,
            limit=3,
        )
        parts = meeting_parts(meeting, ctx)
        if later:
            dates = ", ".join(format_date(m.date, lang) for m in later)
            parts += [Divider(), Note(t("bosd.others", lang, dates=dates))]
        summary = t("bosd.next_summary", lang, date=format_date(meeting.date, lang))
        return Reply(summary=summary, parts=parts)
    number = parse_number(word)
    if number is not None:
        meeting = queries.meeting_by_number(ctx.session, number=number, year=ctx.today.year)
        if meeting is None:
            return Reply.error(t("bosd.none_number", lang, nr=number))
        return Reply(summary=meeting_title(meeting, ctx), parts=meeting_parts(meeting, ctx))
    day = parse_date(args, today=ctx.today)
    if day is None:
        return Reply.error(t("bosd.bad_arg", lang, text=escape(args.strip())),
                           hint=t("bad_date", lang, text=escape(args.strip())))
    meeting = queries.meeting_on(ctx.session, day=day)
    if meeting is None:
        message = t("bosd.none_date", lang, date=format_date(day, lang))
        nearest = queries.nearest_meeting(ctx.session, day=day)
        hint = None
        if nearest is not None:
            hint = t("bosd.nearest", lang, nr=nearest.number or "",
                     date=format_date(nearest.date, lang))
        return Reply.error(message, hint=hint)
    return Reply(summary=meeting_title(meeting, ctx), parts=meeting_parts(meeting, ctx))


@subcommand("agenda", may=COORDINATOR)
def agenda(args: str, ctx: Context) -> Reply:
    """`/regio agenda <nr> [toevoegen <titel>]` — de agenda van BOSD <nr>; een punt toevoegen.

    Voorbeeld: `/regio agenda 2 toevoegen Voortgang Gewoon Thuis Jeugd`.
    """
    lang = ctx.lang
    words = args.split(maxsplit=2)
    if not words:
        return Reply.error(t("agenda.usage", lang))
    number = parse_number(words[0])
    if number is None:
        return Reply.error(t("bad_number", lang, text=escape(words[0]),
                             usage=escape("/regio agenda <nr> toevoegen <titel>")))
    meeting = queries.meeting_by_number(ctx.session, number=number, year=ctx.today.year)
    if meeting is None:
        return Reply.error(t("bosd.none_number", lang, nr=number))
    if len(words) == 1:
        return Reply(summary=meeting_title(meeting, ctx), parts=meeting_parts(meeting, ctx))
    if fold(words[1]) not in ADD_WORDS or len(words) < 3 or not words[2].strip():
        return Reply.error(t("agenda.usage", lang))
    require(ctx, COORDINATOR)
    if meeting.status == "cancelled":
        return Reply.error(t("agenda.cancelled", lang, nr=meeting.number))
    title = words[2].strip()[:500]
    item = queries.add_agenda_item(ctx.session, meeting=meeting, title=title, now=ctx.now)
    audit(ctx, "agenda.add", "meeting", meeting.id, position=item.position, title=title)
    message = t("agenda.added", lang, pos=item.position, nr=meeting.number,
                date=format_date(meeting.date, lang), title=escape(title))
    reply = Reply(summary=message, parts=[Text(message), *meeting_parts(meeting, ctx)])
    reply.changed = True
    return reply
