"""GET /calendar/<token>.ics through HTTP: docs/architecture.md §8.9 and §8.10, tokens (404 with no
hint, revocation at once, never logged) and the rate limit."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import uvicorn
from sqlalchemy import event, select
from starlette.applications import Starlette

from calendars.http import (
    NOT_FOUND_BODY,
    PATH_LOGGERS,
    RateLimiter,
    feed_routes,
    redact_tokens_filter,
)
from calendars.tokens import new_token
from regiobot.settings import Settings
from storage.feeds import create_feed_token, revoke_feed_tokens
from storage.models import FeedToken, Milestone
from tests.calendars.conftest import NOW

ISSUED = datetime(2026, 11, 1, tzinfo=UTC)


def issue(store, scope: str = "region", owner: str = "UANNE01", **kwargs) -> str:
    with store.session() as session, session.begin():
        return create_feed_token(session, scope=scope, now=ISSUED, owner_slack_id=owner, **kwargs)


def app_for(store, *, limiter: RateLimiter | None = None) -> Starlette:
    settings = Settings(database_url=store.url, public_base_url="https://regiobot.example")
    return Starlette(routes=feed_routes(settings, store.factory, limiter=limiter, now=lambda: NOW))


class Client:
    """httpx against the Starlette app in-process (ASGITransport), used synchronously."""

    def __init__(self, app: Starlette):
        self.app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.get(path, headers=headers)

        return asyncio.run(fetch())


@pytest.fixture
def client(region):
    return Client(app_for(region))


def test_it_serves_the_feed_then_answers_304_to_its_etag(region, client):
    token = issue(region)
    first = client.get(f"/calendar/{token}.ics")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-disposition" not in first.headers
    assert first.content.startswith(b"BEGIN:VCALENDAR\r\n")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["last-modified"] == "Wed, 15 Jan 2020 08:00:00 GMT"
    assert "private" in first.headers["cache-control"]

    again = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # Another client's ETag list, weak or strong, still matches.
    listed = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": f'"x", W/{etag}'})
    assert listed.status_code == 304
    other = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.content == first.content


def test_it_answers_304_to_if_modified_since(region, client):
    token = issue(region)
    last = client.get(f"/calendar/{token}.ics").headers["last-modified"]
    assert client.get(
        f"/calendar/{token}.ics", headers={"If-Modified-Since": last}
    ).status_code == 304
    earlier = format_datetime(datetime(2020, 1, 15, 7, 59, tzinfo=UTC), usegmt=True)
    assert client.get(
        f"/calendar/{token}.ics", headers={"If-Modified-Since": earlier}
    ).status_code == 200
    assert client.get(
        f"/calendar/{token}.ics", headers={"If-Modified-Since": "not a date"}
    ).status_code == 200


def test_it_serves_a_new_etag_after_a_change(region, client):
    token = issue(region)
    etag = client.get(f"/calendar/{token}.ics").headers["etag"]
    with region.session() as session, session.begin():
        milestone = session.scalar(select(Milestone).where(Milestone.key == "inkoop"))
        milestone.status = "done"
        milestone.sequence += 1
        milestone.updated_at = datetime(2020, 11, 2, tzinfo=UTC)
    changed = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.headers["last-modified"] == "Mon, 02 Nov 2020 00:00:00 GMT"
    assert "SEQUENCE:1" in changed.text


@pytest.mark.parametrize("scope", ["region", "programme", "person", "meetings"])
def test_it_answers_304_from_a_fresh_web_process_without_loading_the_feed(region, client, scope):
    """A subscribed client polls every hour, and after a restart or on another web
    worker too: answering it must not load the feed."""
    token = issue(region, scope, **_subject(region, scope))
    first = client.get(f"/calendar/{token}.ics")
    etag, last_modified = first.headers["etag"], first.headers.get("last-modified")
    fresh = Client(app_for(region))  # a new endpoint: nothing remembered in memory
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(region.engine, "before_cursor_execute", count)
    try:
        again = fresh.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
        if last_modified:
            since = fresh.get(f"/calendar/{token}.ics",
                              headers={"If-Modified-Since": last_modified})
            assert since.status_code == 304
    finally:
        event.remove(region.engine, "before_cursor_execute", count)
    assert again.status_code == 304 and again.headers["etag"] == etag
    per_request = len(statements) // (2 if last_modified else 1)
    assert per_request == 3, statements
    assert not any("FROM milestone" in s or "FROM meeting" in s for s in statements)


def _subject(store, scope: str) -> dict[str, int]:
    from storage.models import Person, Programme

    with store.session() as session:
        if scope == "programme":
            return {"programme_id": session.scalar(
                select(Programme.id).where(Programme.slug == "jeugd-ggz"))}
        if scope == "person":
            return {"person_id": session.scalar(
                select(Person.id).where(Person.name == "Bram de Boer"))}
    return {}


def _feeds(store) -> dict[str, str]:
    """A token for each kind of feed of the test region."""
    from storage.models import Person, Programme

    with store.session() as session:
        programmes = dict(session.execute(select(Programme.slug, Programme.id)).all())
        people = dict(session.execute(select(Person.name, Person.id)).all())
    return {
        "region": issue(store),
        "jeugd-ggz": issue(store, "programme", programme_id=programmes["jeugd-ggz"]),
        "gewoon-thuis": issue(store, "programme", programme_id=programmes["gewoon-thuis"]),
        "anne": issue(store, "person", person_id=people["Anne Jansen"]),
        "bram": issue(store, "person", person_id=people["Bram de Boer"]),
        "chantal": issue(store, "person", person_id=people["Chantal Öztürk"]),
        "bosd": issue(store, "meetings"),
    }


def _rebuilt_after(store, client, change) -> set[str]:
    """The feeds a fresh web process loads and builds again (rather than answer 304
    from the stored validators) for a client holding each feed's ETag, after `change`."""
    tokens = _feeds(store)
    etags = {name: client.get(f"/calendar/{t}.ics").headers["etag"] for name, t in tokens.items()}
    with store.session() as session, session.begin():
        change(session)
    fresh = Client(app_for(store))
    rebuilt = set()
    for name, token in tokens.items():
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, seen=statements):
            seen.append(statement)

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            response = fresh.get(f"/calendar/{token}.ics", headers={"If-None-Match": etags[name]})
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        assert response.status_code in (200, 304)
        if any("FROM milestone" in s or "FROM meeting" in s for s in statements):
            rebuilt.add(name)
        else:
            assert response.status_code == 304
    return rebuilt


