"""Answer a retried Events API delivery once.

Slack redelivers an event (same `event_id`, `X-Slack-Retry-Num`) when it saw no 200
in time. The first delivery claims the id in the store before it is handled; a retry —
or a second web process getting the same event — finds it claimed and is not handled
again. That is at-most-once: a process that dies after the claim leaves the question
unanswered, which is better than answering twice.

Mentions and direct messages (`message` events) are claimed by whoever answers them,
just before answering (`bot.answers`), not here: a claim is a store transaction, and
in the request's thread it held up the ack of every mention and DM (issue 16 point 2).
Other events are claimed here, before any listener runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import wiring_of
from regiobot import clock
from storage.db import transaction
from storage.slack_events import KEEP_FOR_SECONDS, claim_event, forget_events

log = logging.getLogger(__name__)

FORGET_EVERY = timedelta(hours=1)
# Claimed when answered, by the answer workers (bot.answers), off the ack's path.
CLAIMED_WHEN_ANSWERED = ("app_mention", "message")

_last_forget: dict[str, datetime | None] = {"at": None}
_forget_lock = threading.Lock()


def _forget_old(factory: sessionmaker[Session], now: datetime) -> None:
    # Keep the table small without a job of its own: now and then, on a claim.
    with _forget_lock:
        if _last_forget["at"] is not None and now - _last_forget["at"] < FORGET_EVERY:
            return
        _last_forget["at"] = now
    try:
        with transaction(factory) as session:
            forget_events(session, before=now - timedelta(seconds=KEEP_FOR_SECONDS))
    except Exception:
        log.exception("could not forget old Slack event ids")


def first_delivery(factory: sessionmaker[Session], event_id: str | None) -> bool:
    """Claim `event_id`; True when this is its first delivery (or it has no id)."""
    if not event_id:
        return True
    now = clock.utcnow()
    with transaction(factory) as session:
        first = claim_event(session, event_id=event_id, now=now)
    if not first:
        log.info("event %s was already handled; not handling the retry", event_id)
        return False
    _forget_old(factory, now)
    return True


def register(app: App) -> None:
    @app.middleware
    def once_per_event(body: dict[str, Any], context: dict[str, Any],
                       next: Callable[[], BoltResponse]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        event = body.get("event")
        kind = event.get("type") if isinstance(event, dict) else None
        if not event_id or kind in CLAIMED_WHEN_ANSWERED:
            return next()
        if not first_delivery(wiring_of(context).factory, event_id):
            return BoltResponse(status=200, body="")
        return next()
