"""Changing one milestone, and the milestone card that shows it with its buttons.

The Slack layer calls `milestone_done` / `milestone_snooze` for the card's buttons
(their ids in commands.slack_ids; value: the milestone id) and puts the
returned card in place of the original message; `/regio mijlpaal …` uses the same
functions, and the scheduler uses `milestone_card` for reminders. Every change checks
who asks (`commands.permissions.require`, level MILESTONE; the agenda form COORDINATOR),
is audited and bumps the milestone's sequence and updated_at. The caller commits: a
refused or failed change is rolled back and leaves the store as it was.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from commands.core import (
    Actions,
    Button,
    Context,
    DatePicker,
    Declined,
    Field,
    Fields,
    Form,
    FormResult,
    Header,
    Note,
    Reply,
    Text,
)
from commands.helpers import audit, status_text
from commands.i18n import escape, format_date, t, unescape
from commands.permissions import COORDINATOR, MILESTONE, Refused, require
from commands.slack_ids import (
    ACTION_AGENDA_FORM,
    ACTION_DONE,
    ACTION_MOVE_FORM,
    ACTION_OWNER_FORM,
    ACTION_SNOOZE,
    ACTION_SNOOZE_DATE,
    ACTION_SNOOZE_TOMORROW,
    FORM_AGENDA,
    FORM_MOVE,
    FORM_OWNER,
    MILESTONE_BLOCK,
)
from storage import queries
from storage.models import Milestone, Person
from storage.responsible import responsible_of, set_owner
from storage.workdays import add_working_days

SNOOZE = timedelta(days=7)
AGENDA_KINDS = ("beslispunt", "special", "ter informatie")
MAX_REASON = 500
MAX_AGENDA_TITLE = 300


def milestone_card(milestone: Milestone, ctx: Context, *, message: str | None = None) -> Reply:
    """A milestone: title, programme/project, owner, due date and timing as written,
    status, and while open the buttons gereed / een week uitstellen."""
    lang = ctx.lang
    fields = [
        f"*{t('milestone.programme', lang)}*\n{escape(milestone.programme.name)}",
    ]
    if milestone.project is not None:
        fields.append(f"*{t('milestone.project', lang)}*\n{escape(milestone.project.name)}")
    fields.append(f"*{t('resp.label', lang)}*\n{responsible_text(milestone, ctx)}")
    fields.append(
        f"*{t('milestone.due', lang)}*\n{format_date(milestone.due_date, lang)} "
        f"({escape(milestone.period_label)})"
    )
    status = status_text(milestone, ctx)
    if milestone.status == "done" and milestone.done_at is not None:
        done_day = milestone.done_at.astimezone(ctx.now.tzinfo).date() if ctx.now.tzinfo else (
            milestone.done_at.date()
        )
        status += f" ({t('milestone.done_on', lang, date=format_date(done_day, lang))})"
    fields.append(f"*{t('milestone.status', lang)}*\n{status}")

    title = milestone.title if len(milestone.title) <= 140 else milestone.title[:139] + "…"
    parts: list = [Header(f"#{milestone.id} {title}")]
    if len(milestone.title) > 140:
        parts.append(Text(escape(milestone.title)))
    if message:
        parts.append(Text(message))
    parts.append(Fields(tuple(fields)))
    if milestone.status == "open":
        parts.append(milestone_buttons(milestone, lang))
    parts.append(Note(escape(f"`/regio mijlpaal {milestone.id} gereed | heropen | verplaats <datum> | eigenaar @gebruiker`")))
    summary = message or f"#{milestone.id} {milestone.title} — {format_date(milestone.due_date, lang)}"
    return Reply(summary=summary, parts=parts)


def milestone_buttons(milestone: Milestone, lang: str) -> Actions:
    """Gereed; uitstellen tot morgen / volgende week / een datum (datepicker);
    verplaatsen… and eigenaar… (modals). The row's block_id names the milestone."""
    value = str(milestone.id)
    return Actions(
        (
            Button(t("milestone.button.done", lang), ACTION_DONE, value, style="primary"),
            Button(t("snooze.tomorrow", lang), ACTION_SNOOZE_TOMORROW, value),
            Button(t("snooze.next_week", lang), ACTION_SNOOZE, value),
            DatePicker(ACTION_SNOOZE_DATE, t("snooze.pick", lang)),
            Button(t("button.move", lang), ACTION_MOVE_FORM, value),
            Button(t("button.owner", lang), ACTION_OWNER_FORM, value),
        ),
        block_id=f"{MILESTONE_BLOCK}-{milestone.id}",
    )


