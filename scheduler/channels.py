"""Outbound channels, healthchecks style: one small class per way out, the error
classification in their base class.

    channel_id = channel.resolve(target)            # a DM's D… id for a user id
    ts = channel.post(channel_id, message, metadata)
    channel.update(channel_id, ts, message)
    channel.find_by_key(channel_id, key, oldest=…)  # ts of an earlier post, or None

Every post carries its delivery key in Slack message metadata
(`{"event_type": "regiobot_delivery", "event_payload": {"key": …}}`), so after a
crash between Slack's answer and our commit the key can be found in the channel
history (`conversations.history` with `include_all_metadata`) instead of posting twice.

Errors come out as three kinds (`DeliveryError` subclasses), which is all the sender
needs to know: `RateLimited` (wait `retry_after` seconds), `TransientError` (back off;
`ambiguous` when the post may have landed), `PermanentError` (give up, tell an admin).
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import socket
import sys
import tempfile
import threading
import urllib.error
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from regiobot.clock import AMSTERDAM
from storage.linking import profile_of

log = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "regiobot_delivery"

# Slack answers these (HTTP 200, ok=false) when retrying cannot help.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "restricted_action",
        "msg_too_long",
        "invalid_blocks",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "no_text",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# Slack's own "try again" answers.
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


class DeliveryError(Exception):
    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or message


class RateLimited(DeliveryError):
    """Slack answered 429: nothing was posted; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, *, code: str = "ratelimited") -> None:
        super().__init__(f"{code} (Retry-After {retry_after:g} s)", code=code)
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """5xx, a timeout, a dropped connection: try again later.

    `ambiguous` is True when the request may have been carried out (Slack may have
    posted before failing to answer): the next attempt looks in the history first.
    """

    def __init__(self, message: str, *, code: str | None = None, ambiguous: bool = True) -> None:
        super().__init__(message, code=code)
        self.ambiguous = ambiguous


class PermanentError(DeliveryError):
    """Retrying will not help (channel gone, bot not invited, token revoked, …)."""


