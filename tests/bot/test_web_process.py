"""`regiobot web` as the Procfile runs it: a separate process, real uvicorn, real Bolt,
the Web API pointed at the fake Slack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.migrate import upgrade
from tests.bot.conftest import ALICE, BOT_TOKEN, SIGNING_SECRET, SlackSender

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def web_process(tmp_path, fake_slack) -> Iterator[str]:
    database = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(database)
    port = _free_port()
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "REGIOBOT_", "DATABASE_URL", "PORT"))
    }
    env.update(
        DATABASE_URL=database,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_BASE_URL=fake_slack.api_url,
        PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "regiobot", "web", "--host", "127.0.0.1"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "web.log").read_text())
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        output = (tmp_path / "web.log").read_text()
        # Neither our secrets nor what Slack sends (its verification token) are logged.
        for secret in (BOT_TOKEN, SIGNING_SECRET, "verification-token-unused"):
            assert secret not in output


def test_it_answers_slack_from_the_web_process(web_process, fake_slack):
    sender = SlackSender(web_process, fake_slack)
    try:
        forged, _ = sender.command("help", user_id=ALICE, secret="forged")
        assert forged.status_code == 401
        response, response_url = sender.command("help", user_id=ALICE)
        assert response.status_code == 200
        [answer] = fake_slack.wait_for(
            "response_url", where=lambda call: response_url.endswith(call.path), timeout=20
        )
        assert answer.args["response_type"] == "ephemeral"
        assert answer.args["text"]
    finally:
        sender.close()
    assert httpx.get(web_process + "/healthz", timeout=5).json()["status"] == "ok"
