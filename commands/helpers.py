"""What the subcommand modules share: resolving names into replies, audit, and the
one-line form of a milestone. Who may change what is in `commands.permissions`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from commands.core import Context, Declined, Reply
from commands.i18n import escape, format_date, join_words, t
from commands.names import Candidate, Kind, resolve
from commands.parsing import fold
from storage import queries
from storage.models import Milestone, Person, Programme, Region


def actor(ctx: Context) -> str:
    return ctx.user_id or "console"


def me(ctx: Context) -> Person | None:
    """The person linked to the asking Slack user, if any."""
    return queries.person_for_slack_user(ctx.session, slack_user_id=ctx.user_id)


def audit(ctx: Context, action: str, object_type: str, object_id: int | None,
          **detail: Any) -> None:
    queries.add_audit(
        ctx.session, at=ctx.now, actor=actor(ctx), action=action, object_type=object_type,
        object_id=object_id, detail=detail,
    )


def _region(ctx: Context) -> Region | None:
    # Asked several times in most answers: read once per request, kept in the session's
    # own scratch space (which lives exactly as long as the request).
    key = ("default_region", ctx.today)
    if key not in ctx.session.info:
        ctx.session.info[key] = queries.default_region(ctx.session, today=ctx.today)
    return ctx.session.info[key]


def region_id(ctx: Context) -> int | None:
    region = _region(ctx)
    return region.id if region else None


def plan_year(ctx: Context) -> int:
    """The year "K2" or "maart" refers to: the plan year of the region spoken about."""
    region = _region(ctx)
    return region.year if region else ctx.today.year


def find_one(ctx: Context, text: str, kinds: tuple[Kind, ...], what: str) -> Candidate:
    """The thing meant; Declined with a reply saying it is unknown (with suggestions)."""
    rid = region_id(ctx)
    if rid is None and not queries.find_persons(ctx.session):
        raise Declined(Reply.error(t("no_data", ctx.lang)))
    resolution = resolve(ctx.session, text, kinds, region_id=rid)
    if resolution.match is None:
        # "/regio wie is de programmamanager van gewoon thuis?": a question after a
        # subcommand word. Try again without its filler words.
        stripped = strip_filler(text)
        if stripped and stripped != fold(text).strip():
            again = resolve(ctx.session, stripped, kinds, region_id=rid)
            if again.match is not None or again.suggestions or not resolution.suggestions:
                resolution, text = again, stripped
    # A person is loaded only when chosen: gone meanwhile, it is not found after all.
    if resolution.match is not None and resolution.match.obj is not None:
        return resolution.match
    resolution.match = None
    message = t("not_found", ctx.lang, what=t(f"what.{what}", ctx.lang), name=escape(text.strip()))
    hint = None
    if resolution.suggestions:
        options = [f"*{escape(c.label)}*" for c in resolution.suggestions]
        hint = t("did_you_mean", ctx.lang, options=join_words(options, ctx.lang, last="or"))
        message = f"{message} {hint}"
        hint = None
    raise Declined(Reply.error(message, hint=hint))


# Question words that never name anything; names like "Anke van der Landen" survive
# because a name is first looked up as typed.
FILLER = frozenset("""
wie wat wanneer welke welk hoeveel hoe waar is zijn was de het een van voor bij in op aan er
nog die dat mij me ik je jij u kun kan kunt geef vertel toon laat zien weet wil graag eens
even heeft hebben doet over met om te alsjeblieft aub please who what when which how much
many where are the a an of for at on to do does tell show give i you can could would about
with
""".split())


def strip_filler(text: str) -> str:
    words = re.findall(r"[\w&+/'-]+", fold(text))
    return " ".join(w for w in words if w not in FILLER)


def usage_error(ctx: Context, usage: str) -> Reply:
    return Reply.error(t("missing_arg", ctx.lang, usage=escape(usage)))


def is_late(milestone: Milestone, today: date) -> bool:
    return milestone.status == "open" and milestone.due_date < today


def status_text(milestone: Milestone, ctx: Context) -> str:
    if is_late(milestone, ctx.today):
        return f":warning: {t('milestone.late', ctx.lang)}"
    if milestone.status == "done":
        done = t("milestone.status.done", ctx.lang)
        return f":white_check_mark: {done}"
    return t(f"milestone.status.{milestone.status}", ctx.lang)


def milestone_line(milestone: Milestone, ctx: Context, *, with_programme: bool = True) -> str:
    """'*#12* Start wachtlijstbeheer — K3 (30 september 2020) · Gewoon Thuis Jeugd · te laat'."""
    title = escape(milestone.title)
    if milestone.status == "done":
        title = f"~{title}~"
    where = []
    if with_programme:
        where.append(escape(milestone.programme.name))
    if milestone.project is not None:
        where.append(escape(milestone.project.name))
    parts = [
        f"*#{milestone.id}* {title}",
        f"{escape(milestone.period_label)} ({format_date(milestone.due_date, ctx.lang)})",
    ]
    if where:
        parts.append(" › ".join(where))
    if milestone.owner is not None:
        parts.append(escape(milestone.owner.name))
    if milestone.status != "open" or is_late(milestone, ctx.today):
        parts.append(status_text(milestone, ctx))
    return " · ".join(parts[:1]) + " — " + " · ".join(parts[1:])


def programme_label(programme: Programme) -> str:
    if programme.number is not None:
        return f"{programme.number}. {programme.name}"
    return programme.name
