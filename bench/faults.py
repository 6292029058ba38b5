"""The fault run: nothing lost, nothing doubled (issue 7). Bounded in time, loopback only.

    .venv/bin/python -m bench.faults [--database URL] [--reference URL] [--until 2020-12-31]

Two stores get the same data: the Midden-Holland programme 2020 (the bundled document,
four people and every programme manager linked to Slack, channels following programmes,
the BOSD and declarations)
and generated iJw declarations (storage.declarations.demo, imported from CSV).

1. Reference: one in-process planner + sender, a fault-free fake Slack, stepped through
   every working day of the period at the posting time: the posts expected (by key).
2. Fault run on the other store: the web process (`regiobot web`, answering signed
   /regio commands throughout), two clock processes (bench/fault_clock.py: the real
   jobs with the simulated moment read from a file), and a fake Slack that answers
   429 (Retry-After 1), 500, or hangs past the client's timeout (the post may have
   landed) at random. Every few seconds one clock is killed with SIGKILL and restarted.
   The run steps through the same moments; at each it waits until nothing is pending,
   advancing the simulated time 15 times faster than real time so retries come due.

Reports posts expected / delivered / duplicated / lost (target: 0 and 0), and what the
faults were. Without --database/--reference it uses SQLite files in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.slack_http import SECRET, TOKEN, free_port, signed_command
from regiobot_cli.store import BUNDLED_PROGRAMME, import_sources
from scheduler.channels import SlackChannel
from scheduler.planner import Schedule, moment, run_planner
from scheduler.sender import Sender
from storage import deliveries
from storage.db import make_engine, make_sessionmaker, transaction
from storage.declarations.demo import write_demo_declarations
from storage.declarations.importing import import_declarations
from storage.migrate import upgrade
from storage.models import Milestone, Person, Programme, Role, Subscription
from storage.workdays import is_working_day
from tests.fakeslack import FakeSlack, _Failure

ROOT = Path(__file__).resolve().parents[1]
START = date(2020, 1, 2)
POST = clock_time(9, 0)
# A hung chat.postMessage answers after the client gave up (fault_clock's 1 s timeout);
# the post still lands, so the retry must find it in the history.
HANG = 1.3
# While posts are pending the simulated clock runs this many times faster than real
# time: a first retry (backoff 30 simulated seconds) comes 2 real seconds after a
# failure, after a hung post has landed, as it would with real time.
SIM_RATE = 15
# A moment is given up only after this long (real seconds): a step given up moves the
# clock on to the next day while posts are still retrying, and one that expires then
# looks lost. Ten real minutes are 2,5 simulated hours, five times the longest backoff
# (a reminder that replies in its thread and updates its card makes several faulty
# calls an attempt, so ten attempts in a row may fail).
GIVE_UP_AFTER = 600
FAULTY_METHODS = ("chat.postMessage", "conversations.open", "conversations.history",
                  "conversations.replies", "chat.update", "users.info")


class FaultySlack(FakeSlack):
    """The recording fake Slack, failing at random: 429, 500, or a hang past the
    client's timeout (the call is still carried out, as a slow Slack would)."""

    def __init__(self, rng: random.Random, *, rate: float) -> None:
        super().__init__()
        self.rng, self.rate = rng, rate
        self.injected: Counter = Counter()

    def _take_failure(self, method: str):
        found = super()._take_failure(method)
        if found is not None or method not in FAULTY_METHODS:
            return found
        roll = self.rng.random()
        if roll < self.rate / 2:
            self.injected["429"] += 1
            return _Failure(1, 429, 1, None, None)
        if roll < self.rate:
            self.injected["500"] += 1
            return _Failure(1, 500, None, None, None)
        return None

    def _serve(self, request) -> None:
        if "chat.postMessage" in request.path and self.rng.random() < self.rate / 2:
            self.injected["timeout"] += 1
            time.sleep(HANG)
        super()._serve(request)


