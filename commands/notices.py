"""What the scheduler posts, as reply data: milestone reminders, the weekly digest of
late milestones, the BOSD call for agenda items and the BOSD agenda, and the notice to
an admin when a post could not be delivered. `commands.render.to_message` turns each
into Block Kit and its text fallback, like every other reply.

Each function renders the object as it is *now*: the sender calls it again when the
object changed after posting and updates the message (chat.update) when the result
differs — a reminder of a milestone marked done then says so and loses its buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from commands.changes import (
    milestone_buttons,
    milestone_card,
    responsible_text,
)
from commands.core import Actions, Button, Context, Divider, Header, Note, Reply, Text
from commands.helpers import milestone_line
from commands.i18n import counted, escape, format_date, t, weekday_name
from commands.slack_ids import ACTION_AGENDA_FORM
from storage.models import Meeting, Milestone
from storage.workdays import working_days_between

# A digest lists at most this many milestones, 4 blocks each with their buttons: with
# the header, the intro and the "… and more" note that stays within Slack's 50 blocks.
DIGEST_MAX_ITEMS = 11


def _target_mention(target: str) -> str:
    if target[:1] in ("U", "W"):
        return f"<@{target}>"
    return f"<#{target}>"


def _responsible_note(milestone: Milestone, ctx: Context) -> str:
    return f"{t('resp.label', ctx.lang)}: {responsible_text(milestone, ctx)}"


def milestone_reminder(
    milestone: Milestone,
    *,
    stage: str,
    reminded_for: date,
    today: date,
    now: datetime | None = None,
    session: Session | None = None,
    lang: str = "nl",
) -> Reply:
    """A reminder of one milestone: `stage` is "w<N>" (N working days before) or "due".

    The body is the command layer's milestone card — the same card a button click puts
    in place of the message — under a line saying why it comes now. `reminded_for` is
    the due date the reminder was planned for: when the milestone moved since, the line
    says so instead of urging the old date.
    """
    if milestone.status == "done":
        heading = t("notice.reminder.done", lang)
    elif milestone.status == "cancelled":
        heading = t("notice.reminder.cancelled", lang)
    elif milestone.due_date != reminded_for:
        heading = t("notice.reminder.moved", lang, day=format_date(milestone.due_date, lang))
    else:
        # Counted from the day it is posted (or updated), not from the day the stage was
        # planned for: a catch-up after downtime tells the truth (issue 12 point 9).
        heading = due_words(milestone.due_date, today=today, lang=lang)
    moment = now or datetime.combine(today, time(9, 0), tzinfo=UTC)
    ctx = Context(session=session, today=today, now=moment, lang=lang)
    reply = milestone_card(milestone, ctx, message=f"*{heading}*")
    reply.summary = f"{heading}: {milestone.title}"
    reply.ephemeral = False
    return reply


def due_words(due: date, *, today: date, lang: str = "nl") -> str:
    """'Vandaag is de deadline', 'Herinnering: over 9 werkdagen …', 'Sinds 24 februari te
    laat' — as of `today`."""
    if due == today:
        return t("notice.reminder.due", lang)
    if due < today:
        return t("reminder.late_since", lang, day=format_date(due + timedelta(days=1), lang))
    n = working_days_between(today, due)
    if n == 0:  # due on a weekend or holiday after the last working day before it
        return t("reminder.on_day", lang, weekday=weekday_name(due, lang),
                 day=format_date(due, lang))
    if n == 1:
        return t("reminder.in_one_day", lang)
    return t("reminder.in_days", lang, n=n)


def late_digest(milestones: Sequence[Milestone], *, day: date, lang: str = "nl",
                session: Session | None = None) -> Reply:
    """The weekly list of open milestones whose due date passed before `day` (the day it
    is posted: the counts of working days late are as of then)."""
    ctx = Context(session=session, today=day, now=datetime.combine(day, time(9, 0), tzinfo=UTC),
                  lang=lang)
    header = t("notice.digest.header", lang, n=len(milestones))
    parts: list = [Header(header), Text(t("notice.digest.intro", lang, day=format_date(day, lang)))]
    for milestone in milestones[:DIGEST_MAX_ITEMS]:
        programme = milestone.programme.name if milestone.programme is not None else ""
        parts.append(Divider())
        parts.append(
            Text(
                t(
                    "notice.digest.line",
                    lang,
                    title=escape(milestone.title),
                    programme=escape(programme),
                    day=format_date(milestone.due_date, lang),
                    late=counted("count.working_days", working_days_between(milestone.due_date, day), lang),
                )
            )
        )
        parts.append(Note(_responsible_note(milestone, ctx)))
        parts.append(milestone_buttons(milestone, lang))
    if len(milestones) > DIGEST_MAX_ITEMS:
        parts.append(Note(t("notice.digest.more", lang, n=len(milestones) - DIGEST_MAX_ITEMS)))
    titles = "; ".join(m.title for m in milestones[:5])
    return Reply(summary=f"{header}: {titles}", parts=parts, ephemeral=False)


# "Jouw week" lists at most this many milestones with their buttons (2 blocks each).
WEEK_MAX_ITEMS = 18


