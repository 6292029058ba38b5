"""Changing one milestone, and the milestone card that shows it with its buttons.

The Slack layer calls `milestone_done` / `milestone_snooze` for the buttons with
action_id "milestone_done" / "milestone_snooze" (value: the milestone id) and puts the
returned card in place of the original message; `/regio mijlpaal …` uses the same
functions, and the scheduler uses `milestone_card` for reminders. Every change checks
who asks, is audited, bumps the milestone's sequence and updated_at, and is committed
here: a refused or failed change leaves the store as it was.
"""

from __future__ import annotations

from datetime import date, timedelta

from commands.core import Actions, Button, Context, Fields, Header, Note, Reply, Text
from commands.helpers import audit, can_change_milestone, refusal, status_text
from commands.i18n import escape, format_date, t
from storage import queries
from storage.models import Milestone, Person
from storage.responsible import responsible_of, set_owner

SNOOZE = timedelta(days=7)
ACTION_DONE = "milestone_done"
ACTION_SNOOZE = "milestone_snooze"


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
        parts.append(
            Actions(
                (
                    Button(t("milestone.button.done", lang), ACTION_DONE, str(milestone.id),
                           style="primary"),
                    Button(t("milestone.button.snooze", lang), ACTION_SNOOZE, str(milestone.id)),
                ),
                block_id=f"milestone-{milestone.id}",
            )
        )
    parts.append(Note(escape(f"`/regio mijlpaal {milestone.id} gereed | heropen | verplaats <datum> | eigenaar @gebruiker`")))
    summary = message or f"#{milestone.id} {milestone.title} — {format_date(milestone.due_date, lang)}"
    return Reply(summary=summary, parts=parts)


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


def _load(milestone_id: int, ctx: Context) -> tuple[Milestone | None, Reply | None]:
    milestone = queries.get_milestone(ctx.session, milestone_id=milestone_id)
    if milestone is None:
        return None, Reply.error(t("milestone.unknown", ctx.lang, nr=milestone_id))
    if not can_change_milestone(ctx, milestone):
        why = t("refused.milestone", ctx.lang, programme=escape(milestone.programme.name))
        return None, refusal(ctx, why)
    return milestone, None


def _changed(milestone: Milestone, ctx: Context, message: str) -> Reply:
    ctx.session.commit()
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
    milestone, error = _load(milestone_id, ctx)
    if error:
        return error
    nr = milestone.id
    if milestone.status == status:
        return _unchanged(milestone, ctx, t(already, ctx.lang, nr=nr))
    if milestone.status == "cancelled":
        return Reply.error(t("milestone.cancelled_no_change", ctx.lang, nr=nr))
    queries.set_milestone_status(ctx.session, milestone=milestone, status=status, now=ctx.now)
    audit(ctx, action, "milestone", nr, title=milestone.title)
    return _changed(milestone, ctx, t(changed, ctx.lang, nr=nr))


def milestone_move(milestone_id: int, due_date: date, ctx: Context, *,
                   action: str = "milestone.move") -> Reply:
    milestone, error = _load(milestone_id, ctx)
    if error:
        return error
    nr = milestone.id
    if milestone.status == "cancelled":
        return Reply.error(t("milestone.cancelled_no_change", ctx.lang, nr=nr))
    previous = milestone.due_date
    queries.move_milestone(ctx.session, milestone=milestone, due_date=due_date, now=ctx.now)
    audit(ctx, action, "milestone", nr, title=milestone.title,
          old_due_date=previous.isoformat(), new_due_date=due_date.isoformat())
    return _changed(
        milestone, ctx, t("milestone.moved", ctx.lang, nr=nr, date=format_date(due_date, ctx.lang))
    )


def milestone_set_owner(milestone_id: int, person: Person | None, ctx: Context) -> Reply:
    """Make `person` the owner (None: no owner; then the projectleider or programmamanager
    answers for it again). `/regio mijlpaal <nr> eigenaar …` and the eigenaar modal."""
    milestone, error = _load(milestone_id, ctx)
    if error:
        return error
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
    """Move an open milestone one week later (the "een week uitstellen" button).

    A week after its due date, or after today when it is already late: postponing a
    late milestone by a week should not leave it late.
    """
    milestone, error = _load(milestone_id, ctx)
    if error:
        return error
    if milestone.status == "done":
        return _unchanged(milestone, ctx, t("milestone.snooze_done", ctx.lang, nr=milestone.id))
    new_due = max(milestone.due_date, ctx.today) + SNOOZE
    return milestone_move(milestone_id, new_due, ctx, action="milestone.snooze")


__all__ = ["milestone_card", "milestone_done", "milestone_move", "milestone_reopen",
           "milestone_set_owner", "milestone_snooze", "responsible_text"]
