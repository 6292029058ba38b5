"""`/regio volg | ontvolg <programma | bosd | declaraties>` and `/regio volgt`: what a
channel follows, which is where the scheduler posts reminders, agendas and alerts."""

from __future__ import annotations

from commands.core import Context, Header, Reply, Text, subcommand
from commands.helpers import audit, find_one, is_coordinator, refusal
from commands.i18n import escape, t
from commands.parsing import fold
from storage import queries
from storage.models import Subscription

BOSD_WORDS = {"bosd", "overleg", "agenda", "bestuurlijk overleg"}
DECLARATION_WORDS = {"declaraties", "declaratie", "declarations", "iJw", "ijw", "signalen"}


def _topic(args: str, ctx: Context) -> tuple[tuple[str, int | None, str] | None, Reply | None]:
    """(topic, programme id, how to say it) or a reply for an unknown programme."""
    word = fold(args).strip()
    if word in BOSD_WORDS:
        return ("bosd", None, t("topic.bosd", ctx.lang)), None
    if word in {w.lower() for w in DECLARATION_WORDS}:
        return ("declaraties", None, t("topic.declaraties", ctx.lang)), None
    found, error = find_one(ctx, args, ("programme",), "programme")
    if error:
        return None, error
    return ("programme", found.obj.id, t("topic.programme", ctx.lang, name=escape(found.obj.name))), None


def _check(args: str, ctx: Context, usage_key: str) -> Reply | None:
    if not args.strip():
        return Reply.error(t(usage_key, ctx.lang))
    if not ctx.channel_id:
        return Reply.error(t("follow.no_channel", ctx.lang))
    if not is_coordinator(ctx):
        return refusal(ctx, t("refused.coordinator", ctx.lang))
    return None


@subcommand("volg", "follow", "subscribe")
def volg(args: str, ctx: Context) -> Reply:
    """`/regio volg <programma | bosd | declaraties>` — laat dit kanaal een programma, de BOSD of de declaratiesignalen volgen.

    Het kanaal krijgt dan herinneringen bij mijlpalen, de BOSD-agenda of wekelijkse
    declaratiesignalen. Alleen beheerders en coördinatoren; typ het in het kanaal zelf.
    """
    if (problem := _check(args, ctx, "follow.usage")) is not None:
        return problem
    topic, error = _topic(args, ctx)
    if error:
        return error
    kind, programme_id, what = topic
    subscription, new = queries.add_subscription(
        ctx.session, channel_id=ctx.channel_id, topic=kind, programme_id=programme_id,
        created_by=ctx.user_id or "console", now=ctx.now,
    )
    if not new:
        message = t("follow.already", ctx.lang, what=what)
        return Reply(summary=message, parts=[Text(message)])
    audit(ctx, "subscription.add", "subscription", subscription.id, channel_id=ctx.channel_id,
          topic=kind, programme_id=programme_id)
    ctx.session.commit()
    message = t("follow.done", ctx.lang, what=what)
    return Reply(summary=message, parts=[Text(message)], changed=True)


@subcommand("ontvolg", "unfollow", "unsubscribe")
def ontvolg(args: str, ctx: Context) -> Reply:
    """`/regio ontvolg <programma | bosd | declaraties>` — dit kanaal volgt het niet meer.

    Alleen beheerders en coördinatoren.
    """
    if (problem := _check(args, ctx, "unfollow.usage")) is not None:
        return problem
    topic, error = _topic(args, ctx)
    if error:
        return error
    kind, programme_id, what = topic
    removed = queries.remove_subscription(
        ctx.session, channel_id=ctx.channel_id, topic=kind, programme_id=programme_id
    )
    if not removed:
        message = t("unfollow.not", ctx.lang, what=what)
        return Reply(summary=message, parts=[Text(message)])
    audit(ctx, "subscription.remove", "subscription", None, channel_id=ctx.channel_id,
          topic=kind, programme_id=programme_id)
    ctx.session.commit()
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
