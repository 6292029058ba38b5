"""Answering the fact a question asks: one sentence first, the card or list after it.

Each function takes what commands.questions decided (the records, the filters) and
returns a Reply whose first part is the answer in a sentence ("Conny Kelly werkt 40 uur
voor Rechtmatigheid en kwaliteit, als programmamanager.") and whose later parts are the
detail a person may want next. A fact the store does not hold is said to be unknown,
naming what was asked about; it is never filled in from a neighbouring record.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from commands.core import Context, Divider, Note, Reply, Text
from commands.helpers import is_late, milestone_line, plan_year, programme_label, region_id
from commands.i18n import (
    escape,
    format_date,
    format_money,
    join_words,
    month_name,
    t,
    weekday_name,
)
from commands.linking import Entity
from commands.meetings import agenda_lines, meeting_parts
from commands.people import who_person, who_programme, who_project
from commands.programmes import programme_reply, project_reply
from commands.reading import MeetingSelector, Period
from storage import queries
from storage.models import Meeting, Milestone, Programme, Project, Role
from storage.responsible import OWNER, responsible_of
from storage.verdeelsleutel import percentage_of, split_by_inhabitants


def _sentence(text: str, *details, ok: bool = True) -> Reply:
    return Reply(summary=_plain(text), parts=[Text(text), *details], ok=ok)


def _plain(text: str) -> str:
    return text.replace("*", "").replace("_", "")


def not_known(ctx: Context, what: str, *, hint: str | None = None) -> Reply:
    """'Dat weet ik niet: …' — the question is about something the store does not hold."""
    message = t("q.not_known", ctx.lang, what=what)
    parts: list = [Text(message)]
    parts.append(Note(hint or t("q.not_known.hint", ctx.lang, region=_region_label(ctx))))
    return Reply(summary=_plain(message), parts=parts, ok=False)


def _region_label(ctx: Context) -> str:
    rid = region_id(ctx)
    region = queries.get_region(ctx.session, region_id=rid) if rid else None
    return f"{region.name} {region.year}" if region else "—"


def ask_back(ctx: Context, entities: list[Entity]) -> Reply:
    options = [f"*{escape(e.label)}*" + (f" ({escape(e.parent)})" if e.parent and e.kind != "programme" else "")
               for e in entities[:5]]
    message = t("did_you_mean", ctx.lang, options=join_words(options, ctx.lang, last="or"))
    return Reply(summary=_plain(message), parts=[Text(message)], ok=False)


# --- People.

def role_name(kind: str, lang: str, *, plural: bool = False) -> str:
    from commands.i18n import CATALOG

    key = f"q.role.{kind}{'.plural' if plural else ''}"
    if key not in CATALOG:
        key = f"q.role.{kind}"
    return t(key, lang) if key in CATALOG else kind


def _holder(role: Role) -> str:
    return role.holder or (role.person.name if role.person else "")


def _with_hours(role: Role) -> str:
    holder = escape(_holder(role)) or f"_{escape(role.label)}_"
    return f"{holder} ({escape(role.hours_text)})" if role.hours_text else holder


def who_role(ctx: Context, record: Programme | Project, kind: str) -> Reply:
    """The holder(s) of one role of a programme or project."""
    lang = ctx.lang
    if isinstance(record, Project):
        roles = queries.find_roles(ctx.session, project_id=record.id)
        detail = who_project(record, ctx)
    else:
        roles = [r for r in queries.find_roles(ctx.session, programme_id=record.id)
                 if r.project_id is None]
        detail = who_programme(record, ctx)
    chosen = [r for r in roles if kind in r.kind or kind in r.label.lower()]
    if kind == "projectleider" and not chosen:
        chosen = [r for r in roles if "leider" in r.label.lower()]
    name = escape(record.name)
    if not chosen:
        if isinstance(record, Project):
            person, label = responsible_for(ctx, project=record)
            if person:
                message = t("q.role.none_project", lang, role=role_name(kind, lang), name=name,
                            programme=escape(record.programme.name), person=escape(person),
                            label=label)
                return _sentence(message, Divider(), *detail.parts[1:])
        message = t("q.role.none", lang, role=role_name(kind, lang), name=name)
        return _sentence(message, Note(t("q.role.none.hint", lang, name=name)), ok=False)
    holders = [_with_hours(r) for r in chosen]
    if kind == "opdrachtgever" and len(chosen) > 1:
        holders = [f"{_with_hours(r)} ({escape(r.label.lower())})" for r in chosen]
    key = "q.role.one" if len(chosen) == 1 else "q.role.many"
    message = t(key, lang, role=role_name(kind, lang, plural=len(chosen) > 1), name=name,
                holders=join_words(holders, lang))
    return _sentence(message)


def responsible_for(ctx: Context, *, project: Project | None = None,
                    programme: Programme | None = None,
                    milestone: Milestone | None = None) -> tuple[str | None, str]:
    """Who answers for it: the owner, else the projectleider, else the programmamanager —
    for a milestone the store's one rule (storage.responsible); a project or programme,
    which the rule does not cover, by its roles as the plan writes them."""
    lang = ctx.lang
    if milestone is not None:
        found = responsible_of(ctx.session, milestone_id=milestone.id)
        if found is not None:
            label = t("q.label.owner", lang) if found.basis == OWNER else role_name(found.basis, lang)
            return found.name, label
        project = milestone.project
        programme = milestone.programme
    if project is not None:
        for role in queries.find_roles(ctx.session, project_id=project.id):
            if "leider" in role.label.lower() and _holder(role):
                return _holder(role), role_name("projectleider", lang)
        programme = programme or project.programme
    if programme is not None:
        roles = queries.find_roles(ctx.session, programme_id=programme.id)
        for kind in ("programmamanager", "ambtelijk opdrachtgever", "bestuurlijk opdrachtgever"):
            for role in roles:
                if role.project_id is None and kind in role.kind and _holder(role):
                    return _holder(role), role_name(kind, lang)
        for role in roles:
            if role.project_id is None and "coordinator" in role.label.lower().replace("ö", "o"):
                return _holder(role) or role.label, escape(role.label.lower())
    return None, ""


def responsible(ctx: Context, record: Programme | Project) -> Reply:
    lang = ctx.lang
    if isinstance(record, Project):
        person, label = responsible_for(ctx, project=record)
        detail = who_project(record, ctx)
    else:
        person, label = responsible_for(ctx, programme=record)
        detail = who_programme(record, ctx)
    if person is None:
        message = t("q.responsible.none", lang, name=escape(record.name))
        return _sentence(message, Divider(), *detail.parts[1:], ok=False)
    message = t("q.responsible", lang, name=escape(record.name), person=escape(person), label=label)
    return _sentence(message)


def team(ctx: Context, record: Programme | Project) -> Reply:
    detail = who_project(record, ctx) if isinstance(record, Project) else who_programme(record, ctx)
    roles = (queries.find_roles(ctx.session, project_id=record.id) if isinstance(record, Project)
             else queries.find_roles(ctx.session, programme_id=record.id))
    names = [f"{escape(_holder(r))} ({escape(r.label.lower())})" for r in roles if _holder(r)]
    if not names:
        return _sentence(t("q.team.none", ctx.lang, name=escape(record.name)), *detail.parts[1:],
                         ok=False)
    message = t("q.team", ctx.lang, name=escape(record.name), names=join_words(names, ctx.lang))
    return _sentence(message, Divider(), *detail.parts[1:])


def everyone_with_role(ctx: Context, kind: str) -> Reply:
    """'Wie zijn de programmamanagers?' — the role across the region's programmes."""
    lang = ctx.lang
    lines = []
    for programme in queries.find_programmes(ctx.session, region_id=region_id(ctx)):
        for role in queries.find_roles(ctx.session, programme_id=programme.id):
            if role.project_id is None and kind in role.kind and _holder(role):
                lines.append(f"• {_with_hours(role)} — {escape(programme.name)}")
    if not lines:
        return not_known(ctx, role_name(kind, lang))
    message = t("q.role.everywhere", lang, role=role_name(kind, lang, plural=True))
    return _sentence(message, Text("\n".join(lines)))


