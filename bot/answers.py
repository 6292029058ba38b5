"""Where answers are computed once Slack's request is acknowledged: `/regio` commands
(posted to the command's response_url) and mentions and direct messages (posted with
`chat.postMessage`, or `chat.postEphemeral` for the asker only).

Slack wants the ack within 3 seconds and takes the answer afterwards. In one Python
process the two share the GIL, so a stream of requests slows every ack by the answers
in flight (store queries, rendering: a few milliseconds each, about as much as the
whole ack path; bench/slack_http.py). The web process therefore answers in a pool of
worker processes of its own: by default one per CPU the process may use, each a
little nicer than the web process, so acks win the CPU when both want it without the
answers being starved by everything else running on the machine (at `nice +10` one
worker got a tenth of a core on a busy 2-core machine and answered seconds late).

New work is refused in the ack ("te druk") when the answers already waiting would keep
it waiting more than `MAX_WAIT_SECONDS`, estimated from how long answers take: an
answer that late reads as a bot that is broken, and refusing keeps the queue, and so
the delay for everyone else, bounded.

`ThreadAnswers` keeps the answers in the web process's own threads (ANSWER_PROCESSES=0):
for tests that replace a handler in-process, and for a platform that forbids child
processes.
"""

from __future__ import annotations

import http.client
import json
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
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import handle_text, run_handler, sorry, too_busy
from bot.listeners.retries import first_delivery
from commands.core import Reply
from commands.render import to_message
from regiobot.settings import Settings

log = logging.getLogger(__name__)

# Workers run this much nicer than the web process (see the module docstring): enough
# for the ack path to win a contended core, little enough not to starve the answers.
ANSWER_NICENESS = 2
# A new request is told to try again when the answers waiting ahead of it would take
# longer than this (estimated), or when this many are waiting whatever their cost.
MAX_WAIT_SECONDS = 10.0
MAX_PENDING = 2_000
RESPONSE_URL_TIMEOUT_SECONDS = 10

Respond = Callable[..., Any]
# A Web API call to make: (method, arguments).
Post = tuple[str, dict[str, Any]]


def answer_processes(settings: Settings) -> int:
    """How many worker processes: ANSWER_PROCESSES, or one per usable CPU."""
    if settings.answer_processes is not None:
        return settings.answer_processes
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def command_fields(body: dict[str, Any]) -> tuple[str, str | None, str | None, str | None]:
    """(text, user id, channel id, response_url) of a slash command's payload."""
    return (
        (body.get("text") or "").strip(),
        body.get("user_id"),
        body.get("channel_id"),
        body.get("response_url"),
    )


def answer_reply(
    settings: Settings,
    factory: sessionmaker[Session],
    text: str,
    *,
    user_id: str | None,
    channel_id: str | None,
    client: Any = None,
) -> tuple[Reply, dict[str, Any]]:
    """The reply to `/regio text` and its message, with its response_type. With a Slack
    `client`, a user's profile is fetched first when none is kept (bot.profiles)."""
    reply = run_handler(settings, factory, handle_text(text), user_id=user_id,
                        channel_id=channel_id, client=client)
    return reply, {
        **to_message(reply, lang=settings.regiobot_lang),
        "response_type": "ephemeral" if reply.ephemeral else "in_channel",
    }


def upload_files(client: Any, reply: Reply, *, channel_id: str | None, user_id: str | None) -> None:
    """The reply's files (the declarations chart) with files_upload_v2, after its
    message: where everyone reads the answer when it is for everyone, else in a direct
    message with the asker — a response_url cannot carry files, and a chart beside an
    answer meant for one person should not be shown to the channel. A failed upload is
    logged: the answer itself stands."""
    if client is None or not reply.files or not (channel_id or user_id):
        return
    try:
        channel = channel_id
        if reply.ephemeral and not (channel_id or "").startswith("D"):
            if user_id is None:
                return
            channel = client.conversations_open(users=user_id)["channel"]["id"]
        for attachment in reply.files:
            client.files_upload_v2(channel=channel, filename=attachment.filename,
                                   title=attachment.title, content=attachment.render())
    except Exception:
        log.exception("could not upload the files of an answer")


