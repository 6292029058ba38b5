"""`GET /calendar/<token>.ics`: the feed endpoint of the web process (docs/architecture.md §8).

- 200 with `text/calendar; charset=utf-8` and no Content-Disposition (a download
  header makes some clients save the file instead of subscribing);
- a strong ETag (the feed is byte-identical for identical data) and Last-Modified;
  `If-None-Match` and `If-Modified-Since` answer 304;
- an unknown, malformed or revoked token gets the same 404 with a body that gives no
  hint which it was;
- a per-token rate limit (429 with Retry-After) so a misconfigured client polling in a
  loop cannot load the store;
- the token is never logged: not here, and `RedactFeedTokens` removes it from the
  access log lines of uvicorn (which logs request paths) and httpx.

`bot/asgi.py` mounts these routes with `feed_routes(settings, factory)`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from calendars.ics_export import build_feed, feed_spec
from calendars.tokens import hash_token, looks_like_token
from regiobot import clock
from storage.feeds import (
    Validators,
    feed_content_for_token,
    feed_key,
    feed_scope_revision,
    find_feed_token,
    remember_validators,
    remembered_validators,
)

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Private: the URL is personal. Short: clients revalidate cheaply with the ETag.
CACHE_CONTROL = "private, max-age=300"
NOT_FOUND_BODY = "Not found\n"
RATE_LIMIT = 60
RATE_PERIOD = 60.0

# --- Keeping tokens out of logs ------------------------------------------------------

# "/calendar/<token>" as in a path, and "%2Fcalendar%2F<token>" as in the URL-encoded
# webcal URL inside a Google Calendar link (which Slack's SDK logs at DEBUG) — in any
# case and with any number of slashes, as near-miss paths (`//calendar//<token>.ics`,
# `/CALENDAR/<token>.ics`) are answered 404 but still logged.
_SEPARATOR = r"(?:/|%2[Ff])+"
_TOKEN_IN_PATH = re.compile(
    rf"({_SEPARATOR})(calendar)({_SEPARATOR})[^/\s\"'?#&%<>|]+", re.IGNORECASE
)
# A run of exactly a token's 43 URL-safe characters anywhere: what a path that does
# not even look like a feed path may still carry. Applied to the access log lines.
_TOKEN_SHAPED = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
_HINTS = ("calendar/", "%2f")


def _redacted(match: re.Match[str]) -> str:
    suffix = ".ics" if match.group(0).lower().endswith(".ics") else ""
    return f"{match.group(1)}{match.group(2)}{match.group(3)}<token>{suffix}"


def redact(text: str, *, token_shaped: bool = False) -> str:
    """`/calendar/<anything>[.ics]` (also URL-encoded, in any case) with the token part
    replaced; with `token_shaped`, also every run of 43 token characters."""
    text = _TOKEN_IN_PATH.sub(_redacted, text)
    return _TOKEN_SHAPED.sub("<token>", text) if token_shaped else text


def _may_hold_token(text: str) -> bool:
    lowered = text.lower()
    return "calendar" in lowered and any(hint in lowered for hint in _HINTS)


def _redact_arg(value: object, token_shaped: bool) -> object:
    # httpx passes its URL object, which formats to the full URL.
    if type(value).__name__ == "URL":
        value = str(value)
    if not isinstance(value, str):
        return value
    if token_shaped or _may_hold_token(value):
        return redact(value, token_shaped=token_shaped)
    return value


def redact_record(record: logging.LogRecord, *, token_shaped: bool = False) -> logging.LogRecord:
    if isinstance(record.msg, str) and (token_shaped or _may_hold_token(record.msg)):
        record.msg = redact(record.msg, token_shaped=token_shaped)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(a, token_shaped) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact_arg(v, token_shaped) for k, v in record.args.items()}
    return record


class RedactFeedTokens(logging.Filter):
    """A logging filter that rewrites records so a feed token never reaches a log:
    uvicorn's access logger passes the path as an argument, httpx the URL it requests;
    the message and its arguments are both redacted — on these loggers, which log
    request paths, also every token-shaped run of characters, whatever the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, token_shaped=True)
        return True


redact_tokens_filter = RedactFeedTokens()

# Loggers that write request paths or URLs.
PATH_LOGGERS = ("uvicorn.access", "uvicorn.error", "httpx", "httpcore")


def install_log_redaction(loggers: Iterable[str] = PATH_LOGGERS) -> None:
    """Keep feed tokens out of every log of this process (idempotent).

    Two layers: the filter on the loggers known to log paths — a logger's filters
    survive uvicorn's `dictConfig`, which replaces handlers only — and a log record
    factory that redacts every record of every logger when it is made. The factory
    covers what logger filters cannot: records of child loggers (slack_sdk.* logs
    request bodies, holding the URLs of a `/regio kalender` answer, at DEBUG).
    """
    for name in loggers:
        logger = logging.getLogger(name)
        if redact_tokens_filter not in logger.filters:
            logger.addFilter(redact_tokens_filter)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_feed_tokens", False):

        def redacting_factory(*args, **kwargs) -> logging.LogRecord:
            return redact_record(factory(*args, **kwargs))

        redacting_factory.redacts_feed_tokens = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(redacting_factory)


# --- Rate limit -----------------------------------------------------------------------


