"""The one ASGI app of the web process: Slack (HTTP mode), calendar feeds, /healthz.

Events, slash commands and interactivity all arrive at POST /slack/events, as
manifest.json declares. Before Bolt sees a request, `bot.slack_requests` reads at most
1 MiB of it (413 beyond, chunked or not), checks the signature and the timestamp
(5 minutes) on the raw bytes (401 for anything unsigned, forged or stale) and only then
parses it (400 for a signed body that is not what Slack sends) — so nothing a client
sends makes a 500, and nothing unsigned reaches a listener or the store. Bolt's App is
synchronous, so dispatch runs in a worker thread, keeping the event loop free for feeds
and health checks.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_starlette_response
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.slack_requests import (
    MAX_SLACK_BODY,
    Refusal,
    bolt_request,
    read_limited,
    signed_by_slack,
)
from calendars.http import feed_routes
from regiobot import clock
from regiobot.settings import Settings
from scheduler.health import scheduler_status

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"


def create_app(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    bolt_app: App | None = None,
    slack_http: bool | None = None,
) -> Starlette:
    """The web process's app.

    `slack_http` defaults to HTTP mode when a bot token is set and no app token (Socket
    Mode then takes Slack's requests instead); `bolt_app` defaults to `build_app`.
    """
    if slack_http is None:
        slack_http = bool(settings.slack_bot_token) and not settings.slack_app_token
    routes: list[BaseRoute] = [Route("/healthz", _healthz(factory), methods=["GET"])]
    if slack_http:
        if bolt_app is None:
            from bot.app import build_app

            bolt_app = build_app(settings, factory)
        routes.append(
            Route(SLACK_PATH, _slack_endpoint(bolt_app, settings), methods=["POST"])
        )
    routes.extend(feed_routes(settings, factory))
    return Starlette(routes=routes, lifespan=_lifespan)


@contextlib.asynccontextmanager
async def _lifespan(_app: Starlette) -> AsyncIterator[None]:
    yield
    # Stopping: answers being worked out finish, answers still waiting are dropped.
    from bot.answers import shutdown_answers

    await run_in_threadpool(shutdown_answers)


def _refused(refusal: Refusal) -> Response:
    # Said plainly and without echoing anything of the request. After a 413 the rest of
    # the body is still on its way: closing the connection stops the server from
    # reading (and discarding) it to keep the connection alive.
    headers = {"Connection": "close"} if refusal.status == 413 else None
    return Response(refusal.reason + "\n", status_code=refusal.status, media_type="text/plain",
                    headers=headers)


def _slack_endpoint(bolt_app: App, settings: Settings) -> Callable[[Request], Any]:
    secret = settings.slack_signing_secret or ""

    async def slack_events(request: Request) -> Response:
        body = await read_limited(request, MAX_SLACK_BODY)
        if isinstance(body, Refusal):
            if body.status == 413:
                log.warning("refused a Slack request of more than %s bytes", MAX_SLACK_BODY)
            return _refused(body)
        if not signed_by_slack(body, request.headers, secret=secret):
            log.warning("refused a Slack request without a valid signature")
            return _refused(Refusal(401, "invalid signature"))
        parsed = bolt_request(body, request.headers, request.query_params)
        if isinstance(parsed, Refusal):
            log.warning("refused a signed Slack request: %s", parsed.reason)
            return _refused(parsed)
        bolt_response = await run_in_threadpool(bolt_app.dispatch, parsed)
        return to_starlette_response(bolt_response)

    return slack_events


def health(factory: sessionmaker[Session]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, report): 503 when the store is unreachable; the scheduler's
    heartbeat is reported (not failed on), since restarting the web process would not
    revive a stale clock process."""
    report: dict[str, Any] = {"status": "ok", "database": "ok", "scheduler": "unknown"}
    with factory() as session:
        try:
            session.connection()  # opens (and on PostgreSQL pings) a connection
        except Exception as error:
            log.exception("health check: the store is unreachable")
            report.update(status="error", database="error", error=type(error).__name__)
            return 503, report
        try:
            report["scheduler"] = scheduler_status(session, now=clock.utcnow())
        except Exception:
            log.exception("health check: the scheduler status failed")
            report["scheduler"] = "error"
    return 200, report


def _healthz(factory: sessionmaker[Session]) -> Callable[[Request], Any]:
    async def healthz(_request: Request) -> Response:
        status, report = await run_in_threadpool(health, factory)
        return Response(
            json.dumps(report, default=_plain),
            status_code=status,
            media_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    return healthz


def _plain(value: Any) -> Any:
    """JSON for what a scheduler status may hold: datetimes, dataclasses, enums."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    if hasattr(value, "_asdict"):
        return value._asdict()
    return str(value)
