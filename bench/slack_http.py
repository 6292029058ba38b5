"""Slack requests through the real signed HTTP path, on loopback; prints tables.

    # open loop: Poisson arrivals at fixed rates, 60 s each, every server in turn
    .venv/bin/python -m bench.slack_http open --database URL [--rates 10,50,100,200] \
        [--seconds 60] [--kind command --kind mention --kind dm]
    # closed loop: 20 clients as fast as the acks come, against the baselines
    .venv/bin/python -m bench.slack_http compare --database URL [--requests 2000]
    # closed loop load: signed slash commands from 20 clients for 60 s
    .venv/bin/python -m bench.slack_http load --database URL [--seconds 60]
    # peak RSS of the web process (after a load) and of a clock process
    .venv/bin/python -m bench.slack_http rss --database URL

`regiobot web` runs as a child process (uvicorn, Starlette, Bolt with the signature
check), its Web API client pointed at tests/fakeslack.py in a process of its own
(bench/fake_slack_server.py), which records when each answer arrives: at the
response_url for `/regio`, by `chat.postMessage`/`chat.postEphemeral` for mentions and
DMs. Two measures per request: the **ack** (the HTTP round trip of the signed request,
which the user does not see) and **command → answer** (from the moment the request was
due to be sent to the answer arriving at the fake Slack: what the user sees). An answer
saying "te druk" counts as not answered, as does none at all; percentiles of the
answers are over every request sent, so "not answered" at p99 means more than 1 % of
the requests got no answer. The open loop sends from 32 threads on kept-alive
connections (`SENDERS`); the closed loops use httpx's asyncio client.

The baselines (bench/bare_bolt.py) run behind the same uvicorn and Starlette adapter:
- **bare Bolt, ack**: the constant in the ack, no answer afterwards — the floor for
  the ack, and not a baseline for answers;
- **bare Bolt, floor**: posts the constant from the request's own thread, then acks —
  nothing answers sooner on this stack, so the floor for command → answer; its ack
  includes the post, so it is not a baseline for the ack.
Neither does any of regiobot's own work (store, rendering, the answer workers).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import http.client
import itertools
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from tests.fakeslack import BOT_USER_ID, TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret-0123456789ab"
TOKEN = "xoxb-test-bench-token"
TODAY = "2020-03-02"
ACK_ONLY = "bare Bolt, ack"
FLOOR = "bare Bolt, floor"
WEB = "regiobot web"
COMMANDS = ("mijlpalen", "programma Programma 01", "bosd", "wie Medewerker 00001", "help",
            "budget", "project Deelproject 00001", "mijlpalen te laat")


class RemoteSlack:
    """The fake Slack in a child process (bench/fake_slack_server.py), with the two
    addresses the benchmark needs."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.fake_slack_server"],
                                        cwd=str(ROOT), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        self.api_url = f"{self.url}/api/"
        self.answered = 0

    def response_url(self, key: str = "1") -> str:
        return f"{self.url}/response/{key}"

    def all_answers(self) -> dict[str, tuple[float, bool]]:
        """{key: (epoch seconds, said "te druk")} of every answer received so far: a
        response_url path, a thread_ts (mentions) or a channel (DMs) as the key."""
        self.process.stdin.write("answers\n")
        self.process.stdin.flush()
        return {key: (at, busy) for key, (at, busy)
                in json.loads(self.process.stdout.readline()).items()}

    def answers(self) -> dict[str, float]:
        """{key: epoch seconds} of the answers so far that did not say "te druk"."""
        return {key: at for key, (at, busy) in self.all_answers().items() if not busy}

    def __enter__(self) -> RemoteSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self.process.communicate(input="", timeout=30)
        self.answered = int(out.strip() or 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(database: str, slack: FakeSlack, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "REGIOBOT_", "DATABASE_URL", "PORT"))}
    env.update(DATABASE_URL=database, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
               SLACK_API_BASE_URL=slack.api_url, PORT=str(port), PYTHONPATH=str(ROOT),
               REGIOBOT_TODAY=TODAY)
    return env


