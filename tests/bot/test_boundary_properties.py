"""The web process's HTTP boundary, by property: random methods, paths, headers (Slack's
among them, malformed too) and bodies (bytes, forms, JSON, mutated Slack payloads, huge,
chunked) against /slack/events, /calendar/… and /healthz of the real ASGI app.

- never a 5xx;
- never more of a body read than the limit (and the chunk that passed it);
- without a valid signature, nothing changes: not the store, not Slack.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import build_app
from bot.asgi import create_app
from bot.slack_requests import MAX_SLACK_BODY
from storage.feeds import create_feed_token
from storage.importers.yaml_store import dump_store
from storage.models import AuditEntry
from storage.slack_events import SlackEvent
from tests.bot.conftest import ALICE, CHANNEL, TEAM_ID, make_settings, seed, sign
from tests.bot.direct import call
from tests.conftest import NOW

CHUNK = 64 * 1024
SLACK = "/slack/events"


@pytest.fixture
def boundary(store, fake_slack, monkeypatch):
    monkeypatch.setenv("REGIOBOT_TODAY", "2020-03-01")
    data = seed(store.factory)
    with store.factory() as session, session.begin():
        token = create_feed_token(session, scope="region", now=NOW, owner_slack_id=ALICE)
    config = make_settings(fake_slack, store.url, public_base_url="https://regiobot.example")
    bolt = build_app(config, store.factory)
    app = create_app(config, store.factory, bolt_app=bolt)
    yield Boundary(app, store, fake_slack, token, data.milestone_id,
                   fake_slack.response_url("boundary"), bolt.listener_runner.listener_executor)
    bolt.listener_runner.listener_executor.shutdown(wait=True)


@dataclass
class Boundary:
    app: Any
    store: Any
    slack: Any
    token: str
    milestone_id: int
    response_url: str
    executor: Any

    def requests(self, *, signed: bool):
        return requests(self.token, self.milestone_id, self.response_url, signed=signed)


# --- Bodies ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)
SLACK_KEYS = ["type", "event", "event_id", "team_id", "user", "user_id", "channel",
              "channel_id", "actions", "action_id", "value", "team", "authorizations",
              "is_ext_shared_channel", "container", "message", "view", "command", "text",
              "response_url", "enterprise", "ts", "thread_ts", "blocks", "response_urls"]


def _command(milestone_id: int, response_url: str) -> dict[str, Any]:
    return {"command": "/regio", "text": f"mijlpaal {milestone_id}", "user_id": ALICE,
            "channel_id": CHANNEL, "team_id": TEAM_ID, "response_url": response_url,
            "trigger_id": "1.2.3"}


def _event(milestone_id: int) -> dict[str, Any]:
    return {"type": "event_callback", "team_id": TEAM_ID, "event_id": f"Ev{milestone_id:08d}",
            "event": {"type": "app_mention", "user": ALICE, "channel": CHANNEL,
                      "text": "wanneer is de volgende BOSD?", "ts": "1.000100"},
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}]}


def _click(milestone_id: int) -> dict[str, Any]:
    return {"type": "block_actions", "user": {"id": ALICE, "team_id": TEAM_ID},
            "team": {"id": TEAM_ID}, "channel": {"id": CHANNEL},
            "container": {"type": "message", "message_ts": "1.000200", "channel_id": CHANNEL},
            "actions": [{"action_id": "milestone_done", "value": str(milestone_id),
                         "type": "button"}]}


@st.composite
def mutated(draw, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with a few keys (also nested ones) replaced, removed or added."""
    payload = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(0, 3))):
        target = payload
        nested = [k for k, v in payload.items() if isinstance(v, dict)]
        if nested and draw(st.booleans()):
            target = payload[draw(st.sampled_from(nested))]
        key = draw(st.sampled_from(sorted(target) + SLACK_KEYS))
        action = draw(st.sampled_from(["replace", "remove"]))
        if action == "remove":
            target.pop(key, None)
        else:
            target[key] = draw(json_values)
    return payload


@st.composite
def bodies(draw, milestone_id: int, response_url: str) -> tuple[bytes, str | None]:
    """(body, content type) in every shape a client might send."""
    kind = draw(st.sampled_from(["bytes", "json", "form", "command", "event", "click"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200)), draw(st.sampled_from(
            [None, "application/json", "application/x-www-form-urlencoded", "text/plain"]))
    if kind == "json":
        return json.dumps(draw(json_values)).encode(), "application/json"
    if kind == "form":
        form = draw(st.dictionaries(st.sampled_from(SLACK_KEYS + ["payload", "x"]),
                                    st.text(max_size=30), max_size=5))
        return urlencode(form).encode(), "application/x-www-form-urlencoded"
    if kind == "command":
        form = draw(mutated(_command(milestone_id, response_url)))
        flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}
        return urlencode(flat).encode(), "application/x-www-form-urlencoded"
    if kind == "event":
        return json.dumps(draw(mutated(_event(milestone_id)))).encode(), "application/json"
    payload = json.dumps(draw(mutated(_click(milestone_id))))
    return urlencode({"payload": payload}).encode(), "application/x-www-form-urlencoded"