# An id as our buttons and forms write it: a positive decimal of ASCII digits that fits
# the store's integer; anything else cannot be one of ours.
_ID = re.compile(r"[1-9][0-9]{0,17}")


def id_of(text: str | None) -> int | None:
    return int(text) if isinstance(text, str) and _ID.fullmatch(text) else None


def milestone_id_of(block_id: str | None) -> int | None:
    """The milestone a row of buttons is about ("milestone-12" → 12)."""
    prefix, _, number = (block_id or "").partition("-")
    return id_of(number) if prefix == MILESTONE_BLOCK else None


def responsible_text(milestone: Milestone, ctx: Context) -> str:
    """'Anke van der Landen (<@U…>), programmamanager' — who answers for the milestone
    (storage.responsible) and why; 'niemand (…)' when nobody does."""
    who = responsible_of(ctx.session, milestone_id=milestone.id) if ctx.session else None
    if who is None:
        return t("resp.nobody", ctx.lang)
    name = escape(who.name)
    if who.slack_user_id:
        name = f"{name} (<@{who.slack_user_id}>)"
    return f"{name}, {t('resp.' + who.basis, ctx.lang)}"


def _load(milestone_id: int, ctx: Context) -> Milestone:
    """The milestone to change; Declined when it is unknown, Refused when not yours."""
    milestone = queries.get_milestone(ctx.session, milestone_id=milestone_id)
    if milestone is None:
        raise Declined(Reply.error(t("milestone.unknown", ctx.lang, nr=milestone_id)))
    require(ctx, MILESTONE, milestone)
    return milestone


def _changed(milestone: Milestone, ctx: Context, message: str) -> Reply:
    reply = milestone_card(milestone, ctx, message=message)
    reply.changed = True
    return reply


def _unchanged(milestone: Milestone, ctx: Context, message: str) -> Reply:
    return milestone_card(milestone, ctx, message=message)


def milestone_done(milestone_id: int, ctx: Context) -> Reply:
    """Mark a milestone done (the "gereed" button and `/regio mijlpaal <nr> gereed`)."""
    return _set_status(milestone_id, ctx, status="done", action="milestone.done",
                       already="milestone.already_done", changed="milestone.marked_done")


def milestone_reopen(milestone_id: int, ctx: Context) -> Reply:
    return _set_status(milestone_id, ctx, status="open", action="milestone.reopen",
                       already="milestone.already_open", changed="milestone.reopened")


def _set_status(milestone_id: int, ctx: Context, *, status: str, action: str, already: str,
                changed: str) -> Reply:
    milestone = _load(milestone_id, ctx)
    nr = milestone.id
    if milestone.status == status:
        return _unchanged(milestone, ctx, t(already, ctx.lang, nr=nr))
    if milestone.status == "cancelled":
        return Reply.error(t("milestone.cancelled_no_change", ctx.lang, nr=nr))
    queries.set_milestone_status(ctx.session, milestone=milestone, status=status, now=ctx.now)
    audit(ctx, action, "milestone", nr, title=milestone.title)
    return _changed(milestone, ctx, t(changed, ctx.lang, nr=nr))