def person_roles(ctx: Context, person_id: int, *, within: Programme | Project | None = None,
                 hours: bool = False) -> Reply:
    """What a person does (and how many hours), optionally for one programme or project."""
    lang = ctx.lang
    person = queries.get_person(ctx.session, person_id=person_id)
    if person is None:
        return not_known(ctx, "?")
    roles = queries.find_roles(ctx.session, person_id=person.id)
    if within is not None:
        if isinstance(within, Project):
            narrowed = [r for r in roles if r.project_id == within.id]
        else:
            narrowed = [r for r in roles if r.programme_id == within.id]
        if not narrowed:
            message = t("q.person.not_in", lang, person=escape(person.name), name=escape(within.name))
            return _sentence(message, *who_person(person, ctx).parts[1:], ok=False)
        roles = narrowed
    detail = who_person(person, ctx)
    if not roles:
        return _sentence(t("q.person.no_roles", lang, person=escape(person.name)), *detail.parts[1:])
    pieces = []
    for role in roles:
        where = escape(role.project.name if role.project else role.programme.name)
        label = escape(role.label.lower() if role.label.lower() not in ("bestuurlijk", "ambtelijk")
                       else f"{role.label.lower()} opdrachtgever")
        if hours:
            amount = escape(role.hours_text) if role.hours_text else t("q.hours.none", lang)
            pieces.append(t("q.hours.piece", lang, hours=amount, where=where, label=label))
        else:
            extra = f" ({escape(role.hours_text)})" if role.hours_text else ""
            pieces.append(t("q.person.piece", lang, label=label, where=where, hours=extra))
    key = "q.hours" if hours else "q.person"
    if hours and not any(r.hours_text for r in roles):
        message = t("q.hours.none_at_all", lang, person=escape(person.name))
        return _sentence(message, *detail.parts[1:], ok=False)
    message = t(key, lang, person=escape(person.name), pieces=join_words(pieces, lang))
    return _sentence(message, *([] if within is not None else detail.parts[1:]))


