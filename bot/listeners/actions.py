"""Interactivity: the milestone buttons and datepicker, the modals, and what they change.

Buttons and the datepicker on a milestone card (reminders, answers, the Home tab):
gereed; uitstellen tot morgen / volgende week / a picked date; verplaatsen… and
eigenaar… open a modal (views.open); "Agendapunt toevoegen" on a BOSD call or the Home
tab opens the agenda item modal. A modal's answer (view_submission) is checked in the
ack itself: errors go back with `response_action: errors`, shown in the modal, and
nothing changes; a cancelled modal (view_closed) changes nothing.

A successful change replaces the card in place: chat.update for a normal message
(reminders are posted by the scheduler and may be older than a response_url lives),
the response_url for an ephemeral answer, a fresh Home tab for a click on the Home tab.
Every other card of the milestone (the reminder in each DM and channel) is updated by
the scheduler's sender on its next tick: it renders every posted message of a changed
milestone again and updates it with chat.update. A refusal changes nothing and is told
to the clicker alone.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import Wiring, run_handler, wiring_of
from bot.listeners.events import publish_home
from commands import changes as commands
from commands import identity
from commands.core import Context, Form, FormResult, Reply
from commands.i18n import t, unescape
from commands.render import form_values, to_info_modal, to_message, to_modal_view
from commands.slack_ids import (
    ACTION_AGENDA_FORM,
    ACTION_APPROVE,
    ACTION_CALENDAR,
    ACTION_DONE,
    ACTION_FILTER,
    ACTION_MOVE_FORM,
    ACTION_NO,
    ACTION_OWNER_FORM,
    ACTION_REJECT,
    ACTION_SNOOZE,
    ACTION_SNOOZE_DATE,
    ACTION_SNOOZE_TOMORROW,
    ACTION_YES,
    CARD_ACTIONS,
    FORM_AGENDA,
    FORM_MOVE,
    FORM_OWNER,
)
from regiobot.settings import Settings

log = logging.getLogger(__name__)

FORM_OPENERS = {
    ACTION_MOVE_FORM: commands.move_form,
    ACTION_OWNER_FORM: commands.owner_form,
    ACTION_AGENDA_FORM: commands.agenda_form,
}
FORM_HANDLERS = {
    FORM_MOVE: commands.submit_move_form,
    FORM_OWNER: commands.submit_owner_form,
    FORM_AGENDA: commands.submit_agenda_form,
}
# The field a general failure is shown under, per form.
FIRST_FIELD = {FORM_MOVE: "due", FORM_OWNER: "owner",
               FORM_AGENDA: "title"}

SUBMITTED = "regiobot_form_submitted"
SUBMITTED_REPLY = "regiobot_form_reply"

# A milestone id as our buttons write it: a positive decimal that fits the store's
# integer (64-bit); anything else (a 30-digit number, "-1", " 12", non-ASCII digits)
# cannot be one of ours.
_MILESTONE_ID = re.compile(r"[1-9][0-9]{0,17}")


def _card_action(action: dict[str, Any]) -> Callable[[Context], Reply] | None:
    """The change a card's button or datepicker asks for, or None when it names nothing."""
    action_id = action.get("action_id")
    if action_id == ACTION_SNOOZE_DATE:
        milestone_id = commands.milestone_id_of(action.get("block_id"))
        try:
            day = date.fromisoformat(action.get("selected_date") or "")
        except ValueError:
            return None
        if milestone_id is None:
            return None
        return lambda ctx: commands.milestone_snooze_until(milestone_id, day, ctx)
    value = action.get("value")
    if not isinstance(value, str) or not _MILESTONE_ID.fullmatch(value):
        return None
    milestone_id = int(value)
    change = {ACTION_DONE: commands.milestone_done, ACTION_SNOOZE: commands.milestone_snooze,
              ACTION_SNOOZE_TOMORROW: commands.milestone_snooze_tomorrow}[action_id]
    return lambda ctx: change(milestone_id, ctx)