def milestone_move(milestone_id: int, due_date: date, ctx: Context, *,
                   action: str = "milestone.move", reason: str | None = None) -> Reply:
    milestone = _load(milestone_id, ctx)
    nr = milestone.id
    if milestone.status == "cancelled":
        return Reply.error(t("milestone.cancelled_no_change", ctx.lang, nr=nr))
    previous = milestone.due_date
    queries.move_milestone(ctx.session, milestone=milestone, due_date=due_date, now=ctx.now)
    detail = {"reason": reason} if reason else {}
    audit(ctx, action, "milestone", nr, title=milestone.title,
          old_due_date=previous.isoformat(), new_due_date=due_date.isoformat(), **detail)
    return _changed(
        milestone, ctx, t("milestone.moved", ctx.lang, nr=nr, date=format_date(due_date, ctx.lang))
    )


def milestone_set_owner(milestone_id: int, person: Person | None, ctx: Context) -> Reply:
    """Make `person` the owner (None: no owner; then the projectleider or programmamanager
    answers for it again). `/regio mijlpaal <nr> eigenaar …` and the eigenaar modal."""
    milestone = _load(milestone_id, ctx)
    nr = milestone.id
    if person is None and milestone.owner_id is None:
        return _unchanged(milestone, ctx, t("owner.none_before", ctx.lang, nr=nr))
    if person is not None and milestone.owner_id == person.id:
        return _unchanged(milestone, ctx, t("owner.same", ctx.lang, nr=nr,
                                            person=escape(person.name)))
    previous = milestone.owner.name if milestone.owner is not None else None
    set_owner(ctx.session, milestone=milestone, person=person, now=ctx.now)
    audit(ctx, "milestone.owner", "milestone", nr, title=milestone.title,
          previous_owner=previous, new_owner=person.name if person else None)
    if person is None:
        message = t("owner.cleared", ctx.lang, nr=nr, who=responsible_text(milestone, ctx))
    else:
        message = t("owner.set", ctx.lang, nr=nr, person=escape(person.name))
    return _changed(milestone, ctx, message)


def milestone_snooze(milestone_id: int, ctx: Context) -> Reply:
    """Move an open milestone one week later ("tot volgende week").

    A week after its due date, or after today when it is already late: postponing a
    late milestone by a week should not leave it late.
    """
    milestone = _load(milestone_id, ctx)
    return milestone_snooze_until(milestone_id, max(milestone.due_date, ctx.today) + SNOOZE,
                                  ctx)


def milestone_snooze_tomorrow(milestone_id: int, ctx: Context) -> Reply:
    """Postpone to the next working day ("tot morgen")."""
    return milestone_snooze_until(milestone_id, add_working_days(ctx.today, 1), ctx)


def milestone_snooze_until(milestone_id: int, day: date, ctx: Context) -> Reply:
    """Postpone an open milestone to `day` (after today): the datepicker on the card."""
    milestone = _load(milestone_id, ctx)
    if milestone.status == "done":
        return _unchanged(milestone, ctx, t("milestone.snooze_done", ctx.lang, nr=milestone.id))
    if day <= ctx.today:
        return Reply.error(t("snooze.not_before", ctx.lang,
                             today=format_date(ctx.today, ctx.lang)))
    return milestone_move(milestone_id, day, ctx, action="milestone.snooze")


# --- forms (modals): verplaatsen, eigenaar, agendapunt toevoegen

# In Slack, a command that names a change without its value opens that change's form:
# `mijlpaal 12 verplaats`, `mijlpaal 12 eigenaar`, `agenda 3 toevoegen` (the console,
# which has no forms, answers them with the usage).
_NUMBER = r"#?([1-9][0-9]{0,17})"
_FORM_REQUESTS = (
    (re.compile(rf"(?:mijlpaal|milestone)\s+{_NUMBER}\s+(?:verplaatsen|verplaats|move)",
                re.I), ACTION_MOVE_FORM),
    (re.compile(rf"(?:mijlpaal|milestone)\s+{_NUMBER}\s+(?:eigenaar|owner)", re.I),
     ACTION_OWNER_FORM),
    (re.compile(rf"agenda\s+{_NUMBER}\s+(?:toevoegen|add)", re.I), ACTION_AGENDA_FORM),
)


