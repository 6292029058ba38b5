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
from tests.bot.conftest import (
    ALICE,
    BOT_USER_ID,
    CHANNEL,
    DM,
    TODAY,
    SlackSender,
    blocks_text,
    make_settings,
    seed,
)


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


def test_it_answers_mentions_and_direct_messages_from_a_worker_process(sender, fake_slack):
    _, ts = sender.mention("wanneer is de volgende BOSD?")
    [post] = fake_slack.wait_for("chat.postMessage", timeout=30)
    assert (post.args["channel"], post.args["thread_ts"]) == (CHANNEL, ts)
    assert "12 maart 2020" in blocks_text(post.args["blocks"])
    sender.direct_message("bosd")
    posts = fake_slack.wait_for("chat.postMessage", count=2, timeout=30)
    assert posts[1].args["channel"] == DM and "thread_ts" not in posts[1].args
    # A feed URL is private: asked in a channel, only the asker sees the answer.
    sender.mention("kalender")
    [notice] = fake_slack.wait_for("chat.postEphemeral", timeout=30)
    assert notice.args["user"] == ALICE
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_it_answers_a_retried_mention_once_from_a_worker_process(sender, fake_slack):
    # The worker claims the event id just before answering (not the ack's thread).
    first, ts = sender.mention("wanneer is de volgende BOSD?", event_id="Ev0WORKERRETRY")
    retried = {"type": "app_mention", "user": ALICE, "ts": ts, "channel": CHANNEL,
               "event_ts": ts, "text": f"<@{BOT_USER_ID}> wanneer is de volgende BOSD?"}
    again = sender.event(retried, event_id="Ev0WORKERRETRY", retry=1)
    assert (first.status_code, again.status_code) == (200, 200)
    # One worker answers in order: once the next question is answered, the retry has
    # been dealt with.
    _, later = sender.mention("help")
    posts = fake_slack.wait_for("chat.postMessage", count=2, timeout=30)
    assert [post.args["thread_ts"] for post in posts] == [ts, later]
    time.sleep(0.5)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


class _CountingServer:
    """A response_url on loopback counting connections; `drop()` closes the kept ones
    from the server's side, as Slack does with idle connections."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server = self
        self.connections, self.bodies, self.sockets = 0, [], []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                server.connections += 1
                server.sockets.append(self.connection)

            def do_POST(self):
                server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        import threading

        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/response/1"

    def drop(self):
        import socket

        for sock in self.sockets:
            sock.shutdown(socket.SHUT_RDWR)
        time.sleep(0.2)

    def close(self):
        self.http.shutdown()
        self.http.server_close()


def test_it_posts_answers_over_one_kept_connection_and_reconnects_when_slack_closed_it():
    from bot.answers import ResponseUrls

    server = _CountingServer()
    urls = ResponseUrls(timeout=5)
    try:
        assert [urls.post(server.url, {"text": str(n)}) for n in range(3)] == [200] * 3
        assert server.connections == 1
        server.drop()
        assert urls.post(server.url, {"text": "na"}) == 200
        assert server.connections == 2
        assert [b.decode() for b in server.bodies] == [
            '{"text": "0"}', '{"text": "1"}', '{"text": "2"}', '{"text": "na"}']
    finally:
        server.close()


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
        # A mention is told the same, for the asker only, in its thread.
        _, ts = sender.mention("bosd")
    finally:
        sender.close()
    assert response.status_code == 200
    assert response.json()["text"].startswith("Regiobot heeft het even te druk")
    assert response.json()["response_type"] == "ephemeral"
    [notice] = fake_slack.wait_for("chat.postEphemeral", timeout=10)
    assert notice.args["text"].startswith("Regiobot heeft het even te druk")
    assert (notice.args["user"], notice.args["thread_ts"]) == (ALICE, ts)
    time.sleep(0.5)
    assert fake_slack.calls_to("response_url") == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_it_says_try_again_when_the_answers_waiting_would_take_too_long(store, fake_slack):
    from bot.answers import ProcessAnswers

    answers = ProcessAnswers(make_settings(fake_slack, store.url), 2, max_wait=1.0)
    try:
        assert not answers.busy()
        # 40 answers waiting at half a second each, on two workers: ten seconds.
        answers._pending, answers._seconds_each = 40, 0.5
        assert answers.expected_wait() == 10 and answers.busy()
        answers._pending = 2
        assert not answers.busy()
    finally:
        answers._pending = 0
        answers.shutdown()


def test_it_answers_with_one_worker_per_usable_cpu_by_default(store, fake_slack):
    from bot.answers import answer_processes

    settings = make_settings(fake_slack, store.url, answer_processes=None)
    assert answer_processes(settings) == len(os.sched_getaffinity(0))
    assert answer_processes(make_settings(fake_slack, store.url, answer_processes=3)) == 3


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