def _where(body: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    user_id = body["user"]["id"]
    container = body.get("container") or {}
    channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id")
    return user_id, channel_id, container


def open_modal(
    client: WebClient, settings: Settings, factory: sessionmaker[Session],
    build: Callable[[Context], Form | Reply], *, trigger_id: str, user_id: str,
    origin: dict[str, Any],
) -> None:
    """Open the form `build` makes (views.open); a refusal or an error instead is told to
    the user alone. `origin` (where it was opened) travels in the view's metadata."""
    lang = settings.regiobot_lang
    answer: list[Form | Reply] = []

    def run(ctx: Context) -> Reply:
        form = build(ctx)
        answer.append(form)
        return form if isinstance(form, Reply) else Reply(summary=form.title)

    channel_id = origin.get("channel")
    reply = run_handler(settings, factory, run, user_id=user_id, channel_id=channel_id)
    form = answer[0] if answer else reply
    if isinstance(form, Reply):
        tell_user(client, to_message(form, lang=lang), user_id=user_id, channel_id=channel_id)
        return
    view = to_modal_view(replace(form, private=json.dumps({"form": form.private, **origin})),
                         lang=lang)
    client.views_open(trigger_id=trigger_id, view=view)


def acknowledge(ack: Ack) -> None:
    """At once, within Slack's 3 seconds; the work is in the lazy listeners."""
    ack()


def click(body: dict[str, Any], action: dict[str, Any], client: WebClient,
          respond: Respond, context: dict[str, Any]) -> None:
    """A card's button or datepicker: make the change, show the card where it was clicked."""
    w = wiring_of(context)
    user_id, channel_id, container = _where(body)
    change = _card_action(action)
    if change is None:
        reply = Reply.error(t("button.unknown", w.lang))
    else:
        reply = run_handler(w.settings, w.factory, change, user_id=user_id,
                            channel_id=channel_id)
    show(w, client, respond, body, reply, user_id=user_id, channel_id=channel_id,
         container=container)


def show(w: Wiring, client: WebClient, respond: Respond | None, body: dict[str, Any],
         reply: Reply, *, user_id: str, channel_id: str | None,
         container: dict[str, Any]) -> None:
    """Put the card of a change where it was clicked (or tell the clicker alone)."""
    message = to_message(reply, lang=w.lang)
    if not reply.ok:
        tell_user(client, message, user_id=user_id, channel_id=channel_id)
    elif container.get("type") == "view":
        publish_home(client, w.settings, w.factory, user_id=user_id,
                     show=(body.get("view") or {}).get("private_metadata") or "all")
    elif _cards_in(body.get("message") or {}) > 1:
        # A digest lists several milestones: replacing it with one card would drop
        # the others from the channel, so the clicker alone sees the updated card.
        tell_user(client, message, user_id=user_id, channel_id=channel_id)
    elif channel_id and container.get("message_ts") and not container.get("is_ephemeral"):
        # Keep the message's metadata (the scheduler's delivery key) with the new card.
        metadata = (body.get("message") or {}).get("metadata")
        if metadata:
            message["metadata"] = metadata
        client.chat_update(channel=channel_id, ts=container["message_ts"], **message)
    elif respond is not None and body.get("response_url"):
        respond(**message, replace_original=True)
    else:
        tell_user(client, message, user_id=user_id, channel_id=channel_id)


def open_form(body: dict[str, Any], action: dict[str, Any], client: WebClient,
              context: dict[str, Any]) -> None:
    """verplaatsen…, eigenaar…, agendapunt toevoegen: open the form (views.open)."""
    w = wiring_of(context)
    user_id, channel_id, container = _where(body)
    value = action.get("value")
    opener = FORM_OPENERS[action["action_id"]]
    if not isinstance(value, str) or not _MILESTONE_ID.fullmatch(value):
        tell_user(client, to_message(Reply.error(t("button.unknown", w.lang)),
                                     lang=w.lang), user_id=user_id, channel_id=channel_id)
        return
    # Where the form came from, so the answer can update that card.
    origin = {"channel": channel_id, "ts": container.get("message_ts"),
              "home": container.get("type") == "view",
              "show": (body.get("view") or {}).get("private_metadata"),
              "ephemeral": bool(container.get("is_ephemeral"))}
    open_modal(client, w.settings, w.factory, lambda ctx: opener(int(value), ctx),
               trigger_id=body["trigger_id"], user_id=user_id, origin=origin)


def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any],
           context: dict[str, Any]) -> None:
    """Check and carry out a form's answer within the ack: errors stay in the modal."""
    w = wiring_of(context)
    callback = view.get("callback_id", "")
    try:
        origin = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        origin = {}
    values = form_values((view.get("state") or {}).get("values") or {})
    handler = FORM_HANDLERS[callback]
    results: list[FormResult] = []

    def run(ctx: Context) -> Reply:
        result = handler(str(origin.get("form", "")), values, ctx)
        results.append(result)
        return result.reply or Reply(summary="", ok=False)

    reply = run_handler(w.settings, w.factory, run, user_id=body["user"]["id"],
                        channel_id=origin.get("channel"))
    # Nothing came back (refused, not found, failed): its words, as plain text.
    result = results[0] if results else FormResult(errors={FIRST_FIELD[callback]:
                                                           unescape(reply.summary)})
    if result.errors:
        ack(response_action="errors", errors=result.errors)
        return
    # The lazy listener gets a copy of the request made after this ack: tell it the
    # answer was taken (with errors the modal stays open and nothing is shown).
    context[SUBMITTED] = True
    if result.reply is not None:
        context[SUBMITTED_REPLY] = to_message(result.reply, lang=w.lang)
    ack()


