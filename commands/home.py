"""The Home tab: the user's own milestones with their buttons, a filter (open / te laat
/ deze maand / alles), the next BOSD with "Agendapunt toevoegen" for coordinators, and "Mijn
kalender", which shows that person alone their feed URL.

"Own" is `storage.responsible`: the milestones the person is responsible for (owner,
else projectleider, else programmamanager), as everywhere else.
"""

from __future__ import annotations

from commands.changes import milestone_buttons
from commands.core import Actions, Button, Context, Divider, Header, Note, Reply, Text
from commands.helpers import is_late, me, milestone_line
from commands.i18n import escape, format_date, t
from commands.identity import offer_parts
from commands.meetings import meeting_parts, meeting_title
from commands.parsing import month_bounds
from commands.permissions import COORDINATOR
from commands.slack_ids import ACTION_AGENDA_FORM, ACTION_CALENDAR, ACTION_FILTER
from storage import queries

# The Home tab holds 100 blocks: each milestone with its buttons takes two, so the first
# MAX_WITH_BUTTONS get buttons and the rest (up to MAX_MINE) are lines.
MAX_WITH_BUTTONS = 25
MAX_MINE = 60
# The first is the default: everything, open first.
FILTERS = ("all", "open", "late", "month")


def _filtered(ctx: Context, person_id: int, show: str) -> list:
    if show == "late":
        return queries.find_milestones(ctx.session, own_for_person_id=person_id,
                                       late_on=ctx.today)
    if show == "month":
        start, end = month_bounds(ctx.today.year, ctx.today.month)
        return queries.find_milestones(ctx.session, own_for_person_id=person_id,
                                       statuses=("open",), due_from=start, due_to=end)
    if show == "all":
        return queries.find_milestones(ctx.session, own_for_person_id=person_id)
    return queries.find_milestones(ctx.session, own_for_person_id=person_id,
                                   statuses=("open",))


def home(ctx: Context, *, show: str = "all") -> Reply:
    """The Home tab for ctx.user_id: own milestones (late first), buttons, the next BOSD."""
    lang = ctx.lang
    show = show if show in FILTERS else FILTERS[0]
    parts: list = [Header(t("home.title", lang))]
    person = me(ctx)
    if person is None:
        # "Ben jij …?" when the Slack profile matches one person, else how to link.
        parts += offer_parts(ctx)
    else:
        parts.append(Text(t("home.hello", lang, name=escape(person.name))))
        parts.append(Header(t("home.mine", lang)))
        parts.append(Actions(tuple(
            Button(t(f"home.filter.{name}", lang), ACTION_FILTER, name,
                   style="primary" if name == show else None)
            for name in FILTERS
        ) + (Button(t("home.calendar", lang), ACTION_CALENDAR, "person"),),
            block_id="home-filter"))
        mine = _filtered(ctx, person.id, show)
        # Open ones first (late at the top, then by due date), then what is done.
        mine.sort(key=lambda m: (m.status != "open", not is_late(m, ctx.today), m.due_date, m.id))
        if not mine:
            parts.append(Text(t(f"home.none.{show}", lang)))
        else:
            late = sum(1 for m in mine if is_late(m, ctx.today))
            if late:
                parts.append(Text(f":warning: *{t('home.late_count', lang, n=late)}*"))
            for milestone in mine[:MAX_WITH_BUTTONS]:
                parts.append(Text(milestone_line(milestone, ctx)))
                if milestone.status == "open":
                    parts.append(milestone_buttons(milestone, lang))
            rest = [milestone_line(m, ctx) for m in mine[MAX_WITH_BUTTONS:MAX_MINE]]
            for start in range(0, len(rest), 10):
                parts.append(Text("\n".join(rest[start : start + 10])))
            if len(mine) > MAX_MINE:
                parts.append(Note(t("more", lang, n=len(mine) - MAX_MINE)))
    parts.append(Divider())
    parts.append(Header(t("home.next_bosd", lang)))
    meeting = queries.next_meeting(ctx.session, on_or_after=ctx.today)
    if meeting is None:
        parts.append(Text(t("bosd.none_next", lang, date=format_date(ctx.today, lang))))
    else:
        parts.append(Text(f"*{escape(meeting_title(meeting, ctx))}*"))
        parts += meeting_parts(meeting, ctx, header=False)
        if COORDINATOR.allows(ctx, None) and meeting.status == "scheduled":
            parts.append(Actions((Button(t("button.add_item", lang), ACTION_AGENDA_FORM,
                                         str(meeting.id)),), block_id=f"meeting-{meeting.id}"))
    return Reply(summary=t("home.title", lang), parts=parts)