def _chunked(body: bytes, size: int) -> list[bytes]:
    return [body[i:i + size] for i in range(0, len(body), size)] or [b""]


def _huge(total: int):
    sent = 0
    while sent < total:
        piece = min(CHUNK, total - sent)
        sent += piece
        yield b"{" * piece


@st.composite
def requests(draw, token: str, milestone_id: int, response_url: str, *, signed: bool):
    # Mostly what matters most, a POST to the Slack endpoint; now and then anything.
    method = draw(st.sampled_from(
        ["POST"] * 12 + ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "FOO"]
    ))
    where = draw(st.sampled_from(["slack"] * 7 + ["random", "known"]))
    if where == "slack":
        path = SLACK
    elif where == "random":
        path = draw(st.text(max_size=30).map(lambda t: "/" + t))
    else:
        path = draw(st.sampled_from([
            "/healthz", f"/calendar/{token}.ics", "/calendar/x.ics", "/calendar/",
            "//slack/events", "/slack/events/", "/SLACK/EVENTS", "/slack/events?x=1",
        ]))
    huge = draw(st.integers(0, 9)) == 0
    if huge:
        total = draw(st.integers(MAX_SLACK_BODY + 1, 3 * MAX_SLACK_BODY))
        body, content_type = b"", "application/json"
        chunks: Any = _huge(total)
    else:
        body, content_type = draw(bodies(milestone_id, response_url))
        chunks = _chunked(body, draw(st.sampled_from([1, 7, 1024, CHUNK])))
    headers: dict[str, str | bytes] = {}
    if content_type is not None:
        headers["content-type"] = content_type
    length = draw(st.sampled_from(["right", "none", "wrong", "garbage"]))
    if length == "right" and not huge:
        headers["content-length"] = str(len(body))
    elif length == "wrong":
        headers["content-length"] = str(draw(st.integers(0, 4 * MAX_SLACK_BODY)))
    elif length == "garbage":
        headers["content-length"] = draw(st.binary(max_size=8))
    else:
        headers["transfer-encoding"] = "chunked"
    now = int(time.time())
    if signed:
        headers["x-slack-request-timestamp"] = str(now)
        headers["x-slack-signature"] = sign(body, now)
    else:
        timestamp = draw(st.sampled_from(["now", "stale", "none"]) | st.binary(max_size=12))
        if timestamp == "now":
            headers["x-slack-request-timestamp"] = str(now)
        elif timestamp == "stale":
            headers["x-slack-request-timestamp"] = str(now - 6 * 60)
        elif isinstance(timestamp, bytes):
            headers["x-slack-request-timestamp"] = timestamp
        signature = draw(st.sampled_from(["forged", "other body", "none"]) | st.binary(max_size=70))
        if signature == "forged":
            headers["x-slack-signature"] = sign(body, now, secret="not-the-secret")
        elif signature == "other body":
            headers["x-slack-signature"] = sign(body + b" ", now)
        elif isinstance(signature, bytes):
            headers["x-slack-signature"] = signature
    for name in draw(st.lists(st.sampled_from(["if-none-match", "if-modified-since",
                                               "x-slack-retry-num", "accept"]), max_size=2)):
        headers[name] = draw(st.binary(max_size=40))
    return method, path, headers, chunks


def _state(store) -> tuple[str, int, int]:
    with store.factory() as session:
        return (
            dump_store(session),
            session.scalar(select(func.count()).select_from(SlackEvent)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def _check(app, request) -> None:
    method, path, headers, chunks = request
    answer = call(app, method, path, headers=headers, chunks=chunks)
    assert answer.status < 500, (method, path, answer.status, answer.body[:200])
    assert answer.read <= MAX_SLACK_BODY + CHUNK, (method, path, answer.read)


BOUNDED = settings(max_examples=150, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow, HealthCheck.data_too_large])


def test_it_never_fails_and_changes_nothing_for_requests_without_a_valid_signature(boundary):
    before = _state(boundary.store)
    calls_before = len(boundary.slack.calls)

    @BOUNDED
    @given(st.data())
    def unsigned(data) -> None:
        _check(boundary.app, data.draw(boundary.requests(signed=False)))
        assert _state(boundary.store) == before
        assert len(boundary.slack.calls) == calls_before

    unsigned()


def test_it_never_fails_nor_logs_a_traceback_for_signed_requests_of_any_shape(boundary, caplog):
    caplog.set_level(logging.WARNING)

    @BOUNDED
    @given(st.data())
    def signed(data) -> None:
        _check(boundary.app, data.draw(boundary.requests(signed=True)))

    signed()
    boundary.executor.shutdown(wait=True)  # every answer started has been given
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert failures == [], [r.getMessage() for r in failures]