def _milestone(session, key: str) -> Milestone:
    return session.scalar(select(Milestone).where(Milestone.key == key))


def test_it_rebuilds_only_the_feeds_a_milestone_change_touches(region, client):
    def done(session):
        milestone = _milestone(session, "inkoop")  # jeugd-ggz, no owner
        milestone.status, milestone.sequence = "done", milestone.sequence + 1

    assert _rebuilt_after(region, client, done) == {"region", "jeugd-ggz"}


def test_it_rebuilds_the_managers_feed_for_an_unowned_milestone_of_their_programme(region, client):
    def moved(session):
        _milestone(session, "wervingsactie-pleegzorg").due_date = date(2020, 7, 31)

    assert _rebuilt_after(region, client, moved) == {"region", "gewoon-thuis", "anne"}


def test_it_rebuilds_the_feeds_of_the_old_and_the_new_owner(region, client):
    from storage.models import Person

    def handed_over(session):
        chantal = session.scalar(select(Person).where(Person.name == "Chantal Öztürk"))
        _milestone(session, "experimenten-pleegzorg").owner_id = chantal.id

    # Anne manages the programme: her feed follows all its milestones (it shows the
    # unowned ones), so it is built again too, and answers the same bytes.
    assert _rebuilt_after(region, client, handed_over) == {
        "region", "gewoon-thuis", "bram", "chantal", "anne"}


def test_it_rebuilds_only_the_meetings_and_region_feeds_for_an_agenda_change(region, client):
    from storage.models import AgendaItem

    def retitled(session):
        item = session.scalar(select(AgendaItem).order_by(AgendaItem.id).limit(1))
        item.title = "Opening, mededelingen en vaststellen agenda"

    assert _rebuilt_after(region, client, retitled) == {"region", "bosd"}


def test_it_rebuilds_every_feed_after_a_person_is_renamed(region, client):
    from storage.models import Person

    def renamed(session):
        session.scalar(select(Person).where(Person.name == "Bram de Boer")).name = "Bram Boer"

    assert _rebuilt_after(region, client, renamed) == {
        "region", "jeugd-ggz", "gewoon-thuis", "anne", "bram", "chantal", "bosd"}


