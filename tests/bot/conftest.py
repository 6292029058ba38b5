"""The Slack path end to end: the real Bolt app in the real ASGI app behind a real
uvicorn on loopback, requests signed as Slack signs them, and the Web API client
pointed at tests/fakeslack.py.

People: Alice owns the milestones of Gewoon thuis; Bob is a colleague without rights;
Carol is an admin (REGIOBOT_ADMINS).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from slack_bolt import App

from bot.app import build_app
from bot.asgi import create_app
from regiobot.settings import Settings
from storage.models import GoverningBody, Meeting, Milestone, Person, Programme, Region
from tests.fakeslack import BOT_USER_ID, TEAM_ID, FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
CHANNEL = "C0GEWOON"
DM = "D0ALICE"
TODAY = "2020-03-01"
CREATED = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    programme_id: int
    milestone_id: int
    second_milestone_id: int
    milestone_title: str


def seed(factory) -> Seed:
    """A small region: one programme, its owner, two open milestones and the next BOSD."""
    with factory() as session, session.begin():
        region = Region(slug="midden-holland", name="Midden-Holland", year=2020)
        alice = Person(name="Alice de Vries", slack_user_id=ALICE)
        bob = Person(name="Bob Jansen", slack_user_id=BOB)
        programme = Programme(
            region=region, slug="gewoon-thuis", name="Gewoon thuis", number=1, aliases=["GHNT"]
        )
        first = Milestone(
            programme=programme, key="gt-1", title="Plan van aanpak wijkteams vastgesteld",
            due_date=date(2020, 3, 31), period_label="K1", owner=alice,
            created_at=CREATED, updated_at=CREATED,
        )
        second = Milestone(
            programme=programme, key="gt-2", title="Evaluatie pilot respijtzorg",
            due_date=date(2020, 6, 30), period_label="K2", owner=alice, position=1,
            created_at=CREATED, updated_at=CREATED,
        )
        body = GoverningBody(
            region=region, slug="bosd", name="Bestuurlijk Overleg Sociaal Domein",
            abbreviation="BOSD",
        )
        meeting = Meeting(
            body=body, uid="bosd-2020-03-12", number=2, date=date(2020, 3, 12),
            start_time=clock_time(9, 0), location="Gouda", created_at=CREATED,
            updated_at=CREATED,
        )
        session.add_all([region, alice, bob, programme, first, second, body, meeting])
        session.flush()
        return Seed(programme.id, first.id, second.id, first.title)


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature: HMAC-SHA256 of "v0:{timestamp}:{body}" with the secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """Sends what Slack sends to /slack/events, in Slack's documented shapes."""

    def __init__(self, url: str, slack: FakeSlack) -> None:
        self.url = url
        self.slack = slack
        self.http = httpx.Client(timeout=10)
        self._n = 0

    def close(self) -> None:
        self.http.close()

    def _next(self) -> int:
        self._n += 1
        return self._n

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> httpx.Response:
        timestamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {"Content-Type": content_type}
        if signed:
            all_headers["X-Slack-Request-Timestamp"] = str(timestamp)
            all_headers["X-Slack-Signature"] = sign(body, timestamp, secret)
        all_headers.update(headers or {})
        return self.http.post(self.url + "/slack/events", content=body, headers=all_headers)

    def command(
        self, text: str, *, user_id: str = ALICE, channel_id: str = CHANNEL, **options: Any
    ) -> tuple[httpx.Response, str]:
        """A /regio slash command; returns the response and the command's response_url."""
        n = self._next()
        response_url = self.slack.response_url(f"cmd-{n}")
        form = {
            "token": "verification-token-unused",
            "team_id": TEAM_ID,
            "team_domain": "regio",
            "channel_id": channel_id,
            "channel_name": "gewoon-thuis",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/regio",
            "text": text,
            "api_app_id": "A0REGIO",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{n}.1.abc",
        }
        body = urlencode(form).encode()
        return self.post(body, "application/x-www-form-urlencoded", **options), response_url

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None,
        **options: Any,
    ) -> httpx.Response:
        """An Events API event_callback; `retry` adds Slack's retry headers."""
        envelope = {
            "token": "verification-token-unused",
            "team_id": TEAM_ID,
            "api_app_id": "A0REGIO",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._next():08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True,
                 "is_enterprise_install": False, "enterprise_id": None}
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
        }
        headers = dict(options.pop("headers", {}) or {})
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        body = json.dumps(envelope).encode()
        return self.post(body, "application/json", headers=headers, **options)

    def mention(self, text: str, *, user: str = ALICE, channel: str = CHANNEL,
                thread_ts: str | None = None, **options: Any) -> tuple[httpx.Response, str]:
        ts = f"1583056800.{self._next():06d}"
        event = {
            "type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
            "channel": channel, "event_ts": ts, "team": TEAM_ID,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **options), ts

    def direct_message(self, text: str, *, user: str = ALICE, channel: str = DM,
                       **extra: Any) -> tuple[httpx.Response, str]:
        ts = f"1583056900.{self._next():06d}"
        event = {
            "type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
            "event_ts": ts, "channel_type": "im", "team": TEAM_ID, **extra,
        }
        return self.event(event), ts

    def home_opened(self, user: str = ALICE, *, tab: str = "home") -> httpx.Response:
        return self.event({
            "type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab,
            "event_ts": f"1583057000.{self._next():06d}",
        })

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = ALICE,
        channel: str = CHANNEL,
        message_ts: str = "1583050000.000100",
        container: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        message_blocks: list[dict[str, Any]] | None = None,
        **options: Any,
    ) -> tuple[httpx.Response, str]:
        """A block_actions payload for a button on a message (or `container`)."""
        n = self._next()
        response_url = self.slack.response_url(f"act-{n}")
        container = container or {
            "type": "message", "message_ts": message_ts, "channel_id": channel,
            "is_ephemeral": False,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0REGIO",
            "token": "verification-token-unused",
            "container": container,
            "trigger_id": f"{n}.2.def",
            "team": {"id": TEAM_ID, "domain": "regio"},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [{
                "action_id": action_id, "block_id": f"milestone-{value}",
                "text": {"type": "plain_text", "text": "Gereed", "emoji": True},
                "value": value, "style": "primary", "type": "button",
                "action_ts": f"1583057100.{n:06d}",
            }],
        }
        if container["type"] == "message":
            payload["channel"] = {"id": channel, "name": "gewoon-thuis"}
            payload["message"] = {
                "type": "message", "ts": container["message_ts"], "bot_id": "BBOTREGIO",
                "text": "Herinnering", "blocks": message_blocks or [],
            }
            if metadata:
                payload["message"]["metadata"] = metadata
            payload["response_url"] = response_url
        else:
            payload["view"] = {"id": container.get("view_id", "V0HOME"), "type": "home",
                               "blocks": []}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **options), response_url


    def interaction(self, payload: dict[str, Any], **options: Any) -> httpx.Response:
        """Any interactivity payload, form-encoded as Slack sends it."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **options)

    def pick_date(self, block_id: str, selected_date: str, *, action_id: str,
                  user: str = ALICE, channel: str = CHANNEL,
                  message_ts: str = "1583050000.000100") -> httpx.Response:
        """A block_actions payload for a datepicker on a message."""
        n = self._next()
        return self.interaction({
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0REGIO", "token": "verification-token-unused",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False},
            "trigger_id": f"{n}.3.ghi", "team": {"id": TEAM_ID, "domain": "regio"},
            "channel": {"id": channel, "name": "gewoon-thuis"},
            "message": {"type": "message", "ts": message_ts, "text": "Herinnering",
                        "blocks": []},
            "response_url": self.slack.response_url(f"date-{n}"),
            "actions": [{"type": "datepicker", "action_id": action_id, "block_id": block_id,
                         "selected_date": selected_date, "initial_date": None,
                         "action_ts": f"1583057200.{n:06d}"}],
        })

    def _view_payload(self, kind: str, view: dict[str, Any], values: dict[str, Any],
                      user: str) -> dict[str, Any]:
        n = self._next()
        state = {block: {"value": answer} for block, answer in values.items()}
        return {
            "type": kind,
            "team": {"id": TEAM_ID, "domain": "regio"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0REGIO", "token": "verification-token-unused",
            "trigger_id": f"{n}.4.jkl",
            "view": {**view, "id": f"V{n:08d}", "team_id": TEAM_ID, "app_id": "A0REGIO",
                     "bot_id": "BBOTREGIO", "state": {"values": state},
                     "hash": f"{n}.abc"},
            "response_urls": [],
            "is_enterprise_install": False,
        }

    def submit_view(self, view: dict[str, Any], values: dict[str, Any], *,
                    user: str = ALICE) -> httpx.Response:
        """A view_submission of `view` (as opened with views.open) with `values`:
        {block_id: the element's state, e.g. {"type": "datepicker", "selected_date": …}}."""
        return self.interaction(self._view_payload("view_submission", view, values, user))

    def close_view(self, view: dict[str, Any], *, user: str = ALICE) -> httpx.Response:
        payload = self._view_payload("view_closed", view, {}, user)
        payload["is_cleared"] = False
        return self.interaction(payload)


@dataclass
class Web:
    url: str
    sender: SlackSender
    slack: FakeSlack
    bolt: App
    factory: Any
    seed: Seed

    def settle(self, timeout: float = 10) -> None:
        """Wait until every lazy listener started so far has finished (ends the test's
        use of the app: its executor is shut down)."""
        executor = self.bolt.listener_runner.listener_executor
        done = threading.Event()
        threading.Thread(target=lambda: (executor.shutdown(wait=True), done.set()),
                         daemon=True).start()
        assert done.wait(timeout), "lazy listeners did not finish"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def make_settings(slack: FakeSlack, store_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": store_url,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_app_token": None,
        "slack_api_base_url": slack.api_url,
        "regiobot_admins": [CAROL],
        "regiobot_lang": "nl",
        # Answers in this process's threads, so tests can replace a handler in-process;
        # tests/bot/test_answer_workers.py covers the worker processes.
        "answer_processes": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class Uvicorn:
    """uvicorn in a thread on a socket bound to a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> Uvicorn:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def serve():
    """Start an ASGI app on loopback: `url = serve(app)`; stopped at teardown."""
    servers: list[Uvicorn] = []

    def start(app: Any) -> str:
        server = Uvicorn(app).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def web(store, fake_slack, serve, monkeypatch) -> Iterator[Web]:
    monkeypatch.setenv("REGIOBOT_TODAY", TODAY)
    data = seed(store.factory)
    settings = make_settings(fake_slack, store.url)
    bolt = build_app(settings, store.factory)
    url = serve(create_app(settings, store.factory, bolt_app=bolt))
    sender = SlackSender(url, fake_slack)
    web = Web(url=url, sender=sender, slack=fake_slack, bolt=bolt, factory=store.factory, seed=data)
    yield web
    sender.close()
    web.settle()


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """All text in Block Kit blocks, for asserting on what a person would read."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)
