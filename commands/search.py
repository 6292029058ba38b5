"""`/regio zoek <woorden>`: ranked search over every text the store holds.

Also the answer to a question that names nothing and asks nothing the interpreter knows:
the best hits are the answer ("Dit vond ik over 'zorg- en veiligheidshuis': …"), and
"Dat begrijp ik niet" is said only when nothing relevant exists.
"""

from __future__ import annotations

from commands.core import Context, Note, Reply, Text, subcommand
from commands.helpers import milestone_line, region_id, usage_error
from commands.i18n import escape, format_date, t
from storage import queries, search

MAX_HITS = 6
# A hit must hold at least this share of the words searched for.
MIN_COVERAGE = 0.5


def _hit_line(hit: search.Hit, ctx: Context) -> str | None:
    lang = ctx.lang
    kind = t(f"q.kind.{hit.kind}", lang)
    if hit.kind == "milestone":
        milestone = queries.get_milestone(ctx.session, milestone_id=hit.ref_id)
        return milestone_line(milestone, ctx) if milestone else None
    if hit.kind == "project":
        project = queries.get_project(ctx.session, project_id=hit.ref_id)
        if project is None:
            return None
        where = f" ({escape(project.programme.name)})"
    elif hit.kind == "agenda_item":
        meeting = next((m for m in queries.find_meetings(ctx.session)
                        if any(item.id == hit.ref_id for item in m.agenda_items)), None)
        where = ""
        if meeting is not None:
            name = f"{meeting.body.abbreviation or meeting.body.name} {meeting.number or ''}".strip()
            return (f"*{escape(hit.title)}* — _{kind}_ "
                    + t("q.search.of_meeting", lang, name=escape(name),
                        date=format_date(meeting.date, lang)))
    elif hit.kind == "programme":
        programme = queries.get_programme(ctx.session, programme_id=hit.ref_id)
        if programme is None:
            return None
        where = ""
    else:
        where = ""
    field = t(f"q.field_name.{hit.field}", lang)
    snippet = hit.body if len(hit.body) <= 240 else hit.body[:239] + "…"
    title = escape(hit.title)
    if snippet.strip() == hit.title.strip():
        return f"*{title}*{where} — _{kind}_"
    return f"*{title}*{where} — _{kind}, {field}_: {escape(snippet)}"


def search_reply(words: str, ctx: Context, *, not_understood: bool = False,
                 shown: str | None = None) -> Reply:
    """The best hits for `words`, or — when nothing relevant is found — 'Dat begrijp ik
    niet' (a question) or 'Niets gevonden' (a search)."""
    lang = ctx.lang
    hits = [h for h in search.search(ctx.session, query=words, region_id=region_id(ctx),
                                     limit=MAX_HITS * 2)
            if h.coverage >= MIN_COVERAGE]
    lines = []
    seen = set()
    for hit in hits:
        if (hit.kind, hit.ref_id) in seen:
            continue
        line = _hit_line(hit, ctx)
        if line:
            seen.add((hit.kind, hit.ref_id))
            lines.append(f"• {line}")
        if len(lines) == MAX_HITS:
            break
    if not lines:
        if not_understood:
            message = t("unknown", lang, text=escape(words.strip()[:200]))
            return Reply(summary=message, parts=[Text(message), Note(t("unknown.hint", lang))],
                         ok=False)
        message = t("q.search.none", lang, words=escape(words.strip()[:200]))
        return Reply(summary=message, parts=[Text(message), Note(t("unknown.hint", lang))],
                     ok=False)
    message = t("q.search.found", lang, words=escape((shown or words).strip()[:200]))
    return Reply(summary=message, parts=[Text(message), Text("\n".join(lines)),
                                         Note(t("q.search.hint", lang))])


@subcommand("zoek", "search", "vind", "find")
def zoek(args: str, ctx: Context) -> Reply:
    """`/regio zoek <woorden>` — zoek in alles wat ik weet: mijlpalen, projecten, doelen, partners, begroting, agenda's en mensen.

    Voorbeelden: `/regio zoek zorg- en veiligheidshuis`, `/regio zoek pleegzorg`,
    `/regio zoek dyslexie`. Woorden worden op hun stam gezocht (werkt, werken, gewerkt).
    """
    if not args.strip():
        return usage_error(ctx, "/regio zoek <woorden>")
    return search_reply(args, ctx)