class Server:
    """A child process serving HTTP on loopback, stopped on exit."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, name: str):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(tempfile.gettempdir()) / f"regiobot-bench-{name}-{port}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(argv, cwd=tempfile.gettempdir(), env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(self.log_path.read_text()[-3000:])
            time.sleep(0.2)

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)

    def children_peak_rss_mb(self) -> list[float]:
        """VmHWM of each child process (the web process's answer workers)."""
        children: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
        return [peak_rss_mb(pid) for pid in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def web_server(database: str, slack: FakeSlack) -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "regiobot", "web", "--host", "127.0.0.1"],
                  child_env(database, slack, port), port, "web")


def bare_server(database: str, slack: FakeSlack, *, answer: str = "ack") -> Server:
    """bench/bare_bolt.py, `answer` "ack" or "floor"."""
    port = free_port()
    return Server([sys.executable, "-m", "bench.bare_bolt", "--port", str(port),
                   "--answer", answer],
                  child_env(database, slack, port), port, f"bare-{answer}")


def signed_command(slack: FakeSlack, n: int | str, text: str) -> tuple[bytes, dict[str, str]]:
    """A signed /regio; its response_url ends in `/response/<n>` (`bench-<n>` for a number)."""
    key = n if isinstance(n, str) else f"bench-{n}"
    form = {
        "token": "unused", "team_id": TEAM_ID, "team_domain": "regio", "channel_id": "CPROG0001",
        "channel_name": "programma-01", "user_id": "U00000001", "user_name": "medewerker",
        "command": "/regio", "text": text, "api_app_id": "A0REGIO",
        "is_enterprise_install": "false", "response_url": slack.response_url(key),
        "trigger_id": f"{key}.1.bench",
    }
    body = urlencode(form).encode()
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body,
                                 hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/x-www-form-urlencoded",
                  "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


