"""The web process's HTTP surface: signatures, url_verification, /healthz, mounting."""

from __future__ import annotations

import json
import time

import httpx
from sqlalchemy import func, select

from bot.asgi import create_app
from storage.models import AuditEntry, Milestone
from tests.bot.conftest import make_settings


def _only_auth_test(slack) -> bool:
    # Building the app calls auth.test; a refused request must cause nothing else.
    return {call.method for call in slack.calls} <= {"auth.test"}


def test_it_answers_the_url_verification_challenge(web):
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    response = web.sender.post(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_it_refuses_a_forged_signature_and_changes_nothing(web):
    response, _ = web.sender.command("help", secret="not-the-signing-secret")
    assert response.status_code == 401
    response, _ = web.sender.click("milestone_done", str(web.seed.milestone_id),
                                   secret="not-the-signing-secret")
    assert response.status_code == 401
    response, _ = web.sender.mention("wanneer is de volgende BOSD?", secret="forged")
    assert response.status_code == 401
    web.settle()
    assert _only_auth_test(web.slack)
    with web.factory() as session:
        assert session.get(Milestone, web.seed.milestone_id).status == "open"
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_it_refuses_a_stale_timestamp_even_when_correctly_signed(web):
    six_minutes_ago = int(time.time()) - 6 * 60
    response, _ = web.sender.click("milestone_done", str(web.seed.milestone_id),
                                   timestamp=six_minutes_ago)
    assert response.status_code == 401
    response, _ = web.sender.command("help", timestamp=six_minutes_ago)
    assert response.status_code == 401
    web.settle()
    assert _only_auth_test(web.slack)
    with web.factory() as session:
        assert session.get(Milestone, web.seed.milestone_id).status == "open"
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_it_refuses_an_unsigned_request(web):
    response, _ = web.sender.command("help", signed=False)
    assert response.status_code == 401
    web.settle()
    assert _only_auth_test(web.slack)


def test_it_reports_health(web):
    response = httpx.get(web.url + "/healthz", timeout=10)
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == "ok"
    assert "scheduler" in report


def test_it_serves_health_without_slack_and_has_no_slack_route(store, fake_slack, serve):
    settings = make_settings(fake_slack, store.url, slack_bot_token=None, slack_signing_secret=None)
    url = serve(create_app(settings, store.factory))
    assert httpx.get(url + "/healthz", timeout=10).status_code == 200
    assert httpx.post(url + "/slack/events", content=b"{}", timeout=10).status_code == 404
    assert fake_slack.calls == []


def test_it_leaves_slack_to_socket_mode_when_an_app_token_is_set(store, fake_slack, serve):
    settings = make_settings(fake_slack, store.url, slack_app_token="xapp-1-test")
    url = serve(create_app(settings, store.factory))
    assert httpx.post(url + "/slack/events", content=b"{}", timeout=10).status_code == 404
    assert httpx.get(url + "/healthz", timeout=10).json()["status"] == "ok"


def test_it_reports_an_unreachable_store_as_503(fake_slack, serve):
    from storage.db import make_engine, make_sessionmaker

    # Nothing listens on port 1: the connection is refused at once.
    engine = make_engine("postgresql://postgres@127.0.0.1:1/nothing")
    settings = make_settings(fake_slack, "sqlite://", slack_bot_token=None)
    url = serve(create_app(settings, make_sessionmaker(engine)))
    response = httpx.get(url + "/healthz", timeout=10)
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "127.0.0.1:1" not in response.text  # no connection details to the public
    engine.dispose()