def partner(ctx: Context, partner_id: int) -> Reply:
    record = queries.get_partner(ctx.session, partner_id=partner_id)
    if record is None:
        return not_known(ctx, "?")
    programmes = queries.partner_programmes(ctx.session, partner_id=partner_id)
    names = join_words([escape(p.name) for p in programmes], ctx.lang)
    return _sentence(t("q.partner", ctx.lang, name=escape(record.name), programmes=names))


def partners(ctx: Context, programme: Programme) -> Reply:
    names = [p.name for p in programme.partners]
    if not names:
        return _sentence(t("q.partners.none", ctx.lang, name=escape(programme.name)), ok=False)
    message = t("q.partners", ctx.lang, name=escape(programme.name), n=len(names),
                names=escape(", ".join(names)))
    return _sentence(message)


# --- Programmes and projects.

FIELDS = {
    "ambition": ("ambition", "programme.ambition"),
    "goals": ("goals", "programme.goals"),
    "dependencies": ("dependencies", "q.field.dependencies"),
    "local": ("local_assignment", "q.field.local"),
    "background": ("background", "q.field.background"),
}


def programme_field(ctx: Context, programme: Programme, name: str) -> Reply:
    lang = ctx.lang
    attribute, label_key = FIELDS[name]
    value = getattr(programme, attribute)
    label = t(label_key, lang)
    if not value:
        return _sentence(t("q.field.none", lang, field=label.lower(), name=escape(programme.name)),
                         ok=False)
    if isinstance(value, list):
        body = "\n".join(f"• {escape(v)}" for v in value)
        message = t("q.field.list", lang, field=label, name=escape(programme.name), n=len(value))
        return _sentence(message, Text(body))
    message = t("q.field.text", lang, field=label, name=escape(programme.name))
    return _sentence(message, Text(escape(value)))


def projects_of(ctx: Context, programme: Programme) -> Reply:
    projects = queries.find_projects(ctx.session, programme_id=programme.id)
    if not projects:
        return _sentence(t("q.projects.none", ctx.lang, name=escape(programme.name)), ok=False)
    message = t("q.projects", ctx.lang, name=escape(programme.name), n=len(projects))
    return _sentence(message, Text("\n".join(f"• {escape(p.name)}" for p in projects)))


def project_about(ctx: Context, project: Project) -> Reply:
    lang = ctx.lang
    card = project_reply(project, ctx)
    if project.description:
        message = t("q.project.about", lang, name=escape(project.name),
                    programme=escape(project.programme.name), text=escape(project.description))
    else:
        message = t("q.project.no_description", lang, name=escape(project.name),
                    programme=escape(project.programme.name))
    rest = [p for p in card.parts[1:] if not (isinstance(p, Text) and p.text == escape(project.description or ""))]
    return _sentence(message, *rest)


