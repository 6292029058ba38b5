"""`/regio kalender`: a personal calendar feed URL (https, webcal:// and Google's
"add by URL"), and `/regio kalender intrekken` to revoke them (docs/architecture.md §8).

Each request makes a new token: only its hash is stored, so an earlier URL cannot be
shown again. Earlier URLs keep working until revoked. The reply is always ephemeral,
because the URL is a secret: whoever has it can read the feed.
"""

from __future__ import annotations

from urllib.parse import quote

from commands.core import Context, Note, Reply, Text, subcommand
from commands.helpers import audit, find_one, me
from commands.i18n import escape
from commands.parsing import fold
from regiobot.settings import get_settings
from storage.feeds import create_feed_token, revoke_feed_tokens
from storage.models import Programme

REVOKE_WORDS = {"intrekken", "trek", "revoke", "stop", "uit"}
MINE_WORDS = {"mijn", "mine", "me", "ik", "persoonlijk"}
MEETING_WORDS = {"bosd", "vergaderingen", "overleg", "meetings"}
REGION_WORDS = {"", "regio", "region", "alles", "all"}
PROGRAMME_WORDS = {"programma", "programme", "program"}

TEXTS = {
    "nl": {
        "who": "Ik weet niet wie je bent, dus ik kan geen persoonlijke kalender maken.",
        "not_linked": "Je Slack-account is nog niet aan een persoon gekoppeld, dus ik weet "
        "niet welke mijlpalen van jou zijn.",
        "not_linked.hint": "Vraag een coördinator om `/regio koppel @jij <je naam>`.",
        "usage": "Gebruik: `/regio kalender [programma <naam> | mijn | bosd | intrekken]`",
        "title.region": "de hele regio (mijlpalen en BOSD)",
        "title.programme": "programma {name}",
        "title.person": "jouw mijlpalen",
        "title.meetings": "de BOSD-vergaderingen",
        "ready": "Je persoonlijke kalender voor {what}:",
        "subscribe": "*Abonneren:* <{webcal}|open in je agenda-app> · "
        "<{google}|toevoegen aan Google Agenda> · of plak deze URL in Outlook "
        "(Agenda toevoegen → Van internet):\n`{https}`",
        "secret": "Deze link is persoonlijk: wie hem heeft, kan de kalender lezen. "
        "Eerdere links blijven werken tot je `/regio kalender intrekken` gebruikt.",
        "revoked": "{n} kalenderlink(s) ingetrokken; ze werken vanaf nu niet meer.",
        "none": "Je had geen actieve kalenderlinks.",
    },
    "en": {
        "who": "I don't know who you are, so I can't make a personal calendar.",
        "not_linked": "Your Slack account isn't linked to a person yet, so I don't know "
        "which milestones are yours.",
        "not_linked.hint": "Ask a coordinator for `/regio koppel @you <your name>`.",
        "usage": "Usage: `/regio kalender [programma <name> | mijn | bosd | intrekken]`",
        "title.region": "the whole region (milestones and BOSD)",
        "title.programme": "programme {name}",
        "title.person": "your milestones",
        "title.meetings": "the BOSD meetings",
        "ready": "Your personal calendar for {what}:",
        "subscribe": "*Subscribe:* <{webcal}|open in your calendar app> · "
        "<{google}|add to Google Calendar> · or paste this URL in Outlook "
        "(Add calendar → From internet):\n`{https}`",
        "secret": "This link is personal: whoever has it can read the calendar. "
        "Earlier links keep working until you use `/regio kalender intrekken`.",
        "revoked": "{n} calendar link(s) revoked; they stop working now.",
        "none": "You had no active calendar links.",
    },
}


def _t(key: str, ctx: Context, **kw: object) -> str:
    return TEXTS.get(ctx.lang, TEXTS["nl"])[key].format(**kw)


def feed_urls(public_base_url: str, token: str) -> tuple[str, str, str]:
    """(https URL, webcal:// URL, Google Calendar add-by-URL link) of a feed token.

    The same as `calendars.tokens.feed_urls`; repeated here because `commands` may not
    import `calendars`.
    """
    https = f"{public_base_url.rstrip('/')}/calendar/{token}.ics"
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return https, webcal, google


@subcommand("kalender", "calendar", "ical")
def kalender(args: str, ctx: Context) -> Reply:
    """`/regio kalender [programma <naam> | mijn | bosd | intrekken]` — een persoonlijke agenda-link, of al je links intrekken.

    Zonder meer: de hele regio (alle mijlpalen en de BOSD-vergaderingen).
    `/regio kalender programma Gewoon thuis`: de mijlpalen van één programma.
    `/regio kalender mijn`: de mijlpalen waarvan jij eigenaar of programmamanager bent.
    `/regio kalender bosd`: de BOSD-vergaderingen met hun agenda.
    Je krijgt een https-link, een webcal://-link en een link voor Google Agenda;
    alleen jij ziet het antwoord. `/regio kalender intrekken` maakt al je links ongeldig.
    """
    words = args.split()
    first = fold(words[0]) if words else ""
    rest = " ".join(words[1:])
    if not ctx.user_id:
        return Reply.error(_t("who", ctx))
    if first in REVOKE_WORDS:
        return _revoke(ctx)

    programme: Programme | None = None
    person_id = None
    if first in REGION_WORDS and not rest:
        scope, what = "region", _t("title.region", ctx)
    elif first in MINE_WORDS and not rest:
        person = me(ctx)
        if person is None:
            return Reply.error(_t("not_linked", ctx), hint=_t("not_linked.hint", ctx))
        scope, what, person_id = "person", _t("title.person", ctx), person.id
    elif first in MEETING_WORDS and not rest:
        scope, what = "meetings", _t("title.meetings", ctx)
    else:
        # "programma Gewoon thuis", or just "Gewoon thuis" / "GHNT".
        name = rest if first in PROGRAMME_WORDS else args
        if not name.strip():
            return Reply.error(_t("usage", ctx))
        found, error = find_one(ctx, name, ("programme",), "programme")
        if error is not None:
            error.parts.append(Note(_t("usage", ctx)))
            return error
        programme = found.obj
        scope, what = "programme", _t("title.programme", ctx, name=escape(programme.name))

    token = create_feed_token(
        ctx.session,
        scope=scope,
        now=ctx.now,
        programme_id=programme.id if programme is not None else None,
        person_id=person_id,
        owner_slack_id=ctx.user_id,
    )
    # The audit says which feed, never the token.
    audit(ctx, "calendar.token", "feed_token", None, scope=scope,
          programme_id=programme.id if programme is not None else None)
    ctx.session.commit()
    https, webcal, google = feed_urls(get_settings().public_base_url, token)
    ready = _t("ready", ctx, what=what)
    return Reply(
        summary=f"{ready} {https}",
        parts=[
            Text(ready),
            Text(_t("subscribe", ctx, webcal=webcal, google=google, https=https)),
            Note(_t("secret", ctx)),
        ],
        ephemeral=True,
        changed=True,
    )


def _revoke(ctx: Context) -> Reply:
    n = revoke_feed_tokens(ctx.session, owner_slack_id=ctx.user_id, now=ctx.now)
    if n:
        audit(ctx, "calendar.revoke", "feed_token", None, count=n)
    ctx.session.commit()
    message = _t("revoked", ctx, n=n) if n else _t("none", ctx)
    return Reply(summary=message, parts=[Text(message)], ephemeral=True, changed=bool(n))
