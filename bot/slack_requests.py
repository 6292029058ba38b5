"""What `POST /slack/events` checks before Bolt (or the store) sees a request.

In this order, each on the raw request:

1. the size: at most `MAX_SLACK_BODY` bytes are read, whatever `Content-Length` says or
   whether there is one (chunked encoding); past the limit the answer is 413 and
   nothing more is read;
2. the signature, on the raw bytes: Slack's v0 HMAC-SHA256 of `v0:<timestamp>:<body>`
   with the signing secret, a timestamp of at most 5 minutes ago (or ahead), both
   headers in the exact form Slack writes them — anything else is 401, before the body
   is parsed at all;
3. the shape: a signed body must be what Slack sends — UTF-8, a JSON object or a form
   (a slash command, or `payload=<JSON object>` for interactivity) whose well-known
   fields have the types Slack gives them — else 400.

Only then is the request handed to Bolt, which checks the signature once more.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltRequest
from starlette.requests import ClientDisconnect, Request

# Slack's payloads are a few kilobytes; a Block Kit message with every block is < 100 KB.
MAX_SLACK_BODY = 1024 * 1024
# Slack refuses requests older than five minutes; so do we (replays).
MAX_CLOCK_SKEW_SECONDS = 5 * 60

_TIMESTAMP = re.compile(r"[0-9]{1,12}\Z")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}\Z")
_DIGITS = re.compile(r"[0-9]{1,19}\Z")


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


TOO_LARGE = Refusal(413, "request body too large")


async def read_limited(request: Request, limit: int = MAX_SLACK_BODY) -> bytes | Refusal:
    """The body, or a refusal as soon as more than `limit` bytes arrive (413) — the rest
    is never read. A declared Content-Length above the limit is refused unread."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not _DIGITS.match(declared.strip()):
            return Refusal(400, "unreadable Content-Length")
        if int(declared) > limit:
            return TOO_LARGE
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return TOO_LARGE
            chunks.append(chunk)
    except ClientDisconnect:
        return Refusal(400, "the client went away")
    return b"".join(chunks)


def signature_of(body: bytes, timestamp: str, secret: str) -> str:
    """Slack's v0 signature of `body` sent at `timestamp`."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_by_slack(
    body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str,
    now: Callable[[], float] = time.time,
) -> bool:
    """Whether `body` carries a valid, fresh Slack signature.

    Slack's timestamps are real Unix time, so freshness is judged by the real clock,
    not by `regiobot.clock` (whose date may be pinned to 2020). Malformed headers —
    a timestamp that is not a plain integer, a signature that is not `v0=` and 64 hex
    digits — are simply not valid; they never raise.
    """
    if not secret:
        return False
    timestamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not _TIMESTAMP.match(timestamp) or not _SIGNATURE.match(signature):
        return False
    if abs(now() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature_of(body, timestamp, secret), signature)


# --- The shape of what Slack sends ---------------------------------------------------

# Fields Bolt and the listeners read, and the types Slack gives them. A field may be
# absent; when present in an object that is read (`_read_nodes`) it must have one of
# these types.
_STRING = (str,)
_OPTIONAL_STRING = (str, type(None))
_OBJECT_OR_ID = (str, dict, type(None))
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    **{name: _OPTIONAL_STRING for name in (
        "type", "subtype", "team_id", "enterprise_id", "user_id", "channel_id",
        "api_app_id", "command", "ts", "thread_ts", "event_ts", "message_ts", "action_id",
        "block_id", "callback_id", "response_url", "trigger_id", "channel_type", "tab",
        "user_team", "bot_id", "view_id", "app_installed_team_id", "function_execution_id",
        "execution_id", "bot_access_token", "context_team_id", "context_enterprise_id",
        "challenge", "token",
    )},
    "event_id": _STRING,
    "text": (str, dict, type(None)),
    "user": _OBJECT_OR_ID,
    "team": _OBJECT_OR_ID,
    "channel": _OBJECT_OR_ID,
    "enterprise": _OBJECT_OR_ID,
    "event": (dict,),
    "view": (dict,),
    "container": (dict,),
    "message": (dict,),
    "previous_message": (dict,),
    "item": (dict,),
    "assistant_thread": (dict,),
    "function_data": (dict,),
    "metadata": (dict, type(None)),
    "authorizations": (list,),
    "actions": (list,),
    "response_urls": (list,),
    "blocks": (list,),
    "elements": (list,),
    "is_ext_shared_channel": (bool,),
    "is_enterprise_install": (bool, str),
}
# Lists whose items Bolt or the listeners read as objects.
_LISTS_OF_OBJECTS = ("authorizations", "actions", "response_urls", "blocks", "elements")
# Slack's ids and timestamps are short; our store keeps event ids in 64 characters.
_SHORT = {"event_id": 64, "action_id": 255, "type": 255, "command": 255}
_MAX_DEPTH = 64
# Slack's response_url: https://hooks.slack.com/… (any http(s) URL without spaces).
_URL = re.compile(r"https?://[!-~]+\Z")


def _too_deep(body: Any) -> bool:
    """Nested deeper than any Slack payload (Bolt deep-copies bodies recursively)."""
    stack: list[tuple[Any, int]] = [(body, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return True
        if isinstance(node, dict):
            node = node.values()
        if not isinstance(node, str) and hasattr(node, "__iter__"):
            stack.extend((item, depth + 1) for item in node if isinstance(item, dict | list))
    return False


def _read_nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects of a payload that Bolt and the listeners read fields of: the payload
    itself, its event, message, item, user, team, channel, container, view, the items
    of its authorizations, actions and response_urls, and the blocks of its message.
    Deeper content (attachments, files, Block Kit of a view) is Slack's to shape."""
    nodes = [body]
    for parent in (body, body.get("event")):
        if not isinstance(parent, dict):
            continue
        for name in ("event", "message", "previous_message", "item", "assistant_thread",
                     "user", "team", "channel", "enterprise", "container", "view",
                     "function_data"):
            child = parent.get(name)
            if isinstance(child, dict) and child is not body:
                nodes.append(child)
    message = body.get("message")
    lists = [body.get(name) for name in ("authorizations", "actions", "response_urls")]
    if isinstance(message, dict):
        lists.append(message.get("blocks"))
        blocks = message.get("blocks")
        if isinstance(blocks, list):
            lists += [b.get("elements") for b in blocks if isinstance(b, dict)]
    for items in lists:
        if isinstance(items, list):
            nodes += [item for item in items if isinstance(item, dict)]
    return nodes


