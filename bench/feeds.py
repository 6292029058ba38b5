"""Calendar feeds at scale; prints a table of timings and ratios measured in one run.

    .venv/bin/python -m bench.feeds --database URL [--repeat 5]

On a store made by bench.scale_data (factor 100: a region feed of 20.000 milestones and
400 meetings) it measures, best of `--repeat`:

- loading the records (storage.feeds.feed_records + calendars.ics_export.feed_spec);
- `calendars.ics_export.build_feed` on those records (events written, sorted, folded,
  hashed) against `icalendar` serialising the same events pre-built (the feed parsed
  into icalendar components beforehand, then `Calendar.to_ical` alone) — target ≤ 0.3×;
- the feed endpoint through the real Starlette route in-process (httpx ASGITransport):
  a full GET (200) against a conditional GET with the ETag (304) from a fresh web
  process — a new engine and a new endpoint, as after a restart or on another web
  worker, nothing remembered in memory; its pool has made its one connection (as its
  first /healthz does), so connecting is not timed — target: the 304 at least 50×
  cheaper; and the 304 again from the same endpoint, for information.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import UTC, datetime

import httpx
from icalendar import Calendar
from starlette.applications import Starlette

from calendars.http import RateLimiter, feed_routes
from calendars.ics_export import PRODID, build_feed, feed_spec
from storage.db import make_engine, make_sessionmaker, transaction
from storage.feeds import create_feed_token, feed_records

NOW = datetime(2020, 3, 2, 8, 0, tzinfo=UTC)


def region_token(database: str) -> str:
    """A new region-scope feed token in the store (the token itself)."""
    engine = make_engine(database)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            return create_feed_token(session, scope="region", now=NOW)
    finally:
        engine.dispose()


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds")
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    engine = make_engine(args.database)
    factory = make_sessionmaker(engine)

    def load():
        with factory() as session:
            return feed_spec(feed_records(session, scope="region"))

    t_load, spec = best(load, args.repeat)
    t_ours, feed = best(lambda: build_feed(spec, now=NOW), args.repeat)

    # The same events as icalendar components, made outside the timing.
    events = Calendar.from_ical(feed.body).walk("VEVENT")

    def icalendar_alone() -> bytes:
        cal = Calendar()
        cal.add("PRODID", PRODID)
        cal.add("VERSION", "2.0")
        for event in events:
            cal.add_component(event)
        return cal.to_ical()

    t_ical, ical_body = best(icalendar_alone, args.repeat)

    token = region_token(args.database)
    url = f"/calendar/{token}.ics"

    def app_for(session_factory) -> Starlette:
        return Starlette(routes=feed_routes(None, session_factory,
                                            limiter=RateLimiter(limit=10**9), now=lambda: NOW))

    async def get(app: Starlette, headers: dict[str, str] | None = None) -> tuple[float, object]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            start = time.perf_counter()
            response = await client.get(url, headers=headers)
            return time.perf_counter() - start, response

    async def http_timings() -> tuple[float, float, float, int, int]:
        app = app_for(factory)
        full, fresh, same = [], [], []
        etag, status_full, status_cond = "", 0, 0
        for _ in range(args.repeat):
            seconds, response = await get(app)
            full.append(seconds)
            etag, status_full = response.headers.get("etag", ""), response.status_code
        for _ in range(args.repeat):
            engine_fresh = make_engine(args.database)
            with engine_fresh.connect():  # the pool's one connection, as /healthz makes it
                pass
            seconds, response = await get(app_for(make_sessionmaker(engine_fresh)),
                                          {"If-None-Match": etag})
            engine_fresh.dispose()
            fresh.append(seconds)
            status_cond = response.status_code
            seconds, response = await get(app, {"If-None-Match": etag})
            same.append(seconds)
        return min(full), min(fresh), min(same), status_full, status_cond

    t_full, t_304, t_304_same, status_full, status_304 = asyncio.run(http_timings())
    engine.dispose()

    ratio_build = t_ours / t_ical
    ratio_304 = t_full / t_304
    print(f"region feed: {feed.events} events, {len(feed.body) / 1e6:.1f} MB "
          f"(icalendar alone: {len(ical_body) / 1e6:.1f} MB); best of {args.repeat}")
    rows = [
        ("load records (store → FeedSpec)", t_load),
        ("calendars.ics_export.build_feed", t_ours),
        ("icalendar to_ical, events pre-built", t_ical),
        (f"GET feed, full (HTTP {status_full})", t_full),
        (f"GET feed, If-None-Match, fresh process (HTTP {status_304})", t_304),
        ("GET feed, If-None-Match, same process", t_304_same),
    ]
    for label, seconds in rows:
        print(f"{label:<44} {seconds * 1000:10.1f} ms")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} (2 cores, shared)")
    print(f"build_feed / icalendar alone: {ratio_build:.2f}× "
          f"(target ≤ 0.3×: {'met' if ratio_build <= 0.3 else 'MISSED'})")
    print(f"full GET / 304 GET from a fresh process: {ratio_304:.0f}× cheaper "
          f"(target ≥ 50×: {'met' if ratio_304 >= 50 else 'MISSED'}); "
          f"same process {t_full / t_304_same:.0f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
