"""tests/fakeslack.py does what its docstring promises (the scheduler tests rely on it)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.webhook import WebhookClient

from tests.fakeslack import BOT_USER_ID


def _client(slack, **kwargs) -> WebClient:
    return WebClient(token="xoxb-fake", base_url=slack.api_url, timeout=5, **kwargs)


def test_it_records_calls_and_answers_with_increasing_ts(fake_slack):
    client = _client(fake_slack)
    assert client.auth_test()["user_id"] == BOT_USER_ID
    first = client.chat_postMessage(channel="C1", text="een")
    second = client.chat_postMessage(channel="C1", text="twee", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    [call, _] = fake_slack.calls_to("chat.postMessage")
    assert call.args == {"channel": "C1", "text": "een"}
    assert call.authorised


def test_it_keeps_messages_for_update_and_history_with_metadata(fake_slack):
    client = _client(fake_slack)
    metadata = {"event_type": "regiobot_delivery", "event_payload": {"key": "reminder:1"}}
    posted = client.chat_postMessage(channel="C1", text="oud", metadata=metadata)
    client.chat_postMessage(channel="C1", text="later")
    client.chat_update(channel="C1", ts=posted["ts"], text="nieuw")
    history = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert [m["text"] for m in history] == ["later", "nieuw"]
    assert history[1]["metadata"] == metadata
    assert fake_slack.messages("C1")[0]["text"] == "nieuw"


def test_it_fails_the_next_calls_as_told(fake_slack):
    client = _client(fake_slack)
    fake_slack.fail_next(1, error="channel_not_found", method="chat.postMessage")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C9", text="x")
    assert raised.value.response["error"] == "channel_not_found"

    # slack_sdk counts attempts across its retry handlers: 3 covers 429 + 500 + 500.
    retrying = _client(fake_slack, retry_handlers=[
        RateLimitErrorRetryHandler(max_retry_count=1), ServerErrorRetryHandler(
            max_retry_count=3, interval_calculator=FixedValueRetryIntervalCalculator(0.05)
        ),
    ])
    fake_slack.fail_next(1, status=429, retry_after=1)
    fake_slack.fail_next(2, status=500)
    assert retrying.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"]
    statuses = [c.status for c in fake_slack.calls if c.method == "views.publish"]
    assert statuses == [429, 500, 500, 200]


def test_it_takes_posts_to_a_response_url(fake_slack):
    url = fake_slack.response_url("abc")
    assert WebhookClient(url).send(text="hoi", response_type="ephemeral").status_code == 200
    [call] = fake_slack.wait_for("response_url", timeout=5)
    assert call.path == "/response/abc"
    assert call.args == {"text": "hoi", "response_type": "ephemeral"}