def after_submit(body: dict[str, Any], view: dict[str, Any], client: WebClient,
                 context: dict[str, Any]) -> None:
    """Show the result where the form was opened: the card again, or the Home tab."""
    w = wiring_of(context)
    if not context.get(SUBMITTED):
        return
    try:
        origin = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return
    user_id = body["user"]["id"]
    if origin.get("home"):
        publish_home(client, w.settings, w.factory, user_id=user_id,
                     show=origin.get("show") or "all")
        return
    if origin.get("command"):
        # Opened by `/regio …`: no card to update; say what changed, to them alone.
        if context.get(SUBMITTED_REPLY):
            tell_user(client, context[SUBMITTED_REPLY], user_id=user_id,
                      channel_id=origin.get("channel"))
        return
    if view.get("callback_id") == FORM_AGENDA:
        # The BOSD call is updated by the scheduler's sender (the meeting changed).
        return
    number = str(origin.get("form", ""))
    if not _MILESTONE_ID.fullmatch(number) or not origin.get("channel") or not origin.get("ts"):
        return

    def card(ctx: Context) -> Reply:
        from storage import queries

        milestone = queries.get_milestone(ctx.session, milestone_id=int(number))
        if milestone is None:
            return Reply.error(t("button.unknown", w.lang))
        return commands.milestone_card(milestone, ctx)

    reply = run_handler(w.settings, w.factory, card, user_id=user_id,
                        channel_id=origin["channel"])
    if reply.ok and not origin.get("ephemeral"):
        client.chat_update(channel=origin["channel"], ts=origin["ts"],
                           **to_message(reply, lang=w.lang))


def home_filter(body: dict[str, Any], action: dict[str, Any], client: WebClient,
                context: dict[str, Any]) -> None:
    """A filter button on the Home tab: publish it again, filtered."""
    w = wiring_of(context)
    publish_home(client, w.settings, w.factory, user_id=body["user"]["id"],
                 show=action.get("value") or "all")


