"""`/regio` through the real signed HTTP path, on loopback; prints tables.

    # (d) ratio against a bare Bolt app on the same stack, 20 concurrent clients
    .venv/bin/python -m bench.slack_http compare --database URL [--requests 2000]
    # (3) load: signed slash commands from 20 clients for 60 s
    .venv/bin/python -m bench.slack_http load --database URL [--seconds 60]
    # (e) peak RSS of the web process (after a load) and of a clock process
    .venv/bin/python -m bench.slack_http rss --database URL

`regiobot web` runs as a child process (uvicorn, Starlette, Bolt with the signature
check), its Web API client pointed at tests/fakeslack.py; the baselines are
bench/bare_bolt.py behind the same uvicorn and Starlette adapter: a Bolt app answering
a constant the way regiobot answers (ack, then a post to the response_url: the
like-for-like baseline the target is read against), and one putting the constant in
the ack (no answer delivered at all; shown for information). Latency is the HTTP
round trip of the signed request: Slack's ack.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from tests.fakeslack import TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret-0123456789ab"
TOKEN = "xoxb-test-bench-token"
TODAY = "2020-03-02"
ACK_ONLY = "bare Bolt, constant in the ack"
LIKE_FOR_LIKE = "bare Bolt, constant responded"
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

    def answers(self) -> dict[str, float]:
        """{response_url path: epoch seconds} of every answer received so far."""
        self.process.stdin.write("answers\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

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
            (LIKE_FOR_LIKE, lambda d, s: bare_server(d, s, answer="respond")),
            ("regiobot web", web_server),
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
            finally:
                server.stop()
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
    real = results["regiobot web"][0]
    for baseline in (LIKE_FOR_LIKE, ACK_ONLY):
        bare = results[baseline][0]
        for p in (50, 99):
            ratio = pct(real, p) / pct(bare, p)
            verdict = f"target ≤ 1.5×: {'met' if ratio <= 1.5 else 'MISSED'}"
            if baseline == ACK_ONLY:
                verdict = "for information"
            print(f"ratio p{p} against {baseline}: {ratio:.2f}× ({verdict})")


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


def redact(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slack_http")
    parser.add_argument("mode", choices=("compare", "load", "rss"))
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clock-seconds", type=float, default=60)
    parser.add_argument("--slack-in-process", dest="slack_process", action="store_false",
                        help="compare: run the fake Slack in this process (default: its own)")
    parser.add_argument("--text", action="append", default=[],
                        help="compare: the /regio text to send (repeatable; default a mix)")
    args = parser.parse_args(argv)
    {"compare": run_compare, "load": run_load, "rss": run_rss}[args.mode](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
