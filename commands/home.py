"""The Home tab: the user's own milestones and the next BOSD with its agenda."""

from __future__ import annotations

from commands.core import Context, Divider, Header, Note, Reply, Text
from commands.helpers import is_late, me, milestone_line
from commands.i18n import escape, format_date, t
from commands.meetings import meeting_parts, meeting_title
from storage import queries

# The Home tab holds 100 blocks; milestones go into a few text sections, so this only
# keeps a long list readable.
MAX_MINE = 40


def home(ctx: Context) -> Reply:
    """The Home tab for ctx.user_id: own milestones (open first, late marked) and the next BOSD."""
    lang = ctx.lang
    parts: list = [Header(t("home.title", lang))]
    person = me(ctx)
    if person is None:
        parts.append(Text(t("home.not_linked", lang)))
    else:
        parts.append(Text(t("home.hello", lang, name=escape(person.name))))
        mine = queries.find_milestones(ctx.session, own_for_person_id=person.id)
        # Open ones first (late at the top, then by due date), then what is done.
        mine.sort(key=lambda m: (m.status != "open", not is_late(m, ctx.today), m.due_date, m.id))
        parts.append(Header(t("home.mine", lang)))
        if not mine:
            parts.append(Text(t("home.mine_none", lang)))
        else:
            late = sum(1 for m in mine if is_late(m, ctx.today))
            if late:
                parts.append(Text(f":warning: *{t('home.late_count', lang, n=late)}*"))
            shown = mine[:MAX_MINE]
            lines = [milestone_line(m, ctx) for m in shown]
            # One section per ten lines keeps each under Slack's 3000 characters.
            for start in range(0, len(lines), 10):
                parts.append(Text("\n".join(lines[start : start + 10])))
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
    return Reply(summary=t("home.title", lang), parts=parts)