def seed(url: str, declarations: int, work: Path) -> None:
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with transaction(factory) as session:
        import_sources(session, [str(BUNDLED_PROGRAMME)])
    with transaction(factory) as session:
        people = list(session.scalars(select(Person).order_by(Person.name)))
        for index, person in enumerate(people[:4]):
            person.slack_user_id = f"U0PERSON{index}"
        # Every programme manager is linked too: they are responsible for the milestones
        # nobody owns (storage.responsible), so their DMs form threads all year.
        managers = session.scalars(
            select(Person).join(Role, Role.person_id == Person.id)
            .where(Role.kind == "programmamanager", Person.slack_user_id.is_(None))
            .distinct().order_by(Person.name))
        for index, person in enumerate(managers):
            person.slack_user_id = f"U0PM{index:04d}"
        for index, milestone in enumerate(session.scalars(select(Milestone).order_by(Milestone.id))):
            if index % 6 == 0:
                milestone.owner_id = people[index % 4].id
        stamp = session.scalar(select(Milestone.created_at).limit(1))
        for programme in session.scalars(select(Programme).order_by(Programme.position)):
            session.add(Subscription(channel_id=f"C0PROG{programme.position:02d}", topic="programme",
                                     programme_id=programme.id, programme_id_key=programme.id,
                                     created_at=stamp))
        for channel, topic in (("C0BOSD", "bosd"), ("C0DECL", "declaraties")):
            session.add(Subscription(channel_id=channel, topic=topic, programme_id_key=0,
                                     created_at=stamp))
    folder = work / f"declarations-{abs(hash(url))}"
    write_demo_declarations(folder, messages=declarations, xml=False)
    with transaction(factory) as session:
        import_declarations(session, [folder], now=stamp)
    factory.kw["bind"].dispose()


