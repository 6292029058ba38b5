"""/regio answered by the web process's answer workers (ANSWER_PROCESSES ≥ 1, the
default): the real Bolt app and HTTP path, the answer computed in a spawned worker and
posted to the response_url; a killed worker loses no command; a flood gets a clear
"try again" in the ack instead of an answer that never comes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from bot.app import build_app
from bot.asgi import create_app
from tests.bot.conftest import TODAY, SlackSender, blocks_text, make_settings, seed


@pytest.fixture
def sender(store, fake_slack, serve, monkeypatch):
    monkeypatch.setenv("REGIOBOT_TODAY", TODAY)
    seed(store.factory)
    settings = make_settings(fake_slack, store.url, answer_processes=1)
    url = serve(create_app(settings, store.factory, bolt_app=build_app(settings, store.factory)))
    sender = SlackSender(url, fake_slack)
    yield sender
    sender.close()


def _posts_to(slack, response_url: str, timeout: float = 30):
    return slack.wait_for("response_url", where=lambda c: response_url.endswith(c.path),
                          timeout=timeout)


def _workers() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.is_alive()]


def test_it_answers_from_a_worker_process(sender, fake_slack):
    response, response_url = sender.command("wanneer is de volgende BOSD?")
    assert response.status_code == 200 and response.content == b""
    [answer] = _posts_to(fake_slack, response_url)
    assert answer.args["response_type"] == "ephemeral"
    assert "12 maart 2020" in blocks_text(answer.args["blocks"])
    assert _workers(), "no answer worker process"


def test_it_loses_no_command_when_a_worker_is_killed(sender, fake_slack):
    _posts_to(fake_slack, sender.command("help")[1])
    for worker in _workers():
        os.kill(worker.pid, signal.SIGKILL)
    urls = []
    answered = False
    deadline = time.monotonic() + 30
    while not answered and time.monotonic() < deadline:
        response, response_url = sender.command("bosd volgende")
        assert response.status_code == 200
        urls.append(response_url)
        [post] = _posts_to(fake_slack, response_url)
        # A command caught by the dying worker gets the apology; later ones the answer.
        answered = "12 maart 2020" in blocks_text(post.args.get("blocks") or [])
        if not answered:
            assert "Er ging iets mis" in post.args["text"]
    assert answered, "no answer after the worker was killed"


def test_it_says_try_again_in_the_ack_when_too_many_answers_wait(
    store, fake_slack, serve, monkeypatch
):
    monkeypatch.setattr("bot.answers.MAX_PENDING", 0)
    monkeypatch.setenv("REGIOBOT_TODAY", TODAY)
    seed(store.factory)
    settings = make_settings(fake_slack, store.url, answer_processes=1)
    url = serve(create_app(settings, store.factory, bolt_app=build_app(settings, store.factory)))
    sender = SlackSender(url, fake_slack)
    try:
        response, _ = sender.command("bosd")
    finally:
        sender.close()
    assert response.status_code == 200
    assert response.json()["text"].startswith("Regiobot heeft het even te druk")
    assert response.json()["response_type"] == "ephemeral"
    time.sleep(0.5)
    assert fake_slack.calls_to("response_url") == []


_ORPHAN_SCRIPT = """
import sys, time
from bot.answers import ProcessAnswers
from regiobot.settings import Settings

answers = ProcessAnswers(Settings(_env_file=None, database_url=sys.argv[1]), 1)
answers._pool.submit(time.sleep, 0).result(timeout=60)
import multiprocessing
print(*[p.pid for p in multiprocessing.active_children()], flush=True)
time.sleep(120)
"""


def test_it_ends_the_workers_when_the_web_process_is_killed(store_url, tmp_path):
    import subprocess
    import sys

    web = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT, store_url],
                           stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in web.stdout.readline().split()]
        assert workers
        web.kill()
        web.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers), "an answer worker outlived the web process"
    finally:
        web.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its new parent) counts as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


def test_it_stops_its_workers_when_the_web_app_shuts_down(store, fake_slack):
    import asyncio

    from bot.answers import ProcessAnswers, make_answers

    settings = make_settings(fake_slack, store.url, answer_processes=1)
    others = {p.pid for p in _workers()}
    answers = make_answers(settings, store.factory, None)
    assert isinstance(answers, ProcessAnswers)
    answers._pool.submit(time.sleep, 0).result(timeout=60)
    workers = [p.pid for p in _workers() if p.pid not in others]
    assert workers
    app = create_app(settings, store.factory, slack_http=False)

    async def run_lifespan() -> None:
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(run_lifespan())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)