def metadata_for(key: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": key}}


def key_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("key")


def slack_ts(moment: datetime) -> str:
    """A Slack `oldest`/`latest` value for a moment."""
    return f"{moment.timestamp():.6f}"


class Channel:
    """The interface and the error classification every channel shares."""

    name = "channel"

    def resolve(self, target: str) -> str:
        """The conversation id to post to: channels as they are, a user id's DM."""
        return target

    def post(self, channel: str, message: dict[str, Any], metadata: dict[str, Any]) -> str:
        raise NotImplementedError

    def profile(self, user: str) -> dict[str, str | None] | None:
        """A user's names, email and locale (for their language), or None if unknown."""
        return None

    def update(self, channel: str, ts: str, message: dict[str, Any],
               metadata: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def find_by_key(self, channel: str, key: str, *, oldest: datetime | None = None,
                    thread_ts: str | None = None) -> str | None:
        """The ts of an earlier post carrying `key`; in the thread of `thread_ts` when the
        post was a reply (replies are not in the channel history)."""
        raise NotImplementedError

    def upload(self, channel: str, *, filename: str, title: str, content: bytes,
               thread_ts: str | None = None) -> str:
        """Show a file (a chart) in the conversation, in the thread of `thread_ts`;
        returns where it went (a file id, or a path at the console)."""
        raise NotImplementedError

    # --- one classification for every channel

    @staticmethod
    def classify(error: BaseException) -> DeliveryError:
        if isinstance(error, DeliveryError):
            return error
        if isinstance(error, SlackApiError):
            response = error.response
            status = getattr(response, "status_code", 200) or 200
            code = (response.get("error") if hasattr(response, "get") else None) or "unknown"
            if status == 429 or code == "ratelimited":
                headers = {k.lower(): v for k, v in (getattr(response, "headers", {}) or {}).items()}
                value = headers.get("retry-after")
                if isinstance(value, list):
                    value = value[0] if value else None
                try:
                    retry_after = max(float(value), 1.0) if value is not None else 60.0
                except ValueError:
                    retry_after = 60.0
                return RateLimited(retry_after, code="ratelimited")
            if status >= 500:
                return TransientError(f"HTTP {status}", code=f"http_{status}")
            if code in TRANSIENT_ERRORS:
                return TransientError(code, code=code)
            if code in PERMANENT_ERRORS or status in (400, 401, 403, 404):
                return PermanentError(code, code=code)
            # An answer we don't know: Slack did answer and did not post, and trying the
            # same request again will give the same answer.
            return PermanentError(code, code=code)
        if isinstance(error, (TimeoutError, socket.timeout)):
            return TransientError("timeout", code="timeout")
        if isinstance(error, (urllib.error.URLError, ConnectionError, OSError)):
            return TransientError(f"connection: {error}", code="connection")
        return TransientError(f"{type(error).__name__}: {error}", code="unexpected")


class SlackChannel(Channel):
    """Posts through the Slack Web API (chat.postMessage / chat.update)."""

    name = "slack"

    def __init__(self, client: WebClient, *, history_pages: int = 5) -> None:
        self.client = client
        self.history_pages = history_pages
        self._dms: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_token(cls, token: str, *, base_url: str = "https://slack.com/api/",
                   timeout: int = 30) -> SlackChannel:
        # No automatic retries inside the client: a retried chat.postMessage after a
        # dropped connection could post twice. Retries belong to the delivery table,
        # which looks for the key in the history first.
        return cls(WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[]))

    def _call(self, method: str, **kwargs: Any):
        """Call a WebClient method (`chat_postMessage`, …); errors come out classified."""
        try:
            return getattr(self.client, method)(**kwargs)
        except Exception as error:
            raise self.classify(error) from error

    def resolve(self, target: str) -> str:
        if target[:1] not in ("U", "W"):
            return target
        with self._lock:
            if target in self._dms:
                return self._dms[target]
        response = self._call("conversations_open", users=target)
        channel = (response.get("channel") or {}).get("id") or target
        with self._lock:
            self._dms[target] = channel
        return channel

    def profile(self, user: str) -> dict[str, str | None] | None:
        """users.info with include_locale; None when Slack does not say (the post goes
        out in REGIOBOT_LANG then)."""
        try:
            response = self._call("users_info", user=user, include_locale=True)
        except DeliveryError as error:
            log.warning("users.info for %s: %s", user, error)
            return None
        return profile_of(response.get("user") or {})

    def post(self, channel: str, message: dict[str, Any], metadata: dict[str, Any]) -> str:
        response = self._call(
            "chat_postMessage", channel=channel, metadata=metadata, unfurl_links=False,
            **message,
        )
        return str(response["ts"])

    def update(self, channel: str, ts: str, message: dict[str, Any],
               metadata: dict[str, Any] | None = None) -> None:
        extra = {"metadata": metadata} if metadata else {}
        self._call("chat_update", channel=channel, ts=ts, **message, **extra)

    def upload(self, channel: str, *, filename: str, title: str, content: bytes,
               thread_ts: str | None = None) -> str:
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        response = self._call("files_upload_v2", channel=channel, content=content,
                              filename=filename, title=title, **extra)
        file = response.get("file") or {}
        return str(file.get("id") or "")

    def find_by_key(self, channel: str, key: str, *, oldest: datetime | None = None,
                    thread_ts: str | None = None) -> str | None:
        cursor = None
        joined = False
        method = "conversations_replies" if thread_ts else "conversations_history"
        for _ in range(self.history_pages):
            args: dict[str, Any] = {
                "channel": channel, "limit": 200, "include_all_metadata": True,
            }
            if thread_ts:
                args["ts"] = thread_ts
            if oldest is not None:
                args["oldest"] = slack_ts(oldest)
            if cursor:
                args["cursor"] = cursor
            try:
                response = self._call(method, **args)
            except PermanentError as error:
                if error.code != "not_in_channel" or joined:
                    raise
                # chat:write.public posts to public channels the bot never joined, but
                # reading their history needs membership: join once, then look again.
                self._call("conversations_join", channel=channel)
                joined = True
                response = self._call(method, **args)
            for message in response.get("messages") or []:
                if key_of(message) == key:
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None


class ConsoleChannel(Channel):
    """Prints posts to a stream: development without Slack, and `regiobot simulate`.

    It remembers what it posted, so `find_by_key` answers like a channel history.
    """

    name = "console"

    def __init__(
        self, stream: TextIO | None = None, *, show_blocks: bool = False, quiet: bool = False,
        files_dir: Path | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        # Where uploaded files (charts) are written; their path is printed.
        self.files_dir = files_dir or Path(tempfile.gettempdir()) / "regiobot-files"
        self.show_blocks = show_blocks
        # One line per post, no message text.
        self.quiet = quiet
        # `regiobot simulate` sets the simulated moment here, to print it with each post.
        self.now: datetime | None = None
        self._ts = itertools.count(1)
        self._posted: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self.posts: list[tuple[str, str, dict[str, Any]]] = []

    @staticmethod
    def _text(message: dict[str, Any]) -> str:
        """Block Kit back to readable lines (the console shows what Slack would)."""
        lines: list[str] = []
        for block in message.get("blocks") or []:
            kind = block.get("type")
            if kind == "header":
                title = block["text"]["text"]
                lines += [title, "=" * min(len(title), 60)]
            elif kind == "section":
                if block.get("text"):
                    lines.append(block["text"]["text"])
                lines += [f["text"] for f in block.get("fields") or []]
            elif kind == "context":
                lines += [f"  ({e.get('text', '')})" for e in block.get("elements") or []]
            elif kind == "divider":
                lines.append("")
            elif kind == "actions":
                labels = [e["text"]["text"] for e in block.get("elements") or [] if e.get("text")]
                lines.append("  " + "  ".join(f"[{label}]" for label in labels))
        text = "\n".join(lines) if lines else str(message.get("text", ""))
        return html.unescape(text)  # Slack's &lt; &gt; &amp; escapes, as Slack shows them

    def post(self, channel: str, message: dict[str, Any], metadata: dict[str, Any]) -> str:
        key = (metadata.get("event_payload") or {}).get("key", "")
        with self._lock:
            ts = f"{next(self._ts)}.000000"
            self._posted[(channel, key)] = ts
            self.posts.append((channel, key, message))
            where = f"post to {channel}"
            if message.get("thread_ts"):
                where = f"reply to {channel} thread={message['thread_ts']}"
                if message.get("reply_broadcast"):
                    where += " (also in the channel)"
            self._write(f"--- {where} ts={ts} key={key}", message)
        return ts

    def update(self, channel: str, ts: str, message: dict[str, Any],
               metadata: dict[str, Any] | None = None) -> None:
        key = ((metadata or {}).get("event_payload") or {}).get("key", "")
        with self._lock:
            self._write(f"--- update {channel} ts={ts} key={key}", message)

    def find_by_key(self, channel: str, key: str, *, oldest: datetime | None = None,
                    thread_ts: str | None = None) -> str | None:
        with self._lock:
            return self._posted.get((channel, key))

    def upload(self, channel: str, *, filename: str, title: str, content: bytes,
               thread_ts: str | None = None) -> str:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / f"{channel}-{filename}"
        path.write_bytes(content)
        with self._lock:
            self.stream.write(f"--- file for {channel}: {title}: {path}\n")
            self.stream.flush()
        return str(path)

    def _write(self, title: str, message: dict[str, Any]) -> None:
        if self.now is not None:
            title = f"{title} at={self.now.astimezone(AMSTERDAM):%Y-%m-%d %H:%M}"
        if self.quiet:
            self.stream.write(title.removeprefix("--- ") + "\n")
            self.stream.flush()
            return
        text = self._text(message)
        self.stream.write(f"{title}\n{text}\n")
        if self.show_blocks:
            self.stream.write(json.dumps(message.get("blocks", []), ensure_ascii=False) + "\n")
        self.stream.flush()
