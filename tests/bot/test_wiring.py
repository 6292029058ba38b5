"""manifest.json, `regiobot web`, Socket Mode, and the feed and health routes of the web app."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import bot.socket_mode
from bot.app import SlackConfigError, build_app
from bot.asgi import create_app
from regiobot_cli import main
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_it_declares_the_slack_app_in_the_manifest():
    manifest = json.loads((ROOT / "manifest.json").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert manifest["display_information"]["name"] == "Regiobot"
    assert features["bot_user"]["display_name"] == "Regiobot"
    [command] = features["slash_commands"]
    assert command["command"] == "/regio"
    assert command["usage_hint"]
    assert command["url"].endswith("/slack/events")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "chat:write.public", "im:history", "im:write",
        "app_mentions:read", "users:read", "users:read.email", "channels:history",
        "channels:join", "groups:history",
    }
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "app_home_opened",
    }
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"] == {
        "is_enabled": True, "request_url": settings["event_subscriptions"]["request_url"],
    }
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    assert settings["socket_mode_enabled"] is False


def test_it_refuses_http_mode_without_a_signing_secret(store, fake_slack):
    settings = make_settings(fake_slack, store.url, slack_signing_secret=None)
    with pytest.raises(SlackConfigError):
        build_app(settings, store.factory)
    with pytest.raises(SlackConfigError):
        build_app(make_settings(fake_slack, store.url, slack_bot_token=None), store.factory)


def test_it_points_the_web_api_client_at_the_configured_base_url(store, fake_slack):
    app = build_app(make_settings(fake_slack, store.url), store.factory)
    assert app.client.base_url == fake_slack.api_url
    [auth] = fake_slack.calls_to("auth.test")
    assert auth.authorised


def test_it_mounts_the_feed_routes_and_reports_the_scheduler(store, fake_slack, serve):
    settings = make_settings(fake_slack, store.url, slack_bot_token=None)
    url = serve(create_app(settings, store.factory))
    # The feed route answers (an unknown token: 404, as calendars.http says), not Starlette's
    # "no such route".
    feed = httpx.get(url + "/calendar/no-such-token.ics", timeout=10)
    assert feed.status_code == 404 and feed.headers["Cache-Control"] == "no-store"
    report = httpx.get(url + "/healthz", timeout=10).json()
    assert report["scheduler"]["status"] == "never"  # no clock process ever ticked here


def test_it_runs_socket_mode_beside_an_http_server_for_health_and_feeds(
    store, fake_slack, monkeypatch
):
    events: list[str] = []

    class FakeHandler:
        def __init__(self, app, app_token):
            assert app_token == "xapp-1-test"
            self.app = app
            events.append("handler")

        def connect(self):
            events.append("connect")

        def close(self):
            events.append("close")

    def fake_serve(app, *, host, port, **kwargs):
        paths = {route.path for route in app.routes}
        assert "/healthz" in paths and "/slack/events" not in paths
        events.append(f"serve {host}:{port}")

    monkeypatch.setattr(bot.socket_mode, "SocketModeHandler", FakeHandler)
    monkeypatch.setattr(bot.socket_mode.uvicorn, "run", fake_serve)
    settings = make_settings(
        fake_slack, store.url, slack_app_token="xapp-1-test", slack_signing_secret=None
    )
    bot.socket_mode.run_socket_mode(settings, store.factory, host="127.0.0.1", port=8123)
    assert events == ["handler", "connect", "serve 127.0.0.1:8123", "close"]


def _cli_env(monkeypatch, tmp_path, fake_slack, **env):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'web.db'}")
    monkeypatch.setenv("SLACK_API_BASE_URL", fake_slack.api_url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_it_serves_http_mode_from_the_cli(monkeypatch, tmp_path, fake_slack):
    _cli_env(monkeypatch, tmp_path, fake_slack, SLACK_BOT_TOKEN=BOT_TOKEN,
             SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT="4567")
    served = {}

    def fake_run(app, *, host, port, **kwargs):
        served.update(paths={r.path for r in app.routes}, host=host, port=port)

    monkeypatch.setattr("uvicorn.run", fake_run)
    assert main(["web"]) == 0
    assert {"/healthz", "/slack/events"} <= served["paths"]
    assert (served["host"], served["port"]) == ("0.0.0.0", 4567)


def test_it_chooses_socket_mode_from_the_cli_when_an_app_token_is_set(
    monkeypatch, tmp_path, fake_slack
):
    _cli_env(monkeypatch, tmp_path, fake_slack, SLACK_BOT_TOKEN=BOT_TOKEN,
             SLACK_APP_TOKEN="xapp-1-test")
    calls = []
    monkeypatch.setattr(
        "bot.socket_mode.run_socket_mode",
        lambda settings, factory, *, host, port: calls.append((settings.slack_app_token, port)),
    )
    assert main(["web", "--port", "8000"]) == 0
    assert calls == [("xapp-1-test", 8000)]