def form_request(text: str) -> tuple[str, int] | None:
    """(the form's opener, the number typed) when `text` asks for a form, else None."""
    for pattern, opener in _FORM_REQUESTS:
        found = pattern.fullmatch(text.strip())
        if found:
            return opener, int(found.group(1))
    return None


def form_for_request(opener: str, number: int, ctx: Context) -> Form | Reply:
    """The form `form_request` found (a milestone's number is its id; an agenda's is the
    BOSD's number this year, as `/regio agenda <nr>` reads it)."""
    if opener == ACTION_AGENDA_FORM:
        meeting = queries.meeting_by_number(ctx.session, number=number, year=ctx.today.year)
        if meeting is None:
            return Reply.error(t("bosd.none_number", ctx.lang, nr=number))
        return agenda_form(meeting.id, ctx)
    return (move_form if opener == ACTION_MOVE_FORM else owner_form)(number, ctx)



def move_form(milestone_id: int, ctx: Context) -> Form | Reply:
    milestone = _load(milestone_id, ctx)
    lang = ctx.lang
    return Form(
        callback_id=FORM_MOVE,
        title=t("form.move.title", lang),
        submit=t("form.move.submit", lang),
        intro=f"*#{milestone.id} {escape(milestone.title[:200])}*",
        fields=(
            Field("due", t("form.move.due", lang), "date",
                  initial=milestone.due_date.isoformat()),
            Field("reason", t("form.move.reason", lang), "multiline", optional=True,
                  max_length=MAX_REASON, hint=t("form.move.reason_hint", lang)),
        ),
        private=str(milestone.id),
    )


def _form_milestone(private: str, ctx: Context, field: str):
    """(milestone, None) or (None, errors on `field`): gone, or not yours to change."""
    number = private.strip()
    milestone_id = id_of(number)
    milestone = (queries.get_milestone(ctx.session, milestone_id=milestone_id)
                 if milestone_id is not None else None)
    if milestone is None:
        return None, {field: t("milestone.unknown", ctx.lang, nr=escape(number))}
    try:
        require(ctx, MILESTONE, milestone)
    except Refused as refused:
        return None, {field: unescape(refused.reply.summary)}
    return milestone, None


def submit_move_form(private: str, values: dict[str, str | None], ctx: Context) -> FormResult:
    milestone, errors = _form_milestone(private, ctx, "due")
    if errors:
        return FormResult(errors=errors)
    try:
        day = date.fromisoformat(values.get("due") or "")
    except ValueError:
        return FormResult(errors={"due": t("form.move.no_date", ctx.lang)})
    if day < ctx.today:
        return FormResult(errors={"due": t("form.move.past", ctx.lang,
                                           today=format_date(ctx.today, ctx.lang))})
    if milestone.status == "cancelled":
        return FormResult(errors={"due": t("milestone.cancelled_no_change", ctx.lang,
                                           nr=milestone.id)})
    reason = (values.get("reason") or "")[:MAX_REASON] or None
    if day == milestone.due_date:
        return FormResult(reply=_unchanged(milestone, ctx, t(
            "milestone.moved", ctx.lang, nr=milestone.id, date=format_date(day, ctx.lang))))
    return FormResult(reply=milestone_move(milestone.id, day, ctx, reason=reason))


def owner_form(milestone_id: int, ctx: Context) -> Form | Reply:
    milestone = _load(milestone_id, ctx)
    lang = ctx.lang
    current = milestone.owner.slack_user_id if milestone.owner is not None else None
    return Form(
        callback_id=FORM_OWNER,
        title=t("form.owner.title", lang),
        submit=t("form.owner.submit", lang),
        intro=f"*#{milestone.id} {escape(milestone.title[:200])}*\n"
              f"{t('resp.label', lang)}: {responsible_text(milestone, ctx)}",
        fields=(Field("owner", t("form.owner.who", lang), "user", initial=current,
                      optional=True, hint=t("form.owner.hint", lang)),),
        private=str(milestone.id),
    )