def programme_about(ctx: Context, programme: Programme) -> Reply:
    card = programme_reply(programme, ctx)
    if programme.ambition:
        message = t("q.programme.about", ctx.lang, name=escape(programme_label(programme)),
                    text=escape(programme.ambition))
    else:
        message = escape(programme_label(programme))
    return Reply(summary=_plain(message), parts=[Text(message), *card.parts[1:]])


def programmes(ctx: Context) -> Reply:
    found = queries.find_programmes(ctx.session, region_id=region_id(ctx))
    names = [escape(programme_label(p)) for p in found]
    message = t("q.programmes", ctx.lang, n=len(found), region=_region_label(ctx))
    return _sentence(message, Text("\n".join(f"• {n}" for n in names)))


# --- Milestones.

def _due_words(milestone: Milestone, ctx: Context) -> str:
    lang = ctx.lang
    label = escape(milestone.period_label)
    day = format_date(milestone.due_date, lang)
    if milestone.period_start is None and not label.startswith(("in ", "K", "Q")):
        # An explicit date in the plan ("30 jan 2020", "per 1-1-2021").
        return t("q.due.on", lang, date=day)
    return t("q.due.by", lang, period=label, date=day)


def milestone_due(ctx: Context, milestones: list[Milestone]) -> Reply:
    lang = ctx.lang
    lines = []
    for milestone in milestones:
        where = escape(milestone.project.name if milestone.project else milestone.programme.name)
        state = ""
        if milestone.status == "done":
            state = t("q.due.done", lang)
        elif is_late(milestone, ctx.today):
            state = t("q.due.late", lang)
        lines.append(t("q.due", lang, title=escape(milestone.title), where=where,
                       due=_due_words(milestone, ctx), state=state))
    detail = [Note("\n".join(milestone_line(m, ctx) for m in milestones))]
    if len(lines) == 1:
        return _sentence(lines[0], *detail)
    return _sentence("\n".join(f"• {line}" for line in lines), *detail)


def milestone_filters(ctx: Context, *, programme_id: int | None, project_id: int | None,
                      period: Period | None, year: int | None, status: str | None,
                      person_id: int | None) -> tuple[dict, list[str]]:
    """find_milestones keyword arguments and the words that describe them."""
    lang = ctx.lang
    kwargs: dict = {"region_id": region_id(ctx)}
    labels: list[str] = []
    if programme_id is not None:
        kwargs["programme_id"] = programme_id
    if project_id is not None:
        kwargs["project_id"] = project_id
    if period is not None:
        if period.kind == "window":
            kwargs["window_from"], kwargs["window_to"] = period.start, period.end
        else:
            kwargs["due_from"], kwargs["due_to"] = period.start, period.end
        labels.append(period_words(period, lang))
    elif year is not None:
        kwargs["due_from"], kwargs["due_to"] = date(year, 1, 1), date(year, 12, 31)
        labels.append(str(year))
    if status == "late":
        kwargs["late_on"] = ctx.today
        labels.append(t("milestones.late_filter", lang))
    elif status == "done":
        kwargs["statuses"] = ("done",)
        labels.append(t("q.status.done", lang))
    elif status == "open" or (period is not None and period.label in ("now",)):
        kwargs["statuses"] = ("open",)
        if status == "open":
            labels.append(t("q.status.open", lang))
    if person_id is not None:
        kwargs["own_for_person_id"] = person_id
        labels.append(t("milestones.mine_filter", lang))
    return kwargs, labels


def period_words(period: Period, lang: str) -> str:
    label = period.label
    if label.startswith("K"):
        return label if lang == "nl" else "Q" + label[1:]
    if label.startswith("month:"):
        _, month, year = label.split(":")
        return f"{month_name(int(month), lang)} {year}"
    if label.startswith("in_weeks:") or label in ("week", "next_week", "last_week"):
        return t("q.period.week", lang, start=format_date(period.start, lang),
                 end=format_date(period.end, lang))
    if label.startswith("within:"):
        return t("q.period.until", lang, end=format_date(period.end, lang))
    if label == "now":
        return t("q.period.now", lang, date=format_date(period.start, lang))
    return format_date(period.start, lang)


