"""`/regio kalender`: a personal calendar feed URL (https, webcal:// and Google's
"add by URL"), and `/regio kalender intrekken` to revoke them (docs/architecture.md §8).

Each request makes a new token: only its hash is stored, so an earlier URL cannot be
shown again. Earlier URLs keep working until revoked. The reply is always ephemeral,
because the URL is a secret: whoever has it can read the feed.
"""

from __future__ import annotations

from urllib.parse import quote

from commands.core import Context, Declined, Note, Reply, Text, subcommand
from commands.helpers import audit, find_one, me
from commands.i18n import escape, t
from commands.parsing import fold
from storage.feeds import create_feed_token, revoke_feed_tokens
from storage.models import Programme

REVOKE_WORDS = {"intrekken", "trek", "revoke", "stop", "uit"}
MINE_WORDS = {"mijn", "mine", "me", "ik", "persoonlijk"}
MEETING_WORDS = {"bosd", "vergaderingen", "overleg", "meetings"}
REGION_WORDS = {"", "regio", "region", "alles", "all"}
PROGRAMME_WORDS = {"programma", "programme", "program"}


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
        return Reply.error(t("kalender.who", ctx.lang))
    if first in REVOKE_WORDS:
        return _revoke(ctx)

    programme: Programme | None = None
    person_id = None
    if first in REGION_WORDS and not rest:
        scope, what = "region", t("kalender.title.region", ctx.lang)
    elif first in MINE_WORDS and not rest:
        person = me(ctx)
        if person is None:
            return Reply.error(t("kalender.not_linked", ctx.lang), hint=t("kalender.not_linked.hint", ctx.lang))
        scope, what, person_id = "person", t("kalender.title.person", ctx.lang), person.id
    elif first in MEETING_WORDS and not rest:
        scope, what = "meetings", t("kalender.title.meetings", ctx.lang)
    else:
        # "programma Gewoon thuis", or just "Gewoon thuis" / "GHNT".
        name = rest if first in PROGRAMME_WORDS else args
        if not name.strip():
            return Reply.error(t("kalender.usage", ctx.lang))
        try:
            found = find_one(ctx, name, ("programme",), "programme")
        except Declined as declined:
            declined.reply.parts.append(Note(t("kalender.usage", ctx.lang)))
            raise
        programme = found.obj
        scope, what = "programme", t("kalender.title.programme", ctx.lang, name=escape(programme.name))

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
    https, webcal, google = feed_urls(ctx.settings.public_base_url, token)
    ready = t("kalender.ready", ctx.lang, what=what)
    return Reply(
        summary=f"{ready} {https}",
        parts=[
            Text(ready),
            Text(t("kalender.subscribe", ctx.lang, webcal=webcal, google=google, https=https)),
            Note(t("kalender.secret", ctx.lang)),
        ],
        ephemeral=True,
        changed=True,
    )


def _revoke(ctx: Context) -> Reply:
    n = revoke_feed_tokens(ctx.session, owner_slack_id=ctx.user_id, now=ctx.now)
    if n:
        audit(ctx, "calendar.revoke", "feed_token", None, count=n)
    message = t("kalender.revoked", ctx.lang, n=n) if n else t("kalender.none", ctx.lang)
    return Reply(summary=message, parts=[Text(message)], ephemeral=True, changed=bool(n))