def set_clock(path: Path, moment_: object) -> None:
    """Atomically, so a clock process never reads half a moment."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(moment_.isoformat())  # type: ignore[attr-defined]
    os.replace(temporary, path)


def steps(until: date):
    day = START
    while day <= until:
        if is_working_day(day):
            yield moment(day, POST)
        day += timedelta(days=1)


def posted_keys(slack: FakeSlack) -> Counter:
    keys: Counter = Counter()
    for call in slack.calls_to("chat.postMessage"):
        key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key")
        keys[key] += 1
    return keys


def reference(url: str, until: date) -> Counter:
    factory = make_sessionmaker(make_engine(url))
    schedule = Schedule()
    with FakeSlack() as slack:
        sender = Sender(factory, SlackChannel.from_token(TOKEN, base_url=slack.api_url),
                        schedule=schedule, worker="reference", lang="nl", admins=[])
        for now in steps(until):
            run_planner(factory, now=now, schedule=schedule)
            sender.run(now=now)
        return posted_keys(slack)


def busy(factory) -> int:
    with factory() as session:
        counts = deliveries.count_by_status(session)
    return sum(counts.get(s, 0) for s in ("pending", "retry", "sending"))


def last_tick(factory):
    with factory() as session:
        row = deliveries.last_heartbeat(session)
        return row.last_tick if row else None


def fault_run(url: str, until: date, args, work: Path) -> tuple[Counter, dict]:
    rng = random.Random(args.seed)
    factory = make_sessionmaker(make_engine(url))
    clock_file = work / "now.txt"
    stats: Counter = Counter()
    with FaultySlack(rng, rate=args.fault_rate) as slack:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLACK_", "REGIOBOT_", "DATABASE_URL", "PORT"))}
        env.update(DATABASE_URL=url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_BASE_URL=slack.api_url, PYTHONPATH=str(ROOT),
                   FAULT_CLOCK_FILE=str(clock_file), REGIOBOT_TODAY=START.isoformat())
        first = next(steps(until))
        set_clock(clock_file, first)
        log = (work / "clocks.log").open("ab")

        def start_clock() -> subprocess.Popen:
            return subprocess.Popen([sys.executable, "-m", "bench.fault_clock"], cwd=work,
                                    env=env, stdout=log, stderr=subprocess.STDOUT)

        port = free_port()
        web = subprocess.Popen([sys.executable, "-m", "regiobot", "web", "--host", "127.0.0.1"],
                               cwd=work, env={**env, "PORT": str(port)}, stdout=log,
                               stderr=subprocess.STDOUT)
        clocks = [start_clock(), start_clock()]
        web_url = f"http://127.0.0.1:{port}"
        http = httpx.Client(timeout=10)
        for _ in range(300):  # the web process is up before it is asked anything
            try:
                if http.get(web_url + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        deadline = time.monotonic() + args.max_seconds
        next_kill = time.monotonic() + args.kill_every
        n = 0
        try:
            moments = list(steps(until))
            for now in moments:
                set_clock(clock_file, now)
                step_started = time.monotonic()
                while True:
                    time.sleep(0.2)
                    elapsed = time.monotonic() - step_started
                    sim = now + timedelta(seconds=elapsed * SIM_RATE)
                    set_clock(clock_file, sim)
                    if time.monotonic() >= next_kill:
                        victim = rng.randrange(2)
                        os.kill(clocks[victim].pid, signal.SIGKILL)
                        clocks[victim].wait()
                        clocks[victim] = start_clock()
                        stats["SIGKILLs"] += 1
                        next_kill = time.monotonic() + args.kill_every
                    n += 1
                    if n % 10 == 0:  # the web process answers throughout
                        body, headers = signed_command(slack, n, "mijlpalen")
                        try:
                            ok = http.post(web_url + "/slack/events", content=body,
                                           headers=headers).status_code == 200
                        except httpx.HTTPError:
                            ok = False
                        stats["web commands"] += 1
                        stats["web errors"] += not ok
                    tick = last_tick(factory)
                    if tick is not None and tick >= now and busy(factory) == 0:
                        break
                    # The last moment has no next day to carry its retries: it waits
                    # until they are done, or the run's time is up.
                    if (elapsed > GIVE_UP_AFTER and now != moments[-1]) or (
                            time.monotonic() > deadline):
                        stats["steps given up"] += 1
                        break
                stats["steps"] += 1
                stats["longest step (s)"] = max(stats["longest step (s)"], round(elapsed))
                if time.monotonic() > deadline:
                    stats["stopped early at"] = now.date().isoformat()  # type: ignore[assignment]
                    break
        finally:
            for process in (*clocks, web):
                process.send_signal(signal.SIGTERM)
            for process in (*clocks, web):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            http.close()
            log.close()
        stats.update({f"injected {k}": v for k, v in slack.injected.items()})
        with factory() as session:
            stats.update({f"deliveries {k}": v
                          for k, v in deliveries.count_by_status(session).items()})
        return posted_keys(slack), dict(stats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults")
    parser.add_argument("--database", metavar="URL", help="store for the fault run (empty)")
    parser.add_argument("--reference", metavar="URL", help="store for the reference (empty)")
    parser.add_argument("--until", type=date.fromisoformat, default=date(2020, 12, 31))
    parser.add_argument("--declarations", type=int, default=2000)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--kill-every", type=float, default=3.0, metavar="SECONDS")
    parser.add_argument("--max-seconds", type=float, default=3600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="regiobot-faults-"))
    faulty = args.database or f"sqlite:///{work / 'faults.db'}"
    ref = args.reference or f"sqlite:///{work / 'reference.db'}"
    started = time.perf_counter()
    seed(ref, args.declarations, work)
    seed(faulty, args.declarations, work)
    posted, stats = fault_run(faulty, args.until, args, work)
    # A run stopped by --max-seconds is compared with the reference up to where it got.
    last = date.fromisoformat(stats["stopped early at"]) if "stopped early at" in stats else args.until
    expected = reference(ref, last)
    expected_keys, posted_set = set(expected), set(posted)
    duplicated = sum(c - 1 for c in posted.values() if c > 1)
    lost = expected_keys - posted_set
    unexpected = posted_set - expected_keys
    print(f"fault run {START} … {last}, {time.perf_counter() - started:.0f} s, "
          f"work folder {work}")
    for what, value in stats.items():
        print(f"  {what}: {value}")
    print(f"posts expected   {len(expected_keys)}")
    print(f"posts delivered  {len(expected_keys & posted_set)}")
    print(f"duplicated       {duplicated}")
    print(f"lost             {len(lost)}")
    print(f"unexpected       {len(unexpected)}")
    for key in sorted(lost)[:10]:
        print(f"  lost: {key}")
    for key in sorted(k for k, c in posted.items() if c > 1)[:10]:
        print(f"  duplicated: {key}")
    for key in sorted(unexpected)[:10]:
        print(f"  unexpected: {key}")
    ok = duplicated == 0 and not lost
    print(f"target 0 duplicated and 0 lost: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
