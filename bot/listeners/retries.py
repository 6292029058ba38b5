"""Answer a retried Events API delivery once.

Slack redelivers an event (same `event_id`, `X-Slack-Retry-Num`) when it saw no 200
in time. The first delivery claims the id in the store before any listener runs; a
retry — or a second web process getting the same event — finds it claimed and is
acknowledged without being handled again. That is at-most-once: a process that dies
after the claim leaves the question unanswered, which is better than answering twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from regiobot import clock
from regiobot.settings import Settings
from storage.db import transaction
from storage.slack_events import KEEP_FOR_SECONDS, claim_event, forget_events

log = logging.getLogger(__name__)

FORGET_EVERY = timedelta(hours=1)


def register(app: App, settings: Settings, factory: sessionmaker[Session]) -> None:
    last_forget = {"at": None}
    forget_lock = threading.Lock()

    def forget_old(now) -> None:
        # Keep the table small without a job of its own: now and then, on a request.
        with forget_lock:
            if last_forget["at"] is not None and now - last_forget["at"] < FORGET_EVERY:
                return
            last_forget["at"] = now
        with transaction(factory) as session:
            forget_events(session, before=now - timedelta(seconds=KEEP_FOR_SECONDS))

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return next()
        now = clock.utcnow()
        with transaction(factory) as session:
            first = claim_event(session, event_id=event_id, now=now)
        if not first:
            log.info("event %s was already handled; acknowledging the retry", event_id)
            return BoltResponse(status=200, body="")
        try:
            forget_old(now)
        except Exception:
            log.exception("could not forget old Slack event ids")
        return next()
