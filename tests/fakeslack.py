"""A fake Slack Web API on loopback that records every call (bot and scheduler tests).

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="hoi")
        call, = slack.calls_to("chat.postMessage")
        call.args["channel"]                     # "C1"
        slack.fail_next(2, status=429, retry_after=1)   # the next two calls: 429
        slack.fail_next(1, error="channel_not_found", method="chat.postMessage")
        url = slack.response_url("cmd-1")        # give to a slash command / action
        slack.wait_for("response_url", count=1)  # respond() posts arrive as calls too

What it answers:
- `auth.test`: the bot (`BOT_USER_ID`, `BOT_ID`) in team `TEAM_ID`.
- `chat.postMessage`: stores the message in its channel and answers a fresh, increasing
  `ts`; `chat.update` changes the stored message; `chat.postEphemeral`: a `message_ts`.
- `conversations.history`: the channel's stored messages, newest first, with their
  `metadata` (for looking up a delivery key after a crash), honouring `limit`/`oldest`;
  thread replies only when posted with `reply_broadcast`, as Slack does;
  `conversations.replies`: one thread (`ts`), its parent first.
- `views.publish` / `views.open` / `views.update`: the view back with an id;
  `users.info`: what `profiles[user_id]` says (real_name, locale, profile.email …) or a
  plausible Dutch user.
- any other method: `{"ok": true}`.
- POST `/response/<key>` (a `response_url`): `ok`, recorded as method "response_url".
- `files_upload_v2`'s three steps: `files.getUploadURLExternal` hands out an upload URL
  on the fake, POST `/upload/<file id>` keeps the bytes (recorded as method "upload"),
  `files.completeUploadExternal` shares them; `uploads` lists what was shared where.

`fail_next(n, status=429|500|…, retry_after=…, error=…, method=…)` makes the next n
matching calls fail: an HTTP status (429 with a `Retry-After` header), or with `error`
a 200 `{"ok": false, "error": …}` as Slack does for permanent errors. Failed calls are
recorded too (`Call.status`, `Call.error`), so retries can be counted.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TEAM_ID = "T0REGIO"
BOT_USER_ID = "UBOTREGIO"
BOT_ID = "BBOTREGIO"
RESPONSE_URL_METHOD = "response_url"


@dataclass
class Call:
    """One request to the fake: `method` is the Web API method or "response_url"."""

    method: str
    args: dict[str, Any]
    path: str
    status: int = 200
    error: str | None = None
    # Whether an `Authorization: Bearer …` header came along (the token itself is not kept).
    authorised: bool = False
    # When it arrived (epoch seconds: comparable across processes, for benchmarks).
    received: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class _Failure:
    remaining: int
    status: int
    retry_after: int | None
    error: str | None
    method: str | None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    # channel id -> messages (dicts with ts, text, blocks, metadata, …), oldest first.
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # file id -> bytes uploaded; and the files shared (id, title, channel, thread_ts, bytes).
    files: dict[str, bytes] = field(default_factory=dict)
    shared: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self._state = _State()
        self._changed = threading.Condition()
        # users.info answers: {user id: {"real_name": …, "locale": …, "profile": {…}}}.
        self.profiles: dict[str, dict[str, Any]] = {}
        self._ts = itertools.count(1)
        self._base_ts = int(time.time())
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # http.server's naming
                fake._serve(self)

            def do_GET(self) -> None:
                fake._serve(self)

            def log_message(self, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- addresses

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The `base_url` for a WebClient (`SLACK_API_BASE_URL`)."""
        return f"{self.url}/api/"

    def response_url(self, key: str = "1") -> str:
        return f"{self.url}/response/{key}"

    # --- what happened

    @property
    def calls(self) -> list[Call]:
        with self._changed:
            return list(self._state.calls)

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 10.0,
        ok_only: bool = True,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until `count` calls of `method` (matching `where`) arrived; return them.

        Raises AssertionError after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    c
                    for c in self._state.calls
                    if c.method == method
                    and (c.ok or not ok_only)
                    and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._state.calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method}, got {len(found)}; calls: {seen}"
                    )
                self._changed.wait(left)

    def uploads(self) -> list[dict[str, Any]]:
        """Files shared through files_upload_v2: id, title, channel, thread_ts, content."""
        with self._changed:
            return [dict(f) for f in self._state.shared]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages the fake holds for `channel`, oldest first."""
        with self._changed:
            return [dict(m) for m in self._state.messages.get(channel, [])]

    def reset(self) -> None:
        """Forget calls, pending failures and messages."""
        with self._changed:
            self._state = _State()

    # --- what to do next

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        retry_after: int | None = None,
        error: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next `count` calls (of `method`, or any) fail.

        `status=429` answers with `Retry-After` (default 1 s); `error="…"` answers 200
        with `{"ok": false, "error": …}` instead of an HTTP error.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._changed:
            self._state.failures.append(
                _Failure(count, 200 if error else status, retry_after, error, method)
            )

    # --- serving

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        content_type = request.headers.get("Content-Type", "")
        if parts.path.startswith("/upload/"):
            with self._changed:
                self._state.files[parts.path[len("/upload/"):]] = raw
                self._state.calls.append(Call(method="upload", args={}, path=parts.path))
                self._changed.notify_all()
            self._send(request, 200, None)
            return
        if raw:
            if "json" in content_type:
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw.decode("utf-8")))
        if parts.path.startswith("/response/"):
            method = RESPONSE_URL_METHOD
        elif parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
        else:
            self._send(request, 404, {"ok": False, "error": "not_found"})
            return
        call = Call(
            method=method,
            args=args,
            path=parts.path,
            authorised=request.headers.get("Authorization", "").startswith("Bearer "),
        )
        with self._changed:
            failure = self._take_failure(method)
            if failure is not None:
                call.status, call.error = failure.status, failure.error
                default = "ratelimited" if failure.status == 429 else "fatal_error"
                body: dict[str, Any] = {"ok": False, "error": failure.error or default}
            else:
                body = self._answer(method, args)
            self._state.calls.append(call)
            self._changed.notify_all()
        headers = {}
        if failure is not None and failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        if method == RESPONSE_URL_METHOD and failure is None:
            self._send(request, 200, None, headers)  # response_url answers plain "ok"
        else:
            self._send(request, call.status, body, headers)

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._state.failures:
            if failure.method in (None, method) and failure.remaining > 0:
                failure.remaining -= 1
                if failure.remaining == 0:
                    self._state.failures.remove(failure)
                return failure
        return None

    def _next_ts(self) -> str:
        return f"{self._base_ts}.{next(self._ts):06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        # Called with the lock held.
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://regio.slack.com/",
                "team": "Regio",
                "user": "regiobot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            channel = args.get("channel", "")
            message = {
                "type": "message",
                "ts": self._next_ts(),
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                **{k: args[k] for k in ("text", "thread_ts", "reply_broadcast") if k in args},
                **{k: _decoded(args[k]) for k in ("blocks", "metadata") if k in args},
            }
            self._state.messages.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        if method == "chat.update":
            channel, ts = args.get("channel", ""), args.get("ts", "")
            for message in self._state.messages.get(channel, []):
                if message["ts"] == ts:
                    if "text" in args:
                        message["text"] = args["text"]
                    for key in ("blocks", "metadata"):
                        if key in args:
                            message[key] = _decoded(args[key])
                    message["edited"] = {"user": BOT_USER_ID}
            return {"ok": True, "channel": channel, "ts": ts, "text": args.get("text", "")}
        if method == "conversations.open":
            # The direct message with the (one) user named. Slack gives it a D… id; the
            # fake names it by the user's id, which chat.postMessage also takes for a DM,
            # so the tests' DMs read as addressed to the person.
            return {"ok": True, "channel": {"id": args.get("users", "")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "conversations.history":
            # Like Slack: thread replies are not in the history unless also broadcast.
            history = [m for m in reversed(self._state.messages.get(args.get("channel", ""), []))
                       if m.get("thread_ts") in (None, m["ts"])
                       or m.get("reply_broadcast") in (True, "true", "1", 1)]
            if "oldest" in args:
                history = [m for m in history if float(m["ts"]) > float(args["oldest"])]
            limit = int(args.get("limit", 100))
            return {"ok": True, "messages": history[:limit], "has_more": len(history) > limit}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            shared = []
            for item in _decoded(args.get("files", "[]")):
                entry = {"id": item["id"], "title": item.get("title"),
                         "channel": args.get("channel_id"), "thread_ts": args.get("thread_ts"),
                         "content": self._state.files.get(item["id"], b"")}
                self._state.shared.append(entry)
                shared.append({"id": item["id"], "title": item.get("title")})
            return {"ok": True, "files": shared}
        if method == "conversations.replies":
            # The thread's parent first, then its replies, oldest first.
            ts = args.get("ts", "")
            thread = [m for m in self._state.messages.get(args.get("channel", ""), [])
                      if m["ts"] == ts or m.get("thread_ts") == ts]
            if not any(m["ts"] == ts for m in thread):
                return {"ok": False, "error": "thread_not_found"}
            if "oldest" in args:
                thread = [m for m in thread
                          if m["ts"] == ts or float(m["ts"]) > float(args["oldest"])]
            limit = int(args.get("limit", 100))
            return {"ok": True, "messages": thread[:limit], "has_more": len(thread) > limit}
        if method in ("views.publish", "views.open", "views.update"):
            view = _decoded(args.get("view", {}))
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **view}}
        if method == "users.info":
            user = args.get("user", "")
            if user in self.profiles:
                return {"ok": True, "user": {"id": user, "team_id": TEAM_ID, "is_bot": False,
                                             **self.profiles[user]}}
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": TEAM_ID,
                    "name": user.lower(),
                    "real_name": f"User {user}",
                    "tz": "Europe/Amsterdam",
                    "locale": "nl-NL",
                    "is_bot": False,
                },
            }
        return {"ok": True}

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if body is None:
            data, content_type = b"ok", "text/plain"
        else:
            data, content_type = json.dumps(body).encode(), "application/json; charset=utf-8"
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)


def _decoded(value: Any) -> Any:
    """Form-encoded calls carry `blocks`/`view`/`metadata` as JSON strings."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