def milestone_count(ctx: Context, kwargs: dict, labels: list[str], scope: str) -> Reply:
    lang = ctx.lang
    base = {k: v for k, v in kwargs.items() if k not in ("statuses", "late_on")}
    if "statuses" in kwargs or "late_on" in kwargs:
        n = queries.count_milestones(ctx.session, **kwargs)
        message = t("q.count.filtered", lang, n=n, filters=escape(", ".join(labels)) or "—",
                    scope=scope)
        return _sentence(message)
    open_ = queries.count_milestones(ctx.session, **base, statuses=("open",))
    done = queries.count_milestones(ctx.session, **base, statuses=("done",))
    late = queries.count_milestones(ctx.session, **base, late_on=ctx.today)
    suffix = f" ({escape(', '.join(labels))})" if labels else ""
    message = t("q.count", lang, n=open_ + done, open=open_, done=done, late=late,
                scope=scope, filters=suffix)
    return _sentence(message)


# --- Meetings.

def _meetings_of_year(ctx: Context) -> list[Meeting]:
    year = plan_year(ctx)
    return [m for m in queries.find_meetings(ctx.session, date_from=date(year, 1, 1),
                                             date_to=date(year, 12, 31), region_id=region_id(ctx))
            if m.status != "cancelled"]


def choose_meeting(ctx: Context, selector: MeetingSelector | None, period: Period | None,
                   *, past: bool = False) -> tuple[list[Meeting], str | None]:
    """The meetings meant, and a not-known message when there are none."""
    lang = ctx.lang
    meetings = _meetings_of_year(ctx)
    if selector is not None and selector.number is not None:
        found = [m for m in meetings if m.number == selector.number]
        if not found:
            return [], t("q.meeting.no_number", lang, nr=selector.number, n=len(meetings),
                         year=plan_year(ctx))
        return found, None
    if selector is not None and selector.ordinal is not None:
        if selector.ordinal > len(meetings):
            return [], t("q.meeting.no_number", lang, nr=selector.ordinal, n=len(meetings),
                         year=plan_year(ctx))
        return [meetings[selector.ordinal - 1]], None
    if selector is not None and selector.relative == "last":
        if past:
            before = [m for m in meetings if m.date < ctx.today]
            return (before[-1:], None) if before else ([], t("q.meeting.none_before", lang))
        return meetings[-1:], None
    if selector is not None and selector.relative == "previous":
        before = [m for m in meetings if m.date < ctx.today]
        return (before[-1:], None) if before else ([], t("q.meeting.none_before", lang))
    if period is not None and period.label not in ("now",):
        found = [m for m in meetings if period.start <= m.date <= period.end]
        if found:
            return found, None
        later = [m for m in meetings if m.date > period.end]
        hint = ""
        if later:
            hint = " " + t("q.meeting.then_next", lang, nr=later[0].number or "",
                           date=format_date(later[0].date, lang))
        what = period_words(period, lang)
        return [], t("q.meeting.none_in", lang, period=what) + hint
    upcoming = [m for m in meetings if m.date >= ctx.today]
    if not upcoming:
        nxt = queries.next_meeting(ctx.session, on_or_after=ctx.today)
        if nxt is None:
            return [], t("bosd.none_next", lang, date=format_date(ctx.today, lang))
        return [nxt], None
    return upcoming[:1], None


def _meeting_name(meeting: Meeting) -> str:
    body = meeting.body.abbreviation or meeting.body.name
    return f"{body} {meeting.number}" if meeting.number is not None else body