async def drive(url: str, slack: FakeSlack, *, clients: int, requests: int | None = None,
                seconds: float | None = None, texts: tuple[str, ...] = COMMANDS,
                tag: str = "bench",
                sent_at: dict[str, float] | None = None,
                busy: list[str] | None = None) -> tuple[list[float], int, float]:
    """(latencies in s, errors, wall time): `clients` concurrent senders, until
    `requests` are sent in all or `seconds` have passed. `sent_at` collects when each
    command was sent, by its response_url path (`/response/<tag>-<n>`); `busy` the
    paths of commands whose ack said to try again (too many answers waiting)."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    start = time.perf_counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors, counter
        while True:
            if requests is not None and counter >= requests:
                return
            if seconds is not None and time.perf_counter() - start >= seconds:
                return
            counter += 1
            key = f"{tag}-{counter}"
            body, headers = signed_command(slack, key, texts[counter % len(texts)])
            if sent_at is not None:
                sent_at[f"/response/{key}"] = time.time()
            sent = time.perf_counter()
            try:
                response = await http.post(url + "/slack/events", content=body, headers=headers)
                ok = response.status_code == 200
                if busy is not None and b"te druk" in response.content:
                    busy.append(f"/response/{key}")
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - sent)
            errors += not ok

    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:8.1f}"


def answer_latencies(slack: RemoteSlack, sent_at: dict[str, float], *,
                     wait: float = 120) -> list[float]:
    """Seconds from each command to its answer at the response_url, waiting up to `wait`
    seconds for the last ones; commands never answered are left out (count them)."""
    deadline = time.monotonic() + wait
    while True:
        answers = slack.answers()
        if all(path in answers for path in sent_at) or time.monotonic() > deadline:
            return [answers[p] - sent for p, sent in sent_at.items() if p in answers]
        time.sleep(0.5)


def run_compare(args) -> None:
    with (RemoteSlack() if args.slack_process else FakeSlack()) as slack:
        results = {}
        servers = (
            (ACK_ONLY, lambda d, s: bare_server(d, s, answer="ack")),
            (FLOOR, lambda d, s: bare_server(d, s, answer="floor")),
            (WEB, web_server),
        )
        for number, (name, make) in enumerate(servers):
            server = make(args.database, slack)
            try:
                asyncio.run(drive(server.url, slack, clients=args.clients, requests=200,
                                  tag=f"warm{number}"))
                sent_at: dict[str, float] = {}
                busy: list[str] = []
                latencies, errors, wall = asyncio.run(
                    drive(server.url, slack, clients=args.clients, requests=args.requests,
                          texts=tuple(args.text) or COMMANDS, tag=f"run{number}",
                          sent_at=sent_at, busy=busy))
                for path in busy:
                    sent_at.pop(path, None)
                answered = None
                if name != ACK_ONLY and isinstance(slack, RemoteSlack):
                    answered = answer_latencies(slack, sent_at)
                results[name] = (latencies, errors + len(busy), wall, server.peak_rss_mb(),
                                 answered)
                print(f"{name}: done, load average {load_average()}", flush=True)
            finally:
                server.stop()
    print(f"load average at the end {load_average()}")
    print(f"texts: {', '.join(args.text) or 'a mix of ' + str(len(COMMANDS))}; fake Slack "
          f"{'in its own process' if args.slack_process else 'in the client process'}")
    print(f"/regio acks, {args.requests} signed requests, {args.clients} concurrent clients, "
          f"loopback; store {redact(args.database)}")
    print("errors: HTTP errors, and acks saying 'try again' (too many answers waiting)")
    print(f"{'server':<30} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'req/s':>7} {'errors':>6} {'RSS MiB':>8}")
    for name, (lat, errors, wall, rss, _answered) in results.items():
        print(f"{name:<30} {ms(pct(lat, 50))} {ms(pct(lat, 90))} {ms(pct(lat, 99))} "
              f"{ms(max(lat))} {len(lat) / wall:7.0f} {errors:6d} {rss:8.0f}")
    print("answers at the response_url (from sending the command to the answer arriving):")
    for name, (lat, *_rest, answered) in results.items():
        if answered is None:
            continue
        spread = (f"p50 {pct(answered, 50) * 1000:.0f} ms, p99 {pct(answered, 99) * 1000:.0f} ms,"
                  f" max {max(answered) * 1000:.0f} ms") if answered else "none"
        print(f"  {name:<30} {len(answered)} of {len(lat)} answered; {spread}")
    real = results[WEB][0]
    bare = results[ACK_ONLY][0]
    for p in (50, 99):
        print(f"ack p{p} against {ACK_ONLY}: {pct(real, p) / pct(bare, p):.2f}×")
    floor = results[FLOOR][4]
    answered = results[WEB][4]
    if floor and answered:
        for p in (50, 99):
            print(f"answer p{p} against {FLOOR}: {pct(answered, p) / pct(floor, p):.2f}×")


def run_load(args) -> None:
    with RemoteSlack() as slack:
        server = web_server(args.database, slack)
        try:
            asyncio.run(drive(server.url, slack, clients=args.clients, requests=100, tag="warm"))
            sent_at: dict[str, float] = {}
            busy: list[str] = []
            latencies, errors, wall = asyncio.run(
                drive(server.url, slack, clients=args.clients, seconds=args.seconds,
                      tag="load", sent_at=sent_at, busy=busy))
            for path in busy:  # told to try again: no answer comes for these
                sent_at.pop(path, None)
            # The answers go to the response_url after the ack; wait for the last ones.
            waited = time.monotonic()
            answered = answer_latencies(slack, sent_at, wait=600)
            waited = time.monotonic() - waited
            rss = server.peak_rss_mb()
        finally:
            server.stop()
    slow = sum(1 for v in latencies if v >= 3)
    print(f"load: {args.clients} clients, {wall:.1f} s, store {redact(args.database)}")
    print(f"requests {len(latencies)}, throughput {len(latencies) / wall:.0f} req/s, "
          f"errors {errors}, acks ≥ 3 s {slow}")
    print("ack latency ms: " + ", ".join(
        f"p{p} {pct(latencies, p) * 1000:.1f}" for p in (50, 90, 99, 99.9))
        + f", max {max(latencies) * 1000:.1f}, mean {statistics.mean(latencies) * 1000:.1f}")
    print(f"acks saying 'try again in a minute' (too many answers waiting): {len(busy)}")
    print(f"answers at the response_url: {len(answered)} of {len(sent_at)} "
          f"(the last {waited:.0f} s after the load stopped); from command to answer: "
          + (", ".join(f"p{p} {pct(answered, p):.1f} s" for p in (50, 90, 99))
             + f", max {max(answered):.1f} s" if answered else "none"))
    print(f"web peak RSS {rss:.0f} MiB")
    print(f"target every ack < 3 s and 0 errors: {'met' if slow == 0 and errors == 0 else 'MISSED'}")


def run_rss(args) -> None:
    with FakeSlack() as slack:
        server = web_server(args.database, slack)
        try:
            asyncio.run(drive(server.url, slack, clients=args.clients, requests=2000))
            # A full region feed, the biggest thing the web process builds.
            feed_status = fetch_region_feed(args.database, server.url)
            web_rss = server.peak_rss_mb()
            worker_rss = server.children_peak_rss_mb()
        finally:
            server.stop()
        port = free_port()
        env = child_env(args.database, slack, port)
        log_path = Path(tempfile.gettempdir()) / "regiobot-bench-clock.log"
        with log_path.open("wb") as log:
            clock = subprocess.Popen([sys.executable, "-m", "regiobot", "clock"],
                                     cwd=tempfile.gettempdir(), env=env, stdout=log,
                                     stderr=subprocess.STDOUT)
            try:
                time.sleep(args.clock_seconds)
                clock_rss = peak_rss_mb(clock.pid)
            finally:
                clock.terminate()
                clock.wait(timeout=30)
    print(f"peak RSS (VmHWM), store {redact(args.database)}")
    print(f"web process after 2000 /regio commands and a region feed ({feed_status}): "
          f"{web_rss:.0f} MiB; its child processes (answer workers, resource tracker): "
          + ", ".join(f"{rss:.0f} MiB" for rss in worker_rss))
    print(f"clock process after {args.clock_seconds} s (start-up plan + send, REGIOBOT_TODAY="
          f"{TODAY}): {clock_rss:.0f} MiB")


def fetch_region_feed(database: str, url: str) -> str:
    from bench.feeds import region_token

    token = region_token(database)
    response = httpx.get(f"{url}/calendar/{token}.ics", timeout=300)
    return f"HTTP {response.status_code}, {len(response.content) / 1e6:.1f} MB"


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes), as `uptime` gives it: other programs share
    these cores."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def signed(body: bytes, content_type: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body,
                                 hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature}


def signed_event(n: int, kind: str, text: str) -> tuple[bytes, dict[str, str], str]:
    """A signed mention (in a channel) or DM with a number `n` unique in the run; and the
    key its answer will have at the fake Slack (the mention's ts, the DM's channel)."""
    ts = f"{1583140000 + n}.000100"
    if kind == "mention":
        event = {"type": "app_mention", "user": "U00000001", "ts": ts, "event_ts": ts,
                 "text": f"<@{BOT_USER_ID}> {text}", "channel": "CPROG0001", "team": TEAM_ID}
        key = ts
    else:
        key = f"DBENCH{n:07d}"
        event = {"type": "message", "channel_type": "im", "user": "U00000001", "ts": ts,
                 "event_ts": ts, "text": text, "channel": key, "team": TEAM_ID}
    envelope = {"token": "unused", "team_id": TEAM_ID, "api_app_id": "A0REGIO", "event": event,
                # Unique across runs: the store keeps handled event ids for a day, and a
                # repeated one is acknowledged as Slack's retry and not answered.
                "type": "event_callback", "event_id": f"EvBENCH{RUN}{n:09d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
    body = json.dumps(envelope).encode()
    return body, signed(body, "application/json"), key


_numbers = itertools.count(1)
# Concurrent senders of the open loop: at a few ms an ack, 32 keep up with thousands a
# second.
SENDERS = 32
RUN = f"{int(time.time()):x}"


def open_loop(url: str, slack: RemoteSlack, *, rate: float, seconds: float, kind: str,
              texts: tuple[str, ...], seed: int, answer_wait: float) -> dict:
    """Requests at Poisson arrivals of `rate` a second for `seconds`, each sent when
    due whatever the earlier ones are doing (open loop); the acks, and the answers
    waited for up to `answer_wait` seconds after the last request."""
    rng = random.Random(seed)
    dues: list[float] = []
    at = rng.expovariate(rate)
    while at < seconds:
        dues.append(at)
        at += rng.expovariate(rate)
    # Signed up front, so that the client's own work during the run is only sending.
    requests = []
    for i, _due in enumerate(dues):
        n = next(_numbers)
        text = texts[i % len(texts)]
        if kind == "command":
            key = f"open-{n}"
            body, headers = signed_command(slack, key, text)
            requests.append((body, headers, f"/response/{key}"))
        else:
            requests.append(signed_event(n, kind, text))
    acks: list[float] = [math.inf] * len(dues)
    busy = [False] * len(dues)

    def run() -> tuple[float, float, int]:
        # Senders are threads on kept-alive http.client connections, not httpx's asyncio
        # client: at 200/s httpx took most of a core of its own (py-spy), and with the
        # answer workers busy on the other one, requests waited in the client, not in
        # the server — which sat idle while the "acks" took a minute (2 December 2026).
        # A request waiting for a free sender counts as ack time: enough senders that
        # this happens only when the server is slow to ack.
        parts = urlsplit(url)
        start = time.perf_counter() + 0.2
        epoch = time.time() + 0.2
        order = iter(range(len(dues)))
        order_lock = threading.Lock()
        failed: list[int] = []  # the requests that got no 200, by index

        def connect() -> http.client.HTTPConnection:
            return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

        def sender() -> None:
            connection = connect()
            while True:
                with order_lock:
                    i = next(order, None)
                if i is None:
                    connection.close()
                    return
                due = start + dues[i]
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                body, headers, _key = requests[i]
                try:
                    connection.request("POST", "/slack/events", body=body, headers=headers)
                    response = connection.getresponse()
                    content = response.read()
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = connect()
                    failed.append(i)
                    continue
                acks[i] = time.perf_counter() - due
                busy[i] = b"te druk" in content
                if response.status != 200:
                    failed.append(i)

        threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return epoch, time.perf_counter() - start, len(failed)

    load_before = load_average()
    epoch, wall, errors = run()
    deadline = time.monotonic() + answer_wait
    keys = [key for _b, _h, key in requests]
    while True:
        answers = slack.all_answers()
        if all(key in answers for key, refused in zip(keys, busy, strict=True) if not refused) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # Told "te druk": in the ack (commands) or in the answer (mentions, DMs).
    refused = [b or answers.get(key, (0, False))[1] for key, b in zip(keys, busy, strict=True)]
    answered = [answers[key][0] - (epoch + due) if key in answers and not no else math.inf
                for key, due, no in zip(keys, dues, refused, strict=True)]
    return {"sent": len(dues), "wall": wall, "acks": acks, "answers": answered,
            "refused": sum(refused), "errors": errors,
            "load": f"{load_before} → {load_average()}"}


def _spread(values: list[float], ps: tuple[float, ...]) -> list[str]:
    out = []
    for p in ps:
        value = pct(values, p)
        out.append("   n.a." if math.isinf(value) else f"{value * 1000:7.0f}")
    return out


def _row(kind: str, name: str, rate: float, r: dict) -> str:
    unanswered = sum(1 for v in r["answers"] if math.isinf(v))
    ack = _spread(r["acks"], (50, 99, 100))
    answer = _spread(r["answers"], (50, 90, 99, 100))
    if name == ACK_ONLY:
        answer = ["      —"] * 4
        unanswered = 0
    slow = sum(1 for v in r["acks"] if v >= 3)
    return (f"{kind:<8} {name:<17} {rate:6.0f} {r['sent']:6d} {ack[0]} {ack[1]} {ack[2]} "
            f"{slow:5d} {r['errors']:4d} {r['refused']:7d} {unanswered:6d} "
            f"{answer[0]:>10} {answer[1]} {answer[2]} {answer[3]}  {r['load']}")


HEADER = (f"{'kind':<8} {'server':<17} {'rate/s':>6} {'sent':>6} {'ack p50':>7} "
          f"{'p99':>7} {'max':>7} {'≥3 s':>5} {'err':>4} {'te druk':>7} {'unansw':>6} "
          f"{'answer p50':>10} {'p90':>7} {'p99':>7} {'max':>7}  load (1 5 15 min)")


def run_open(args) -> None:
    rates = [float(r) for r in args.rates.split(",")]
    kinds = args.kind or ["command"]
    texts = tuple(args.text) or COMMANDS
    print(f"open loop: Poisson arrivals, {args.seconds:.0f} s per rate; store "
          f"{redact(args.database)}; texts: {', '.join(args.text) or f'a mix of {len(texts)}'}")
    print(f"load average at the start: {load_average()} (2 cores, shared)")
    results: list[tuple[str, str, float, dict]] = []
    with RemoteSlack() as slack:
        servers = {ACK_ONLY: bare_server(args.database, slack, answer="ack"),
                   FLOOR: bare_server(args.database, slack, answer="floor"),
                   WEB: web_server(args.database, slack)}
        try:
            for kind in kinds:
                for name, server in servers.items():  # warm-up, 200 requests each
                    open_loop(server.url, slack, rate=50, seconds=4, kind=kind, texts=texts,
                              seed=0, answer_wait=0 if name == ACK_ONLY else 30)
                for rate in rates:
                    for name in (args.server or servers):  # alternating, one rate at a time
                        result = open_loop(servers[name].url, slack, rate=rate,
                                           seconds=args.seconds, kind=kind, texts=texts,
                                           seed=int(rate),
                                           # the ack-only baseline answers nothing
                                           answer_wait=0 if name == ACK_ONLY
                                           else args.answer_wait)
                        results.append((kind, name, rate, result))
                        print("  " + _row(kind, name, rate, result), flush=True)
            rss = servers[WEB].peak_rss_mb()
        finally:
            for server in servers.values():
                server.stop()
    print("ms; 'answer' is from the request being due to its answer arriving; n.a.: "
          "that share of the requests got no answer (te druk, or none)")
    print(HEADER)
    for kind, name, rate, r in results:
        print(_row(kind, name, rate, r))
    print(f"regiobot web peak RSS {rss:.0f} MiB")
    for kind in kinds:
        mine = [(rate, r) for k, name, rate, r in results if k == kind and name == WEB]
        ok = [rate for rate, r in mine if pct(r["answers"], 99) <= 2.0]
        print(f"{kind}: highest rate answered with p99 ≤ 2 s: "
              f"{max(ok):.0f}/s" if ok else f"{kind}: no rate answered with p99 ≤ 2 s")
        for rate, r in mine:
            if rate == 50:
                p50, p99 = pct(r["answers"], 50), pct(r["answers"], 99)
                print(f"{kind} at 50/s: answer p50 {p50 * 1000:.0f} ms (target ≤ 150), "
                      f"p99 {p99 * 1000:.0f} ms (target ≤ 1000), te druk {r['refused']} "
                      "(target 0)")
        slow = sum(1 for _r, r in mine for v in r["acks"] if v >= 3)
        print(f"{kind}: acks ≥ 3 s at any rate: {slow} (target 0)")


def redact(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slack_http")
    parser.add_argument("mode", choices=("open", "compare", "load", "rss"))
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clock-seconds", type=float, default=60)
    parser.add_argument("--slack-in-process", dest="slack_process", action="store_false",
                        help="compare: run the fake Slack in this process (default: its own)")
    parser.add_argument("--text", action="append", default=[],
                        help="compare: the /regio text to send (repeatable; default a mix)")
    parser.add_argument("--rates", default="10,50,100,200",
                        help="open: requests a second, comma-separated")
    parser.add_argument("--kind", action="append", choices=("command", "mention", "dm"),
                        help="open: what to send (repeatable; default command)")
    parser.add_argument("--server", action="append", choices=(ACK_ONLY, FLOOR, WEB),
                        help="open: only these servers (repeatable; default all three)")
    parser.add_argument("--answer-wait", type=float, default=60,
                        help="open: seconds to wait for the last answers after a run")
    args = parser.parse_args(argv)
    {"open": run_open, "compare": run_compare, "load": run_load, "rss": run_rss}[args.mode](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
