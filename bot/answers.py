"""Where `/regio` answers are computed once the command is acknowledged.

Slack wants the ack within 3 seconds and takes the answer at the response_url for 30
minutes. In one Python process the two share the GIL, so a stream of commands slows
every ack by the answers in flight (store queries, rendering: several milliseconds
each, against about as much for the whole ack path; bench/slack_http.py). The web
process therefore answers in a small pool of worker processes of its own, at a lower
CPU priority: acks always win, and answers use what CPU is left.

`ThreadAnswers` keeps the answers in the web process's own threads (ANSWER_PROCESSES=0):
for tests that replace a handler in-process, and for a platform that forbids child
processes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import handle_text, run_handler, sorry
from commands.render import to_message
from regiobot.settings import Settings

log = logging.getLogger(__name__)

# Workers run this much nicer than the web process (see the module docstring).
ANSWER_NICENESS = 10
# Commands waiting for a worker before new ones are told to try again. One worker on a
# busy 2-core machine answers 60-100 a second (BENCHMARKS.md), so this keeps the
# wait for an answer under half a minute; a longer wait reads as a bot that is broken.
MAX_PENDING = 2_000
RESPONSE_URL_TIMEOUT_SECONDS = 10

Respond = Callable[..., Any]


def command_fields(body: dict[str, Any]) -> tuple[str, str | None, str | None, str | None]:
    """(text, user id, channel id, response_url) of a slash command's payload."""
    return (
        (body.get("text") or "").strip(),
        body.get("user_id"),
        body.get("channel_id"),
        body.get("response_url"),
    )


def answer_message(
    settings: Settings,
    factory: sessionmaker[Session],
    text: str,
    *,
    user_id: str | None,
    channel_id: str | None,
) -> dict[str, Any]:
    """The message answering `/regio text`, with its response_type."""
    reply = run_handler(settings, factory, handle_text(text), user_id=user_id,
                        channel_id=channel_id)
    return {
        **to_message(reply, lang=settings.regiobot_lang),
        "response_type": "ephemeral" if reply.ephemeral else "in_channel",
    }


class ThreadAnswers:
    """Answers in an executor of the web process (Bolt's listener executor)."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], executor: Executor):
        self.settings = settings
        self.factory = factory
        self.executor = executor

    def submit(self, body: dict[str, Any], respond: Respond) -> None:
        self.executor.submit(self._answer, body, respond)

    def _answer(self, body: dict[str, Any], respond: Respond) -> None:
        text, user_id, channel_id, _ = command_fields(body)
        try:
            respond(**answer_message(self.settings, self.factory, text, user_id=user_id,
                                     channel_id=channel_id))
        except Exception:
            log.exception("answering /regio failed")

    def busy(self) -> bool:
        return False


# --- In worker processes ----------------------------------------------------------

_worker: tuple[Settings, sessionmaker[Session]] | None = None


def _start_worker(settings: Settings) -> None:
    global _worker
    from storage.db import make_engine, make_sessionmaker

    # A spawned process starts with no logging set up: its errors would otherwise go
    # out bare, without time or logger.
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s answers[%(process)d] %(name)s: %(message)s")
    try:
        os.nice(ANSWER_NICENESS)
    except OSError:
        log.warning("could not lower the answer worker's priority")
    _worker = (settings, make_sessionmaker(make_engine(settings.database_url)))
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="regiobot-answers-parent").start()


def _exit_with_parent(parent: int, every: float = 1.0) -> None:
    """End this worker once the web process is gone: killed with SIGKILL, a parent
    leaves its pool's workers waiting on a queue nobody writes to any more, holding
    store connections."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def _ready() -> int:
    return os.getpid()


def answer_in_worker(body: dict[str, Any]) -> None:
    """Answer one command and post the answer to its response_url (in a worker)."""
    assert _worker is not None, "the answer worker was not started"
    settings, factory = _worker
    text, user_id, channel_id, response_url = command_fields(body)
    message = answer_message(settings, factory, text, user_id=user_id, channel_id=channel_id)
    if response_url:
        sent = WebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT_SECONDS).send_dict(message)
        if sent.status_code != 200:
            # The URL is a credential for 30 minutes: its status only, never the URL.
            log.warning("Slack refused a /regio answer at its response_url: HTTP %s",
                        sent.status_code)


class ProcessAnswers:
    """Answers in `processes` worker processes (spawned, so no lock or connection of the
    web process is inherited), each with its own store connection."""

    def __init__(self, settings: Settings, processes: int, *, max_pending: int | None = None):
        self.settings = settings
        self.processes = processes
        self.max_pending = MAX_PENDING if max_pending is None else max_pending
        self._pending = 0
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.settings,),
        )
        # Start the workers now rather than on the first command, which would wait for
        # their imports.
        for _ in range(self.processes):
            pool.submit(_ready)
        return pool

    def busy(self) -> bool:
        return self._pending >= self.max_pending

    def submit(self, body: dict[str, Any], respond: Respond) -> None:
        with self._lock:
            self._pending += 1
            pool = self._pool
        try:
            try:
                future = pool.submit(answer_in_worker, body)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): start a new pool and go on.
                # Commands arriving together all see the broken pool; one replaces it.
                with self._lock:
                    if self._pool is pool:
                        log.error("the answer workers died; starting new ones")
                        pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = self._start()
                    pool = self._pool
                future = pool.submit(answer_in_worker, body)
        except Exception:
            log.exception("could not hand a /regio command to the answer workers")
            self._finished_without_answer(respond)
            return
        future.add_done_callback(lambda done: self._finished(done, respond))

    def _finished(self, future: Future, respond: Respond) -> None:
        if future.cancelled():  # the web process is stopping
            with self._lock:
                self._pending -= 1
            return
        error = future.exception()
        if error is None:
            with self._lock:
                self._pending -= 1
            return
        log.error("answering /regio failed in a worker: %r", error)
        self._finished_without_answer(respond)

    def _finished_without_answer(self, respond: Respond) -> None:
        with self._lock:
            self._pending -= 1
        try:
            respond(text=sorry(self.settings), response_type="ephemeral")
        except Exception:
            log.exception("could not send the apology either")

    def shutdown(self) -> None:
        """Finish the answers being worked out, drop the ones still waiting."""
        with self._lock:
            pool = self._pool
        pool.shutdown(wait=True, cancel_futures=True)


# Pools of this process, shut down when the web process stops (`shutdown_answers`):
# without it the interpreter's exit would wait for every queued answer.
_pools: weakref.WeakSet[ProcessAnswers] = weakref.WeakSet()


def shutdown_answers() -> None:
    for answers in list(_pools):
        answers.shutdown()


def make_answers(
    settings: Settings, factory: sessionmaker[Session], executor: Executor
) -> ThreadAnswers | ProcessAnswers:
    if settings.answer_processes > 0:
        answers = ProcessAnswers(settings, settings.answer_processes)
        _pools.add(answers)
        return answers
    return ThreadAnswers(settings, factory, executor)
