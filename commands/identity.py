"""Linking a Slack user to a person without a coordinator in the loop for the easy case
(issue 12 point 2).

When the user's Slack profile (real name, display name or email, as users.info gave it;
storage.linking) matches exactly one person whom nobody holds yet, the Home tab asks
"Ben jij Anke van der Landen?" with Ja/Nee; Ja links them. `/regio ik ben <naam>` links
at once when the profile matches that person; otherwise the request goes to the
coordinators, who get a DM (through the delivery table, so once) with Goedkeuren and
Afwijzen. A profile that matches nobody or several people, a user already linked, a
person someone else holds: a clear answer, nothing changes. Only coordinators and admins
decide requests. Every link, refusal of an offer, request and decision is audited.
"""

from __future__ import annotations

from commands.core import Actions, Button, Context, Note, Part, Reply, Text
from commands.helpers import audit, me
from commands.i18n import escape, join_words, t
from commands.permissions import COORDINATOR, require
from commands.slack_ids import ACTION_APPROVE, ACTION_NO, ACTION_REJECT, ACTION_YES
from storage import deliveries, linking, queries
from storage.models import Person

LINK_REQUEST = deliveries.LINK_REQUEST


def _link(ctx: Context, person: Person, user: str, action: str, **detail) -> None:
    before = person.slack_user_id
    queries.link_person(ctx.session, person=person, slack_user_id=user)
    audit(ctx, action, "person", person.id, slack_user_id=user,
          previous_slack_user_id=before, **detail)


def offer_parts(ctx: Context) -> list[Part]:
    """What the Home tab says to someone not linked yet: the offer, or why there is none."""
    profile = linking.get_profile(ctx.session, slack_user_id=ctx.user_id)
    if profile is None:
        return [Text(t("home.not_linked", ctx.lang))]
    return _offer(ctx, profile, linking.matching_persons(ctx.session, profile=profile))


def _offer(ctx: Context, profile: linking.SlackProfile, matches: list[Person]) -> list[Part]:
    lang = ctx.lang
    free = [p for p in matches if p.slack_user_id is None]
    if len(matches) == 1 and free and not (
        profile.offer_answer == linking.NO and profile.offered_person_id == free[0].id
    ):
        person = free[0]
        if profile.offered_person_id != person.id:
            linking.set_offer(ctx.session, profile=profile, person_id=person.id, answer=None)
        return [
            Text(t("link.offer", lang, person=escape(person.name))),
            Actions((Button(t("link.yes", lang), ACTION_YES, str(person.id), style="primary"),
                     Button(t("link.no", lang), ACTION_NO, str(person.id))),
                    block_id="link-offer"),
        ]
    if len(matches) > 1:
        names = join_words([f"*{escape(p.name)}*" for p in matches], lang, last="or")
        return [Text(t("link.ambiguous", lang, names=names))]
    if matches and not free:
        return [Text(t("link.held", lang, person=escape(matches[0].name)))]
    return [Text(t("home.not_linked", lang))]


def first_contact_offer(ctx: Context) -> list[Part]:
    """The "Ben jij …?" offer added to the first answer a user not linked yet gets (in a
    DM, or only for them): once, when their profile matches exactly one person nobody
    holds. The Home tab keeps offering it until they answer; nothing else is said.

    It runs under every answer for the asker alone, so it looks once per profile: nothing
    to offer (no match, several, or the user linked already) is remembered
    (linking.NOTHING_TO_OFFER) until the profile's names or email change."""
    if not ctx.user_id:
        return []
    profile = linking.get_profile(ctx.session, slack_user_id=ctx.user_id)
    if profile is None or profile.offered_person_id is not None or profile.offer_answer:
        return []
    matches = [] if me(ctx) is not None else linking.matching_persons(ctx.session,
                                                                      profile=profile)
    if len(matches) != 1 or matches[0].slack_user_id is not None:
        linking.set_offer(ctx.session, profile=profile, person_id=None,
                          answer=linking.NOTHING_TO_OFFER)
        return []
    return _offer(ctx, profile, matches)


def _profile_proves(ctx: Context, person: Person) -> bool:
    profile = linking.get_profile(ctx.session, slack_user_id=ctx.user_id)
    return profile is not None and any(
        p.id == person.id for p in linking.matching_persons(ctx.session, profile=profile))


def _already(ctx: Context) -> Reply | None:
    """A clear answer when the user is linked already (to anyone)."""
    mine = me(ctx)
    if mine is None:
        return None
    message = t("link.already", ctx.lang, person=escape(mine.name))
    return Reply(summary=message, parts=[Text(message)])


def accept_offer(person_id: int, ctx: Context) -> Reply:
    """Ja: link the user to the person offered — if it still holds (the profile matches,
    nobody holds the person, the user is not linked)."""
    lang = ctx.lang
    already = _already(ctx)
    if already is not None:
        return already
    person = queries.get_person(ctx.session, person_id=person_id)
    if person is None:
        return Reply.error(t("link.gone", lang))
    if person.slack_user_id is not None:
        return Reply.error(t("link.held", lang, person=escape(person.name)))
    if not _profile_proves(ctx, person):
        return request_link(ctx, person)
    _link(ctx, person, ctx.user_id, "person.link_self", by="profile")
    profile = linking.get_profile(ctx.session, slack_user_id=ctx.user_id)
    linking.set_offer(ctx.session, profile=profile, person_id=person.id, answer=linking.YES)
    message = t("iam.done", lang, person=escape(person.name))
    return Reply(summary=message, parts=[Text(message)], changed=True)


