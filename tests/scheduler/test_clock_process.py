"""The clock process: APScheduler wiring, heartbeat and /healthz status, and
`regiobot simulate`."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from regiobot.clock import AMSTERDAM
from regiobot.settings import Settings
from scheduler.channels import ConsoleChannel
from scheduler.clock_process import (
    DERIVE_JOB,
    HEARTBEAT_JOB,
    PLAN_JOB,
    SEND_JOB,
    STARTUP_JOB,
    Jobs,
    build_scheduler,
    start_background_scheduler,
)
from scheduler.health import scheduler_status
from storage import deliveries
from tests.scheduler.helpers import amsterdam, meeting, milestone, region, seed


def _settings(store) -> Settings:
    return Settings(database_url=store.url, regiobot_admins="U0ADMIN")


def test_it_registers_jobs_that_never_skip_silently(store, console):
    jobs = Jobs(_settings(store), store.factory, console)
    scheduler = build_scheduler(BackgroundScheduler, jobs)
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts
    try:
        by_id = {job.id: job for job in scheduler.get_jobs()}
        assert set(by_id) == {PLAN_JOB, SEND_JOB, HEARTBEAT_JOB, DERIVE_JOB, STARTUP_JOB}
        for job in by_id.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
        # An import is derived within half a minute of its commit, at night too.
        assert by_id[DERIVE_JOB].trigger.interval == timedelta(seconds=30)
        assert str(scheduler.timezone) == "Europe/Amsterdam"
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("dst_day", [date(2020, 3, 29), date(2020, 10, 25), date(2025, 3, 30)])
def test_it_schedules_nothing_between_two_and_three_at_night(store, console, dst_day):
    jobs = Jobs(_settings(store), store.factory, console)
    scheduler = build_scheduler(BackgroundScheduler, jobs)
    start = datetime.combine(dst_day, datetime.min.time(), tzinfo=AMSTERDAM)
    for job_id in (PLAN_JOB, SEND_JOB):
        trigger = scheduler.get_job(job_id).trigger
        fire, previous, hours = start, None, set()
        while fire < start + timedelta(days=1):
            fire = trigger.get_next_fire_time(previous, fire + timedelta(seconds=1)
                                              if previous else fire)
            previous = fire
            hours.add(fire.astimezone(AMSTERDAM).hour)
        assert 2 not in hours and {1, 3} <= hours


def test_it_writes_a_heartbeat_and_reports_a_stale_scheduler(store, console):
    now = datetime(2020, 6, 16, 7, 0, tzinfo=UTC)
    with store.session() as session:
        assert scheduler_status(session, now=now, stale_after_seconds=180)["status"] == "never"
    jobs = Jobs(_settings(store), store.factory, console, now=lambda: now, process="clock-1")
    jobs.heartbeat()
    with store.session() as session:
        fresh = scheduler_status(session, now=now + timedelta(seconds=60),
                                 stale_after_seconds=180)
        stale = scheduler_status(session, now=now + timedelta(minutes=10),
                                 stale_after_seconds=180)
    assert (fresh["ok"], fresh["status"], fresh["process"]) == (True, "ok", "clock-1")
    assert (stale["ok"], stale["status"]) == (False, "stale")
    assert fresh["last_tick"] == now.isoformat()


def test_it_derives_the_declarations_an_import_left_at_its_next_tick(store, console, tmp_path, caplog,
                                                                     monkeypatch, request):
    from storage import db
    from storage.declarations import obligations
    from storage.declarations import store as declarations
    from storage.declarations.demo import write_demo_declarations
    from storage.declarations.importing import import_declarations

    folder = write_demo_declarations(tmp_path / "ijw", messages=120, seed=3, csv_export=False)
    with store.session() as session, session.begin():
        import_declarations(session, [folder / "xml", folder / "aanbieders.csv"], now=datetime(2021, 1, 4, tzinfo=UTC))
    # An import holding the store: this tick waits a moment, says so and leaves it.
    monkeypatch.setattr(declarations, "IMPORT_LOCK_WAIT_S", 1)
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    engine = db.make_engine(store.url)
    request.addfinalizer(engine.dispose)
    jobs = Jobs(_settings(store), db.make_sessionmaker(engine), console)
    holder = store.session()
    holder.begin()
    declarations.lock_for_import(holder)
    try:
        with caplog.at_level("INFO", logger="scheduler.clock_process"):
            jobs.derive()
    finally:
        holder.rollback()
        holder.close()
    assert "declarations store busy (an import or another derivation); deriving at the next tick" in caplog.messages
    with store.session() as session:
        assert declarations.derivation_state(session) is None
    caplog.clear()
    with caplog.at_level("INFO", logger="scheduler.clock_process"):
        jobs.derive()
        jobs.derive()  # nothing new: says nothing
    with store.session() as session:
        latest = declarations.latest_event_id(session)
        assert declarations.derivation_state(session).event_id == latest
        assert obligations.refresh(session) == 0
    said = [m for m in caplog.messages if "derived" in m]
    assert len(said) == 1 and said[0].startswith(f"derived the kept obligations of {latest} new message event(s)")


def test_it_posts_at_start_when_deriving_the_declarations_fails(store, monkeypatch, caplog):
    from storage.declarations import obligations

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(obligations, "refresh", broken)
    seed(store.factory, region([milestone("a", date(2020, 6, 30))]))
    stream = io.StringIO()
    now = amsterdam(date(2020, 6, 16), "09:00")
    jobs = Jobs(_settings(store), store.factory, ConsoleChannel(stream), now=lambda: now)
    with caplog.at_level("ERROR", logger="scheduler.clock_process"):
        jobs.startup()
    assert stream.getvalue().count("key=reminder:") == 2
    assert "deriving the kept declaration obligations failed" in caplog.messages


def test_it_plans_and_sends_through_the_jobs(store):
    seed(store.factory, region([milestone("a", date(2020, 6, 30))]))
    stream = io.StringIO()
    now = amsterdam(date(2020, 6, 16), "09:00")
    jobs = Jobs(_settings(store), store.factory, ConsoleChannel(stream), now=lambda: now)
    jobs.plan()
    jobs.send()
    assert stream.getvalue().count("key=reminder:") == 2


def test_it_runs_in_the_background_for_regiobot_start(store):
    stream = io.StringIO()
    scheduler = start_background_scheduler(_settings(store), store.factory,
                                           ConsoleChannel(stream))
    try:
        deadline = time.monotonic() + 10
        status = {}
        while time.monotonic() < deadline:
            with store.session() as session:
                status = scheduler_status(session, now=datetime.now(tz=UTC),
                                          stale_after_seconds=180)
            if status["ok"]:
                break
            time.sleep(0.05)
        assert status["ok"]
    finally:
        scheduler.shutdown(wait=True)


def test_it_simulates_a_week_of_2020_and_prints_each_key(capsys):
    from regiobot_cli import main

    assert main(["simulate", "--from", "2020-01-27", "--to", "2020-01-31", "--quiet"]) == 0
    out = capsys.readouterr().out
    # Posts (top-level or replies in a milestone's thread); "update" lines are chat.update.
    lines = [line for line in out.splitlines()
             if "key=" in line and line.startswith(("post to", "reply to"))]
    keys = [line.split("key=")[1].split()[0] for line in lines]
    assert len(keys) == len(set(keys))
    assert any(line.startswith("reply to CDEMO0001 thread=") for line in lines)
    # Due 30 January 2020 ("30 jan 2020 – BOSD voortgangsrapportage"): w2 on the 28th,
    # the due-day reminder on the 30th.
    assert any(":2020-01-30:w2:" in k for k in lines if "at=2020-01-28 09:00" in k)
    assert any(":2020-01-30:due:" in k for k in lines if "at=2020-01-30 09:00" in k)
    # BOSD 1 meets on 30 January: its call (16 Jan) was stale when the clock started,
    # its agenda (23 Jan) was still relevant and came at the first tick.
    assert [k.split(":")[0] for k in keys if k.startswith("bosd")] == ["bosd_agenda"]
    assert out.rstrip().splitlines()[-1].startswith(f"{len(keys)} post(s)")


def test_it_posts_once_with_two_clock_processes_started_on_one_database(store, fake_slack):
    """Two real `regiobot clock` processes (APScheduler, Slack client and all) against
    one store and the fake Slack: each post arrives once."""
    seed(store.factory, region(
        [milestone(k, date(2020, 7, 1), owner=o)
         for k, o in (("a", "Alice de Vries"), ("b", "Bob Jansen"), ("c", "Charlie Bakker"))],
        [meeting("bosd-7", date(2020, 7, 7), agenda=["Jeugd"])],
    ))
    # 30 June 2020 at whatever time it is now, posting at midnight: the w2 reminders of
    # 1 July and the agenda of 7 July are due, at any time of day this test runs.
    env = {**os.environ, "DATABASE_URL": store.url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_BASE_URL": fake_slack.api_url, "REGIOBOT_TODAY": "2020-06-30",
           "POST_TIME": "00:00", "DIGEST_TIME": "00:00"}
    # DMs to Alice and Bob, the channel for each milestone, the agenda, and "Jouw week"
    # for Alice and Bob (their milestones are due this week).
    expected = 2 + 3 + 1 + 2
    root = Path(__file__).resolve().parents[2]
    clocks = [subprocess.Popen([sys.executable, "-m", "regiobot", "clock"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    try:
        fake_slack.wait_for("chat.postMessage", count=expected, timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.session() as session:
                counts = deliveries.count_by_status(session)
                beats = session.query(deliveries.SchedulerHeartbeat).count()
            if counts == {"sent": expected} and beats == 2:
                break
            time.sleep(0.1)
        assert (counts, beats) == ({"sent": expected}, 2)
    finally:
        for clock_process in clocks:
            clock_process.send_signal(signal.SIGINT)
        for clock_process in clocks:
            try:
                clock_process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                clock_process.kill()
    posted = Counter(c.args["metadata"]["event_payload"]["key"]
                     for c in fake_slack.calls_to("chat.postMessage"))
    assert len(posted) == expected and set(posted.values()) == {1}