def home_calendar(body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """"Mijn kalender": the person's feed URL, in a modal only they see."""
    w = wiring_of(context)
    user_id = body["user"]["id"]

    def calendar(ctx: Context) -> Reply:
        from commands.dispatch import handle

        return handle("kalender mijn", ctx)

    reply = run_handler(w.settings, w.factory, calendar, user_id=user_id, channel_id=None)
    client.views_open(trigger_id=body["trigger_id"],
                      view=to_info_modal(reply, title=t("home.calendar.title", w.lang),
                                         lang=w.lang))


def offer_answer(body: dict[str, Any], action: dict[str, Any], client: WebClient,
                 context: dict[str, Any]) -> None:
    """Ja / Nee on "Ben jij …?" (the Home tab, or under the first answer someone
    got): link or not, then the Home tab again."""
    w = wiring_of(context)
    user_id, channel_id, container = _where(body)
    value = action.get("value")
    if not isinstance(value, str) or not _MILESTONE_ID.fullmatch(value):
        return
    answer = identity.accept_offer if action["action_id"] == ACTION_YES else (
        identity.decline_offer)
    reply = run_handler(w.settings, w.factory, lambda ctx: answer(int(value), ctx),
                        user_id=user_id, channel_id=None)
    on_home = container.get("type") == "view"
    # On the Home tab a successful "Ja" shows in the tab itself ("Hallo …"); under
    # an answer (the offer of a first contact) the result is said there.
    if (not on_home or not reply.ok or not reply.changed
            or action["action_id"] != ACTION_YES):
        tell_user(client, to_message(reply, lang=w.lang), user_id=user_id,
                  channel_id=channel_id)
    publish_home(client, w.settings, w.factory, user_id=user_id)


def decision(body: dict[str, Any], action: dict[str, Any], client: WebClient,
             context: dict[str, Any]) -> None:
    """Goedkeuren / Afwijzen on a link request (a coordinator's DM)."""
    w = wiring_of(context)
    user_id, channel_id, container = _where(body)
    value = action.get("value")
    if not isinstance(value, str) or not _MILESTONE_ID.fullmatch(value):
        return
    outcome: list[str | None] = []

    def decide(ctx: Context) -> Reply:
        reply, requester = identity.decide(
            int(value), action["action_id"] == ACTION_APPROVE, ctx)
        outcome.append(requester)
        return reply

    reply = run_handler(w.settings, w.factory, decide, user_id=user_id, channel_id=channel_id)
    requester = outcome[0] if outcome else None
    if not reply.ok or requester is None:
        tell_user(client, to_message(reply, lang=w.lang), user_id=user_id,
                  channel_id=channel_id)
        return
    if channel_id and container.get("message_ts"):
        client.chat_update(channel=channel_id, ts=container["message_ts"],
                           **to_message(reply, lang=w.lang))
    notice = run_handler(w.settings, w.factory,
                         lambda ctx: identity.decision_notice(int(value), ctx),
                         user_id=requester, channel_id=None)
    client.chat_postMessage(channel=requester, **to_message(notice, lang=w.lang))


def closed(ack: Ack, view: dict[str, Any]) -> None:
    """Cancelled: nothing was changed, nothing to do."""
    ack()
    log.debug("modal %s closed without submitting", view.get("callback_id"))


def register(app: App) -> None:
    """Every button, datepicker and form of ours: a trivial ack, the work in lazy
    listeners (which find the settings and the store in the request's context)."""
    for action_id in CARD_ACTIONS:
        app.action(action_id)(ack=acknowledge, lazy=[click])
    for action_id in FORM_OPENERS:
        app.action(action_id)(ack=acknowledge, lazy=[open_form])
    app.action(ACTION_FILTER)(ack=acknowledge, lazy=[home_filter])
    for action_id in (ACTION_YES, ACTION_NO):
        app.action(action_id)(ack=acknowledge, lazy=[offer_answer])
    for action_id in (ACTION_APPROVE, ACTION_REJECT):
        app.action(action_id)(ack=acknowledge, lazy=[decision])
    app.action(ACTION_CALENDAR)(ack=acknowledge, lazy=[home_calendar])
    for callback_id in FORM_HANDLERS:
        app.view_submission(callback_id)(ack=submit, lazy=[after_submit])
        app.view_closed(callback_id)(closed)


def _cards_in(message: dict[str, Any]) -> int:
    """How many milestones a message carries buttons for."""
    return sum(
        1
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        and any(e.get("action_id") in CARD_ACTIONS for e in block.get("elements") or [])
    )


def tell_user(
    client: WebClient, message: dict[str, Any], *, user_id: str, channel_id: str | None
) -> None:
    """Show `message` to `user_id` alone: ephemeral in the channel, else in our DM."""
    if channel_id:
        client.chat_postEphemeral(channel=channel_id, user=user_id, **message)
    else:
        client.chat_postMessage(channel=user_id, **message)