def decline_offer(person_id: int, ctx: Context) -> Reply:
    """Nee: not offered again; nothing else changes."""
    profile = linking.get_profile(ctx.session, slack_user_id=ctx.user_id)
    if profile is not None:
        linking.set_offer(ctx.session, profile=profile, person_id=person_id, answer=linking.NO)
        audit(ctx, "person.link_declined", "person", person_id, slack_user_id=ctx.user_id)
    message = t("link.declined", ctx.lang)
    return Reply(summary=message, parts=[Text(message)], changed=profile is not None)


def link_self(person: Person, ctx: Context) -> Reply:
    """`/regio ik ben <naam>` in Slack, for someone who is no coordinator."""
    lang = ctx.lang
    already = _already(ctx)
    if already is not None:
        return already
    if person.slack_user_id is not None:
        return Reply.error(t("iam.taken", lang, person=escape(person.name),
                             user=person.slack_user_id))
    if _profile_proves(ctx, person):
        _link(ctx, person, ctx.user_id, "person.link_self", by="profile")
        message = t("iam.done", lang, person=escape(person.name))
        return Reply(summary=message, parts=[Text(message)], changed=True)
    return request_link(ctx, person)


def request_link(ctx: Context, person: Person) -> Reply:
    """Ask the coordinators (and admins) to approve: one DM each, through the delivery
    table (so it is sent once, also when asked twice)."""
    lang = ctx.lang
    deciders = sorted((set(linking.coordinator_slack_ids(ctx.session)) | set(ctx.admins))
                      - {ctx.user_id})
    if not deciders:
        return Reply.error(t("link.nobody_decides", lang))
    request = linking.pending_request(ctx.session, slack_user_id=ctx.user_id,
                                      person_id=person.id)
    if request is None:
        request = linking.add_request(ctx.session, slack_user_id=ctx.user_id,
                                      person_id=person.id, now=ctx.now)
        audit(ctx, "person.link_requested", "person", person.id, slack_user_id=ctx.user_id,
              request_id=request.id)
    for decider in deciders:
        deliveries.plan_delivery(
            ctx.session, key=f"{LINK_REQUEST}:{request.id}:{decider}", kind=LINK_REQUEST,
            target=decider, group_key=f"{LINK_REQUEST}:{request.id}:{decider}",
            planned_for=ctx.now, now=ctx.now, payload={"request_id": request.id},
        )
    message = t("iam.asked", lang, person=escape(person.name))
    return Reply(summary=message, parts=[Text(message)], changed=True)


def request_card(request_id: int, *, session, lang: str = "nl") -> Reply | None:
    """The DM to a coordinator: who asks to be whom, with Goedkeuren/Afwijzen while open."""
    request = linking.get_request(session, request_id=request_id)
    if request is None:
        return None
    person = queries.get_person(session, person_id=request.person_id)
    text = t("link.request", lang, user=request.slack_user_id,
             person=escape(person.name if person else "?"))
    parts: list[Part] = [Text(text)]
    profile = linking.get_profile(session, slack_user_id=request.slack_user_id)
    if profile is not None:
        known = ", ".join(escape(x) for x in (profile.real_name, profile.display_name,
                                              profile.email) if x)
        if known:
            parts.append(Note(t("link.profile", lang, profile=known)))
    if request.status == linking.PENDING:
        value = str(request.id)
        parts.append(Actions((Button(t("link.approve", lang), ACTION_APPROVE, value,
                                     style="primary"),
                              Button(t("link.reject", lang), ACTION_REJECT, value,
                                     style="danger")), block_id=f"link-{request.id}"))
    else:
        parts.append(Note(t(f"link.decided.{request.status}", lang,
                            user=request.decided_by or "?")))
    return Reply(summary=text, parts=parts, ephemeral=False)


def decide(request_id: int, approve: bool, ctx: Context) -> tuple[Reply, str | None]:
    """Goedkeuren / Afwijzen by a coordinator or admin: (the card as it is now, the
    requester to tell, or None when nothing was decided)."""
    lang = ctx.lang
    require(ctx, COORDINATOR)
    request = linking.get_request(ctx.session, request_id=request_id)
    if request is None:
        return Reply.error(t("link.gone", lang)), None
    status = linking.APPROVED if approve else linking.REJECTED
    if not linking.decide_request(ctx.session, request_id=request_id, status=status,
                                  by=ctx.user_id or "console", now=ctx.now):
        card = request_card(request_id, session=ctx.session, lang=lang)
        return card or Reply.error(t("link.gone", lang)), None
    request = linking.get_request(ctx.session, request_id=request_id)
    person = queries.get_person(ctx.session, person_id=request.person_id)
    if approve and person is not None:
        _link(ctx, person, request.slack_user_id, "person.link_approved",
              request_id=request.id)
    else:
        audit(ctx, "person.link_rejected", "person", request.person_id,
              slack_user_id=request.slack_user_id, request_id=request.id)
    card = request_card(request_id, session=ctx.session, lang=lang)
    card.changed = True
    return card, request.slack_user_id


def decision_notice(request_id: int, ctx: Context) -> Reply:
    """What the requester is told once a coordinator decided."""
    request = linking.get_request(ctx.session, request_id=request_id)
    person = queries.get_person(ctx.session, person_id=request.person_id) if request else None
    name = escape(person.name if person else "?")
    key = "link.told.approved" if request and request.status == linking.APPROVED else (
        "link.told.rejected")
    message = t(key, ctx.lang, person=name)
    return Reply(summary=message, parts=[Text(message)], ephemeral=False)
