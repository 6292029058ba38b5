"""What a delivery says: its reply from `commands.notices`, built from the store as it
is now, and whether it is still wanted at send time."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from commands import notices
from commands.core import Reply
from commands.render import to_message
from regiobot.clock import AMSTERDAM
from scheduler.planner import Schedule, local_day
from storage import deliveries as store
from storage import linking, queries
from storage.deliveries import Delivery
from storage.workdays import add_working_days


def prepare(
    session: Session, delivery: Delivery, *, now: datetime, schedule: Schedule, lang: str
) -> tuple[str | None, Reply | None]:
    """(why the post should not go out any more, or None; its reply) — one load of the
    object for both questions."""
    if delivery.expires_at is not None and delivery.expires_at <= now:
        return "expired", None
    if delivery.kind == store.REMINDER:
        milestone = queries.get_milestone(session, milestone_id=delivery.milestone_id)
        if milestone is None:
            return "milestone deleted", None
        if milestone.status != "open":
            return f"milestone {milestone.status}", None
        if milestone.due_date != delivery.subject_date:
            return "milestone moved", None
        if not _still_a_target(session, delivery, milestone):
            return "no longer following or owning", None
        return None, _reminder(session, milestone, delivery, now=now, lang=lang)
    if delivery.kind in (store.BOSD_CALL, store.BOSD_AGENDA):
        meeting = queries.get_meeting(session, meeting_id=delivery.meeting_id)
        if meeting is None:
            return "meeting deleted", None
        if meeting.status != "scheduled":
            return f"meeting {meeting.status}", None
        if meeting.date != delivery.subject_date:
            return "meeting moved", None
        if delivery.target not in store.topic_channels(session, topic="bosd"):
            return "no longer following the BOSD", None
        return None, _meeting(meeting, delivery, schedule=schedule, lang=lang)
    if delivery.kind == store.LINK_REQUEST:
        request = linking.get_request(session, request_id=delivery.payload.get("request_id", 0))
        if request is None or request.status != linking.PENDING:
            return "link request decided or gone", None
    if delivery.kind == store.DECLARATIONS_DIGEST and delivery.target not in (
        store.topic_channels(session, topic="declaraties")
    ):
        return "no longer following declaraties", None
    reply = render(session, delivery, now=now, schedule=schedule, lang=lang)
    return ("nothing to say", None) if reply is None else (None, reply)


def _still_a_target(session: Session, delivery: Delivery, milestone) -> bool:
    """Does the target still get this milestone's reminders (the responsible person may
    have changed, a channel may have stopped following the programme since it was
    planned)?"""
    if store.is_user(delivery.target):
        linked = store.responsible_slack_users(session, milestone_ids=[milestone.id])
        return linked.get(milestone.id) == delivery.target
    channels = store.programme_channels(session)
    return delivery.target in (channels.get(milestone.programme_id, [])
                               + channels.get(None, []))


def _digest_milestones(session: Session, delivery: Delivery, day: date) -> list:
    if store.is_user(delivery.target):
        person = queries.person_for_slack_user(session, slack_user_id=delivery.target)
        if person is None:
            return []
        return store.late_open_milestones(session, before=day, responsible_id=person.id)
    channels = store.programme_channels(session)
    followed = {pid for pid, targets in channels.items() if delivery.target in targets}
    if not followed:
        return []
    programme_ids = None if None in followed else followed
    return store.late_open_milestones(session, before=day, programme_ids=programme_ids)


def render(
    session: Session, delivery: Delivery, *, now: datetime, schedule: Schedule, lang: str
) -> Reply | None:
    """The delivery's reply as things stand (None when its object is gone)."""
    if delivery.kind == store.REMINDER:
        milestone = queries.get_milestone(session, milestone_id=delivery.milestone_id)
        if milestone is None:
            return None
        return _reminder(session, milestone, delivery, now=now, lang=lang)
    if delivery.kind == store.DIGEST:
        # As of the day it is posted (a catch-up after downtime counts from then).
        day = max(local_day(now), date.fromisoformat(delivery.payload["day"]))
        milestones = _digest_milestones(session, delivery, day)
        if not milestones:
            return None
        return notices.late_digest(milestones, day=day, lang=lang, session=session)
    if delivery.kind in (store.BOSD_CALL, store.BOSD_AGENDA):
        meeting = queries.get_meeting(session, meeting_id=delivery.meeting_id)
        if meeting is None:
            return None
        return _meeting(meeting, delivery, schedule=schedule, lang=lang)
    if delivery.kind == store.DECLARATIONS_DIGEST:
        # Imported where used: the clock has it loaded (its derive job); `simulate` and
        # the tests render other posts without it.
        from commands.declaraties import weekly_digest

        day = date.fromisoformat(delivery.payload["day"])
        return weekly_digest(session, week_ending=day - timedelta(days=1), lang=lang)
    if delivery.kind == store.WEEK:
        return _week(session, delivery, now=now, lang=lang)
    if delivery.kind == store.LINK_REQUEST:
        from commands.identity import request_card

        return request_card(delivery.payload.get("request_id", 0), session=session, lang=lang)
    if delivery.kind == store.ADMIN_ALERT:
        return notices.delivery_failed(
            target=delivery.payload.get("target", "?"),
            key=delivery.payload.get("failed_key", "?"),
            error=delivery.payload.get("error", "?"),
            lang=lang,
        )
    raise ValueError(f"unknown delivery kind {delivery.kind!r}")


# How far ahead "Jouw week" looks for the next BOSD.
NEXT_BOSD_WITHIN = timedelta(days=120)


def _week(session: Session, delivery: Delivery, *, now: datetime, lang: str) -> Reply | None:
    """"Jouw week" as of the day it is posted: due this week, late, the next BOSD — for
    the person the target is linked to now (None when unlinked or nothing is due)."""
    person = queries.person_for_slack_user(session, slack_user_id=delivery.target)
    if person is None or person.id != delivery.payload.get("person_id"):
        return None
    day = max(local_day(now), date.fromisoformat(delivery.payload["day"]))
    sunday = delivery.subject_date + timedelta(days=6)
    milestones = store.open_due_by(session, end=sunday, responsible_id=person.id)
    if not milestones:
        return None
    meetings = queries.bosd_meetings_between(session, start=day, end=day + NEXT_BOSD_WITHIN)
    return notices.your_week(
        person.name,
        due=[m for m in milestones if m.due_date >= day],
        late=[m for m in milestones if m.due_date < day],
        meeting=meetings[0] if meetings else None,
        day=day, session=session, lang=lang,
    )


def _reminder(session: Session, milestone, delivery: Delivery, *, now: datetime,
              lang: str) -> Reply:
    return notices.milestone_reminder(
        milestone, stage=delivery.stage or "due", reminded_for=delivery.subject_date,
        today=local_day(now), now=now.astimezone(AMSTERDAM), session=session, lang=lang,
    )


def _meeting(meeting, delivery: Delivery, *, schedule: Schedule, lang: str) -> Reply:
    if delivery.kind == store.BOSD_CALL:
        return notices.bosd_call(
            meeting,
            meeting_day=delivery.subject_date,
            working_days=schedule.bosd_call_days,
            deadline=add_working_days(delivery.subject_date, -schedule.bosd_agenda_days),
            lang=lang,
        )
    return notices.bosd_agenda(meeting, meeting_day=delivery.subject_date, lang=lang)


def message_of(reply: Reply, *, lang: str) -> dict[str, Any]:
    return to_message(reply, lang=lang)


def content_hash(message: dict[str, Any]) -> str:
    """The version of a rendered message: equal hashes, nothing to update."""
    data = json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()
