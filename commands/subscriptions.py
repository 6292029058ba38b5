"""`/regio volg | ontvolg <programma | bosd | declaraties>` and `/regio volgt`: what a
channel follows, which is where the scheduler posts reminders, agendas and alerts."""

from __future__ import annotations

from commands.core import Context, Declined, Header, Reply, Text, subcommand
from commands.helpers import audit, find_one
from commands.i18n import escape, t
from commands.parsing import fold
from commands.permissions import COORDINATOR, require
from storage import queries
from storage.models import Subscription

BOSD_WORDS = {"bosd", "overleg", "agenda", "bestuurlijk overleg"}
DECLARATION_WORDS = {"declaraties", "declaratie", "declarations", "iJw", "ijw", "signalen"}


def _topic(args: str, ctx: Context) -> tuple[str, int | None, str]:
    """(topic, programme id, how to say it); Declined for an unknown programme."""
    word = fold(args).strip()
    if word in BOSD_WORDS:
        return "bosd", None, t("topic.bosd", ctx.lang)
    if word in {w.lower() for w in DECLARATION_WORDS}:
        return "declaraties", None, t("topic.declaraties", ctx.lang)
    found = find_one(ctx, args, ("programme",), "programme")
    return "programme", found.obj.id, t("topic.programme", ctx.lang, name=escape(found.obj.name))


def _check(args: str, ctx: Context, usage_key: str) -> None:
    if not args.strip():
        raise Declined(Reply.error(t(usage_key, ctx.lang)))
    if not ctx.channel_id:
        raise Declined(Reply.error(t("follow.no_channel", ctx.lang)))
    require(ctx, COORDINATOR)


@subcommand("volg", "follow", "subscribe", may=COORDINATOR)
def volg(args: str, ctx: Context) -> Reply:
    """`/regio volg <programma | bosd | declaraties>` — laat dit kanaal een programma, de BOSD of de declaratiesignalen volgen.

    Het kanaal krijgt dan herinneringen bij mijlpalen, de BOSD-agenda of wekelijkse
    declaratiesignalen. Typ het in het kanaal zelf.
    """
    _check(args, ctx, "follow.usage")
    kind, programme_id, what = _topic(args, ctx)
    subscription, new = queries.add_subscription(
        ctx.session, channel_id=ctx.channel_id, topic=kind, programme_id=programme_id,
        created_by=ctx.user_id or "console", now=ctx.now,
    )
    if not new:
        message = t("follow.already", ctx.lang, what=what)
        return Reply(summary=message, parts=[Text(message)])
    audit(ctx, "subscription.add", "subscription", subscription.id, channel_id=ctx.channel_id,
          topic=kind, programme_id=programme_id)
    message = t("follow.done", ctx.lang, what=what)
    return Reply(summary=message, parts=[Text(message)], changed=True)


@subcommand("ontvolg", "unfollow", "unsubscribe", may=COORDINATOR)
def ontvolg(args: str, ctx: Context) -> Reply:
    """`/regio ontvolg <programma | bosd | declaraties>` — dit kanaal volgt het niet meer."""
    _check(args, ctx, "unfollow.usage")
    kind, programme_id, what = _topic(args, ctx)
    removed = queries.remove_subscription(
        ctx.session, channel_id=ctx.channel_id, topic=kind, programme_id=programme_id
    )
    if not removed:
        message = t("unfollow.not", ctx.lang, what=what)
        return Reply(summary=message, parts=[Text(message)])
    audit(ctx, "subscription.remove", "subscription", None, channel_id=ctx.channel_id,
          topic=kind, programme_id=programme_id)
    message = t("unfollow.done", ctx.lang, what=what)
    return Reply(summary=message, parts=[Text(message)], changed=True)


def describe(subscription: Subscription, ctx: Context) -> str:
    if subscription.topic == "programme" and subscription.programme is not None:
        return t("topic.programme", ctx.lang, name=escape(subscription.programme.name))
    return t(f"topic.{subscription.topic}", ctx.lang)


@subcommand("volgt", "following", "subscriptions")
def volgt(args: str, ctx: Context) -> Reply:
    """`/regio volgt` — wat dit kanaal volgt."""
    if not ctx.channel_id:
        return Reply.error(t("follow.no_channel", ctx.lang))
    subscriptions = queries.find_subscriptions(ctx.session, channel_id=ctx.channel_id)
    if not subscriptions:
        message = t("follows.none", ctx.lang)
        return Reply(summary=message, parts=[Text(message)])
    title = t("follows.title", ctx.lang)
    lines = "\n".join(f"• {describe(s, ctx)}" for s in subscriptions)
    return Reply(summary=f"{title}: " + ", ".join(describe(s, ctx) for s in subscriptions),
                 parts=[Header(title), Text(lines)])