def _why_not_slack(body: Any) -> str | None:
    """None when `body` has the shape of a Slack payload, else what is wrong."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if _too_deep(body):
        return "nested too deeply"
    for node in _read_nodes(body):
        for name, value in node.items():
            allowed = _FIELD_TYPES.get(name)
            if allowed is not None and not isinstance(value, allowed):
                return f"{name} has the wrong type"
            if name in _SHORT and isinstance(value, str) and len(value) > _SHORT[name]:
                return f"{name} is too long"
            if name in _LISTS_OF_OBJECTS and not all(isinstance(i, dict) for i in value):
                return f"{name} holds something other than objects"
            if name == "response_url" and isinstance(value, str) and not _URL.match(value):
                return "response_url is not a URL"
            if isinstance(value, dict) and name in ("user", "team", "channel", "enterprise"):
                if not isinstance(value.get("id", ""), str):
                    return f"{name}.id has the wrong type"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "an event callback without an event type"
    elif kind in ("block_actions", "interactive_message", "attachment_actions"):
        if not body.get("actions"):
            return "an action payload without actions"
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "an action payload without the user who clicked"
    elif kind in ("view_submission", "view_closed") and not isinstance(body.get("view"), dict):
        return "a view payload without a view"
    if "command" in body:
        # A slash command is answered through its response_url, on behalf of its user.
        if not all(isinstance(body.get(k), str) and body[k]
                   for k in ("response_url", "user_id", "channel_id")):
            return "a slash command without its response_url, user or channel"
    # A view_submission carries `"response_urls": []` unless its modal asks for one
    # (Slack's documented payload); only elsewhere is an empty list not Slack's.
    if body.get("response_urls") == [] and kind not in ("view_submission", "view_closed"):
        return "an empty list of response_urls"
    return None


def bolt_request(body: bytes, headers: Mapping[str, str], query: Any) -> BoltRequest | Refusal:
    """The request for Bolt — its body parsed by Bolt's own rules, so that what is
    checked here is exactly what Bolt and the listeners read — or a 400 refusal when
    it is not what Slack sends."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "not UTF-8")
    try:
        request = BoltRequest(body=text, query=query, headers=headers)  # type: ignore[arg-type]
    except (ValueError, TypeError, LookupError, AttributeError, RecursionError):
        # Not JSON, JSON but not an object, or fields Bolt cannot read.
        return Refusal(400, "not a JSON object or a form Slack sends")
    why = _why_not_slack(request.body)
    if why is not None:
        return Refusal(400, why)
    return request