def event_fields(event: dict[str, Any]) -> dict[str, Any]:
    """What answering a mention or DM reads of its event (the rest is not sent on)."""
    return {key: event.get(key) for key in ("text", "channel", "user", "ts", "thread_ts")}


def _event_post(event: dict[str, Any], message: dict[str, Any], *, shared: bool) -> Post:
    channel = event["channel"]
    if channel.startswith("D"):
        # A DM is private already: answer there (in its thread if it has one).
        return "chat.postMessage", {"channel": channel, "thread_ts": event.get("thread_ts"),
                                    **message}
    # A mention is answered in its thread: for all to read when the answer may be
    # shared, else for the asker only (a refusal, a change, a feed URL, detail meant
    # for contract managers).
    thread_ts = event.get("thread_ts") or event["ts"]
    if shared:
        return "chat.postMessage", {"channel": channel, "thread_ts": thread_ts, **message}
    return "chat.postEphemeral", {"channel": channel, "user": event["user"],
                                  "thread_ts": thread_ts, **message}


def event_answer(
    settings: Settings, factory: sessionmaker[Session], event: dict[str, Any],
    bot_user_id: str | None,
    client: Any = None,
) -> Post:
    """The Web API call answering a mention or a direct message."""
    from bot.listeners.events import question_text, shareable

    text = question_text(event.get("text") or "", bot_user_id)
    user_id = event.get("user")
    in_dm = event["channel"].startswith("D")
    reply = run_handler(settings, factory,
                        handle_text(text, private=lambda r: in_dm or not shareable(r)),
                        user_id=user_id if isinstance(user_id, str) else None,
                        channel_id=event["channel"], client=client)
    message = to_message(reply, lang=settings.regiobot_lang)
    return _event_post(event, message, shared=shareable(reply))


def busy_event_post(settings: Settings, event: dict[str, Any]) -> Post:
    """The "try again" for a mention or DM that arrives when too many answers wait."""
    return _event_post(event, {"text": too_busy(settings)}, shared=False)


def deliver(client: Any, post: Post) -> None:
    """Make the Web API call `post` (chat.postMessage or chat.postEphemeral)."""
    method, arguments = post
    getattr(client, method.replace(".", "_"))(**arguments)