def test_it_serves_a_renamed_programme_to_a_client_holding_the_old_etag(region, client):
    """Programmes have no change stamp of their own; the store revision still sees it."""
    from storage.models import Programme

    token = issue(region)
    etag = client.get(f"/calendar/{token}.ics").headers["etag"]
    with region.session() as session, session.begin():
        programme = session.scalar(select(Programme).where(Programme.slug == "jeugd-ggz"))
        programme.name = "Jeugdhulp en GGZ, vernieuwd"
    changed = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "vernieuwd" in changed.text


def test_it_builds_again_when_a_cancelled_milestone_leaves_the_feed(region):
    from calendars.ics_export import CANCELLED_RETENTION

    cancelled_at = datetime(2020, 11, 2, tzinfo=UTC)
    with region.session() as session, session.begin():
        milestone = session.scalar(select(Milestone).where(Milestone.key == "inkoop"))
        milestone.status = "cancelled"
        milestone.sequence += 1
        milestone.updated_at = cancelled_at
    moment = [cancelled_at + timedelta(days=1)]
    settings = Settings(database_url=region.url, public_base_url="https://regiobot.example")
    client = Client(
        Starlette(routes=feed_routes(settings, region.factory, now=lambda: moment[0]))
    )
    token = issue(region)
    first = client.get(f"/calendar/{token}.ics")
    assert "STATUS:CANCELLED" in first.text
    etag = first.headers["etag"]
    moment[0] = cancelled_at + CANCELLED_RETENTION - timedelta(seconds=1)
    assert client.get(
        f"/calendar/{token}.ics", headers={"If-None-Match": etag}
    ).status_code == 304
    moment[0] = cancelled_at + CANCELLED_RETENTION + timedelta(seconds=1)
    gone = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert gone.status_code == 200
    assert "STATUS:CANCELLED" not in gone.text and gone.headers["etag"] != etag


def test_it_answers_404_at_once_for_a_revoked_token(region, client):
    token = issue(region)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    with region.session() as session, session.begin():
        assert revoke_feed_tokens(session, owner_slack_id="UANNE01", now=NOW) == 1
    revoked = client.get(f"/calendar/{token}.ics")
    assert revoked.status_code == 404
    unknown = client.get(f"/calendar/{new_token()}.ics")
    malformed = client.get("/calendar/short.ics")
    for response in (revoked, unknown, malformed):
        assert response.status_code == 404
        assert response.text == NOT_FOUND_BODY
        assert response.headers["content-type"] == revoked.headers["content-type"]
        assert "calendar" not in response.headers["content-type"]


def test_it_stores_only_the_hash_of_a_token(region):
    token = issue(region)
    with region.session() as session:
        (row,) = session.scalars(select(FeedToken)).all()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert len(token) == 43  # 32 random bytes


def test_it_serves_only_the_feed_the_token_is_for(region, client):
    from storage.models import Programme

    with region.session() as session:
        programme_id = session.scalar(select(Programme.id).where(Programme.slug == "jeugd-ggz"))
    token = issue(region, "programme", programme_id=programme_id)
    body = client.get(f"/calendar/{token}.ics").text
    assert "Inkoop" in body and "Wervingsactie" not in body
    assert "Bestuurlijk Overleg" not in body and "VTIMEZONE" not in body


def test_it_limits_requests_per_token(region):
    clock = [1000.0]
    limiter = RateLimiter(limit=3, period=60, monotonic=lambda: clock[0])
    token, other = issue(region), issue(region)
    client = Client(app_for(region, limiter=limiter))
    for _ in range(3):
        assert client.get(f"/calendar/{token}.ics").status_code == 200
    limited = client.get(f"/calendar/{token}.ics")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "60"
    assert client.get(f"/calendar/{other}.ics").status_code == 200
    clock[0] += 61
    assert client.get(f"/calendar/{token}.ics").status_code == 200


def test_it_keeps_its_memory_bounded_under_random_tokens():
    clock = [0.0]
    limiter = RateLimiter(limit=2, period=10, monotonic=lambda: clock[0], max_keys=50)
    for n in range(500):
        clock[0] += 1
        assert limiter.hit(f"key{n}") is None
    assert len(limiter._hits) <= 51


