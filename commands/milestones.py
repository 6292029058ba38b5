"""`/regio mijlpalen [programma] [filter]` and `/regio mijlpaal <nr> gereed | heropen | verplaats <datum>`."""

from __future__ import annotations

import re
from datetime import timedelta

from commands.changes import (
    milestone_card,
    milestone_done,
    milestone_move,
    milestone_reopen,
    milestone_set_owner,
)
from commands.core import Context, Header, Note, Reply, Text, subcommand
from commands.helpers import find_one, me, milestone_line, plan_year, region_id
from commands.i18n import escape, month_name, t
from commands.parsing import (
    fold,
    month_bounds,
    parse_date,
    parse_month,
    parse_number,
    parse_quarter,
    quarter_bounds,
)
from commands.people import person_user
from commands.permissions import MILESTONE
from storage import queries

LATE = ("te laat", "telaat", "late", "overdue", "verlopen", "achterstallig", "achterstand")
WEEK = ("deze week", "komende week", "this week", "next week", "coming week", "week")
MINE = ("van mij", "mijn", "mine", "my", "mij")
ONLY_OPEN = ("open", "openstaand", "openstaande", "nog open")
ONLY_DONE = ("gereed", "klaar", "done", "afgerond")
# Filler words of questions ("welke mijlpalen zijn te laat in het programma …").
STOPWORDS = {
    "welke", "wat", "zijn", "is", "er", "de", "het", "van", "voor", "in", "bij", "die", "nog",
    "which", "what", "are", "the", "of", "for", "there", "alle", "all", "me",
    "mijlpalen", "mijlpaal", "milestones", "milestone", "deadlines", "deadline", "toon", "show",
    "laat", "zien", "geef", "give", "list", "lijst", "due", "staan", "staat", "gepland", "op",
    "programma", "programme", "project", "an", "a", "een", "hebben", "heeft", "moeten", "af",
    "wanneer", "when", "my",
}
MAX_LINES = 120


def _take(text: str, words: tuple[str, ...]) -> tuple[bool, str]:
    for word in words:
        pattern = rf"(?<!\w){re.escape(word)}(?!\w)"
        if re.search(pattern, text):
            return True, re.sub(pattern, " ", text, count=1)
    return False, text


@subcommand("mijlpalen", "milestones", "deadlines")
def mijlpalen(args: str, ctx: Context) -> Reply:
    """`/regio mijlpalen [programma] [K1–K4 | <maand> | week | te laat | mijn]` — mijlpalen met nummer, planning en status.

    Voorbeelden: `/regio mijlpalen te laat`, `/regio mijlpalen GHNT K3`,
    `/regio mijlpalen juni`, `/regio mijlpalen week` (de komende 7 dagen),
    `/regio mijlpalen mijn` (van jou: eigenaar, of programmamanager/projectleider).
    Een kwartaal toont wat erin loopt (K2/K3 ook bij K2); een maand wat erin afloopt.
    Kwartalen en maanden gelden voor het planjaar.
    """
    lang = ctx.lang
    text = fold(args).strip().rstrip("?!.")
    late, text = _take(text, LATE)
    week, text = _take(text, WEEK)
    mine, text = _take(text, MINE)
    only_open, text = _take(text, ONLY_OPEN)
    only_done, text = _take(text, ONLY_DONE)
    quarter = month = None
    rest = []
    for word in text.split():
        if quarter is None and (q := parse_quarter(word)):
            quarter = q
        elif month is None and (m := parse_month(word)) and len(word) >= 3:
            month = m
        elif word not in STOPWORDS:
            rest.append(word)
    name = " ".join(rest)

    filters: list[str] = []
    kwargs: dict = {"region_id": region_id(ctx)}
    year = plan_year(ctx)
    if quarter:
        # A quarter shows what runs in it ("K2/K3" in K2 too), as the plan reads.
        kwargs["window_from"], kwargs["window_to"] = quarter_bounds(year, quarter)
        filters.append(f"{'Q' if lang == 'en' else 'K'}{quarter} {year}")
    if month:
        kwargs["due_from"], kwargs["due_to"] = month_bounds(year, month)
        filters.append(f"{month_name(month, lang)} {year}")
    if week:
        kwargs["due_from"], kwargs["due_to"] = ctx.today, ctx.today + timedelta(days=7)
        filters.append(t("milestones.week_filter", lang))
    if late:
        kwargs["late_on"] = ctx.today
        filters.append(t("milestones.late_filter", lang))
    if only_open or late or week:
        kwargs["statuses"] = ("open",)
    elif only_done:
        kwargs["statuses"] = ("done",)
    if mine:
        person = me(ctx)
        if person is None:
            return Reply.error(t("milestones.not_linked", lang), hint=t("refused.hint", lang))
        kwargs["own_for_person_id"] = person.id
        filters.append(t("milestones.mine_filter", lang))
    if name:
        found = find_one(ctx, name, ("programme", "project"), "programme")
        if found.kind == "programme":
            kwargs["programme_id"] = found.obj.id
        else:
            kwargs["project_id"] = found.obj.id
        filters.insert(0, found.label)

    return milestone_list(ctx, kwargs, filters)