class ResponseUrls:
    """Posts answers to response_urls over kept-alive connections, one per host: a
    fresh connection per answer costs a TCP (and in production a TLS) handshake with
    Slack, more than the answer itself. Used by one thread at a time."""

    def __init__(self, timeout: float = RESPONSE_URL_TIMEOUT_SECONDS):
        self.timeout = timeout
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def post(self, url: str, message: dict[str, Any]) -> int:
        """POST `message` as JSON to `url`; the HTTP status."""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("a response_url must be an http(s) URL")
        key = (parts.scheme, parts.netloc)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = json.dumps(message).encode()
        headers = {"Content-Type": "application/json;charset=utf-8"}
        while True:
            reused = key in self._connections
            connection = self._connections.pop(key, None) or self._connect(parts)
            try:
                connection.request("POST", target, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                if reused:  # the server closed the idle connection: send once more
                    continue
                raise
            except BaseException:
                connection.close()
                raise
            if response.will_close:
                connection.close()
            else:
                self._connections[key] = connection
            return response.status

    def _connect(self, parts) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        return kind(parts.hostname, parts.port, timeout=self.timeout)


def _post_to_response_url(urls: ResponseUrls, response_url: str, message: dict[str, Any]) -> None:
    status = urls.post(response_url, message)
    if status != 200:
        # The URL is a credential for 30 minutes: its status only, never the URL.
        log.warning("Slack refused a /regio answer at its response_url: HTTP %s", status)


class ThreadAnswers:
    """Answers in an executor of the web process (Bolt's listener executor)."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], executor: Executor,
                 client: Any = None):
        self.settings = settings
        self.factory = factory
        self.executor = executor
        self.client = client

    def submit(self, body: dict[str, Any], respond: Respond) -> None:
        self.executor.submit(self._answer, body, respond)

    def _answer(self, body: dict[str, Any], respond: Respond) -> None:
        text, user_id, channel_id, _ = command_fields(body)
        try:
            reply, message = answer_reply(self.settings, self.factory, text, user_id=user_id,
                                          channel_id=channel_id, client=self.client)
            respond(**message)
        except Exception:
            log.exception("answering /regio failed")
            return
        if reply.files:
            upload_files(self.client, reply, channel_id=channel_id, user_id=user_id)

    def submit_event(self, event: dict[str, Any], bot_user_id: str | None, client: Any, *,
                     event_id: str | None = None) -> None:
        self.executor.submit(self._answer_event, event_fields(event), bot_user_id, client,
                             event_id)

    def _answer_event(self, event: dict[str, Any], bot_user_id: str | None, client: Any,
                      event_id: str | None) -> None:
        try:
            if first_delivery(self.factory, event_id):
                deliver(client, event_answer(self.settings, self.factory, event, bot_user_id,
                                             client))
        except Exception:
            log.exception("answering a mention or direct message failed")

    def busy(self) -> bool:
        return False


# --- In worker processes ----------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(settings: Settings) -> None:
    from bot.app import make_client
    from storage.db import make_engine, make_sessionmaker

    # A spawned process starts with no logging set up: its errors would otherwise go
    # out bare, without time or logger.
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s answers[%(process)d] %(name)s: %(message)s")
    try:
        os.nice(ANSWER_NICENESS)
    except OSError:
        log.warning("could not lower the answer worker's priority")
    _worker.update(
        settings=settings,
        factory=make_sessionmaker(make_engine(settings.database_url)),
        urls=ResponseUrls(),
        client=make_client(settings) if settings.slack_bot_token else None,
    )
    # The command layer's modules now, not in the first answer: every subcommand (which
    # `commands.registry` would otherwise import on first use) and the question reader.
    import commands.questions  # noqa: F401
    from commands import registry

    registry.load_all()

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="regiobot-answers-parent").start()


def _exit_with_parent(parent: int, every: float = 1.0) -> None:
    """End this worker once the web process is gone: killed with SIGKILL, a parent
    leaves its pool's workers waiting on a queue nobody writes to any more, holding
    store connections."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def _ready() -> float:
    return 0.0


def answer_in_worker(text: str, user_id: str | None, channel_id: str | None,
                     response_url: str | None) -> float:
    """Answer one command and post the answer to its response_url (in a worker); the
    seconds it took."""
    assert _worker, "the answer worker was not started"
    started = time.perf_counter()
    reply, message = answer_reply(_worker["settings"], _worker["factory"], text, user_id=user_id,
                                  channel_id=channel_id, client=_worker["client"])
    if response_url:
        _post_to_response_url(_worker["urls"], response_url, message)
    upload_files(_worker["client"], reply, channel_id=channel_id, user_id=user_id)
    return time.perf_counter() - started


def answer_event_in_worker(event: dict[str, Any], bot_user_id: str | None,
                           event_id: str | None = None) -> float:
    """Answer one mention or DM with the Web API (in a worker) unless it is a retry of
    one claimed already (bot.listeners.retries); the seconds it took."""
    assert _worker, "the answer worker was not started"
    started = time.perf_counter()
    if first_delivery(_worker["factory"], event_id):
        deliver(_worker["client"],
                event_answer(_worker["settings"], _worker["factory"], event, bot_user_id,
                             _worker["client"]))
    return time.perf_counter() - started


class ProcessAnswers:
    """Answers in `processes` worker processes (spawned, so no lock or connection of the
    web process is inherited), each with its own store connection."""

    def __init__(self, settings: Settings, processes: int, *, max_pending: int | None = None,
                 max_wait: float | None = None):
        self.settings = settings
        self.processes = processes
        self.max_pending = MAX_PENDING if max_pending is None else max_pending
        self.max_wait = MAX_WAIT_SECONDS if max_wait is None else max_wait
        self._pending = 0
        # Seconds an answer takes in a worker, a moving average (for the wait estimate).
        self._seconds_each = 0.01
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

    def expected_wait(self) -> float:
        """Seconds a request handed over now would wait for the answers ahead of it."""
        return self._pending * self._seconds_each / self.processes

    def busy(self) -> bool:
        return self._pending >= self.max_pending or self.expected_wait() > self.max_wait

    def submit(self, body: dict[str, Any], respond: Respond) -> None:
        def apologise() -> None:
            respond(text=sorry(self.settings), response_type="ephemeral")

        self._hand_over(answer_in_worker, command_fields(body), apologise)

    def submit_event(self, event: dict[str, Any], bot_user_id: str | None, client: Any, *,
                     event_id: str | None = None) -> None:
        # An answer that failed in a worker is logged there; an apology would most
        # likely fail the same way (Slack refusing the post).
        self._hand_over(answer_event_in_worker, (event_fields(event), bot_user_id, event_id),
                        None)

    def _hand_over(self, work: Callable[..., float], args: tuple,
                   apologise: Callable[[], None] | None) -> None:
        with self._lock:
            self._pending += 1
            pool = self._pool
        try:
            try:
                future = pool.submit(work, *args)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): start a new pool and go on.
                # Requests arriving together all see the broken pool; one replaces it.
                with self._lock:
                    if self._pool is pool:
                        log.error("the answer workers died; starting new ones")
                        pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = self._start()
                    pool = self._pool
                future = pool.submit(work, *args)
        except Exception:
            log.exception("could not hand a request to the answer workers")
            self._finished_without_answer(apologise)
            return
        future.add_done_callback(lambda done: self._finished(done, apologise))

    def _finished(self, future: Future, apologise: Callable[[], None] | None) -> None:
        if future.cancelled():  # the web process is stopping
            with self._lock:
                self._pending -= 1
            return
        error = future.exception()
        if error is None:
            with self._lock:
                self._pending -= 1
                self._seconds_each += (future.result() - self._seconds_each) / 32
            return
        log.error("answering failed in a worker: %r", error)
        self._finished_without_answer(apologise)

    def _finished_without_answer(self, apologise: Callable[[], None] | None) -> None:
        with self._lock:
            self._pending -= 1
        if apologise is None:
            return
        try:
            apologise()
        except Exception:
            log.exception("could not send the apology either")

    def shutdown(self) -> None:
        """Finish the answers being worked out, drop the ones still waiting."""
        with self._lock:
            pool = self._pool
        pool.shutdown(wait=True, cancel_futures=True)


Answers = ThreadAnswers | ProcessAnswers

# Pools of this process, shut down when the web process stops (`shutdown_answers`):
# without it the interpreter's exit would wait for every queued answer.
_pools: weakref.WeakSet[ProcessAnswers] = weakref.WeakSet()
# The answers of each Bolt app: its commands and its events share one pool.
_of_app: weakref.WeakKeyDictionary[Any, Answers] = weakref.WeakKeyDictionary()


def shutdown_answers() -> None:
    for answers in list(_pools):
        answers.shutdown()


def make_answers(
    settings: Settings, factory: sessionmaker[Session], executor: Executor, client: Any = None
) -> Answers:
    processes = answer_processes(settings)
    if processes > 0:
        answers = ProcessAnswers(settings, processes)
        _pools.add(answers)
        return answers
    return ThreadAnswers(settings, factory, executor, client)


def answers_for(app: Any, settings: Settings, factory: sessionmaker[Session]) -> Answers:
    """The answers of Bolt app `app`, made on first use."""
    answers = _of_app.get(app)
    if answers is None:
        answers = _of_app[app] = make_answers(settings, factory,
                                              app.listener_runner.listener_executor,
                                              app.client)
    return answers
