"""The sender: claim → render → post → record the Slack ts (docs/architecture.md §6).

Each step commits on its own, so that other senders see it: the claim (a conditional
UPDATE; only the sender whose UPDATE changed the row goes on), then the post outside
any transaction, then the record. A crash between Slack's answer and the record leaves
the row `sending`; after `stale_after` another sender (or this one, restarted) takes it
over and first looks for the delivery key in the channel history — found: recorded as
sent; not found: posted. A retry after a timeout or a 5xx does the same lookup, since
Slack may have posted without answering.

Errors: 429 → `retry` at now + Retry-After; 5xx/timeouts → `retry` with exponential
backoff; permanent errors → `failed`, and every admin gets a DM about it (itself a
delivery, so it is sent once too). Messages of milestones and meetings that changed
after posting are rendered again and updated in place with chat.update when the
rendered message differs from what was posted (its hash is kept per delivery).

No clock is read here except the one passed in: every method takes `now`, and the
moment within a tick comes from the `clock` given (the clock process's) or from the
tick's time plus its elapsed seconds, so tests and `regiobot simulate` step time as
they like.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler import content
from scheduler.channels import (
    Channel,
    DeliveryError,
    PermanentError,
    RateLimited,
    TransientError,
    metadata_for,
)
from scheduler.planner import STAGE_DUE, Schedule, local_day
from storage import deliveries as store
from storage import linking
from storage.db import transaction

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=30)
# With the backoff above: roughly a day of trying before giving up.
MAX_ATTEMPTS = 60
# A send takes a few HTTP calls of at most 30 s each: a row `sending` for longer than
# this was left by a crash.
STALE_AFTER = timedelta(minutes=5)
# Posted messages are kept current (chat.update) for this long after posting.
REFRESH_WINDOW = timedelta(days=90)
# How far before the planned moment a lookup searches the history (clock skew).
LOOKUP_MARGIN = timedelta(minutes=10)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to 30 min between attempts."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # posted before a crash, found by key
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.sent, self.found, self.retried, self.failed, self.superseded,
                    self.updated))


@dataclass(frozen=True)
class _Job:
    """What the sender needs of a claimed row, read in a short session."""

    id: int
    key: str
    kind: str
    target: str
    planned_for: datetime
    attempts: int
    needs_lookup: bool
    slack_channel: str | None
    payload: dict
    group_key: str = ""
    stage: str | None = None
    thread_ts: str | None = None


class Sender:
    def __init__(
        self,
        factory: sessionmaker[Session],
        channel: Channel,
        *,
        schedule: Schedule | None = None,
        worker: str | None = None,
        lang: str = "nl",
        admins: tuple[str, ...] | list[str] = (),
        stale_after: timedelta = STALE_AFTER,
        max_attempts: int = MAX_ATTEMPTS,
        batch: int = 50,
        after_post: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.factory = factory
        self.channel = channel
        self.schedule = schedule or Schedule()
        self.worker = worker or worker_name()
        self.lang = lang
        self.admins = tuple(admins)
        self.stale_after = stale_after
        self.max_attempts = max_attempts
        self.batch = batch
        # Called with the key right after Slack answered a post, before the record:
        # tests raise a BaseException here to play a crash at the worst moment.
        self.after_post = after_post
        # What time it is during a tick (the clock process passes the one clock);
        # without it, the tick's time plus the seconds the tick has run.
        self.clock = clock

    # --- the tick

    def run(self, *, now: datetime) -> SendReport:
        report = SendReport()
        self._tick = (now, time.monotonic())
        self.resolve_stale(now=now, report=report)
        self.send_due(now=now, report=report)
        self.refresh(now=now, report=report)
        return report

    def resolve_stale(self, *, now: datetime, report: SendReport) -> None:
        with self.factory() as session:
            rows = store.stale_sending(session, stale_after=self.stale_after)
        for delivery_id, claimed_at in rows:
            with transaction(self.factory) as session:
                taken = store.claim_stale(session, delivery_id=delivery_id,
                                          claimed_at=claimed_at, worker=self.worker,
                                          now=self._claim_moment(now))
            if taken:
                log.warning("delivery %s was left sending; looking it up", delivery_id)
                self._deliver(delivery_id, now=now, report=report)

    def send_due(self, *, now: datetime, report: SendReport) -> None:
        while True:
            with self.factory() as session:
                ids = store.due_delivery_ids(session, now=now, limit=self.batch)
            if not ids:
                return
            progressed = False
            for delivery_id in ids:
                with transaction(self.factory) as session:
                    claimed = store.claim_delivery(session, delivery_id=delivery_id,
                                                   worker=self.worker,
                                                   now=self._claim_moment(now))
                if claimed:
                    progressed = True
                    self._deliver(delivery_id, now=now, report=report)
            if len(ids) < self.batch or not progressed:
                return

    def _claim_moment(self, now: datetime) -> datetime:
        """The moment within the tick: a row claimed late in a slow tick must not already
        look stale (left `sending` by a crash) to another sender, and a retry waits its
        backoff from when the attempt failed."""
        if self.clock is not None:
            return max(now, self.clock())
        tick_now, started = getattr(self, "_tick", (now, time.monotonic()))
        return max(now, tick_now + timedelta(seconds=time.monotonic() - started))

    # --- one delivery, claimed by this worker

    def _job(self, delivery_id: int) -> _Job | None:
        with self.factory() as session:
            row = store.get_delivery(session, delivery_id=delivery_id)
            if row is None:  # its milestone or meeting was deleted meanwhile
                return None
            return _Job(row.id, row.key, row.kind, row.target, row.planned_for, row.attempts,
                        row.needs_lookup, row.slack_channel, dict(row.payload or {}),
                        row.group_key, row.stage, row.thread_ts)

    def _content(self, job: _Job, *, now: datetime):
        """(why not to send, or None; the reply; the version of what it shows; the
        language: a DM's person's, from their Slack locale, else REGIOBOT_LANG)."""
        self._ensure_profile(job.target, now=now)
        with self.factory() as session:
            row = store.get_delivery(session, delivery_id=job.id)
            # Read the version first: a change racing the render shows up as newer.
            version = store.source_version(session, delivery_id=job.id)
            lang = store.lang_for_target(session, target=job.target) or self.lang
            reason, reply = content.prepare(session, row, now=now, schedule=self.schedule,
                                            lang=lang)
            return reason, reply, version, lang

    def _ensure_profile(self, target: str, *, now: datetime) -> None:
        """Fetch the Slack profile (locale) of a DM's person the first time, once."""
        with self.factory() as session:
            if not store.needs_profile(session, target=target):
                return
        profile = self.channel.profile(target)
        if profile is None:
            return
        with transaction(self.factory) as session:
            linking.save_profile(session, slack_user_id=target, now=now, **profile)

    def _supersede(self, job: _Job, reason: str, *, now: datetime, report: SendReport) -> None:
        with transaction(self.factory) as session:
            store.supersede(session, delivery_id=job.id, worker=self.worker, reason=reason,
                            now=now)
        report.superseded.append(job.key)

    def _deliver(self, delivery_id: int, *, now: datetime, report: SendReport) -> None:
        job = self._job(delivery_id)
        if job is None:
            return
        # From the moment the post is sent its outcome is uncertain until recorded: any
        # failure after that point makes the next attempt look in the history first.
        posting = False
        try:
            if not job.needs_lookup:
                reason, reply, version, lang = self._content(job, now=now)
                if reason is not None:
                    self._supersede(job, reason, now=now, report=report)
                    return
            channel_id = job.slack_channel or self.channel.resolve(job.target)
            if job.needs_lookup:
                ts = self.channel.find_by_key(channel_id, job.key,
                                              oldest=job.planned_for - LOOKUP_MARGIN,
                                              thread_ts=job.thread_ts)
                if ts is not None:
                    # What that post showed is not known: compare it on the next refresh.
                    self._record(job, channel_id, ts, None, None, now=now)
                    report.found.append(job.key)
                    return
                reason, reply, version, lang = self._content(job, now=now)
                if reason is not None:
                    self._supersede(job, reason, now=now, report=report)
                    return
            message = content.message_of(reply, lang=lang)
            digest = content.content_hash(message)
            job, root = self._thread(job, channel_id, now=now)
            if job.thread_ts:
                message["thread_ts"] = job.thread_ts
                # The due-day reminder is also shown in the conversation itself.
                if job.stage == STAGE_DUE:
                    message["reply_broadcast"] = True
            posting = True
            ts = self.channel.post(channel_id, message, metadata_for(job.key))
            if self.after_post is not None:
                self.after_post(job.key)
            self._record(job, channel_id, ts, digest, version, now=now)
            report.sent.append(job.key)
            posting = False
            self._upload_files(job, reply, channel_id, ts)
            if root is not None:
                # The thread's first card says what the latest reminder says.
                self._refresh_one(root, now=now, report=report)
        except Exception as raw:
            error = self.channel.classify(raw)
            if not isinstance(raw, DeliveryError):
                log.exception("delivery %s: unexpected error", job.key)
            self._failed_attempt(job, error, ambiguous=posting, now=now, report=report)

    def _upload_files(self, job: _Job, reply, channel_id: str, ts: str) -> None:
        """The reply's files (the declarations digest's chart), in the post's thread,
        once the post is recorded. A file that fails is logged and not retried: the
        post it belongs to stands, and re-sending it would post twice."""
        for attachment in getattr(reply, "files", None) or []:
            try:
                self.channel.upload(channel_id, filename=attachment.filename, title=attachment.title,
                                    content=attachment.render(), thread_ts=ts)
            except Exception:
                log.warning("delivery %s: file %s not uploaded", job.key, attachment.filename,
                            exc_info=True)

    def _thread(self, job: _Job, channel_id: str, *, now: datetime):
        """(the job, with the thread it replies in; the thread's first post as a refresh
        candidate, or None). A milestone's first reminder to a target starts a thread,
        later ones reply in it. The thread is recorded before posting, so a look-up after
        a crash searches it."""
        if job.kind != store.REMINDER:
            return job, None
        with transaction(self.factory) as session:
            root = store.thread_root(session, group_key=job.group_key, exclude_id=job.id)
            if root is None or root.slack_channel != channel_id:
                return job, None
            candidate = (root.id, root.key, root.content_at, root.content_hash,
                         root.slack_channel, root.slack_ts)
            if job.thread_ts != root.slack_ts:
                store.set_thread(session, delivery_id=job.id, worker=self.worker,
                                 slack_channel=channel_id, thread_ts=root.slack_ts, now=now)
        return replace(job, thread_ts=candidate[5], slack_channel=channel_id), candidate

    def _record(self, job: _Job, channel_id: str, ts: str, digest: str | None,
                version: datetime | None, *, now: datetime) -> None:
        with transaction(self.factory) as session:
            recorded = store.mark_sent(session, delivery_id=job.id, worker=self.worker,
                                       slack_channel=channel_id, slack_ts=ts,
                                       content_hash=digest, content_version=version, now=now)
        if not recorded:
            # Another sender took the row over meanwhile; it looks the key up and
            # finds this post, so nothing is posted twice.
            log.warning("delivery %s: taken over before it was recorded", job.key)

    def _failed_attempt(self, job: _Job, error: DeliveryError, *, ambiguous: bool,
                        now: datetime, report: SendReport) -> None:
        if isinstance(error, PermanentError) or (
            not isinstance(error, RateLimited) and job.attempts >= self.max_attempts
        ):
            with transaction(self.factory) as session:
                store.mark_failed(session, delivery_id=job.id, worker=self.worker,
                                  error=error.code, now=now)
                if job.kind != store.ADMIN_ALERT:
                    self._alert_admins(session, job, error, now=now)
            log.error("delivery %s failed for good: %s", job.key, error)
            report.failed.append(job.key)
            return
        # From when the attempt failed, not from the tick's start: in a slow tick (a few
        # timeouts in a row) the wait would otherwise be over before it began, and a
        # look-up could come before a post that timed out has landed (the fault run
        # posted one reminder twice that way).
        failed_at = self._claim_moment(now)
        if isinstance(error, RateLimited):
            next_at = failed_at + timedelta(seconds=error.retry_after)
        else:
            next_at = failed_at + backoff(job.attempts)
        lookup = ambiguous and isinstance(error, TransientError) and error.ambiguous
        with transaction(self.factory) as session:
            store.mark_retry(session, delivery_id=job.id, worker=self.worker,
                             next_attempt_at=next_at, error=str(error), needs_lookup=lookup,
                             now=now)
        log.info("delivery %s: %s; next attempt at %s", job.key, error, next_at.isoformat())
        report.retried.append(job.key)

    def _alert_admins(self, session: Session, job: _Job, error: DeliveryError, *,
                      now: datetime) -> None:
        """Plan a DM to every admin — one per target, error and day, so a channel the
        bot was removed from does not flood the admins with one DM per post."""
        if not self.admins:
            log.error("no REGIOBOT_ADMINS to tell that %s failed", job.key)
        day = local_day(now).isoformat()
        for admin in self.admins:
            store.plan_delivery(
                session,
                key=f"{store.ADMIN_ALERT}:{job.target}:{error.code}:{day}:{admin}"[:200],
                kind=store.ADMIN_ALERT,
                target=admin,
                group_key=f"{store.ADMIN_ALERT}:{job.target}:{admin}"[:120],
                planned_for=now,
                now=now,
                payload={"failed_key": job.key, "target": job.target, "error": error.code},
            )

    # --- keeping posted messages current

    def refresh(self, *, now: datetime, report: SendReport) -> None:
        with self.factory() as session:
            candidates = [
                (d.id, d.key, d.content_at, d.content_hash, d.slack_channel, d.slack_ts)
                for d in store.deliveries_to_refresh(session, sent_since=now - REFRESH_WINDOW)
            ]
        for candidate in candidates:
            self._refresh_one(candidate, now=now, report=report)

    def _refresh_one(self, candidate: tuple, *, now: datetime, report: SendReport) -> None:
        """Render one posted message again; chat.update it when it reads differently."""
        delivery_id, key, content_at, old_hash, channel_id, ts = candidate
        with self.factory() as session:
            version = store.source_version(session, delivery_id=delivery_id)
        with transaction(self.factory) as session:
            if not store.claim_refresh(session, delivery_id=delivery_id,
                                       content_at=content_at, version=version):
                return  # another sender compares it
        with self.factory() as session:
            row = store.get_delivery(session, delivery_id=delivery_id)
            lang = store.lang_for_target(session, target=row.target) or self.lang
            reply = content.render(session, row, now=now, schedule=self.schedule, lang=lang)
        if reply is None:
            return
        message = content.message_of(reply, lang=lang)
        digest = content.content_hash(message)
        if digest == old_hash:
            return
        try:
            self.channel.update(channel_id, ts, message, metadata_for(key))
        except Exception as raw:
            error = self.channel.classify(raw)
            log.warning("update of %s failed: %s", key, error)
            if not isinstance(error, PermanentError):
                # Give the version back, so a later tick compares again.
                with transaction(self.factory) as session:
                    store.claim_refresh(session, delivery_id=delivery_id,
                                        content_at=version, version=content_at)
            return
        with transaction(self.factory) as session:
            store.record_refresh(session, delivery_id=delivery_id, content_hash=digest,
                                 now=now)
        report.updated.append(key)