def submit_owner_form(private: str, values: dict[str, str | None], ctx: Context) -> FormResult:
    milestone, errors = _form_milestone(private, ctx, "owner")
    if errors:
        return FormResult(errors=errors)
    user = values.get("owner")
    person = None
    if user:
        person = queries.person_for_slack_user(ctx.session, slack_user_id=user)
        if person is None:
            return FormResult(errors={"owner": t("owner.unknown_user", ctx.lang, user=user)})
    return FormResult(reply=milestone_set_owner(milestone.id, person, ctx))


def agenda_form(meeting_id: int, ctx: Context) -> Form | Reply:
    meeting = queries.get_meeting(ctx.session, meeting_id=meeting_id)
    lang = ctx.lang
    if meeting is None:
        return Reply.error(t("bosd.none_number", lang, nr=meeting_id))
    require(ctx, COORDINATOR)
    kinds = tuple((kind, t(f"agenda.kind.{kind}", lang)) for kind in AGENDA_KINDS)
    return Form(
        callback_id=FORM_AGENDA,
        title=t("form.agenda.title", lang),
        submit=t("form.agenda.submit", lang),
        intro=f"*BOSD {meeting.number or ''} — {format_date(meeting.date, lang)}*",
        fields=(
            Field("title", t("form.agenda.item", lang), "text", max_length=MAX_AGENDA_TITLE),
            Field("kind", t("form.agenda.kind", lang), "choice", options=kinds,
                  initial=AGENDA_KINDS[0]),
            Field("prepared_by", t("form.agenda.prepared_by", lang), "text", optional=True,
                  max_length=200),
        ),
        private=str(meeting.id),
    )


def submit_agenda_form(private: str, values: dict[str, str | None], ctx: Context) -> FormResult:
    lang = ctx.lang
    number = private.strip()
    meeting_id = id_of(number)
    meeting = (queries.get_meeting(ctx.session, meeting_id=meeting_id)
               if meeting_id is not None else None)
    if meeting is None:
        return FormResult(errors={"title": t("bosd.none_number", lang, nr=escape(number))})
    try:
        require(ctx, COORDINATOR)
    except Refused as refused:
        return FormResult(errors={"title": unescape(refused.reply.summary)})
    if meeting.status == "cancelled":
        return FormResult(errors={"title": t("agenda.cancelled", lang, nr=meeting.number)})
    title = (values.get("title") or "").strip()
    if not title:
        return FormResult(errors={"title": t("form.agenda.no_title", lang)})
    kind = values.get("kind") or AGENDA_KINDS[0]
    if kind not in AGENDA_KINDS:
        return FormResult(errors={"kind": t("form.agenda.bad_kind", lang)})
    prepared_by = (values.get("prepared_by") or "").strip() or None
    item = queries.add_agenda_item(ctx.session, meeting=meeting, title=title[:MAX_AGENDA_TITLE],
                                   kind=kind, prepared_by=prepared_by, now=ctx.now)
    audit(ctx, "agenda.add", "meeting", meeting.id, position=item.position, title=item.title,
          kind=kind, prepared_by=prepared_by)
    message = t("agenda.added", lang, pos=item.position, nr=meeting.number,
                date=format_date(meeting.date, lang), title=escape(item.title))
    return FormResult(reply=Reply(summary=message, parts=[Text(message)], changed=True))


__all__ = [
    "agenda_form",
    "milestone_buttons",
    "milestone_card",
    "milestone_done",
    "milestone_move",
    "milestone_reopen",
    "milestone_set_owner",
    "milestone_snooze",
    "milestone_snooze_tomorrow",
    "milestone_snooze_until",
    "move_form",
    "owner_form",
    "responsible_text",
    "submit_agenda_form",
    "submit_move_form",
    "submit_owner_form",
]