def meeting_when(ctx: Context, meetings: list[Meeting], *, relative: str | None,
                 ask: str = "when") -> Reply:
    lang = ctx.lang
    if len(meetings) > 1:
        lines = [f"• {escape(_meeting_name(m))}: {weekday_name(m.date, lang)} "
                 f"{format_date(m.date, lang)}" for m in meetings]
        return _sentence(t("q.meeting.several", lang, n=len(meetings)), Text("\n".join(lines)))
    meeting = meetings[0]
    name = escape(_meeting_name(meeting))
    day = f"{weekday_name(meeting.date, lang)} {format_date(meeting.date, lang)}"
    if ask == "time":
        if meeting.start_time is None:
            return _sentence(t("q.meeting.no_time", lang, name=name, date=day),
                             *meeting_parts(meeting, ctx, header=False), ok=False)
        message = t("q.meeting.time", lang, name=name, date=day,
                    time=f"{meeting.start_time:%H.%M}")
        return _sentence(message)
    if ask == "where":
        if not meeting.location:
            return _sentence(t("q.meeting.no_place", lang, name=name, date=day),
                             *meeting_parts(meeting, ctx, header=False), ok=False)
        return _sentence(t("q.meeting.place", lang, name=name, date=day,
                           place=escape(meeting.location)))
    key = {"next": "q.meeting.next", "previous": "q.meeting.previous",
           "last": "q.meeting.last"}.get(relative or "", "q.meeting.is")
    if relative is None and meeting.date < ctx.today:
        key = "q.meeting.was"
    message = t(key, lang, name=name, date=day)
    return _sentence(message, *meeting_parts(meeting, ctx, header=False))


def agenda(ctx: Context, meeting: Meeting) -> Reply:
    lang = ctx.lang
    name = escape(_meeting_name(meeting))
    day = format_date(meeting.date, lang)
    items = meeting.agenda_items
    if not items:
        return _sentence(t("q.agenda.none", lang, name=name, date=day),
                         *meeting_parts(meeting, ctx, header=False), ok=False)
    message = t("q.agenda", lang, name=name, date=day, n=len(items))
    return _sentence(message, Text("\n".join(agenda_lines(meeting))))


def meeting_count(ctx: Context) -> Reply:
    lang = ctx.lang
    meetings = _meetings_of_year(ctx)
    if not meetings:
        return not_known(ctx, "BOSD")
    dates = join_words([format_date(m.date, lang).rsplit(" ", 1)[0] for m in meetings], lang)
    body = meetings[0].body.abbreviation or meetings[0].body.name
    message = t("q.meeting.count", lang, body=escape(body), n=len(meetings),
                year=plan_year(ctx), dates=dates)
    return _sentence(message)


# --- Money and the verdeelsleutel.

def _line_words(line, lang: str) -> str:
    amount = format_money(line.amount, lang) if line.amount is not None else t("budget.no_amount", lang)
    text = escape(line.text)
    note = f" ({escape(line.note)})" if line.note and line.note not in line.text else ""
    return f"*{escape(line.label)}*: {amount} ({line.year}) — _{text}_{note}"


def budget(ctx: Context, programme: Programme, *, year: int | None) -> Reply:
    lang = ctx.lang
    lines = queries.find_budget_lines(ctx.session, programme_id=programme.id)
    name = escape(programme.name)
    if year is not None:
        of_year = [line for line in lines if line.year == year]
        if not of_year:
            return not_known(ctx, t("q.budget.year_what", lang, name=name, year=year))
        lines = of_year
    if not lines:
        return _sentence(t("q.budget.none", lang, name=name), ok=False)
    with_amount = [line for line in lines if line.amount is not None]
    detail = [Text("\n".join(_line_words(line, lang) for line in lines))]
    if not with_amount:
        texts = join_words([f"_{escape(line.text)}_" for line in lines], lang)
        return _sentence(t("q.budget.no_amounts", lang, name=name, lines=texts), ok=False)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in with_amount:
        totals[line.year] += line.amount
    pieces = [t("q.budget.year_piece", lang, amount=format_money(a, lang), year=y)
              for y, a in sorted(totals.items())]
    message = t("q.budget", lang, name=name, amounts=join_words(pieces, lang))
    if len(with_amount) < len(lines):
        detail.append(Note(t("q.budget.partly", lang)))
    return _sentence(message, *detail)


def budget_lines(ctx: Context, line_ids: list[int], *, year: int | None,
                 programme_id: int | None = None) -> Reply:
    lang = ctx.lang
    lines = [line for line in queries.find_budget_lines(ctx.session, region_id=region_id(ctx))
             if line.id in set(line_ids)]
    if programme_id is not None and any(line.programme_id == programme_id for line in lines):
        lines = [line for line in lines if line.programme_id == programme_id]
    if year is not None:
        lines = [line for line in lines if line.year == year] or []
        if not lines:
            return not_known(ctx, f"{year}")
    pieces = []
    for line in lines:
        amount = format_money(line.amount, lang) if line.amount is not None else t("budget.no_amount", lang)
        pieces.append(t("q.budget.line", lang, label=escape(line.label), amount=amount,
                        year=line.year, programme=escape(line.programme.name),
                        text=escape(line.text)))
    return _sentence("\n".join(pieces))