def test_it_keeps_the_token_out_of_the_logs(region, client, caplog):
    caplog.set_level(logging.DEBUG)
    token = issue(region)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    assert client.get(f"/calendar/{new_token()}x.ics").status_code == 404
    text = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "/calendar/" in text, "httpx logs the request URL, redacted"
    assert token not in text
    for name in PATH_LOGGERS:
        assert redact_tokens_filter in logging.getLogger(name).filters


@pytest.fixture
def uvicorn_server(region):
    """The real web app (bot.asgi) behind a real uvicorn on a loopback port."""
    from bot.asgi import create_app

    settings = Settings(database_url=region.url, slack_bot_token=None)
    app = create_app(settings, region.factory, slack_http=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # uvicorn's own logging configuration, with its access log on stdout.
    config = uvicorn.Config(app, log_level="info", access_log=True, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_it_serves_feeds_through_a_real_server_without_logging_tokens(
    region, uvicorn_server, capfd, caplog
):
    caplog.set_level(logging.DEBUG)
    token = issue(region)
    with httpx.Client(base_url=uvicorn_server, timeout=10) as http:
        first = http.get(f"/calendar/{token}.ics")
        assert first.status_code == 200
        assert first.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "content-disposition" not in first.headers
        assert http.get(
            f"/calendar/{token}.ics", headers={"If-None-Match": first.headers["etag"]}
        ).status_code == 304
        with region.session() as session, session.begin():
            revoke_feed_tokens(session, owner_slack_id="UANNE01", now=NOW + timedelta(1))
        assert http.get(f"/calendar/{token}.ics").status_code == 404
        assert http.get("/healthz").status_code == 200
    time.sleep(0.2)  # let the access log lines reach the stream
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    assert "/calendar/<token>.ics" in logged, logged
    assert token not in logged


NEAR_MISSES = ["//calendar//{t}.ics", "/calendar//{t}.ics", "/Calendar/{t}.ics",
               "/CALENDAR/{t}.ics", "/calendar/{t}.ics/", "/kalender/{t}.ics", "/{t}.ics",
               "/calendar/x/{t}.ics", "/%63alendar/{t}.ics", "/calendar%2F{t}.ics"]


def test_it_keeps_a_valid_token_out_of_the_access_log_for_near_miss_paths(
    region, uvicorn_server, capfd, caplog
):
    caplog.set_level(logging.DEBUG)
    token = issue(region)
    with httpx.Client(base_url=uvicorn_server, timeout=10) as http:
        for path in NEAR_MISSES:
            assert http.get(path.format(t=token)).status_code in (200, 307, 404), path
    time.sleep(0.2)  # let the access log lines reach the stream
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    assert logged.count("<token>") >= len(NEAR_MISSES), logged
    assert token not in logged


def test_it_redacts_tokens_logged_by_any_logger_also_url_encoded(caplog):
    import json
    from urllib.parse import quote

    from calendars.http import install_log_redaction, redact

    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    token = new_token()
    webcal = f"webcal://regiobot.example/calendar/{token}.ics"
    reply = {"text": f"<https://regiobot.example/calendar/{token}.ics|link> "
             f"<https://calendar.google.com/calendar/r?cid={quote(webcal, safe='')}|Google>"}
    # slack_sdk formats request bodies into the message itself, in child loggers.
    logging.getLogger("slack_sdk.webhook.client").debug(f"Sending a request - {json.dumps(reply)}")
    logging.getLogger("some.other").info("url %s", f"https://x/calendar/{token}")
    assert caplog.records and token not in caplog.text
    assert "/calendar/<token>.ics" in caplog.text and "%2Fcalendar%2F<token>.ics" in caplog.text
    assert redact("GET /calendar/abc.ics?x=1") == "GET /calendar/<token>.ics?x=1"
    assert redact("no calendar here") == "no calendar here"


def test_it_answers_head_like_get_without_a_body(region):
    token = issue(region)

    async def head() -> httpx.Response:
        transport = httpx.ASGITransport(app=app_for(region))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.head(f"/calendar/{token}.ics")

    response = asyncio.run(head())
    assert response.status_code == 200
    assert response.headers["etag"].startswith('"')
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
