"""The clock process (`regiobot clock`, Procfile `clock:`) and its in-process twin for
`regiobot start`.

APScheduler only says *when* to look; what to post, and that it is posted once, is
decided by the delivery table (docs/architecture.md §6). So the jobs are small and idempotent, and
safe to run in two processes at once:

- `regiobot.plan`  every 5 minutes: the planner inserts what is due by now;
- `regiobot.send`  every 30 seconds: the sender claims, posts and records;
- `regiobot.heartbeat` every 30 seconds: the row /healthz reads;
- `regiobot.derive` every 30 seconds: the kept declaration obligations of the iJw
  messages imported since (an import leaves that to this job, docs/declarations.md;
  one indexed query when nothing is new);
- `regiobot.startup` once, at start: all four, so a restart catches up at once.

Plan and send are cron jobs in Europe/Amsterdam that skip 02:00–03:00: on the last
Sunday of March that hour does not exist and on the last Sunday of October it happens
twice, and a cron trigger would skip or repeat there. No post is due at night anyway
(posting times are validated not to fall in that hour). The heartbeat and the
derivation are interval triggers — elapsed time, unaffected by DST — so /healthz stays
green through that hour, and an import at night is derived at night.

Job defaults, chosen so that nothing is skipped silently:
- `coalesce=True`: after the process was stopped or stalled, the runs it missed
  collapse into one run; the planner then plans everything due by now anyway, so
  running it ten times in a row would only do the same work ten times.
- `max_instances=1`: a slow send (Slack rate-limiting us) is never overlapped by the
  next tick of the same job in this process. APScheduler logs a skipped tick then,
  which is harmless: the next tick picks up whatever is left.
- `misfire_grace_time=None`: a run that is late (a busy machine, a long GC, a laptop
  waking up) still runs, however late; APScheduler's default of 1 s would drop it.
The guarantee itself does not rest on these: a run that never happened only delays
posts until the next run, because every post stays in the table until it is sent.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from commands.declaraties import region_deadline
from regiobot import clock
from regiobot.clock import AMSTERDAM
from scheduler.channels import Channel, ConsoleChannel, SlackChannel
from scheduler.planner import Schedule, run_planner
from scheduler.sender import Sender
from storage import deliveries as store
from storage.db import transaction
from storage.declarations import obligations
from storage.declarations.store import StoreBusy

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
# Every hour but the one DST skips or doubles.
HOURS_OUTSIDE_DST_GAP = "0-1,3-23"
PLAN_JOB = "regiobot.plan"
SEND_JOB = "regiobot.send"
HEARTBEAT_JOB = "regiobot.heartbeat"
DERIVE_JOB = "regiobot.derive"
STARTUP_JOB = "regiobot.startup"


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def channel_from_settings(settings, *, stream=None) -> Channel:
    """Slack when there is a bot token, else the console (development)."""
    if settings.slack_bot_token:
        return SlackChannel.from_token(settings.slack_bot_token,
                                       base_url=settings.slack_api_base_url)
    return ConsoleChannel(stream)


class Jobs:
    """The jobs, bound to a store, a channel and a clock (`now`, injectable)."""

    def __init__(
        self,
        settings,
        factory: sessionmaker[Session],
        channel: Channel,
        *,
        now: Callable[[], datetime] = clock.utcnow,
        process: str | None = None,
    ) -> None:
        self.factory = factory
        self.now = now
        self.process = process or process_name()
        self.schedule = Schedule.from_settings(settings)
        self.sender = Sender(
            factory, channel, schedule=self.schedule, worker=self.process,
            lang=settings.regiobot_lang, admins=settings.regiobot_admins, clock=now,
        )
        self.region_deadline = region_deadline(settings)
        self._send_lock = threading.Lock()

    def plan(self) -> None:
        report = run_planner(self.factory, now=self.now(), schedule=self.schedule)
        if report.planned or report.superseded:
            log.info("planned %d post(s), superseded %d", len(report.planned),
                     report.superseded)

    def send(self) -> None:
        # The start-up catch-up and the send job are different APScheduler jobs, so
        # max_instances does not keep them apart; one Sender must not run twice at once.
        with self._send_lock:
            report = self.sender.run(now=self.now())
        if report:
            log.info("sent %d, found %d, retry %d, failed %d, superseded %d, updated %d",
                     len(report.sent), len(report.found), len(report.retried),
                     len(report.failed), len(report.superseded), len(report.updated))

    def derive(self) -> None:
        started = time.perf_counter()
        try:
            with transaction(self.factory) as session:
                events = obligations.refresh(session, **self.region_deadline)
        except StoreBusy:
            # An import (or an answer deriving) holds the store: derived at the next tick.
            log.info("declarations store busy (an import or another derivation); deriving at the next tick")
            return
        if events:
            log.info("derived the kept obligations of %d new message event(s) in %.1f s",
                     events, time.perf_counter() - started)

    def startup(self) -> None:
        self.heartbeat()
        try:
            self.derive()
        except Exception:
            # Posts owed since the last run go out all the same; the derive job retries.
            log.exception("deriving the kept declaration obligations failed")
        self.plan()
        self.send()

    def heartbeat(self) -> None:
        with transaction(self.factory) as session:
            store.write_heartbeat(session, process=self.process, now=self.now())


def add_jobs(scheduler: BaseScheduler, jobs: Jobs) -> None:
    """Register the jobs under stable ids (re-adding replaces, never duplicates)."""
    scheduler.add_job(
        jobs.plan, CronTrigger(minute="*/5", hour=HOURS_OUTSIDE_DST_GAP, timezone=AMSTERDAM),
        id=PLAN_JOB, name="plan due posts", replace_existing=True,
    )
    scheduler.add_job(
        jobs.send,
        CronTrigger(second="0,30", hour=HOURS_OUTSIDE_DST_GAP, timezone=AMSTERDAM),
        id=SEND_JOB, name="send planned posts", replace_existing=True,
    )
    scheduler.add_job(
        jobs.heartbeat, IntervalTrigger(seconds=30, timezone=AMSTERDAM),
        id=HEARTBEAT_JOB, name="heartbeat", replace_existing=True,
    )
    scheduler.add_job(
        jobs.derive, IntervalTrigger(seconds=30, timezone=AMSTERDAM),
        id=DERIVE_JOB, name="derive kept declaration obligations", replace_existing=True,
    )
    # One run of everything right at start (no trigger: APScheduler runs it once, now),
    # so a start after downtime catches up at once. Not `next_run_time=clock.now()` on
    # the jobs above: with REGIOBOT_TODAY pinned in the past APScheduler would compute
    # every cron time since then before running.
    scheduler.add_job(jobs.startup, id=STARTUP_JOB, name="catch up at start",
                      replace_existing=True)


def build_scheduler(cls: type[BaseScheduler], jobs: Jobs) -> BaseScheduler:
    # The default in-memory job store: jobs are re-added at every start and never
    # shared between processes (APScheduler forbids sharing a job store).
    scheduler = cls(timezone=AMSTERDAM, job_defaults=dict(JOB_DEFAULTS))
    add_jobs(scheduler, jobs)
    return scheduler


def run_clock(settings, factory: sessionmaker[Session], channel: Channel | None = None) -> None:
    """`regiobot clock`: block, running the jobs, until interrupted."""
    jobs = Jobs(settings, factory, channel or channel_from_settings(settings))
    # APScheduler logs every run at INFO: twice a minute, forever. Our jobs log what they did.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    scheduler = build_scheduler(BlockingScheduler, jobs)
    log.info("clock %s started (%s)", jobs.process, type(jobs.sender.channel).__name__)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("clock stopped")


def start_background_scheduler(
    settings, factory: sessionmaker[Session], channel: Channel | None = None
) -> BackgroundScheduler:
    """For `regiobot start` (development): the same jobs in a thread of this process,
    posting to the console when there is no Slack token. Call `.shutdown()` to stop."""
    jobs = Jobs(settings, factory, channel or channel_from_settings(settings))
    scheduler = build_scheduler(BackgroundScheduler, jobs)
    scheduler.start()
    return scheduler