def region_budget(ctx: Context) -> Reply:
    lang = ctx.lang
    rid = region_id(ctx)
    region = queries.get_region(ctx.session, region_id=rid)
    lines = queries.find_budget_lines(ctx.session, region_id=rid)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.amount is not None:
            totals[line.year] += line.amount
    pieces = [t("q.budget.year_piece", lang, amount=format_money(a, lang), year=y)
              for y, a in sorted(totals.items())]
    parts = []
    if region.budget_amount is not None:
        parts.append(t("q.budget.region", lang, region=escape(region.name),
                       amount=format_money(region.budget_amount, lang)))
    if pieces:
        parts.append(t("q.budget.programmes", lang, amounts=join_words(pieces, lang)))
    from commands.money import budget as budget_card

    card = budget_card("", ctx)
    return _sentence(" ".join(parts) or card.summary, *card.parts[1:])


def _inhabitants(ctx: Context) -> dict[str, int]:
    return {m.name: m.inhabitants for m in queries.find_municipalities(ctx.session, region_id=region_id(ctx))}


def _number(value: int, lang: str) -> str:
    return f"{value:,}".replace(",", "." if lang == "nl" else ",")


def _percent(value: Decimal, lang: str) -> str:
    text = str(value)
    return (text.replace(".", ",") if lang == "nl" else text) + " %"


def _share_words(counts: dict[str, int], name: str, lang: str) -> str:
    """'31 % (31,46 %)': whole percents as the plan's table writes them, and the exact share."""
    exact = Decimal(counts[name]) * 100 / sum(counts.values())
    whole = exact.quantize(Decimal("1"), rounding="ROUND_HALF_UP")
    return f"{whole} % ({_percent(exact.quantize(Decimal('0.01')), lang)})"


def inhabitants(ctx: Context, municipality: str | None) -> Reply:
    lang = ctx.lang
    counts = _inhabitants(ctx)
    total = sum(counts.values())
    if municipality is None:
        message = t("q.inhabitants.region", lang, region=escape(_region_label(ctx).rsplit(" ", 1)[0]),
                    n=_number(total, lang), count=len(counts))
        lines = [f"• {escape(n)}: {_number(c, lang)} ({_share_words(counts, n, lang)})"
                 for n, c in counts.items()]
        return _sentence(message, Text("\n".join(lines)))
    message = t("q.inhabitants", lang, name=escape(municipality), n=_number(counts[municipality], lang),
                pct=_share_words(counts, municipality, lang), total=_number(total, lang))
    return _sentence(message)


def percentage(ctx: Context, municipality: str) -> Reply:
    lang = ctx.lang
    counts = _inhabitants(ctx)
    message = t("q.percentage", lang, name=escape(municipality),
                pct=_share_words(counts, municipality, lang),
                n=_number(counts[municipality], lang), total=_number(sum(counts.values()), lang))
    return _sentence(message)


def key(ctx: Context) -> Reply:
    lang = ctx.lang
    counts = _inhabitants(ctx)
    pieces = [f"{escape(n)} {_number(c, lang)} · {_share_words(counts, n, lang)}"
              for n, c in counts.items()]
    message = t("q.key", lang, shares=join_words(pieces, lang), total=_number(sum(counts.values()), lang))
    return _sentence(message)


def share(ctx: Context, amount: Decimal, municipality: str | None, source: str | None = None) -> Reply:
    lang = ctx.lang
    counts = _inhabitants(ctx)
    from commands.money import verdeel

    card = verdeel(str(amount), ctx)
    if source:
        card.parts.insert(1, Note(source))
    if municipality is None:
        return card
    shares = split_by_inhabitants(amount, counts)
    message = t("q.share", lang, name=escape(municipality), amount=format_money(amount, lang),
                share=format_money(shares[municipality], lang),
                pct=_percent(percentage_of(counts, municipality), lang))
    return _sentence(message, Divider(), *card.parts[1:])