def your_week(name: str, *, due: Sequence[Milestone], late: Sequence[Milestone],
              meeting: Meeting | None, day: date, session: Session | None = None,
              lang: str = "nl") -> Reply:
    """Monday's DM to one person: what is due this week, what is late, the next BOSD."""
    ctx = Context(session=session, today=day,
                  now=datetime.combine(day, time(9, 0), tzinfo=UTC), lang=lang)
    header = t("week.header", lang, week=day.isocalendar().week)
    parts: list = [Header(header), Text(t("week.hello", lang, name=escape(name)))]
    shown = 0
    for title, group in ((t("week.due", lang, n=len(due)), due),
                         (t("week.late", lang, n=len(late)), late)):
        if not group:
            continue
        parts.append(Divider())
        parts.append(Text(f"*{title}*"))
        for milestone in group:
            if shown == WEEK_MAX_ITEMS:
                break
            shown += 1
            parts.append(Text(milestone_line(milestone, ctx)))
            parts.append(milestone_buttons(milestone, lang))
    if shown < len(due) + len(late):
        parts.append(Note(t("week.more", lang, n=len(due) + len(late) - shown)))
    parts.append(Divider())
    if meeting is not None:
        parts.append(Text(t("week.bosd", lang, when=_when(meeting, lang))))
    else:
        parts.append(Note(t("week.no_bosd", lang)))
    summary = f"{header}: " + t("week.summary", lang, due=len(due), late=len(late))
    return Reply(summary=summary, parts=parts, ephemeral=False)


def _when(meeting: Meeting, lang: str) -> str:
    time_text = f", {meeting.start_time:%H:%M}" if meeting.start_time else ""
    if meeting.start_time and meeting.end_time:
        time_text += f"–{meeting.end_time:%H:%M}"
    place = f", {escape(meeting.location)}" if meeting.location else ""
    return t("notice.bosd.when", lang, weekday=weekday_name(meeting.date, lang),
             day=format_date(meeting.date, lang), time=time_text, place=place)


def _agenda_lines(meeting: Meeting, lang: str) -> list[str]:
    lines = []
    for index, item in enumerate(meeting.agenda_items, start=1):
        extra = [item.kind] if item.kind else []
        if item.prepared_by:
            extra.append(t("notice.bosd.prepared_by", lang, who=item.prepared_by))
        suffix = f" _({escape(', '.join(extra))})_" if extra else ""
        lines.append(f"{index}. {escape(item.title)}{suffix}")
    return lines


def _meeting_state(meeting: Meeting, meeting_day: date, lang: str) -> list:
    if meeting.status == "cancelled":
        return [Note(t("notice.bosd.cancelled", lang))]
    if meeting.date != meeting_day:
        return [Note(t("notice.bosd.moved", lang, day=format_date(meeting.date, lang)))]
    return []


def bosd_call(
    meeting: Meeting, *, meeting_day: date, working_days: int, deadline: date, lang: str = "nl"
) -> Reply:
    """The call for agenda items, `working_days` before the meeting."""
    header = t("notice.bosd.call.header", lang, day=format_date(meeting_day, lang))
    body = meeting.body.name if meeting.body is not None else "BOSD"
    parts: list = [
        Header(header),
        Text(t("notice.bosd.call.text", lang, days=counted("count.working_days", working_days, lang),
               body=escape(body),
               deadline=format_date(deadline, lang))),
        Note(_when(meeting, lang)),
        *_meeting_state(meeting, meeting_day, lang),
    ]
    lines = _agenda_lines(meeting, lang)
    parts.append(Text(t("notice.bosd.call.so_far", lang) + "\n" + "\n".join(lines)) if lines
                 else Note(t("notice.bosd.call.empty", lang)))
    if meeting.status == "scheduled" and meeting.date == meeting_day:
        parts.append(Actions((Button(t("button.add_item", lang), ACTION_AGENDA_FORM,
                                     str(meeting.id)),), block_id=f"meeting-{meeting.id}"))
    return Reply(summary=header, parts=parts, ephemeral=False)


def bosd_agenda(meeting: Meeting, *, meeting_day: date, lang: str = "nl") -> Reply:
    """The agenda of a BOSD meeting, as it stands."""
    number = f"{meeting.number} – " if meeting.number else "– "
    header = t("notice.bosd.agenda.header", lang, number=number, day=format_date(meeting_day, lang))
    parts: list = [Header(header), Note(_when(meeting, lang)),
                   *_meeting_state(meeting, meeting_day, lang)]
    lines = _agenda_lines(meeting, lang)
    parts.append(Text("\n".join(lines)) if lines else Text(t("notice.bosd.agenda.empty", lang)))
    return Reply(summary=header, parts=parts, ephemeral=False)


def delivery_failed(*, target: str, key: str, error: str, lang: str = "nl") -> Reply:
    """To an admin: a post failed for good (the channel is gone, the bot not invited, …)."""
    header = t("notice.alert.header", lang)
    text = t("notice.alert.text", lang, target=_target_mention(target), error=escape(error))
    return Reply(
        summary=f"{header}: {target} ({error})",
        parts=[Header(header), Text(text), Note(t("notice.alert.hint", lang, key=escape(key)))],
        ephemeral=False,
    )
