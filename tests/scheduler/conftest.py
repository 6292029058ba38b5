"""Fixtures of the scheduler tests: the posting rules, a fake Slack on loopback and a
SlackChannel talking to it, and a console channel."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest
from slack_sdk import WebClient

from scheduler.channels import ConsoleChannel, SlackChannel
from scheduler.planner import Schedule
from tests.fakeslack import FakeSlack, _Failure


class SlowFakeSlack(FakeSlack):
    """The shared fake, plus: answer chat.postMessage only after `delay` seconds (the
    post is stored first, like a Slack that posted and then timed out on us); and an
    `outage` (an HTTP status, with `outage_retry_after` for 429) that fails every call
    until it is set back to None — Slack down for a while, however many calls come."""

    def __init__(self) -> None:
        super().__init__()
        self.slow_posts = 0
        self.delay = 0.0
        # Set once a slow answer went out (its client gave up before).
        self.slow_done = threading.Event()
        self.outage: int | None = None
        self.outage_retry_after: int | None = None

    def _take_failure(self, method: str) -> _Failure | None:
        if self.outage is not None:
            return _Failure(1, self.outage, self.outage_retry_after, None, method)
        return super()._take_failure(method)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._answer(method, args)
        if method == "chat.postMessage" and self.slow_posts > 0:
            self.slow_posts -= 1
            time.sleep(self.delay)
            self.slow_done.set()
        return answer


@pytest.fixture
def schedule() -> Schedule:
    return Schedule()


@pytest.fixture
def fake_slack():
    with SlowFakeSlack() as slack:
        yield slack


@pytest.fixture
def slack_channel(fake_slack) -> SlackChannel:
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=2,
                       retry_handlers=[])
    return SlackChannel(client)


@pytest.fixture
def console() -> ConsoleChannel:
    return ConsoleChannel(io.StringIO())