def milestone_list(ctx: Context, kwargs: dict, filters: list[str]) -> Reply:
    """The milestones `queries.find_milestones(**kwargs)` gives, grouped per programme,
    headed by their count and the words of the filters."""
    lang = ctx.lang
    # Only the lines shown are loaded; a region may hold thousands of milestones.
    milestones = queries.find_milestones(ctx.session, limit=MAX_LINES, **kwargs)
    total = len(milestones)
    if total == MAX_LINES:
        total = queries.count_milestones(ctx.session, **kwargs)
    suffix = f" ({', '.join(filters)})" if filters else ""
    if not milestones:
        message = t("milestones.none", lang, filters=escape(suffix))
        return Reply(summary=message, parts=[Text(message)])
    count_key = "milestones.count_one" if total == 1 else "milestones.count"
    title = t(count_key, lang, n=total, filters=suffix)
    parts: list = [Header(title)]
    # Grouped per programme, in due-date order within each.
    groups: dict[int, list] = {}
    for milestone in milestones:
        groups.setdefault(milestone.programme_id, []).append(milestone)
    for group in groups.values():
        lines = [milestone_line(m, ctx, with_programme=False) for m in group]
        parts.append(Text(f"*{escape(group[0].programme.name)}*\n" + "\n".join(lines)))
    if total > MAX_LINES:
        parts.append(Note(t("more", lang, n=total - MAX_LINES)))
    parts.append(Note(t("milestones.footer", lang)))
    return Reply(summary=title, parts=parts)


DONE_WORDS = {"gereed", "klaar", "done", "af", "afgerond", "afvinken"}
REOPEN_WORDS = {"heropen", "heropenen", "reopen", "open"}
MOVE_WORDS = {"verplaats", "verplaatsen", "move", "naar", "uitstellen", "postpone"}
OWNER_WORDS = {"eigenaar", "owner"}
NOBODY_WORDS = {"geen", "niemand", "none", "nobody", "-"}
USAGE = "/regio mijlpaal <nr> gereed | heropen | verplaats <datum> | eigenaar @gebruiker"


@subcommand("mijlpaal", "milestone", may=MILESTONE)
def mijlpaal(args: str, ctx: Context) -> Reply:
    """`/regio mijlpaal <nr> [gereed | heropen | verplaats <datum> | eigenaar @gebruiker]` — één mijlpaal bekijken of wijzigen.

    Het nummer staat bij `/regio mijlpalen`. De kaart zegt wie verantwoordelijk is: de
    eigenaar, anders de projectleider van het project, anders de programmamanager.
    `eigenaar @gebruiker` (of een naam) maakt iemand eigenaar, `eigenaar geen` haalt
    de eigenaar weg. Datums: `12 maart`, `12-3-2020`, `2020-03-12`, `morgen`.
    Voorbeeld: `/regio mijlpaal 12 verplaats 30 juni`.
    """
    lang = ctx.lang
    words = args.split(maxsplit=2)
    if not words:
        return Reply.error(t("missing_arg", lang, usage=escape(USAGE)))
    nr = parse_number(words[0])
    if nr is None or nr > 999_999_999:  # past the store's INTEGER: no milestone has it
        return Reply.error(t("bad_number", lang, text=escape(words[0]), usage=escape(USAGE)))
    if len(words) == 1:
        milestone = queries.get_milestone(ctx.session, milestone_id=nr)
        if milestone is None:
            return Reply.error(t("milestone.unknown", lang, nr=nr))
        return milestone_card(milestone, ctx)
    action = fold(words[1])
    rest = words[2] if len(words) > 2 else ""
    if action in DONE_WORDS and not rest.strip():
        return milestone_done(nr, ctx)
    if action in REOPEN_WORDS and not rest.strip():
        return milestone_reopen(nr, ctx)
    if action in MOVE_WORDS:
        if not rest.strip():
            return Reply.error(t("milestone.move_missing", lang, nr=nr))
        new_date = parse_date(re.sub(r"^(naar|to)\s+", "", rest.strip(), flags=re.I),
                              today=ctx.today)
        if new_date is None:
            return Reply.error(t("bad_date", lang, text=escape(rest.strip())))
        return milestone_move(nr, new_date, ctx)
    if action in OWNER_WORDS:
        return _set_owner(nr, rest.strip(), ctx)
    return Reply.error(t("milestone.bad_action", lang, nr=nr))


def _set_owner(nr: int, text: str, ctx: Context) -> Reply:
    """`eigenaar @gebruiker` (a linked Slack user), `eigenaar <persoon>`, `eigenaar geen`."""
    if not text:
        return Reply.error(t("owner.usage", ctx.lang))
    if fold(text) in NOBODY_WORDS:
        return milestone_set_owner(nr, None, ctx)
    user = person_user(text, ctx)
    if user is not None:
        person = queries.person_for_slack_user(ctx.session, slack_user_id=user)
        if person is None:
            return Reply.error(t("owner.unknown_user", ctx.lang, user=user))
        return milestone_set_owner(nr, person, ctx)
    found = find_one(ctx, text, ("person",), "person")
    return milestone_set_owner(nr, found.obj, ctx)