def amount_of_lines(ctx: Context, line_ids: list[int], *,
                    programme_id: int | None = None) -> tuple[Decimal | None, str]:
    lines = [line for line in queries.find_budget_lines(ctx.session, region_id=region_id(ctx))
             if line.id in set(line_ids) and line.amount is not None]
    if programme_id is not None and any(line.programme_id == programme_id for line in lines):
        lines = [line for line in lines if line.programme_id == programme_id]
    year = plan_year(ctx)
    chosen = [line for line in lines if line.year == year] or lines
    if not chosen:
        return None, ""
    total = sum((line.amount for line in chosen), Decimal(0))
    label = join_words([f"{escape(line.label)} ({escape(line.programme.name)}, {line.year})"
                        for line in chosen], ctx.lang)
    return total, label


def is_partner(ctx: Context, partner_id: int, programme: Programme) -> Reply:
    record = queries.get_partner(ctx.session, partner_id=partner_id)
    programmes = queries.partner_programmes(ctx.session, partner_id=partner_id)
    if any(p.id == programme.id for p in programmes):
        return _sentence(t("q.partner.yes", ctx.lang, name=escape(record.name),
                           programme=escape(programme.name)))
    others = join_words([escape(p.name) for p in programmes], ctx.lang)
    return _sentence(t("q.partner.no", ctx.lang, name=escape(record.name),
                       programme=escape(programme.name), others=others))


def municipality_hours(ctx: Context, programme: Programme, municipality: str) -> Reply:
    """'Krimpenerwaard 12 uur': a municipality's hours in a programme's team."""
    from commands.parsing import fold

    roles = [r for r in queries.find_roles(ctx.session, programme_id=programme.id)
             if fold(municipality) in fold(f"{r.label} {r.holder or ''}")]
    if not roles:
        return _sentence(t("q.hours.municipality_none", ctx.lang, name=escape(municipality),
                           programme=escape(programme.name)), ok=False)
    pieces = join_words([escape(r.hours_text or r.holder or r.label) for r in roles], ctx.lang)
    return _sentence(t("q.hours.municipality", ctx.lang, name=escape(municipality),
                       programme=escape(programme.name), hours=pieces))


def agenda_items_about(ctx: Context, words: str) -> list:
    from storage import search

    hits = search.search(ctx.session, query=words, region_id=region_id(ctx), limit=20)
    return [h for h in hits if h.kind == "agenda_item" and h.coverage >= 0.99]


def agenda_mentions(ctx: Context, words: str, hits: list) -> Reply:
    lang = ctx.lang
    meetings = {}
    for hit in hits:
        for meeting in queries.find_meetings(ctx.session, region_id=region_id(ctx)):
            if any(item.id == hit.ref_id for item in meeting.agenda_items):
                meetings[meeting.id] = (meeting, hit.title)
    lines = [t("q.agenda.mention", lang, name=escape(_meeting_name(m)),
               date=format_date(m.date, lang), title=escape(title))
             for m, title in meetings.values()]
    return _sentence(t("q.agenda.mentions", lang, words=escape(words)), Text("\n".join(lines)))


def agenda_item(ctx: Context, meeting: Meeting, title: str) -> Reply:
    lang = ctx.lang
    message = t("q.agenda.item", lang, title=escape(title), name=escape(_meeting_name(meeting)),
                date=format_date(meeting.date, lang))
    return _sentence(message, *meeting_parts(meeting, ctx, header=False))


def holder(ctx: Context, role_id: int, *, hours: bool) -> Reply:
    """A role held by a name the plan gives without it being a person of the store."""
    lang = ctx.lang
    role = queries.get_role(ctx.session, role_id=role_id)
    if role is None:
        return not_known(ctx, "?")
    where = escape(role.project.name if role.project else role.programme.name)
    label = escape(role.label.lower())
    if hours:
        amount = escape(role.hours_text) if role.hours_text else t("q.hours.none", lang)
        piece = t("q.hours.piece", lang, hours=amount, where=where, label=label)
        return _sentence(t("q.hours", lang, person=escape(role.holder), pieces=piece))
    extra = f" ({escape(role.hours_text)})" if role.hours_text else ""
    piece = t("q.person.piece", lang, label=label, where=where, hours=extra)
    return _sentence(t("q.person", lang, person=escape(role.holder), pieces=piece))