class RateLimiter:
    """A sliding window of at most `limit` hits per `period` seconds per key, in memory.

    One web process serves the feeds, so memory is enough; keys are token hashes, and
    the table is pruned so that requests with random tokens cannot grow it forever.
    """

    def __init__(
        self,
        limit: int = RATE_LIMIT,
        period: float = RATE_PERIOD,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ):
        self.limit = limit
        self.period = period
        self.monotonic = monotonic
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count a request; None when allowed, else the seconds to wait."""
        now = self.monotonic()
        with self._lock:
            if len(self._hits) > self.max_keys:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.period:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.period - now))
            hits.append(now)
            return None

    def _prune(self, now: float) -> None:
        stale = [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.period]
        for key in stale:
            del self._hits[key]
        if len(self._hits) > self.max_keys:
            # Under a flood of distinct keys: forget everything rather than grow.
            self._hits.clear()


# --- The endpoint ---------------------------------------------------------------------


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2)."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == wanted for part in header.split(","))


def _not_modified_since(header: str, last_modified: datetime | None) -> bool:
    if last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


def not_found() -> Response:
    return PlainTextResponse(NOT_FOUND_BODY, status_code=404, headers={"Cache-Control": "no-store"})


class FeedEndpoint:
    """The feed handler; a plain callable so Starlette runs it in its thread pool
    (the store is used synchronously).

    Building a big feed costs far more than answering 304, so the validators (ETag,
    Last-Modified, expiry) of each built feed are kept in the store with the revision
    of the feed's scopes it was built under (`storage.feeds.feed_scope_revision`:
    markers triggers change on every write that touches that feed). A conditional
    request while the revision holds is answered 304 from three small queries — the
    token, the revision, the validators — without loading the records, in whichever
    web process, and after a restart. Stored validators also stop holding when one of
    the feed's cancelled items reaches the end of its retention. Feed bodies are never
    kept.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        limiter: RateLimiter | None = None,
        now: Callable[[], datetime] = clock.utcnow,
    ):
        self.factory = factory
        self.limiter = limiter or RateLimiter()
        self.now = now

    def __call__(self, request: Request) -> Response:
        token = request.path_params.get("token", "")
        wait = self.limiter.hit(hash_token(token))
        if wait is not None:
            return PlainTextResponse(
                "Too many requests\n", status_code=429, headers={"Retry-After": str(wait)}
            )
        if not looks_like_token(token):
            return not_found()
        now = self.now()
        if_none_match = request.headers.get("if-none-match")
        if_modified_since = request.headers.get("if-modified-since")
        with self.factory() as session:
            row = find_feed_token(session, token=token)
            if row is None:
                return not_found()
            feed_name = feed_key(row)
            # Before the records: they are then never older than the revision says.
            revision = feed_scope_revision(session, token=row)
            known = None if revision is None else remembered_validators(
                session, feed=feed_name, revision=revision, now=now)
            if known is not None:
                response = _not_modified(
                    known.etag, known.last_modified, if_none_match, if_modified_since
                )
                if response is not None:
                    return response
            content = feed_content_for_token(session, token=row)
            if content is None:
                return not_found()
            spec = feed_spec(content)
            session.rollback()  # no transaction held open while the feed is built
            feed = build_feed(spec, now=now)
            built = Validators(etag=feed.etag, last_modified=feed.last_modified,
                               expires=feed.expires)
            if revision is not None and built != known:
                self._remember(session, feed_name, revision, built)
        response = _not_modified(feed.etag, feed.last_modified, if_none_match, if_modified_since)
        if response is not None:
            return response
        headers = _validator_headers(feed.etag, feed.last_modified)
        headers["X-Robots-Tag"] = "noindex"
        headers["Referrer-Policy"] = "no-referrer"
        return Response(feed.body, status_code=200, headers=headers, media_type=CONTENT_TYPE)

    @staticmethod
    def _remember(session: Session, feed: str, revision: str, validators: Validators) -> None:
        # A feed served without its validators stored is only rebuilt next time: a
        # store refusing the write (locked, read-only) must not fail the request.
        try:
            remember_validators(session, feed=feed, revision=revision, validators=validators)
            session.commit()
        except Exception:
            session.rollback()
            log.warning("could not store a feed's validators", exc_info=True)


def _validator_headers(etag: str, last_modified: datetime | None) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified is not None:
        headers["Last-Modified"] = _http_date(last_modified)
    return headers


def _not_modified(
    etag: str,
    last_modified: datetime | None,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> Response | None:
    """The 304 for these validators, or None when the request's conditions do not hold.
    If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 §13.2.2)."""
    if if_none_match is not None:
        if not _etag_matches(if_none_match, etag):
            return None
    elif if_modified_since is None or not _not_modified_since(if_modified_since, last_modified):
        return None
    return Response(status_code=304, headers=_validator_headers(etag, last_modified))


def feed_routes(
    settings: object,
    factory: sessionmaker[Session],
    *,
    limiter: RateLimiter | None = None,
    now: Callable[[], datetime] | None = None,
) -> list[Route]:
    """The feed routes for the web app. Also installs the log redaction, so mounting
    the feed is never possible without it."""
    del settings  # nothing configurable yet; kept for the app's uniform call
    install_log_redaction()
    endpoint = FeedEndpoint(factory, limiter=limiter, now=now or clock.utcnow)
    # The bound method, not the instance: Starlette treats a callable object as a raw
    # ASGI app, but wraps a function or method into request → response.
    return [
        Route(
            "/calendar/{token}.ics", endpoint.__call__, methods=["GET", "HEAD"],
            name="calendar_feed",
        )
    ]
